//! `serial`: every task in order on one thread; the reference for speedup and for digests.
//!
//! The thread is started for each execution, as `threads` starts its one worker, rather than being the
//! long-lived thread that drives the run: measured from the driving thread, serial ran 5–9 % slower than the
//! strategies at 1 worker on a quiet machine (see the README's "The reference under load"). Started alike, serial
//! and the strategies meet the allocator and the scheduler alike. Its tasks run as one block unless `--chunk` says
//! otherwise: with a chunk per task, the per-chunk bookkeeping made serial 19–25 % slower than `threads` ×1 on
//! tasks of 1.5 µs (`lookup` of `examples/auto-study`). Its thread has the main thread's stack size, as serial
//! code in a program would.

use std::sync::Arc;

use ablate_workloads::runtime::Job;

use crate::cancel::Cancel;

use super::scoped::on_workers;
use super::task::SharedExecution;
use super::{Chunk, EffectiveChunk, Execution, Pinning, Pool, StrategyKind, TaskProgress, chunk_ranges};

pub(crate) struct Serial {
    pub(crate) job: Arc<dyn Job>,
    pub(crate) chunk: Chunk,
    pub(crate) pinning: Pinning,
    pub(crate) cancel: Cancel,
}

impl Pool for Serial {
    fn execute(&mut self, progress: &dyn TaskProgress) -> Execution {
        let dispatch = SharedExecution::new(self.job.as_ref(), progress, &self.cancel);
        let EffectiveChunk::Fixed(chunk) = StrategyKind::Serial.effective_chunk(self.chunk, dispatch.task_count(), 1)
        else {
            unreachable!("serial's chunks are fixed")
        };
        let in_order = |_worker: usize| -> Vec<_> {
            chunk_ranges(dispatch.task_count(), chunk)
                .into_iter()
                .map_while(|range| dispatch.run_chunk(range))
                .collect()
        };
        let logs = match on_workers(&dispatch, 1, &self.pinning, Some(main_thread_stack_bytes()), in_order) {
            Ok(mut per_worker) => per_worker.remove(0),
            Err(reason) => return dispatch.refused(reason),
        };
        let busy = logs.iter().map(|log| log.busy_nanos()).sum();
        dispatch.finish(logs, vec![busy])
    }
}

/// The stack the process's main thread has (its soft `RLIMIT_STACK`; 8 MiB when unlimited or unreadable): serial's
/// thread gets it, so that serial runs with the stack a program's serial code has, whatever `RUST_MIN_STACK`
/// sets for worker threads.
fn main_thread_stack_bytes() -> usize {
    const USUAL: usize = 8 << 20;
    crate::platform::stack_limit().unwrap_or(USUAL)
}
