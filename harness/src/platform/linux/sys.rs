//! What Linux says under `/sys`: the bytes the network interfaces moved (`/sys/class/net/<interface>/statistics`,
//! loopback excluded), and the CPU's topology (SMT siblings, the last-level cache, NUMA nodes).

use std::fs;
use std::path::Path;

use crate::platform::InterfaceBytes;

const INTERFACES: &str = "/sys/class/net";

pub fn host_interface_bytes() -> Option<InterfaceBytes> {
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

pub fn smt_sibling(cpu: usize) -> Option<usize> {
    let list = fs::read_to_string(format!("/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list")).ok()?;
    list.trim().split([',', '-']).filter_map(|n| n.parse::<usize>().ok()).find(|&n| n != cpu)
}

pub fn last_level_cache_bytes() -> Option<u64> {
    let dir = fs::read_dir("/sys/devices/system/cpu/cpu0/cache").ok()?;
    dir.flatten()
        .filter_map(|entry| {
            let level: u32 = fs::read_to_string(entry.path().join("level")).ok()?.trim().parse().ok()?;
            let size = fs::read_to_string(entry.path().join("size")).ok()?;
            let kib: u64 = size.trim().trim_end_matches('K').parse().ok()?;
            Some((level, kib * 1024))
        })
        .max()
        .map(|(_, bytes)| bytes)
}

pub fn numa_nodes() -> Option<usize> {
    let nodes = fs::read_dir("/sys/devices/system/node").ok()?;
    let count = nodes.flatten().filter(|e| e.file_name().to_string_lossy().starts_with("node")).count();
    (count > 0).then_some(count)
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
}
