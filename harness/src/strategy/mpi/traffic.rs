//! What an `mpi` cell records about where its ranks ran and what crossed the network, as plain data of the results
//! file: present in every build, so that a build without MPI still reads a record that holds it.

use serde::{Deserialize, Serialize};

use crate::measure::network::InterfaceBytes;

/// A host of the MPI world (its name, as MPI tells it) and the ranks that ran there: rank 0 coordinates, the
/// others are the cell's workers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostRanks {
    pub host: String,
    pub ranks: Vec<u32>,
}

/// The bytes of one execution of an `mpi` cell, rank by rank and host by host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkBytes {
    /// Each worker rank's MPI messages, counted by the transport: the chunks rank 0 sent it (`received`) and the
    /// results it sent back (`sent`), encoded, MPI's own headers not included.
    pub ranks: Vec<RankBytes>,
    /// Each host's network interfaces (loopback excluded), from the kernel's counters over the execution: what
    /// crossed the wire, Ethernet, IP, TCP and MPI headers and acknowledgements included, and any other traffic
    /// the host had meanwhile. Ranks on the host of rank 0 reach it through loopback, so only traffic between
    /// hosts is counted. Empty where the counters could not be read.
    pub hosts: Vec<HostBytes>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankBytes {
    pub rank: u32,
    pub host: String,
    pub sent: u64,
    pub received: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostBytes {
    pub host: String,
    #[serde(flatten)]
    pub bytes: InterfaceBytes,
}

impl NetworkBytes {
    /// The transport's bytes of the ranks that ran on another host than `coordinator_host` (rank 0's), both ways:
    /// the messages that had to cross the network.
    pub fn remote_message_bytes(&self, coordinator_host: &str) -> u64 {
        self.ranks.iter().filter(|r| r.host != coordinator_host).map(|r| r.sent + r.received).sum()
    }

    /// What the interfaces of every host but `coordinator_host` sent and received: each byte between rank 0's host
    /// and another is counted once, at the far end.
    pub fn remote_interface_bytes(&self, coordinator_host: &str) -> u64 {
        self.hosts.iter().filter(|h| h.host != coordinator_host).map(|h| h.bytes.sent + h.bytes.received).sum()
    }
}

/// The hosts and their ranks, from the ranks' hosts in rank order (`hosts[r]` is rank r's), hosts in the order
/// of their first rank.
#[cfg_attr(not(any(feature = "mpi", test)), expect(dead_code, reason = "without the feature no rank runs anywhere"))]
pub fn group_by_host(hosts: &[String]) -> Vec<HostRanks> {
    let mut grouped: Vec<HostRanks> = Vec::new();
    for (rank, host) in hosts.iter().enumerate() {
        match grouped.iter_mut().find(|g| &g.host == host) {
            Some(group) => group.ranks.push(rank as u32),
            None => grouped.push(HostRanks { host: host.clone(), ranks: vec![rank as u32] }),
        }
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(sent: u64, received: u64) -> InterfaceBytes {
        InterfaceBytes { sent, received }
    }

    #[test]
    fn ranks_group_by_host_in_the_order_hosts_first_appear() {
        let hosts: Vec<String> = ["h1", "h1", "h2", "h2", "h1"].iter().map(|h| (*h).to_owned()).collect();
        assert_eq!(
            group_by_host(&hosts),
            vec![
                HostRanks { host: "h1".to_owned(), ranks: vec![0, 1, 4] },
                HostRanks { host: "h2".to_owned(), ranks: vec![2, 3] },
            ]
        );
    }

    #[test]
    fn only_what_crossed_to_another_host_counts_as_remote() {
        let rank = |rank, host: &str, sent, received| RankBytes { rank, host: host.to_owned(), sent, received };
        let network = NetworkBytes {
            ranks: vec![rank(1, "h1", 10, 20), rank(2, "h2", 100, 200), rank(3, "h2", 1000, 2000)],
            hosts: vec![
                HostBytes { host: "h1".to_owned(), bytes: bytes(4000, 3000) },
                HostBytes { host: "h2".to_owned(), bytes: bytes(3100, 3900) },
            ],
        };
        assert_eq!(network.remote_message_bytes("h1"), 3300);
        assert_eq!(network.remote_interface_bytes("h1"), 7000);
    }

    #[test]
    fn host_bytes_read_flat_in_the_file() {
        let host = HostBytes { host: "h2".to_owned(), bytes: bytes(1, 2) };
        let json = serde_json::to_string(&host).unwrap();
        assert_eq!(json, r#"{"host":"h2","sent":1,"received":2}"#);
        assert_eq!(serde_json::from_str::<HostBytes>(&json).unwrap(), host);
    }
}
