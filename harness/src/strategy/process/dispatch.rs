//! One execution on the process pool: workers pull chunks, fixed or (under `--chunk auto`) sized per worker from
//! how long its last one took; faults are detected, counted, retried, and past a limit the rest of the execution
//! falls back to serial in the parent.
//!
//! The timeout is per task: a worker is heard from whenever it answers a dispatch or, by its heartbeat, says which
//! task it starts, so a worker not heard from for the task timeout plus one heartbeat has one task running past
//! the timeout, however many tasks its dispatch holds. Every message must fit the dispatch it is about; one that
//! does not is a garbled frame, like one that does not decode.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ablate_workloads::runtime::Job;
use crossbeam::channel::RecvTimeoutError;

use super::ProcessPool;
use super::child::Report;
use super::wire::{EncodedTask, FromWorker, ToWorker};
use crate::strategy::gathered::{Gathered, WorkersCpu, encode_inputs, per_slot_since};
use crate::strategy::task::SharedExecution;
use crate::strategy::{
    EffectiveChunk, Execution, Fault, Faults, StrategyKind, TaskFailure, TaskProgress, WireBytes, chunk_ranges,
    next_chunk_size,
};
use serde_bytes::Bytes;

/// Tasks handed to one worker in one frame: consecutive indices.
struct Unit {
    tasks: Range<usize>,
    attempt: u32,
}

/// Dispatches queued per worker, so a worker finds its next chunk waiting instead of sleeping on the pipe.
const DEPTH: usize = 4;

/// A second dispatch is queued only when its frame fits a pipe buffer, so writing it can never block the loop.
const PREFETCH_FRAME_LIMIT: usize = 64 * 1024;

/// What went wrong with a worker.
enum WorkerFault {
    Timeout,
    Crash,
    /// A frame that does not decode, or a message that does not fit its dispatch; the reason says which.
    Garbled(String),
}

/// How often the loop wakes to look for cancellation while waiting on workers.
const POLL: Duration = Duration::from_millis(50);

struct Run<'a> {
    pool: &'a mut ProcessPool,
    job: &'a dyn Job,
    progress: &'a dyn TaskProgress,
    /// Units to send before any new ones: fixed chunks, and tasks sent back for another attempt.
    queue: VecDeque<Unit>,
    /// Under adaptive chunks, the first task not yet in any unit; the task count otherwise.
    cursor: usize,
    /// Under adaptive chunks, the size of each worker's next unit.
    adaptive_sizes: Option<Vec<usize>>,
    /// Per worker slot, the dispatches sent and not yet answered, oldest first.
    in_flight: Vec<VecDeque<Unit>>,
    /// Per worker slot, when it was last heard from (or sent work while idle).
    last_heard: Vec<Instant>,
    /// Per worker slot, the task its heartbeat last said it started, in its oldest dispatch.
    running: Vec<Option<usize>>,
    gathered: Gathered,
    faults: Faults,
    wire: WireBytes,
    worker_failures: u32,
    /// Why the last worker that could not be replaced could not.
    respawn_failure: Option<String>,
    /// The size of the last frame sent, which decides whether prefetching is safe.
    last_frame_bytes: usize,
}

pub(super) fn execute(pool: &mut ProcessPool, progress: &dyn TaskProgress) -> Execution {
    let job = Arc::clone(&pool.job);
    let job = job.as_ref();
    let respawn_failures = pool.replace_missing_workers();
    let tasks = job.task_count();
    let workers = pool.workers.len();
    let chunk = StrategyKind::Process.effective_chunk(pool.chunk, tasks, workers);
    let cpu_before = pool.scheduled();
    pool.live().for_each(|w| w.reset_peak_rss());
    let mut run = Run {
        queue: match chunk {
            EffectiveChunk::Adaptive => VecDeque::new(),
            EffectiveChunk::Fixed(size) => {
                chunk_ranges(tasks, size).into_iter().map(|tasks| Unit { tasks, attempt: 0 }).collect()
            }
        },
        cursor: if chunk == EffectiveChunk::Adaptive { 0 } else { tasks },
        adaptive_sizes: (chunk == EffectiveChunk::Adaptive).then(|| vec![1; workers]),
        in_flight: (0..workers).map(|_| VecDeque::with_capacity(DEPTH)).collect(),
        last_heard: vec![Instant::now(); workers],
        running: vec![None; workers],
        gathered: Gathered::new(tasks, workers),
        faults: Faults::default(),
        wire: WireBytes::default(),
        worker_failures: 0,
        respawn_failure: None,
        last_frame_bytes: usize::MAX,
        pool,
        job,
        progress,
    };
    for reason in respawn_failures {
        run.respawn_failed(reason);
    }
    run.drive();
    let worker_cpu = per_slot_since(&run.pool.scheduled(), &cpu_before);
    let worker_peak_rss = run.pool.live().map(|w| w.peak_rss_bytes()).collect();
    run.finish(worker_cpu, worker_peak_rss)
}

impl Run<'_> {
    fn drive(&mut self) {
        loop {
            if self.pool.cancel.is_cancelled() {
                let task = self.gathered.first_unfinished();
                self.gathered.failures.push(TaskFailure { task, message: "cancelled".to_owned() });
                return;
            }
            self.hand_out_work();
            if self.nothing_left_to_send() && self.in_flight.iter().all(VecDeque::is_empty) {
                return;
            }
            if self.over_failure_limit() || self.pool.live().next().is_none() {
                self.fall_back();
                return;
            }
            let now = Instant::now();
            let wait = (0..self.in_flight.len()).filter_map(|slot| self.deadline(slot)).min();
            match self.pool.next_report(wait.map_or(POLL, |d| d.saturating_duration_since(now)).min(POLL)) {
                Ok(report) => self.handle(report),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => unreachable!("the pool holds a sender"),
            }
            self.expire_deadlines();
        }
    }

    /// Gives every worker one dispatch, then a second where frames are small, round-robin.
    fn hand_out_work(&mut self) {
        for depth in 1..=DEPTH {
            for slot in 0..self.in_flight.len() {
                let prefetch_ok = depth == 1 || self.last_frame_bytes <= PREFETCH_FRAME_LIMIT;
                if self.in_flight[slot].len() >= depth || self.pool.workers[slot].is_none() || !prefetch_ok {
                    continue;
                }
                if self.over_failure_limit() {
                    return;
                }
                let Some(unit) = self.next_unit(slot) else { return };
                self.send(slot, unit);
            }
        }
    }

    fn nothing_left_to_send(&self) -> bool {
        self.queue.is_empty() && self.cursor == self.job.task_count()
    }

    /// A unit sent back first; else, under adaptive chunks, the next tasks in the size this worker is due.
    fn next_unit(&mut self, slot: usize) -> Option<Unit> {
        if let Some(unit) = self.queue.pop_front() {
            return Some(unit);
        }
        let size = self.adaptive_sizes.as_ref()?[slot];
        let start = self.cursor;
        self.cursor = (start + size).min(self.job.task_count());
        (start < self.cursor).then_some(Unit { tasks: start..self.cursor, attempt: 0 })
    }

    /// Sizes the worker's next adaptive unit from how long it computed this one.
    fn adapt(&mut self, slot: usize, tasks: usize, computed: Duration) {
        let remaining = self.job.task_count() - self.cursor;
        let (target, workers) = (self.pool.chunk_target, self.in_flight.len());
        if let Some(sizes) = &mut self.adaptive_sizes {
            sizes[slot] = next_chunk_size(tasks, computed, target, remaining, workers);
        }
    }

    fn send(&mut self, slot: usize, unit: Unit) {
        let inputs = match encode_inputs(self.job, unit.tasks.clone()) {
            Ok(inputs) => inputs,
            Err(failure) => return self.gathered.failures.push(failure),
        };
        let tasks = unit
            .tasks
            .clone()
            .zip(&inputs)
            .map(|(index, input)| EncodedTask { index: index as u32, input: Bytes::new(input) });
        let message =
            ToWorker::Run { shared: self.pool.shared_bytes.as_deref().map(Bytes::new), tasks: tasks.collect() };
        let worker = self.pool.workers[slot].as_mut().expect("only live slots are sent to");
        let sent = worker.send(&message);
        if self.in_flight[slot].is_empty() {
            self.last_heard[slot] = Instant::now();
            self.running[slot] = None;
        }
        self.in_flight[slot].push_back(unit);
        // A failed send means the worker is gone or going; its reader reports that after any answers the worker
        // managed to send first, so the fault is handled there, with the right dispatch in front.
        if let Ok(bytes) = sent {
            self.last_frame_bytes = bytes;
            self.wire.sent += bytes as u64;
        }
    }

    fn handle(&mut self, report: Report) {
        let serial = report.serial();
        let Some(slot) = self.pool.slot_of(serial) else { return };
        match report {
            Report::Message { message, bytes, .. } => {
                self.wire.received += bytes as u64;
                if let Err(misfit) = self.take_message(slot, message) {
                    self.worker_failed(slot, WorkerFault::Garbled(misfit));
                }
            }
            Report::Gone { .. } => self.worker_failed(slot, WorkerFault::Crash),
            Report::Garbled { reason, .. } => self.worker_failed(slot, WorkerFault::Garbled(reason)),
        }
    }

    /// Takes a message from the worker in `slot` about its oldest dispatch; says why when it does not fit.
    fn take_message(&mut self, slot: usize, message: FromWorker) -> Result<(), String> {
        let Some(front) = self.in_flight[slot].front() else {
            return Err("it sent a message with no dispatch in flight".to_owned());
        };
        let tasks = front.tasks.clone();
        match message {
            FromWorker::Started { index } if tasks.contains(&(index as usize)) => {
                self.running[slot] = Some(index as usize);
            }
            FromWorker::Started { index } => {
                return Err(format!("it said task {index} started, which its dispatch of tasks {tasks:?} lacks"));
            }
            FromWorker::Done { results } => {
                let done = results.len();
                let computed = Duration::from_nanos(results.iter().fold(0, |sum, o| sum.saturating_add(o.nanos)));
                self.gathered.accept_answer(self.job, slot, tasks, results).map_err(|misfit| format!("it {misfit}"))?;
                self.in_flight[slot].pop_front();
                self.running[slot] = None;
                self.adapt(slot, done, computed);
                self.progress.tasks_done(done);
            }
            FromWorker::Loaded | FromWorker::LoadFailed { .. } => {
                return Err("it answered a load while running tasks".to_owned());
            }
        }
        self.last_heard[slot] = Instant::now();
        Ok(())
    }

    /// When the worker in `slot` has a task running past the timeout unless heard from: the task timeout plus
    /// one heartbeat after it was last heard from. `None` while it has nothing to do, or where the clock cannot
    /// hold the deadline (the flags bound the timeout, so only a clock near its end).
    fn deadline(&self, slot: usize) -> Option<Instant> {
        let options = &self.pool.options;
        let wait = options.task_timeout.checked_add(options.heartbeat())?;
        (!self.in_flight[slot].is_empty()).then(|| self.last_heard[slot].checked_add(wait)).flatten()
    }

    /// Kills every worker with a task past the timeout. Once a deadline has passed, the reports already in are
    /// handled first, so that a worker is never taken for stuck while its news waits behind another's.
    fn expire_deadlines(&mut self) {
        let now = Instant::now();
        if !(0..self.in_flight.len()).any(|slot| self.deadline(slot).is_some_and(|deadline| deadline <= now)) {
            return;
        }
        while let Some(report) = self.pool.report_already_in() {
            self.handle(report);
        }
        for slot in 0..self.in_flight.len() {
            if self.deadline(slot).is_some_and(|deadline| deadline <= now) {
                self.worker_failed(slot, WorkerFault::Timeout);
            }
        }
    }

    /// Kills the worker in `slot`, counts the fault, and replaces the worker. The dispatch it was running is
    /// retried task by task (or failed when out of attempts); dispatches queued behind it never ran, so they
    /// go back to the queue as they were.
    fn worker_failed(&mut self, slot: usize, fault: WorkerFault) {
        let Some(worker) = self.pool.workers[slot].take() else { return };
        let pid = worker.pid();
        let how = worker.kill();
        self.worker_failures += 1;
        let units: Vec<Unit> = self.in_flight[slot].drain(..).collect();
        let first_task = units.first().map(|u| u.tasks.start);
        let running = self.running[slot].take().or(first_task);
        let description = match fault {
            WorkerFault::Timeout => {
                self.faults.timeouts += 1;
                self.progress.fault(&Fault::Timeout { task: running.unwrap_or(0), pid });
                format!("timed out after {:?} on one task and was killed", self.pool.options.task_timeout)
            }
            WorkerFault::Crash => {
                self.faults.crashes += 1;
                self.progress.fault(&Fault::Crash { pid, how: &how });
                format!("crashed ({how})")
            }
            WorkerFault::Garbled(reason) => {
                self.faults.garbled += 1;
                self.progress.fault(&Fault::Garbled { pid, reason: &reason });
                format!("sent a malformed frame ({reason}) and was killed")
            }
        };
        let mut units = units.into_iter();
        let running = units.next();
        for waiting in units.rev() {
            self.queue.push_front(waiting);
        }
        if let Some(unit) = running {
            self.retry_or_fail(unit, &description);
        }
        if self.over_failure_limit() {
            return;
        }
        if let Err(reason) = self.pool.respawn(slot) {
            self.worker_failures += 1;
            self.respawn_failed(reason);
        }
    }

    /// Counts and reports a worker that could not be replaced; its slot stays empty.
    fn respawn_failed(&mut self, reason: String) {
        self.faults.respawn_failures += 1;
        self.progress.fault(&Fault::RespawnFailed { reason: &reason });
        self.respawn_failure = Some(reason);
    }

    /// Past the limit, nothing more is sent and no worker replaced: the execution falls back to serial.
    fn over_failure_limit(&self) -> bool {
        self.worker_failures > self.pool.options.max_pool_failures
    }

    /// Requeues each task of `unit` on its own for another attempt, or fails it when out of attempts.
    fn retry_or_fail(&mut self, unit: Unit, description: &str) {
        for task in unit.tasks.rev() {
            if unit.attempt < self.pool.options.retries {
                self.faults.retries += 1;
                self.progress.fault(&Fault::Retry { task, attempt: unit.attempt + 1 });
                self.queue.push_front(Unit { tasks: task..task + 1, attempt: unit.attempt + 1 });
            } else {
                let attempts = unit.attempt + 1;
                let message = format!("its worker {description}, on each of {attempts} attempts");
                self.gathered.failures.push(TaskFailure { task, message });
            }
        }
    }

    /// Runs every unfinished task serially in this process.
    fn fall_back(&mut self) {
        self.faults.fallbacks += 1;
        let mut reason =
            format!("{} worker failures (limit {})", self.worker_failures, self.pool.options.max_pool_failures);
        if let Some(respawn) = &self.respawn_failure {
            reason.push_str(&format!("; a worker could not be replaced: {respawn}"));
        }
        self.progress.fault(&Fault::Fallback { reason: &reason });
        for slot in 0..self.in_flight.len() {
            let units: Vec<Unit> = self.in_flight[slot].drain(..).collect();
            if !units.is_empty()
                && let Some(worker) = self.pool.workers[slot].take()
            {
                worker.kill();
            }
            self.queue.extend(units);
        }
        let unsent = self.cursor..self.job.task_count();
        if !unsent.is_empty() {
            self.queue.push_back(Unit { tasks: unsent, attempt: 0 });
            self.cursor = self.job.task_count();
        }
        let serial = SharedExecution::new(self.job, self.progress, &self.pool.cancel);
        let mut fallback_busy = 0;
        while let Some(unit) = self.queue.pop_front() {
            let Some(log) = serial.run_chunk(unit.tasks) else { break };
            fallback_busy += log.busy_nanos();
            if let Some(failure) = log.merge_into(&mut self.gathered.outputs, &mut self.gathered.nanos) {
                self.gathered.failures.push(failure);
            }
        }
        self.gathered.busy.push(fallback_busy);
    }

    fn finish(self, worker_cpu: WorkersCpu, worker_peak_rss: Vec<u64>) -> Execution {
        self.gathered.into_execution(self.faults, self.wire, worker_cpu, worker_peak_rss)
    }
}
