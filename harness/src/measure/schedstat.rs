//! What the scheduler says of one worker: the CPU time it ran and the time it waited, runnable, for a CPU that
//! another process held (Linux `schedstat`, in nanoseconds). The wait is what a busy machine costs a worker and
//! nothing else does: not idling, not blocking on a pipe. Where the kernel keeps no `schedstat` (and under the
//! portable platform), nothing is recorded.

use crate::platform;
pub use crate::platform::WorkerCpu;

/// The calling thread's counters so far.
pub fn this_thread() -> Option<WorkerCpu> {
    platform::this_thread_schedstat()
}

/// The counters of thread `tid` of this process.
pub fn thread(tid: i32) -> Option<WorkerCpu> {
    platform::thread_schedstat(tid)
}

/// The counters of process `pid` (its main thread, which runs a worker process's tasks).
pub fn process(pid: u32) -> Option<WorkerCpu> {
    platform::process_schedstat(pid)
}

/// The calling thread's id, for [`thread`].
pub fn this_thread_id() -> i32 {
    platform::this_thread_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spinning_thread_runs_and_the_counters_only_grow() {
        let Some(before) = this_thread() else {
            assert_eq!(platform::NAME, "portable", "Linux keeps schedstat; the portable platform records it absent");
            return;
        };
        let started = std::time::Instant::now();
        let mut x = 1u64;
        while started.elapsed() < std::time::Duration::from_millis(20) {
            x = std::hint::black_box(x.wrapping_mul(3).wrapping_add(1));
        }
        let spent = this_thread().expect("read once, readable again").since(before);
        assert!(spent.ran_ns > 0, "{x}");
        assert_eq!(thread(this_thread_id()).map(|c| c.ran_ns >= before.ran_ns + spent.ran_ns), Some(true));
    }
}
