//! What the scheduler says of one worker: the CPU time it ran and the time it waited, runnable, for a CPU that
//! another process held (Linux `schedstat`, in nanoseconds). The wait is what a busy machine costs a worker and
//! nothing else does: not idling, not blocking on a pipe. Where the kernel keeps no `schedstat`, nothing is
//! recorded.

use std::fs;

use serde::{Deserialize, Serialize};

/// A worker's share of the machine over one execution.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerCpu {
    /// CPU time the worker ran.
    pub ran_ns: u64,
    /// Time the worker was runnable but waited for a CPU.
    pub waited_ns: u64,
}

impl WorkerCpu {
    /// The change from `before` to `self`, never negative.
    pub fn since(self, before: WorkerCpu) -> WorkerCpu {
        WorkerCpu {
            ran_ns: self.ran_ns.saturating_sub(before.ran_ns),
            waited_ns: self.waited_ns.saturating_sub(before.waited_ns),
        }
    }
}

/// The calling thread's counters so far.
pub fn this_thread() -> Option<WorkerCpu> {
    read("/proc/thread-self/schedstat")
}

/// The counters of thread `tid` of this process.
pub fn thread(tid: i32) -> Option<WorkerCpu> {
    read(&format!("/proc/self/task/{tid}/schedstat"))
}

/// The counters of process `pid` (its main thread, which runs a worker process's tasks).
pub fn process(pid: u32) -> Option<WorkerCpu> {
    read(&format!("/proc/{pid}/schedstat"))
}

/// The calling thread's id, for [`thread`].
pub fn this_thread_id() -> i32 {
    // SAFETY: gettid has no preconditions and cannot fail.
    unsafe { libc::gettid() }
}

fn read(path: &str) -> Option<WorkerCpu> {
    parse(&fs::read_to_string(path).ok()?)
}

/// `ran waited timeslices`, as the kernel writes it.
fn parse(text: &str) -> Option<WorkerCpu> {
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    Some(WorkerCpu { ran_ns: fields.next()??, waited_ns: fields.next()?? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_line_reads_as_ran_then_waited() {
        assert_eq!(parse("93269 127018 2\n"), Some(WorkerCpu { ran_ns: 93_269, waited_ns: 127_018 }));
        assert_eq!(parse("93269\n"), None);
        assert_eq!(parse("x 1 2"), None);
    }

    #[test]
    fn a_spinning_thread_runs_and_the_counters_only_grow() {
        let Some(before) = this_thread() else { return };
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
