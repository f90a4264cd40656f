//! Rank 0's pool: the workload loaded on as many worker ranks as the cell has workers, and unloaded when the
//! cell is done. Worker ranks rebuild the shared input from the seed (a rank may be on another machine, so
//! nothing is mapped); only task inputs and outputs travel. Every wait for a rank is bounded (`--load-timeout`
//! for the load, `--task-timeout` otherwise): a rank that stays silent is lost, and its cell fails naming it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ::mpi::point_to_point::Destination;
use ::mpi::topology::{Communicator, Rank, SimpleCommunicator};
use ablate_workloads::runtime::Job;

use super::link::{self, PAUSE, RankStats, TAG_JOB, TAG_REPLY, TAG_STATS};
use super::{places, worker_ranks};
use crate::cancel::Cancel;
use crate::error::HarnessError;
use crate::strategy::mpi::HOW_TO_LAUNCH;
use crate::strategy::process::wire::{FromWorker, SharedSpec, ToWorker, WIRE_VERSION};
use crate::strategy::{Chunk, Launch, Pool};

/// The MPI handles stay with MPI (they are not `Send`); the pool reaches the world through [`MpiPool::world`].
pub struct MpiPool {
    /// The job the worker ranks loaded, and every execution runs.
    pub(super) job: Arc<dyn Job>,
    pub(super) workers: usize,
    pub(super) chunk: Chunk,
    pub(super) chunk_target: Duration,
    /// Stops an execution early: no chunk is sent once it is cancelled.
    pub(super) cancel: Cancel,
    /// How long each task of a chunk may take before its rank, silent, is lost.
    pub(super) task_timeout: Duration,
}

/// Loads the cell's workload on worker ranks 1..=workers and waits until each has it.
pub fn launch(spec: &Launch<'_>) -> Result<Box<dyn Pool>, HarnessError> {
    let start_error = |reason: String| HarnessError::PoolStart { strategy: "mpi", workers: spec.workers, reason };
    let available = worker_ranks().map_err(start_error)?;
    if spec.workers > available {
        return Err(start_error(format!(
            "{} workers need {} worker ranks and this mpirun has {available}; {HOW_TO_LAUNCH}",
            spec.workers, spec.workers
        )));
    }
    if let Some(why) = (1..=spec.workers as Rank).find_map(places::lost) {
        return Err(start_error(format!("lost earlier in this run: {why}")));
    }
    let pool = MpiPool {
        job: spec.job.clone(),
        workers: spec.workers,
        chunk: spec.chunk,
        chunk_target: spec.chunk_target,
        cancel: spec.cancel.clone(),
        task_timeout: spec.process.task_timeout,
    };
    let config = spec.job.config().clone();
    let load = ToWorker::Load { version: WIRE_VERSION, config, shared: SharedSpec::Regenerate, heartbeat: None };
    let load = postcard::to_allocvec(&load).map_err(|e| start_error(format!("cannot encode the workload: {e}")))?;
    for rank in pool.ranks() {
        pool.world().process_at_rank(rank).send_with_tag(&load[..], TAG_JOB);
    }
    let mut refusals = Vec::new();
    let deadline = Instant::now() + spec.process.load_timeout;
    let mut loading: Vec<Rank> = pool.ranks().collect();
    while !loading.is_empty() {
        let Some(reply) = link::receive_until(&pool.world(), None, Some(TAG_REPLY), PAUSE, deadline) else {
            let answer = format!("load the workload within {:?} (--load-timeout)", spec.process.load_timeout);
            let why: Vec<String> = loading.iter().map(|&rank| places::lose_silent(rank, &answer)).collect();
            return Err(start_error(why.join("; ")));
        };
        loading.retain(|&rank| rank != reply.source);
        match postcard::from_bytes(&reply.bytes) {
            Ok(FromWorker::Loaded) => {}
            Ok(FromWorker::LoadFailed { message }) => {
                refusals.push(format!("{}: {message}", places::describe(reply.source)));
            }
            _ => refusals.push(format!("{} answered the load with something else", places::describe(reply.source))),
        }
    }
    match refusals.into_iter().next() {
        Some(reason) => Err(start_error(reason)),
        None => Ok(Box::new(pool)),
    }
}

impl MpiPool {
    pub(super) fn world(&self) -> SimpleCommunicator {
        SimpleCommunicator::world()
    }

    pub(super) fn ranks(&self) -> impl Iterator<Item = Rank> {
        1..=self.workers as Rank
    }

    /// The worker ranks not lost.
    fn live_ranks(&self) -> impl Iterator<Item = Rank> {
        self.ranks().filter(|&rank| places::lost(rank).is_none())
    }

    /// Every worker rank's CPU time, peak memory and host counters, in rank order (defaults for a lost rank);
    /// `reset` clears the peaks first. A rank silent for the task timeout is lost.
    pub(super) fn stats(&self, reset: bool) -> Vec<RankStats> {
        let mut asked: Vec<Rank> = self.live_ranks().collect();
        for &rank in &asked {
            self.world().process_at_rank(rank).send_with_tag(&[u8::from(reset)][..], TAG_STATS);
        }
        let mut stats = vec![RankStats::default(); self.workers];
        let deadline = Instant::now() + self.task_timeout;
        while !asked.is_empty() {
            let Some(reply) = link::receive_until(&self.world(), None, Some(TAG_STATS), PAUSE, deadline) else {
                let answer = format!("answer within {:?} (--task-timeout)", self.task_timeout);
                asked.iter().for_each(|&rank| drop(places::lose_silent(rank, &answer)));
                break;
            };
            asked.retain(|&rank| rank != reply.source);
            if let (Ok(answer), Some(slot)) =
                (postcard::from_bytes(&reply.bytes), (reply.source as usize).checked_sub(1))
            {
                stats[slot] = answer;
            }
        }
        stats
    }
}

/// Unloads the workload, so an idle rank holds no memory for it.
impl Drop for MpiPool {
    fn drop(&mut self) {
        let shutdown = postcard::to_allocvec(&ToWorker::Shutdown).expect("a unit variant encodes");
        for rank in self.live_ranks() {
            self.world().process_at_rank(rank).send_with_tag(&shutdown[..], TAG_JOB);
        }
    }
}
