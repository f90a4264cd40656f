//! The portable implementation of the platform layer: std, POSIX calls on Unix (with a fallback elsewhere) and
//! `memmap2`. It reads no `/proc` or `/sys` and calls nothing Linux-only, so it builds for macOS and Windows;
//! what it cannot measure comes back as `None`, recorded as absent.

mod memory_file;

use std::process::{Child, ChildStdin, ChildStdout, Command};

use super::{InterfaceBytes, WorkerCpu};

pub use memory_file::{Mapping, MemoryFile};

#[cfg(unix)]
pub use super::unix::{
    address_space_limit, catch_stop_signals, check_write_access, children_cpu_time, create_readable_by_all,
    default_stop_signals, exit_signal, has_exited, is_link_refusal, kill_group, lock_file, make_readable_by_all,
    minor_faults, online_cores, open_no_follow, own_cpu_time, same_file, signal_group, signal_name, special_kind,
    stack_limit, take_stdout, unlock_file,
};
#[cfg(not(unix))]
pub use other::*;

#[cfg(test)]
pub const NAME: &str = "portable";

/// No counter of the whole machine's busy time without `/proc/stat`.
pub fn machine_busy_ns() -> Option<u64> {
    None
}

pub fn available_memory_bytes() -> Option<u64> {
    None
}

pub fn address_space_used_bytes() -> Option<u64> {
    None
}

pub fn single_free_page_bytes() -> Option<u64> {
    None
}

pub fn host_interface_bytes() -> Option<InterfaceBytes> {
    None
}

/// No platform but Linux resets a peak-RSS mark: peaks cover the process's lifetime, and the record says so.
pub fn reset_peak_rss() -> bool {
    false
}

/// `getrusage`'s `ru_maxrss`: KiB on Linux and the BSDs, bytes on macOS.
#[cfg(unix)]
pub fn peak_rss_bytes() -> Option<u64> {
    let max_rss = u64::try_from(super::unix::usage(libc::RUSAGE_SELF)?.ru_maxrss).ok()?;
    Some(if cfg!(target_os = "macos") { max_rss } else { max_rss.saturating_mul(1024) })
}

#[cfg(not(unix))]
pub fn peak_rss_bytes() -> Option<u64> {
    None
}

pub fn reset_process_peak_rss(_pid: u32) -> bool {
    false
}

pub fn process_peak_rss_bytes(_pid: u32) -> Option<u64> {
    None
}

pub fn this_thread_schedstat() -> Option<WorkerCpu> {
    None
}

pub fn thread_schedstat(_tid: i32) -> Option<WorkerCpu> {
    None
}

pub fn process_schedstat(_pid: u32) -> Option<WorkerCpu> {
    None
}

pub fn this_thread_id() -> i32 {
    0
}

pub fn cpu_model() -> Option<String> {
    None
}

pub fn physical_cores() -> Option<usize> {
    None
}

pub fn total_memory_bytes() -> Option<u64> {
    None
}

pub fn kernel_release() -> Option<String> {
    None
}

pub fn smt_sibling(_cpu: usize) -> Option<usize> {
    None
}

pub fn last_level_cache_bytes() -> Option<u64> {
    None
}

pub fn numa_nodes() -> Option<usize> {
    None
}

/// No pinning: see the platform layer's doc for why not threads alone.
pub fn allowed_cpus() -> Option<Vec<usize>> {
    None
}

pub fn pin_thread(_cpu: usize) {}

pub fn pin_process(_pid: u32, _cpu: usize) {}

/// A group of its own on Unix; nothing tells the child to die with ablate.
#[cfg(unix)]
pub fn spawn_group_leader(command: &mut Command) -> std::io::Result<Child> {
    super::unix::spawn_in_group(command)
}

#[cfg(not(unix))]
pub fn spawn_group_leader(command: &mut Command) -> std::io::Result<Child> {
    command.spawn()
}

/// A group of its own on Unix; the worker ends when its stdin closes, which is how it learns of its parent's
/// death.
pub fn tie_worker_to_parent(command: &mut Command) {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    #[cfg(not(unix))]
    let _ = command;
}

/// Pipes keep the size the system gives them.
pub fn widen_pipes(_stdin: &ChildStdin, _stdout: &ChildStdout) {}

/// Fallbacks for systems without POSIX calls (Windows): what std offers, or nothing.
#[cfg(not(unix))]
mod other {
    use std::fs::{self, File, OpenOptions};
    use std::io;
    use std::path::Path;
    use std::process::{Child, ExitStatus};
    use std::time::Duration;

    use crate::platform::{GroupSignal, SpecialKind};

    pub fn own_cpu_time() -> Duration {
        Duration::ZERO
    }

    pub fn children_cpu_time() -> Duration {
        Duration::ZERO
    }

    pub fn minor_faults() -> Option<u64> {
        None
    }

    pub fn address_space_limit() -> Option<u64> {
        None
    }

    pub fn stack_limit() -> Option<usize> {
        None
    }

    pub fn online_cores() -> u64 {
        std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
    }

    /// `try_wait` reaps the child, which is harmless where there is no group id to keep.
    pub fn has_exited(child: &mut Child) -> bool {
        !matches!(child.try_wait(), Ok(None))
    }

    pub fn signal_group(_pgid: u32, _signal: GroupSignal) {}

    pub fn kill_group(child: &mut Child) {
        let _ = child.kill();
    }

    pub fn exit_signal(_status: ExitStatus) -> Option<i32> {
        None
    }

    pub fn signal_name(signal: i32) -> String {
        format!("signal {signal}")
    }

    pub fn catch_stop_signals(_handler: extern "C" fn(i32)) {}

    pub fn default_stop_signals() {}

    /// Without Unix descriptors the protocol's stdout cannot be kept from the workload's prints: the worker
    /// refuses to start, and the process strategy's cells fail saying why.
    pub fn take_stdout() -> Result<File, String> {
        Err("the process strategy's worker needs a Unix system in this build".to_owned())
    }

    /// No special files without Unix.
    pub fn special_kind(_kind: fs::FileType) -> Option<SpecialKind> {
        None
    }

    /// The message of the refusal [`open_no_follow`] makes of a link.
    const LINK: &str = "refused to follow a link";

    /// Checks for a link before opening: a link made between the check and the open is followed.
    pub fn open_no_follow(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(io::Error::other(LINK));
        }
        options.open(path)
    }

    pub fn is_link_refusal(error: &io::Error) -> bool {
        error.get_ref().is_some_and(|inner| inner.to_string() == LINK)
    }

    pub fn create_readable_by_all(_options: &mut OpenOptions) {}

    /// Files are readable by all unless an ACL says otherwise: this only clears the read-only flag.
    pub fn make_readable_by_all(file: &File) -> io::Result<()> {
        let mut permissions = file.metadata()?.permissions();
        permissions.set_readonly(false);
        file.set_permissions(permissions)
    }

    /// std's lock: `LockFileEx` on Windows (Rust 1.89 or later).
    pub fn lock_file(file: &File, exclusive: bool) -> io::Result<()> {
        if exclusive { file.lock() } else { file.lock_shared() }
    }

    pub fn unlock_file(file: &File) {
        let _ = file.unlock();
    }

    /// The read-only flag, the one permission every platform has.
    pub fn check_write_access(path: &Path) -> io::Result<()> {
        if fs::metadata(path)?.permissions().readonly() {
            return Err(io::Error::from(io::ErrorKind::PermissionDenied));
        }
        Ok(())
    }

    /// No file identity in std: never the same file.
    pub fn same_file(_a: &Path, _b: &Path) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_portable_platform_cannot_read_is_absent_not_guessed() {
        assert_eq!(machine_busy_ns(), None);
        assert_eq!((available_memory_bytes(), address_space_used_bytes(), total_memory_bytes()), (None, None, None));
        assert_eq!((single_free_page_bytes(), host_interface_bytes()), (None, None));
        assert_eq!((this_thread_schedstat(), thread_schedstat(this_thread_id())), (None, None));
        assert_eq!((process_schedstat(std::process::id()), process_peak_rss_bytes(std::process::id())), (None, None));
        assert_eq!((cpu_model(), physical_cores(), kernel_release()), (None, None, None));
        assert_eq!((smt_sibling(0), last_level_cache_bytes(), numa_nodes()), (None, None, None));
        assert_eq!(allowed_cpus(), None, "no pinning");
        assert!(!reset_peak_rss() && !reset_process_peak_rss(std::process::id()));
    }
}
