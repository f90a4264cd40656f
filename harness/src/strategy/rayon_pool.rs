//! `rayon`: a dedicated rayon pool of exactly N threads, work stealing over chunks of tasks.
//!
//! The pool is built once per cell (its start time is measured) and never shares threads with the global pool.
//! Every chunk is its own stealable unit (`with_max_len(1)`), so the chunk knob means the same as elsewhere:
//! left to its adaptive splitter, rayon would run long runs of chunks sequentially and could not rebalance them.

use ablate_workloads::runtime::Job;
use crossbeam::utils::CachePadded;
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::task::{ChunkLog, SharedExecution};
use super::{Chunk, EffectiveChunk, Execution, Pinning, Pool, StrategyKind, TaskProgress, chunk_ranges};
use crate::cancel::Cancel;
use crate::error::HarnessError;
use crate::measure::schedstat::{self, WorkerCpu};

pub(crate) struct RayonPool {
    job: Arc<dyn Job>,
    pool: rayon::ThreadPool,
    /// The thread id of each of the pool's threads, in index order, for their scheduler counters.
    thread_ids: Vec<i32>,
    workers: usize,
    chunk: Chunk,
    cancel: Cancel,
}

impl RayonPool {
    pub(crate) fn new(
        job: Arc<dyn Job>,
        workers: usize,
        chunk: Chunk,
        pinning: Pinning,
        cancel: Cancel,
    ) -> Result<Self, HarnessError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("ablate-rayon-{i}"))
            .start_handler(move |i| pinning.pin_thread(i))
            .build()
            .map_err(|e| HarnessError::PoolStart { strategy: "rayon", workers, reason: e.to_string() })?;
        let thread_ids = pool.broadcast(|_| schedstat::this_thread_id());
        Ok(Self { job, pool, thread_ids, workers, chunk, cancel })
    }
}

impl Pool for RayonPool {
    fn execute(&mut self, progress: &dyn TaskProgress) -> Execution {
        let dispatch = SharedExecution::new(self.job.as_ref(), progress, &self.cancel);
        let tasks = dispatch.task_count();
        let EffectiveChunk::Fixed(chunk) = StrategyKind::Rayon.effective_chunk(self.chunk, tasks, self.workers) else {
            unreachable!("rayon's chunks are fixed")
        };
        let busy: Vec<CachePadded<AtomicU64>> =
            (0..self.workers).map(|_| CachePadded::new(AtomicU64::new(0))).collect();
        let logs: Vec<ChunkLog> = self.pool.install(|| {
            chunk_ranges(dispatch.task_count(), chunk)
                .into_par_iter()
                .with_max_len(1)
                .filter_map(|range| {
                    let log = dispatch.run_chunk(range)?;
                    let worker = rayon::current_thread_index().expect("runs inside the pool");
                    busy[worker].fetch_add(log.busy_nanos(), Ordering::Relaxed);
                    Some(log)
                })
                .collect()
        });
        dispatch.finish(logs, busy.iter().map(|b| b.load(Ordering::Relaxed)).collect())
    }

    fn worker_counters(&self) -> Option<Vec<WorkerCpu>> {
        self.thread_ids.iter().map(|&tid| schedstat::thread(tid)).collect()
    }
}
