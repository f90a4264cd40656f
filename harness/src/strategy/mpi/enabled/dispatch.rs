//! One execution across the worker ranks: chunks of consecutive tasks handed out as ranks answer, two in flight
//! per rank so none waits for its next; fixed in size, or under `--chunk auto` sized per rank from how long its
//! last chunk computed. Outputs land in task order; payload bytes are the encoded messages both ways, counted rank
//! by rank, beside what each host's interfaces sent and received meanwhile. A rank that stays silent past the task
//! timeout for each task of its chunk is lost: the execution fails there, naming the rank and its host. This is
//! how an [`MpiPool`] executes (its [`Pool`] implementation).

use std::collections::VecDeque;
use std::ops::Range;
use std::time::{Duration, Instant};

use ::mpi::point_to_point::Destination;
use ::mpi::topology::{Communicator, Rank};
use ablate_workloads::runtime::Job;
use serde_bytes::Bytes;

use super::link::{self, Envelope, PAUSE, RankStats, TAG_JOB, TAG_REPLY};
use super::places;
use super::pool::MpiPool;
use crate::measure::network::{self, InterfaceBytes};
use crate::strategy::gathered::{Gathered, WorkersCpu, encode_inputs};
use crate::strategy::mpi::{HostBytes, HostRanks, NetworkBytes, RankBytes};
use crate::strategy::process::wire::{EncodedTask, FromWorker, ToWorker};
use crate::strategy::{
    EffectiveChunk, Execution, Faults, Pool, StrategyKind, TaskFailure, TaskProgress, WireBytes, next_chunk_size,
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
    /// Each rank's messages: `sent` to it, `received` from it.
    per_rank: Vec<WireBytes>,
    /// When each rank last answered, or was handed work while idle: its clock for the task timeout.
    heard: Vec<Instant>,
}

pub(super) fn execute(pool: &MpiPool, progress: &dyn TaskProgress) -> Execution {
    let job = pool.job.as_ref();
    let tasks = job.task_count();
    let chunk = StrategyKind::Mpi.effective_chunk(pool.chunk, tasks, pool.workers);
    let own_before = network::host_bytes();
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
        per_rank: vec![WireBytes::default(); pool.workers],
        heard: vec![Instant::now(); pool.workers],
    };
    run.drive();
    let after = pool.stats(false);
    let own_after = network::host_bytes();
    let hosts = host_bytes((own_before, own_after), &before, &after);
    let ranks = run.per_rank.iter().enumerate().map(|(slot, wire)| rank_bytes(slot as Rank + 1, *wire)).collect();
    let total_ns = before.iter().zip(&after).map(|(b, a)| a.cpu_ns.saturating_sub(b.cpu_ns)).sum();
    let peaks = after.iter().map(|s| s.peak_rss_bytes).collect();
    let worker_cpu = WorkersCpu { total_ns, each: Vec::new() };
    if let Some(why) = pool.ranks().find_map(places::lost) {
        run.gathered.failures.push(TaskFailure { task: tasks.saturating_sub(1), message: why });
    }
    let execution = run.gathered.into_execution(Faults::default(), run.wire, worker_cpu, peaks);
    Execution { network: Some(NetworkBytes { ranks, hosts }), ..execution }
}

/// A worker rank's messages from its own side: what it sent is what rank 0 received from it.
fn rank_bytes(rank: Rank, wire: WireBytes) -> RankBytes {
    RankBytes { rank: rank as u32, host: places::host_of(rank), sent: wire.received, received: wire.sent }
}

/// Each host's interface counters over the execution, read by its lowest rank (rank 0 reads its own, `own`).
fn host_bytes(
    own: (Option<InterfaceBytes>, Option<InterfaceBytes>),
    before: &[RankStats],
    after: &[RankStats],
) -> Vec<HostBytes> {
    let readings = std::iter::once(own).chain(before.iter().zip(after).map(|(b, a)| (b.network, a.network)));
    let mut hosts: Vec<HostBytes> = Vec::new();
    for (rank, (before, after)) in readings.enumerate() {
        let host = places::host_of(rank as Rank);
        if hosts.iter().any(|h| h.host == host) {
            continue;
        }
        if let Some(bytes) = network::since(before, after) {
            hosts.push(HostBytes { host, bytes });
        }
    }
    hosts
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
            match link::receive_until(&self.pool.world(), None, Some(TAG_REPLY), PAUSE, self.deadline()) {
                Some(reply) => self.handle(reply),
                None => self.lose_silent_ranks(),
            }
        }
    }

    /// How long a rank may stay silent while it computes `chunk`: the task timeout for each of its tasks.
    fn allowance(&self, chunk: &Range<usize>) -> Duration {
        self.pool.task_timeout.saturating_mul(chunk.len().max(1) as u32)
    }

    /// When the first busy rank must have answered by.
    fn deadline(&self) -> Instant {
        let busy = self.in_flight.iter().zip(&self.heard);
        let due = busy.filter_map(|(chunks, heard)| Some(*heard + self.allowance(chunks.front()?)));
        due.min().unwrap_or_else(Instant::now)
    }

    /// Gives up on every rank past its deadline: its chunks fail, naming it, and no more work is handed out.
    fn lose_silent_ranks(&mut self) {
        let now = Instant::now();
        for slot in 0..self.in_flight.len() {
            let Some(chunk) = self.in_flight[slot].front().cloned() else { continue };
            let allowed = self.allowance(&chunk);
            if now < self.heard[slot] + allowed {
                continue;
            }
            let rank = slot as Rank + 1;
            let answer = format!("answer within {allowed:?} ({} tasks × --task-timeout)", chunk.len());
            let message = places::lose_silent(rank, &answer);
            self.gathered.failures.push(TaskFailure { task: chunk.start, message });
            self.in_flight[slot].clear();
        }
        self.cursor = self.job.task_count();
    }

    /// Tops every rank up to [`DEPTH`] chunks in flight, round-robin.
    fn hand_out_work(&mut self) {
        for depth in 1..=DEPTH {
            for slot in 0..self.in_flight.len() {
                if self.in_flight[slot].len() < depth
                    && places::lost(slot as Rank + 1).is_none()
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
        self.per_rank[slot].sent += bytes.len() as u64;
        self.pool.world().process_at_rank(slot as i32 + 1).send_with_tag(&bytes[..], TAG_JOB);
        if self.in_flight[slot].is_empty() {
            self.heard[slot] = Instant::now();
        }
        self.in_flight[slot].push_back(range);
    }

    fn handle(&mut self, reply: Envelope) {
        let slot = (reply.source as usize).wrapping_sub(1);
        self.wire.received += reply.bytes.len() as u64;
        if let (Some(wire), Some(heard)) = (self.per_rank.get_mut(slot), self.heard.get_mut(slot)) {
            wire.received += reply.bytes.len() as u64;
            *heard = Instant::now();
        }
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

impl Pool for MpiPool {
    fn execute(&mut self, progress: &dyn TaskProgress) -> Execution {
        execute(self, progress)
    }

    fn hosts(&self) -> Vec<HostRanks> {
        places::hosts_of(self.workers)
    }
}
