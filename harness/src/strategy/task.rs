//! Running tasks under a strategy: timing each task, catching panics, and putting outputs back in task order.

use std::cell::Cell;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use ablate_workloads::runtime::{AnyOutput, Job};
use serde::{Deserialize, Serialize};

use super::TaskProgress;
use crate::cancel::Cancel;
use crate::measure::schedstat::{self, WorkerCpu};
use crate::strategy::mpi::NetworkBytes;

/// A task that did not produce an output, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFailure {
    pub task: usize,
    pub message: String,
}

/// One execution of a job: outputs in task order, per-task times and per-worker busy time.
pub struct Execution {
    /// Every task's output in task order when `failure` is `None`; possibly partial otherwise.
    pub outputs: Vec<AnyOutput>,
    /// Execution time of each finished task, in nanoseconds, in task order.
    pub task_nanos: Vec<u64>,
    /// Time each worker spent inside tasks, in nanoseconds.
    pub busy_nanos: Vec<u64>,
    /// The first task (lowest index) that failed, if any.
    pub failure: Option<TaskFailure>,
    /// Worker faults met and handled (process strategy).
    pub faults: Faults,
    /// Bytes of the frames sent to and received from worker processes (process strategy).
    pub wire: Option<WireBytes>,
    /// CPU time of worker processes during the execution (process strategy).
    pub worker_cpu_ns: u64,
    /// Each worker's time on a CPU and waiting, runnable, for one during the execution (its thread's, or its
    /// process's), in worker order; empty where not measured for every worker.
    pub worker_cpu: Vec<WorkerCpu>,
    /// Peak resident memory of each worker process during the execution (process strategy).
    pub worker_peak_rss: Vec<u64>,
    /// How long after the execution began its last worker started its first task: the cost of waking the
    /// workers (in-process strategies; `None` where not measured).
    pub worker_start_ns: Option<u64>,
    /// Why the strategy could not start its workers for this execution (the system refused a thread); nothing
    /// else of the execution counts then.
    pub refused: Option<String>,
    /// What crossed the network, rank by rank and host by host (`mpi`; `None` elsewhere).
    pub network: Option<NetworkBytes>,
}

/// Counts of worker faults in one execution.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faults {
    pub timeouts: u32,
    pub crashes: u32,
    /// Workers that sent something that is not a frame.
    pub garbled: u32,
    pub retries: u32,
    /// Executions that finished serially in the parent after too many worker failures.
    pub fallbacks: u32,
    /// Failed workers that could not be replaced (their slots stayed empty).
    #[serde(default)]
    pub respawn_failures: u32,
}

impl Faults {
    pub fn add(&mut self, other: &Faults) {
        self.timeouts += other.timeouts;
        self.crashes += other.crashes;
        self.garbled += other.garbled;
        self.retries += other.retries;
        self.fallbacks += other.fallbacks;
        self.respawn_failures += other.respawn_failures;
    }

    /// The faults met, as `2 timeouts, 1 retries`; empty when there were none.
    pub fn listed(&self) -> String {
        let counts = [
            (self.timeouts, "timeouts"),
            (self.crashes, "crashes"),
            (self.garbled, "garbled"),
            (self.retries, "retries"),
            (self.fallbacks, "fallbacks"),
            (self.respawn_failures, "respawn failures"),
        ];
        let met: Vec<String> = counts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
        met.join(", ")
    }

    pub fn is_empty(&self) -> bool {
        *self == Faults::default()
    }
}

/// Bytes that crossed the process boundary, counted from the real frames (length prefixes included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireBytes {
    pub sent: u64,
    pub received: u64,
}

/// A fault as it happens, for listeners.
#[derive(Debug)]
pub enum Fault<'a> {
    Timeout { task: usize, pid: u32 },
    Crash { pid: u32, how: &'a str },
    Garbled { pid: u32, reason: &'a str },
    Retry { task: usize, attempt: u32 },
    RespawnFailed { reason: &'a str },
    Fallback { reason: &'a str },
}

/// The results of one consecutive range of tasks, as one worker produced them.
pub(crate) struct ChunkLog {
    start: usize,
    outputs: Vec<AnyOutput>,
    nanos: Vec<u64>,
    failure: Option<TaskFailure>,
}

impl ChunkLog {
    pub(crate) fn busy_nanos(&self) -> u64 {
        self.nanos.iter().sum()
    }

    /// Puts this chunk's outputs and times into task-indexed slots; returns its failure, if any.
    pub(crate) fn merge_into(self, outputs: &mut [Option<AnyOutput>], nanos: &mut [u64]) -> Option<TaskFailure> {
        for (offset, (output, ns)) in self.outputs.into_iter().zip(self.nanos).enumerate() {
            outputs[self.start + offset] = Some(output);
            nanos[self.start + offset] = ns;
        }
        self.failure
    }
}

/// What every worker of one execution shares: the job, the progress sink, the stop flag, and when each worker
/// thread started its first task.
pub(crate) struct SharedExecution<'a> {
    job: &'a dyn Job,
    progress: &'a dyn TaskProgress,
    /// The pool's token: once cancelled, no task starts.
    cancel: &'a Cancel,
    stop: AtomicBool,
    /// Identifies this execution to the threads that run it, so each notes its first start once.
    id: u64,
    began: Instant,
    first_starts: Mutex<Vec<u64>>,
    /// Each worker's counters over its part of the execution, as `(worker, counters)`.
    worker_cpu: Mutex<Vec<(usize, WorkerCpu)>>,
}

/// Numbers executions for [`SharedExecution::id`].
static NEXT_EXECUTION: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The execution this thread last ran a chunk of.
    static LAST_EXECUTION: Cell<u64> = const { Cell::new(0) };
}

impl<'a> SharedExecution<'a> {
    pub(crate) fn new(job: &'a dyn Job, progress: &'a dyn TaskProgress, cancel: &'a Cancel) -> Self {
        let id = NEXT_EXECUTION.fetch_add(1, Ordering::Relaxed);
        let (stop, began, first_starts) = (AtomicBool::new(false), Instant::now(), Mutex::default());
        Self { job, progress, cancel, stop, id, began, first_starts, worker_cpu: Mutex::default() }
    }

    /// Notes, the first time the calling thread runs a chunk of this execution, how long after its start.
    fn note_first_start(&self) {
        if LAST_EXECUTION.get() != self.id {
            LAST_EXECUTION.set(self.id);
            let offset = self.began.elapsed().as_nanos() as u64;
            self.first_starts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(offset);
        }
    }

    /// Notes what worker `worker` took of the machine over its part of the execution.
    pub(crate) fn note_worker_cpu(&self, worker: usize, cpu: WorkerCpu) {
        self.worker_cpu.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push((worker, cpu));
    }

    /// Runs `work` as worker `worker` on the calling thread, noting the thread's time on and waiting for a CPU
    /// meanwhile (for threads started for this execution).
    pub(crate) fn as_worker<T>(&self, worker: usize, work: impl FnOnce() -> T) -> T {
        let before = schedstat::this_thread();
        let out = work();
        if let (Some(before), Some(after)) = (before, schedstat::this_thread()) {
            self.note_worker_cpu(worker, after.since(before));
        }
        out
    }

    pub(crate) fn task_count(&self) -> usize {
        self.job.task_count()
    }

    /// Runs the tasks of `range` in order; stops at the first panic and tells the other workers to stop too.
    /// Returns `None` when another worker had already failed.
    pub(crate) fn run_chunk(&self, range: Range<usize>) -> Option<ChunkLog> {
        if self.stop.load(Ordering::Relaxed) || self.cancel.is_cancelled() {
            return None;
        }
        self.note_first_start();
        let mut log = ChunkLog {
            start: range.start,
            outputs: Vec::with_capacity(range.len()),
            nanos: Vec::with_capacity(range.len()),
            failure: None,
        };
        for task in range {
            if self.cancel.is_cancelled() {
                break;
            }
            let started = Instant::now();
            match run_guarded(self.job, task) {
                Ok(output) => {
                    log.nanos.push(started.elapsed().as_nanos() as u64);
                    log.outputs.push(output);
                }
                Err(failure) => {
                    self.stop();
                    log.failure = Some(failure);
                    break;
                }
            }
        }
        self.progress.tasks_done(log.outputs.len());
        Some(log)
    }

    /// Tells every worker to stop before its next chunk.
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// The execution of a strategy that could not start its workers, and why.
    pub(crate) fn refused(self, reason: String) -> Execution {
        Execution { refused: Some(reason), ..self.finish(Vec::new(), Vec::new()) }
    }

    /// Puts the chunk logs of all workers back into task order.
    pub(crate) fn finish(self, mut logs: Vec<ChunkLog>, busy_nanos: Vec<u64>) -> Execution {
        logs.sort_by_key(|log| log.start);
        let tasks = self.task_count();
        let first_starts = self.first_starts.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut worker_cpu = self.worker_cpu.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
        worker_cpu.sort_by_key(|(worker, _)| *worker);
        let every_worker =
            worker_cpu.len() == busy_nanos.len() && worker_cpu.iter().enumerate().all(|(i, (w, _))| i == *w);
        let mut execution = Execution {
            outputs: Vec::with_capacity(tasks),
            task_nanos: Vec::with_capacity(tasks),
            busy_nanos,
            failure: None,
            faults: Faults::default(),
            wire: None,
            worker_cpu_ns: 0,
            worker_cpu: if every_worker { worker_cpu.into_iter().map(|(_, cpu)| cpu).collect() } else { Vec::new() },
            worker_peak_rss: Vec::new(),
            worker_start_ns: first_starts.into_iter().max(),
            refused: None,
            network: None,
        };
        for log in logs {
            if let Some(failure) = log.failure {
                let earlier = execution.failure.as_ref().is_some_and(|f| f.task < failure.task);
                if !earlier {
                    execution.failure = Some(failure);
                }
            }
            execution.outputs.extend(log.outputs);
            execution.task_nanos.extend(log.nanos);
        }
        if execution.failure.is_none() && execution.outputs.len() != tasks {
            let message = if self.cancel.is_cancelled() {
                "cancelled".to_owned()
            } else {
                format!("the strategy returned {} of {tasks} outputs", execution.outputs.len())
            };
            execution.failure = Some(TaskFailure { task: execution.outputs.len(), message });
        }
        execution
    }
}

thread_local! {
    pub(crate) static IN_TASK: Cell<bool> = const { Cell::new(false) };
}

/// Runs one task, turning a panic into a [`TaskFailure`] that carries the panic message and the task index.
fn run_guarded(job: &dyn Job, task: usize) -> Result<AnyOutput, TaskFailure> {
    IN_TASK.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(|| job.run_task(task)));
    IN_TASK.set(false);
    result.map_err(|payload| TaskFailure { task, message: panic_message(payload.as_ref()) })
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-text payload".to_owned())
}

/// Keeps the default panic message off stderr for panics inside tasks, which are reported as cell failures.
pub fn install_quiet_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_TASK.get() {
                previous(info);
            }
        }));
    });
}
