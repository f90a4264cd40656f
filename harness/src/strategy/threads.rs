//! `threads`: scoped OS threads over a static partition, decided before any task runs.
//!
//! By default each worker takes one contiguous block of tasks; with `--chunk N` workers take chunks round-robin.
//! Nothing is rebalanced at run time, so skewed task costs show up as idle workers: that is the point of it.

use std::ops::Range;
use std::sync::Arc;

use ablate_workloads::runtime::Job;

use crate::cancel::Cancel;

use super::scoped::on_workers;
use super::task::{ChunkLog, SharedExecution};
use super::{Chunk, Execution, Pinning, Pool, TaskProgress, block_ranges, chunk_ranges};

pub(crate) struct StaticThreads {
    pub(crate) job: Arc<dyn Job>,
    pub(crate) workers: usize,
    pub(crate) chunk: Chunk,
    pub(crate) pinning: Pinning,
    pub(crate) cancel: Cancel,
}

impl StaticThreads {
    /// The ranges each worker will run, fixed up front.
    fn assignments(&self, tasks: usize) -> Vec<Vec<Range<usize>>> {
        match self.chunk {
            Chunk::Auto => block_ranges(tasks, self.workers).into_iter().map(|block| vec![block]).collect(),
            Chunk::Fixed(chunk) => {
                let mut per_worker = vec![Vec::new(); self.workers];
                for (i, range) in chunk_ranges(tasks, chunk).into_iter().enumerate() {
                    per_worker[i % self.workers].push(range);
                }
                per_worker
            }
        }
    }
}

impl Pool for StaticThreads {
    fn execute(&mut self, progress: &dyn TaskProgress) -> Execution {
        let dispatch = SharedExecution::new(self.job.as_ref(), progress, &self.cancel);
        let assignments = self.assignments(dispatch.task_count());
        let run_assigned = |worker: usize| -> Vec<ChunkLog> {
            assignments[worker].iter().cloned().map_while(|r| dispatch.run_chunk(r)).collect()
        };
        let per_worker = match on_workers(&dispatch, self.workers, &self.pinning, None, run_assigned) {
            Ok(per_worker) => per_worker,
            Err(reason) => return dispatch.refused(reason),
        };
        let busy = per_worker.iter().map(|logs| logs.iter().map(ChunkLog::busy_nanos).sum()).collect();
        dispatch.finish(per_worker.into_iter().flatten().collect(), busy)
    }
}
