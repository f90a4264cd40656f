//! The Linux implementation of the platform layer: `/proc`, `/sys`, memfd, `PR_SET_PDEATHSIG`,
//! `sched_setaffinity`, with the POSIX calls it shares with the portable one.

mod memory_file;
mod proc;
mod process;
mod sys;

pub use super::unix::{
    address_space_limit, catch_stop_signals, check_write_access, children_cpu_time, create_readable_by_all,
    default_stop_signals, exit_signal, has_exited, is_link_refusal, kill_group, lock_file, make_readable_by_all,
    minor_faults, online_cores, open_no_follow, own_cpu_time, same_file, signal_group, signal_name, special_kind,
    stack_limit, take_stdout, unlock_file,
};
pub use memory_file::{Mapping, MemoryFile};
pub use proc::{
    address_space_used_bytes, available_memory_bytes, cpu_model, kernel_release, machine_busy_ns, peak_rss_bytes,
    physical_cores, process_peak_rss_bytes, process_schedstat, reset_peak_rss, reset_process_peak_rss,
    single_free_page_bytes, this_thread_id, this_thread_schedstat, thread_schedstat, total_memory_bytes,
};
pub use process::{allowed_cpus, pin_process, pin_thread, spawn_group_leader, tie_worker_to_parent, widen_pipes};
pub use sys::{host_interface_bytes, last_level_cache_bytes, numa_nodes, smt_sibling};

#[cfg(test)]
pub const NAME: &str = "linux";
