//! One execution on the process pool: workers pull chunks, fixed or (under `--chunk auto`) sized per worker from
//! how long its last one took; faults are detected, counted, retried, and past a limit the rest of the execution
//! falls back to serial in the parent.

use std::collections::VecDeque;
use std::ops::Range;
use std::time::{Duration, Instant};

use ablate_workloads::Job;
use crossbeam::channel::RecvTimeoutError;

use super::ProcessPool;
use super::child::Report;
use super::wire::{EncodedTask, FromWorker, ToWorker};
use crate::cancel;
use crate::strategy::gathered::{Gathered, encode_inputs};
use crate::strategy::task::Dispatch;
use crate::strategy::{
    ADAPTIVE, Execution, Fault, Faults, StrategyKind, TaskFailure, TaskProgress, WireBytes, chunk_ranges,
    next_chunk_size,
};
use serde_bytes::Bytes;

/// Tasks handed to one worker in one frame: consecutive indices.
struct Unit {
    tasks: Range<usize>,
    attempt: u32,
}

struct InFlight {
    unit: Unit,
    deadline: Instant,
}

/// Dispatches queued per worker, so a worker finds its next chunk waiting instead of sleeping on the pipe.
const DEPTH: usize = 4;

/// A second dispatch is queued only when its frame fits a pipe buffer, so writing it can never block the loop.
const PREFETCH_FRAME_LIMIT: usize = 64 * 1024;

/// What went wrong with a worker.
#[derive(Clone, Copy)]
enum WorkerFault {
    Timeout,
    Crash,
    Garbled,
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
    in_flight: Vec<VecDeque<InFlight>>,
    gathered: Gathered,
    faults: Faults,
    wire: WireBytes,
    worker_failures: u32,
    /// The size of the last frame sent, which decides whether prefetching is safe.
    last_frame_bytes: usize,
}

pub(super) fn execute(pool: &mut ProcessPool, job: &dyn Job, progress: &dyn TaskProgress) -> Execution {
    pool.replace_missing_workers();
    let tasks = job.task_count();
    let workers = pool.workers.len();
    let chunk = StrategyKind::Process.effective_chunk(pool.chunk, tasks, workers);
    let adaptive = chunk == ADAPTIVE;
    let cpu_before: Vec<(u64, u64)> = pool.live().map(|w| (w.serial, w.cpu_nanos())).collect();
    pool.live().for_each(|w| w.reset_peak_rss());
    let mut run = Run {
        queue: match adaptive {
            true => VecDeque::new(),
            false => chunk_ranges(tasks, chunk).into_iter().map(|tasks| Unit { tasks, attempt: 0 }).collect(),
        },
        cursor: if adaptive { 0 } else { tasks },
        adaptive_sizes: adaptive.then(|| vec![1; workers]),
        in_flight: (0..workers).map(|_| VecDeque::with_capacity(DEPTH)).collect(),
        gathered: Gathered::new(tasks, workers),
        faults: Faults::default(),
        wire: WireBytes::default(),
        worker_failures: 0,
        last_frame_bytes: usize::MAX,
        pool,
        job,
        progress,
    };
    run.drive();
    let worker_cpu_ns = run
        .pool
        .live()
        .map(|w| w.cpu_nanos().saturating_sub(cpu_before.iter().find(|(s, _)| *s == w.serial).map_or(0, |(_, c)| *c)))
        .sum();
    let worker_peak_rss = run.pool.live().map(|w| w.peak_rss_bytes()).collect();
    run.finish(worker_cpu_ns, worker_peak_rss)
}

impl Run<'_> {
    fn drive(&mut self) {
        loop {
            if cancel::requested() {
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
            let wait =
                self.in_flight.iter().flatten().map(|f| f.deadline.saturating_duration_since(Instant::now())).min();
            match self.pool.next_report(wait.unwrap_or(POLL).min(POLL)) {
                Ok(report) => self.handle(report),
                Err(RecvTimeoutError::Timeout) => self.expire_deadlines(),
                Err(RecvTimeoutError::Disconnected) => unreachable!("the pool holds a sender"),
            }
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
        let queued: usize = self.in_flight[slot].iter().map(|f| f.unit.tasks.len()).sum();
        let deadline = Instant::now() + self.pool.options.task_timeout * (queued + unit.tasks.len()) as u32;
        self.in_flight[slot].push_back(InFlight { unit, deadline });
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
            Report::Message { message: FromWorker::Done { results }, bytes, .. } => {
                self.wire.received += bytes as u64;
                self.in_flight[slot].pop_front();
                let done = results.len();
                let computed = Duration::from_nanos(results.iter().map(|o| o.nanos).sum());
                for outcome in results {
                    self.gathered.accept(self.job, slot, outcome);
                }
                self.adapt(slot, done, computed);
                self.progress.tasks_done(done);
            }
            Report::Message { .. } => {}
            Report::Gone { .. } => self.worker_failed(slot, WorkerFault::Crash),
            Report::Garbled { .. } => self.worker_failed(slot, WorkerFault::Garbled),
        }
    }

    fn expire_deadlines(&mut self) {
        let now = Instant::now();
        for slot in 0..self.in_flight.len() {
            if self.in_flight[slot].front().is_some_and(|f| f.deadline <= now) {
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
        let units: Vec<Unit> = self.in_flight[slot].drain(..).map(|f| f.unit).collect();
        let first_task = units.first().map(|u| u.tasks.start);
        let description = match fault {
            WorkerFault::Timeout => {
                self.faults.timeouts += 1;
                self.progress.fault(&Fault::Timeout { task: first_task.unwrap_or(0), pid });
                format!("timed out after {:?} per task and was killed", self.pool.options.task_timeout)
            }
            WorkerFault::Crash => {
                self.faults.crashes += 1;
                self.progress.fault(&Fault::Crash { pid, how: &how });
                format!("crashed ({how})")
            }
            WorkerFault::Garbled => {
                self.faults.garbled += 1;
                self.progress.fault(&Fault::Garbled { pid });
                "sent a malformed frame and was killed".to_owned()
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
            self.progress.fault(&Fault::RespawnFailed { reason: &reason });
            self.worker_failures += 1;
        }
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
        let reason =
            format!("{} worker failures (limit {})", self.worker_failures, self.pool.options.max_pool_failures);
        self.progress.fault(&Fault::Fallback { reason: &reason });
        for slot in 0..self.in_flight.len() {
            let units: Vec<Unit> = self.in_flight[slot].drain(..).map(|f| f.unit).collect();
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
        let serial = Dispatch::new(self.job, self.progress);
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

    fn finish(self, worker_cpu_ns: u64, worker_peak_rss: Vec<u64>) -> Execution {
        self.gathered.into_execution(self.faults, self.wire, worker_cpu_ns, worker_peak_rss)
    }
}
