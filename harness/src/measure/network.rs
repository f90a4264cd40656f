//! Bytes this host's network interfaces have sent and received, from the kernel's counters
//! (`/sys/class/net/<interface>/statistics`), loopback excluded: what crossed the wire to other hosts, headers and
//! every other process's traffic included. Inside a network namespace the counters are the namespace's own. Where
//! they cannot be read nothing is recorded.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Bytes sent and received by a host's interfaces, loopback excluded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceBytes {
    pub sent: u64,
    pub received: u64,
}

const INTERFACES: &str = "/sys/class/net";

/// The bytes every interface but loopback has sent and received so far; `None` where none can be read.
pub fn host_bytes() -> Option<InterfaceBytes> {
    bytes_under(Path::new(INTERFACES))
}

fn bytes_under(root: &Path) -> Option<InterfaceBytes> {
    let mut total: Option<InterfaceBytes> = None;
    for entry in fs::read_dir(root).ok()?.flatten() {
        if entry.file_name() == "lo" {
            continue;
        }
        let statistics = entry.path().join("statistics");
        let (Some(sent), Some(received)) = (counter(&statistics, "tx_bytes"), counter(&statistics, "rx_bytes")) else {
            continue;
        };
        let sum = total.get_or_insert_with(InterfaceBytes::default);
        sum.sent += sent;
        sum.received += received;
    }
    total
}

fn counter(statistics: &Path, name: &str) -> Option<u64> {
    fs::read_to_string(statistics.join(name)).ok()?.trim().parse().ok()
}

/// What the counters grew by between two readings; `None` unless both were read.
pub fn since(before: Option<InterfaceBytes>, after: Option<InterfaceBytes>) -> Option<InterfaceBytes> {
    let (before, after) = (before?, after?);
    Some(InterfaceBytes {
        sent: after.sent.saturating_sub(before.sent),
        received: after.received.saturating_sub(before.received),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interface(root: &Path, name: &str, sent: u64, received: u64) {
        let statistics = root.join(name).join("statistics");
        fs::create_dir_all(&statistics).unwrap();
        fs::write(statistics.join("tx_bytes"), format!("{sent}\n")).unwrap();
        fs::write(statistics.join("rx_bytes"), format!("{received}\n")).unwrap();
    }

    #[test]
    fn every_interface_but_loopback_is_summed() {
        let root = tempfile::tempdir().unwrap();
        interface(root.path(), "lo", 1_000_000, 1_000_000);
        interface(root.path(), "veth0", 300, 700);
        interface(root.path(), "eth1", 5, 6);
        assert_eq!(bytes_under(root.path()), Some(InterfaceBytes { sent: 305, received: 706 }));
    }

    #[test]
    fn a_host_without_readable_counters_records_nothing() {
        let root = tempfile::tempdir().unwrap();
        interface(root.path(), "lo", 1, 1);
        assert_eq!(bytes_under(root.path()), None);
        assert_eq!(bytes_under(&root.path().join("absent")), None);
    }

    #[test]
    fn growth_needs_both_readings_and_never_goes_negative() {
        let at = |sent, received| Some(InterfaceBytes { sent, received });
        assert_eq!(since(at(10, 20), at(15, 29)), at(5, 9));
        assert_eq!(since(at(10, 20), at(5, 29)), at(0, 9), "a counter reset reads as no growth");
        assert_eq!(since(None, at(1, 1)), None);
    }
}
