//! One execution across the worker ranks: chunks of consecutive tasks handed out as ranks answer, two in flight
//! per rank so none waits for its next; fixed in size, or under `--chunk auto` sized per rank from how long its
//! last chunk computed. Outputs land in task order; payload bytes are the encoded messages both ways.

use std::collections::VecDeque;
use std::ops::Range;
use std::time::Duration;

use ::mpi::point_to_point::Destination;
use ::mpi::topology::Communicator;
use ablate_workloads::runtime::Job;
use serde_bytes::Bytes;

use super::link::{self, Envelope, TAG_JOB, TAG_REPLY};
use super::pool::{MpiPool, PAUSE};
use crate::strategy::gathered::{Gathered, WorkersCpu, encode_inputs};
use crate::strategy::process::wire::{EncodedTask, FromWorker, ToWorker};
use crate::strategy::{
    EffectiveChunk, Execution, Faults, StrategyKind, TaskFailure, TaskProgress, WireBytes, next_chunk_size,
};

/// Chunks in flight per rank.
const DEPTH: usize = 2;

struct Run<'a> {
    pool: &'a MpiPool,
    job: &'a dyn Job,
    progress: &'a dyn TaskProgress,
    /// The first task not yet sent.
    cursor: usize,
    /// The fixed chunk, or `None` for adaptive chunks.
    fixed: Option<usize>,
    /// Under adaptive chunks, the size of each rank's next chunk.
    sizes: Vec<usize>,
    in_flight: Vec<VecDeque<Range<usize>>>,
    gathered: Gathered,
    wire: WireBytes,
}

pub(super) fn execute(pool: &MpiPool, progress: &dyn TaskProgress) -> Execution {
    let job = pool.job.as_ref();
    let tasks = job.task_count();
    let chunk = StrategyKind::Mpi.effective_chunk(pool.chunk, tasks, pool.workers);
    let before = pool.stats(true);
    let mut run = Run {
        pool,
        job,
        progress,
        cursor: 0,
        fixed: match chunk {
            EffectiveChunk::Fixed(tasks) => Some(tasks),
            EffectiveChunk::Adaptive => None,
        },
        sizes: vec![1; pool.workers],
        in_flight: (0..pool.workers).map(|_| VecDeque::with_capacity(DEPTH)).collect(),
        gathered: Gathered::new(tasks, pool.workers),
        wire: WireBytes::default(),
    };
    run.drive();
    let after = pool.stats(false);
    let total_ns = before.iter().zip(&after).map(|(b, a)| a.cpu_ns.saturating_sub(b.cpu_ns)).sum();
    let peaks = after.iter().map(|s| s.peak_rss_bytes).collect();
    let worker_cpu = WorkersCpu { total_ns, each: Vec::new() };
    run.gathered.into_execution(Faults::default(), run.wire, worker_cpu, peaks)
}

impl Run<'_> {
    fn drive(&mut self) {
        loop {
            if self.pool.cancel.is_cancelled() && self.cursor < self.job.task_count() {
                let task = self.cursor;
                self.gathered.failures.push(TaskFailure { task, message: "cancelled".to_owned() });
                self.cursor = self.job.task_count();
            }
            self.hand_out_work();
            if self.in_flight.iter().all(VecDeque::is_empty) {
                return;
            }
            let reply = link::receive(&self.pool.world(), None, Some(TAG_REPLY), PAUSE);
            self.handle(reply);
        }
    }

    /// Tops every rank up to [`DEPTH`] chunks in flight, round-robin.
    fn hand_out_work(&mut self) {
        for depth in 1..=DEPTH {
            for slot in 0..self.in_flight.len() {
                if self.in_flight[slot].len() < depth
                    && let Some(range) = self.next_range(slot)
                {
                    self.send(slot, range);
                }
            }
        }
    }

    fn next_range(&mut self, slot: usize) -> Option<Range<usize>> {
        let start = self.cursor;
        self.cursor = (start + self.fixed.unwrap_or(self.sizes[slot])).min(self.job.task_count());
        (start < self.cursor).then_some(start..self.cursor)
    }

    fn send(&mut self, slot: usize, range: Range<usize>) {
        let inputs = match encode_inputs(self.job, range.clone()) {
            Ok(inputs) => inputs,
            Err(failure) => return self.gathered.failures.push(failure),
        };
        let tasks = range
            .clone()
            .zip(&inputs)
            .map(|(index, input)| EncodedTask { index: index as u32, input: Bytes::new(input) });
        let message = postcard::to_allocvec(&ToWorker::Run { shared: None, tasks: tasks.collect() });
        let bytes = match message {
            Ok(bytes) => bytes,
            Err(e) => {
                let message = format!("cannot encode its chunk: {e}");
                return self.gathered.failures.push(TaskFailure { task: range.start, message });
            }
        };
        self.wire.sent += bytes.len() as u64;
        self.pool.world().process_at_rank(slot as i32 + 1).send_with_tag(&bytes[..], TAG_JOB);
        self.in_flight[slot].push_back(range);
    }

    fn handle(&mut self, reply: Envelope) {
        let slot = (reply.source as usize).wrapping_sub(1);
        self.wire.received += reply.bytes.len() as u64;
        let Some(range) = self.in_flight.get_mut(slot).and_then(VecDeque::pop_front) else { return };
        let results = match postcard::from_bytes(&reply.bytes) {
            Ok(FromWorker::Done { results }) => results,
            _ => {
                let message = format!("rank {} answered with something that is not its results", reply.source);
                return self.gathered.failures.push(TaskFailure { task: range.start, message });
            }
        };
        let computed = Duration::from_nanos(results.iter().fold(0, |sum, o| sum.saturating_add(o.nanos)));
        let done = results.len();
        if let Err(misfit) = self.gathered.accept_answer(self.job, slot, range.clone(), results) {
            let message = format!("rank {} {misfit}", reply.source);
            return self.gathered.failures.push(TaskFailure { task: range.start, message });
        }
        self.progress.tasks_done(done);
        let remaining = self.job.task_count() - self.cursor;
        self.sizes[slot] = next_chunk_size(done, computed, self.pool.chunk_target, remaining, self.in_flight.len());
    }
}
