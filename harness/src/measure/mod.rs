//! Measurements taken around each repetition: CPU time, peak RSS, page faults, per-task times, the machine
//! itself, and the memory a run may still take.

pub mod cpu;
pub mod free_pages;
pub mod histogram;
pub mod load;
pub mod machine;
pub mod memory;
#[cfg_attr(not(feature = "mpi"), expect(dead_code, reason = "only the mpi strategy reads the interfaces' counters"))]
pub mod network;
pub mod paging;
pub mod rss;
pub mod schedstat;
pub mod task_costs;
