//! Running tasks under a strategy: timing each task, catching panics, and putting outputs back in task order.

use std::cell::Cell;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ablate_workloads::{AnyOutput, Job};
use serde::{Deserialize, Serialize};

use super::TaskProgress;

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
    /// The first task (lowest index) that failed, if any; the remaining tasks are abandoned.
    pub failure: Option<TaskFailure>,
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
}

/// What every worker of one execution shares: the job, the progress sink and the stop flag.
pub(crate) struct Dispatch<'a> {
    job: &'a dyn Job,
    progress: &'a dyn TaskProgress,
    stop: AtomicBool,
}

impl<'a> Dispatch<'a> {
    pub(crate) fn new(job: &'a dyn Job, progress: &'a dyn TaskProgress) -> Self {
        Self { job, progress, stop: AtomicBool::new(false) }
    }

    pub(crate) fn task_count(&self) -> usize {
        self.job.task_count()
    }

    /// Runs the tasks of `range` in order; stops at the first panic and tells the other workers to stop too.
    /// Returns `None` when another worker had already failed.
    pub(crate) fn run_chunk(&self, range: Range<usize>) -> Option<ChunkLog> {
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        let mut log = ChunkLog {
            start: range.start,
            outputs: Vec::with_capacity(range.len()),
            nanos: Vec::with_capacity(range.len()),
            failure: None,
        };
        for task in range {
            let started = Instant::now();
            match run_guarded(self.job, task) {
                Ok(output) => {
                    log.nanos.push(started.elapsed().as_nanos() as u64);
                    log.outputs.push(output);
                }
                Err(failure) => {
                    self.stop.store(true, Ordering::Relaxed);
                    log.failure = Some(failure);
                    break;
                }
            }
        }
        self.progress.tasks_done(log.outputs.len());
        Some(log)
    }

    /// Puts the chunk logs of all workers back into task order.
    pub(crate) fn finish(self, mut logs: Vec<ChunkLog>, busy_nanos: Vec<u64>) -> Execution {
        logs.sort_by_key(|log| log.start);
        let tasks = self.task_count();
        let mut execution = Execution {
            outputs: Vec::with_capacity(tasks),
            task_nanos: Vec::with_capacity(tasks),
            busy_nanos,
            failure: None,
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
            execution.failure = Some(TaskFailure {
                task: execution.outputs.len(),
                message: format!("the strategy returned {} of {tasks} outputs", execution.outputs.len()),
            });
        }
        execution
    }
}

thread_local! {
    static IN_TASK: Cell<bool> = const { Cell::new(false) };
}

/// Runs one task, turning a panic into a [`TaskFailure`] that carries the panic message and the task index.
fn run_guarded(job: &dyn Job, task: usize) -> Result<AnyOutput, TaskFailure> {
    IN_TASK.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(|| job.run_task(task)));
    IN_TASK.set(false);
    result.map_err(|payload| TaskFailure { task, message: panic_message(payload.as_ref()) })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
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
