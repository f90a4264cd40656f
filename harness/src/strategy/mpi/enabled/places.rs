//! Where each rank runs, and which ranks are lost: rank 0 learns every rank's host once, as the world comes up,
//! and marks a rank lost when it stops answering. A lost rank gets no more messages; the cells that would need
//! it fail, saying which rank on which host, and the job ends with `MPI_Abort` once the results are written.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use ::mpi::topology::{Communicator, Rank, SimpleCommunicator};

use super::link::{self, PAUSE, TAG_HOST};
use crate::strategy::mpi::{HostRanks, group_by_host};

/// Every rank's host, in rank order; set once by rank 0.
static HOSTS: OnceLock<Vec<String>> = OnceLock::new();

/// The ranks rank 0 gave up on, with why.
static LOST: Mutex<BTreeMap<Rank, String>> = Mutex::new(BTreeMap::new());

/// This process's host name (what Open MPI's processor name is, and the name a hostfile gives the host); usable
/// before `MPI_Init`.
pub fn own_host() -> String {
    let mut name = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most that much.
    let status = unsafe { libc::gethostname(name.as_mut_ptr().cast(), name.len()) };
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    if status == 0 { String::from_utf8_lossy(&name[..end]).into_owned() } else { "unknown".to_owned() }
}

/// A worker rank tells rank 0 its host, once, right after joining.
pub fn tell_host(world: &SimpleCommunicator) {
    use ::mpi::point_to_point::Destination;
    world.process_at_rank(0).send_with_tag(own_host().as_bytes(), TAG_HOST);
}

/// Rank 0 learns every rank's host (each worker rank sends its own just after `MPI_Init`, which every rank has
/// passed by now).
pub fn learn_hosts(world: &SimpleCommunicator) {
    let mut hosts = vec![own_host(); world.size() as usize];
    for _ in 1..world.size() {
        let told = link::receive(world, None, Some(TAG_HOST), PAUSE);
        hosts[told.source as usize] = String::from_utf8_lossy(&told.bytes).into_owned();
    }
    let _ = HOSTS.set(hosts);
}

/// `rank 3 on host h2`, for messages.
pub fn describe(rank: Rank) -> String {
    let host = HOSTS.get().and_then(|hosts| hosts.get(rank as usize)).map_or("unknown", String::as_str);
    format!("rank {rank} on host {host}")
}

pub fn host_of(rank: Rank) -> String {
    HOSTS.get().and_then(|hosts| hosts.get(rank as usize)).cloned().unwrap_or_else(|| "unknown".to_owned())
}

/// The hosts of rank 0 and `workers` worker ranks (1..=workers), each with its ranks.
pub fn hosts_of(workers: usize) -> Vec<HostRanks> {
    let hosts: Vec<String> = (0..=workers as Rank).map(host_of).collect();
    group_by_host(&hosts)
}

/// Gives up on `rank`, which did not `answer` (e.g. `answer within 3s`) and returns why, for its cell's failure.
pub fn lose_silent(rank: Rank, answer: &str) -> String {
    let why = format!(
        "{} did not {answer}: its process died or its host is unreachable; it is lost for the rest of the run",
        describe(rank)
    );
    lose(rank, &why);
    why
}

/// Gives up on `rank`: it gets no more messages, and the cells that need it fail with `why`.
fn lose(rank: Rank, why: &str) {
    LOST.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(rank).or_insert_with(|| why.to_owned());
}

/// Why `rank` was given up on, if it was.
pub fn lost(rank: Rank) -> Option<String> {
    LOST.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&rank).cloned()
}

/// The first rank given up on, with why.
pub fn first_lost() -> Option<(Rank, String)> {
    LOST.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().next().map(|(r, why)| (*r, why.clone()))
}
