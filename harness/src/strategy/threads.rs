//! `threads`: scoped OS threads over a static partition, decided before any task runs.
//!
//! By default each worker takes one contiguous block of tasks; with `--chunk N` workers take chunks round-robin.
//! Nothing is rebalanced at run time, so skewed task costs show up as idle workers: that is the point of it.

use std::ops::Range;

use ablate_workloads::Job;

use super::task::{ChunkLog, Dispatch};
use super::{Chunk, Execution, Pinning, Pool, TaskProgress, block_ranges, chunk_ranges};

pub(crate) struct StaticThreads {
    pub(crate) workers: usize,
    pub(crate) chunk: Chunk,
    pub(crate) pinning: Pinning,
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
    fn execute(&mut self, job: &dyn Job, progress: &dyn TaskProgress) -> Execution {
        let dispatch = Dispatch::new(job, progress);
        let assignments = self.assignments(dispatch.task_count());
        let per_worker: Vec<Vec<ChunkLog>> = std::thread::scope(|scope| {
            let handles: Vec<_> = assignments
                .into_iter()
                .enumerate()
                .map(|(worker, ranges)| {
                    let (dispatch, pinning) = (&dispatch, &self.pinning);
                    scope.spawn(move || {
                        pinning.pin_thread(worker);
                        ranges.into_iter().map_while(|r| dispatch.run_chunk(r)).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("task panics are caught inside the worker")).collect()
        });
        let busy = per_worker.iter().map(|logs| logs.iter().map(ChunkLog::busy_nanos).sum()).collect();
        dispatch.finish(per_worker.into_iter().flatten().collect(), busy)
    }
}
