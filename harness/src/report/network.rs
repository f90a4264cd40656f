//! What an `mpi` cell across hosts sent over the network, beside the payload the harness computed: a finding's
//! reason, so that the report shows the bytes on the wire next to the bytes of the tasks.

use crate::record::CellRecord;
use crate::strategy::StrategyKind;
use crate::strategy::mpi::HostRanks;
use crate::units::bytes;

/// For the `mpi` cell among `at_top` whose ranks ran on more than one host: where they ran, and per task the
/// messages that crossed to other hosts and the bytes their interfaces counted, against the computed payload.
pub fn network_reason(at_top: &[&CellRecord]) -> Option<String> {
    let cell = at_top.iter().find(|c| c.strategy == StrategyKind::Mpi && c.hosts.len() > 1)?;
    let network = cell.samples.last()?.network.as_ref()?;
    let coordinator = &cell.hosts.first()?.host;
    let tasks = cell.tasks.max(1) as f64;
    let payload = cell.payload.as_ref().map_or(0, |p| p.input_bytes_total + p.output_bytes_total) as f64;
    let wire = if network.hosts.is_empty() {
        "the interfaces' counters could not be read".to_owned()
    } else {
        format!(
            "{} passed the other hosts' interfaces",
            bytes(network.remote_interface_bytes(coordinator) as f64 / tasks)
        )
    };
    Some(format!(
        "across hosts: mpi ×{} ran on {}; per task {} of messages crossed between hosts and {wire} (headers and \
         acknowledgements included), against {} of computed payload (inputs and outputs, every task)",
        cell.workers,
        placement(&cell.hosts),
        bytes(network.remote_message_bytes(coordinator) as f64 / tasks),
        bytes(payload / tasks),
    ))
}

/// `h1 (ranks 0, 1), h2 (ranks 2, 3)`.
fn placement(hosts: &[HostRanks]) -> String {
    let host = |h: &HostRanks| {
        let ranks: Vec<String> = h.ranks.iter().map(u32::to_string).collect();
        format!("{} (ranks {})", h.host, ranks.join(", "))
    };
    hosts.iter().map(host).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use ablate_workloads::Kind;

    use super::*;
    use crate::measure::network::InterfaceBytes;
    use crate::record::PayloadBytes;
    use crate::strategy::mpi::{HostBytes, NetworkBytes, RankBytes};
    use crate::verdict::fixtures::cell;

    fn across_two_hosts() -> CellRecord {
        let mut mpi = cell("var", Kind::Cpu, StrategyKind::Mpi, 3, &[1e6, 1e6]);
        mpi.tasks = 10;
        mpi.hosts = vec![
            HostRanks { host: "h1".to_owned(), ranks: vec![0, 1] },
            HostRanks { host: "h2".to_owned(), ranks: vec![2, 3] },
        ];
        mpi.payload = Some(PayloadBytes {
            input_bytes_total: 300,
            output_bytes_total: 700,
            input_bytes_max: 30,
            output_bytes_max: 70,
            shared_bytes: 0,
        });
        let rank = |rank, host: &str, sent| RankBytes { rank, host: host.to_owned(), sent, received: 100 };
        let host =
            |host: &str, sent, received| HostBytes { host: host.to_owned(), bytes: InterfaceBytes { sent, received } };
        mpi.samples.last_mut().unwrap().network = Some(NetworkBytes {
            ranks: vec![rank(1, "h1", 300), rank(2, "h2", 250), rank(3, "h2", 250)],
            hosts: vec![host("h1", 4000, 3000), host("h2", 3000, 4000)],
        });
        mpi
    }

    #[test]
    fn a_cell_across_hosts_shows_its_placement_and_both_byte_counts_per_task() {
        let mpi = across_two_hosts();
        let reason = network_reason(&[&mpi]).unwrap();
        assert!(reason.contains("h1 (ranks 0, 1), h2 (ranks 2, 3)"), "{reason}");
        assert!(reason.contains("per task 70 B of messages"), "ranks 2 and 3 both ways, over 10 tasks: {reason}");
        assert!(reason.contains("700 B passed the other hosts' interfaces"), "{reason}");
        assert!(reason.contains("against 100 B of computed payload"), "{reason}");
    }

    #[test]
    fn a_cell_on_one_host_has_no_network_reason() {
        let mut mpi = across_two_hosts();
        mpi.hosts.truncate(1);
        assert_eq!(network_reason(&[&mpi]), None);
    }
}
