//! `crossbeam`: scoped workers taking chunks of tasks until none are left.
//!
//! The classic dynamic pool: a worker that finishes early takes the next chunk, so skewed costs even out, at the
//! price of one queue operation per chunk. With a fixed `--chunk N` the chunks wait in a crossbeam channel; with
//! `--chunk auto` they are adaptive: each worker claims its next range from a shared cursor, sized so that it
//! takes about the chunk target (`--chunk-target`, default 200 µs) — large for tiny tasks, one at a time for long
//! ones — and never more than its share of half of what remains, so the last chunks are small and even out.
//! Results go back into task order either way. Threads are spawned per execution and counted in its wall time.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ablate_workloads::runtime::Job;
use crossbeam::channel;

use crate::cancel::Cancel;

use super::scoped::on_workers;
use super::task::{ChunkLog, SharedExecution};
use super::{Chunk, Execution, Pinning, Pool, TaskProgress, chunk_ranges, next_chunk_size};

pub(crate) struct CrossbeamQueue {
    pub(crate) job: Arc<dyn Job>,
    pub(crate) workers: usize,
    pub(crate) chunk: Chunk,
    /// How long an adaptive chunk should take.
    pub(crate) target: Duration,
    pub(crate) pinning: Pinning,
    pub(crate) cancel: Cancel,
}

impl Pool for CrossbeamQueue {
    fn execute(&mut self, progress: &dyn TaskProgress) -> Execution {
        let dispatch = SharedExecution::new(self.job.as_ref(), progress, &self.cancel);
        let started = match self.chunk {
            Chunk::Fixed(size) => self.fixed_chunks(&dispatch, size),
            Chunk::Auto => self.adaptive_chunks(&dispatch),
        };
        let per_worker = match started {
            Ok(per_worker) => per_worker,
            Err(reason) => return dispatch.refused(reason),
        };
        let busy = per_worker.iter().map(|logs| logs.iter().map(ChunkLog::busy_nanos).sum()).collect();
        dispatch.finish(per_worker.into_iter().flatten().collect(), busy)
    }
}

impl CrossbeamQueue {
    fn fixed_chunks(&self, dispatch: &SharedExecution<'_>, size: usize) -> Result<Vec<Vec<ChunkLog>>, String> {
        let (sender, queue) = channel::unbounded::<Range<usize>>();
        for range in chunk_ranges(dispatch.task_count(), size) {
            sender.send(range).expect("the receiver is alive");
        }
        drop(sender);
        on_workers(dispatch, self.workers, &self.pinning, None, |_| {
            queue.iter().map_while(|r| dispatch.run_chunk(r)).collect()
        })
    }

    fn adaptive_chunks(&self, dispatch: &SharedExecution<'_>) -> Result<Vec<Vec<ChunkLog>>, String> {
        let tasks = dispatch.task_count();
        let cursor = AtomicUsize::new(0);
        on_workers(dispatch, self.workers, &self.pinning, None, |_| {
            let mut logs = Vec::new();
            let mut size = 1;
            loop {
                let start = cursor.fetch_add(size, Ordering::Relaxed);
                if start >= tasks {
                    break logs;
                }
                let began = Instant::now();
                let Some(log) = dispatch.run_chunk(start..(start + size).min(tasks)) else { break logs };
                logs.push(log);
                let remaining = tasks.saturating_sub(cursor.load(Ordering::Relaxed));
                size = next_chunk_size(size, began.elapsed(), self.target, remaining, self.workers);
            }
        })
    }
}
