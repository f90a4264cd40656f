//! `crossbeam`: scoped workers pulling chunks from one shared crossbeam channel until it is empty.
//!
//! The classic dynamic pool: a worker that finishes early takes the next chunk, so skewed costs even out, at the
//! price of one queue operation per chunk. Threads are spawned per execution and counted in its wall time.

use std::ops::Range;

use ablate_workloads::Job;
use crossbeam::channel;

use super::task::{ChunkLog, Dispatch};
use super::{Chunk, Execution, Pool, StrategyKind, TaskProgress, chunk_ranges};

pub(crate) struct CrossbeamQueue {
    pub(crate) workers: usize,
    pub(crate) chunk: Chunk,
}

impl Pool for CrossbeamQueue {
    fn execute(&mut self, job: &dyn Job, progress: &dyn TaskProgress) -> Execution {
        let dispatch = Dispatch::new(job, progress);
        let chunk = StrategyKind::Crossbeam.effective_chunk(self.chunk, dispatch.task_count(), self.workers);
        let (sender, queue) = channel::unbounded::<Range<usize>>();
        for range in chunk_ranges(dispatch.task_count(), chunk) {
            sender.send(range).expect("the receiver is alive");
        }
        drop(sender);
        let per_worker: Vec<Vec<ChunkLog>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..self.workers)
                .map(|_| {
                    let (dispatch, queue) = (&dispatch, queue.clone());
                    scope.spawn(move || queue.iter().map_while(|r| dispatch.run_chunk(r)).collect::<Vec<_>>())
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("task panics are caught inside the worker")).collect()
        });
        let busy = per_worker.iter().map(|logs| logs.iter().map(ChunkLog::busy_nanos).sum()).collect();
        dispatch.finish(per_worker.into_iter().flatten().collect(), busy)
    }
}
