//! `serial`: every task on the calling thread, in order; the reference for speedup and for digests.

use ablate_workloads::runtime::Job;

use super::task::SharedExecution;
use super::{Chunk, Execution, Pinning, Pool, StrategyKind, TaskProgress, chunk_ranges};

pub(crate) struct Serial {
    pub(crate) chunk: Chunk,
    pub(crate) pinning: Pinning,
}

impl Pool for Serial {
    fn execute(&mut self, job: &dyn Job, progress: &dyn TaskProgress) -> Execution {
        let dispatch = SharedExecution::new(job, progress);
        let chunk = StrategyKind::Serial.effective_chunk(self.chunk, dispatch.task_count(), 1);
        let logs: Vec<_> = self.pinning.run_pinned(0, || {
            chunk_ranges(dispatch.task_count(), chunk)
                .into_iter()
                .map_while(|range| dispatch.run_chunk(range))
                .collect()
        });
        let busy = logs.iter().map(|log| log.busy_nanos()).sum();
        dispatch.finish(logs, vec![busy])
    }
}
