//! Tasks sent to workers in other processes (worker processes, MPI ranks) and their outputs gathered back by task
//! index: what the `process` and `mpi` dispatchers share.

use std::ops::Range;

use ablate_workloads::{AnyOutput, Job};

use super::process::wire::TaskOutcome;
use super::{Execution, Faults, TaskFailure, WireBytes};

/// The encoded inputs of the tasks in `range`, or the first that cannot be encoded.
pub(crate) fn encode_inputs(job: &dyn Job, range: Range<usize>) -> Result<Vec<Vec<u8>>, TaskFailure> {
    range.map(|index| job.encode_task(index).map_err(|e| TaskFailure { task: index, message: e.to_string() })).collect()
}

pub(crate) struct Gathered {
    pub outputs: Vec<Option<AnyOutput>>,
    pub nanos: Vec<u64>,
    /// Time each worker spent inside tasks.
    pub busy: Vec<u64>,
    pub failures: Vec<TaskFailure>,
}

impl Gathered {
    pub fn new(tasks: usize, workers: usize) -> Self {
        Gathered {
            outputs: (0..tasks).map(|_| None).collect(),
            nanos: vec![0; tasks],
            busy: vec![0; workers],
            failures: Vec::new(),
        }
    }

    /// Takes a worker's answer to its dispatch of `tasks`: every task's time, and its output decoded or its
    /// error. An answer that does not fit the dispatch — another count, or another task in any place — is taken
    /// not at all, and said why.
    pub fn accept_answer(
        &mut self,
        job: &dyn Job,
        slot: usize,
        tasks: Range<usize>,
        results: Vec<TaskOutcome>,
    ) -> Result<(), String> {
        if results.len() != tasks.len() {
            return Err(format!("answered {} results to a dispatch of tasks {tasks:?}", results.len()));
        }
        if let Some((expected, outcome)) = tasks.clone().zip(&results).find(|(task, o)| o.index as usize != *task) {
            return Err(format!("answered for task {} where its dispatch held task {expected}", outcome.index));
        }
        for outcome in results {
            self.accept(job, slot, outcome);
        }
        Ok(())
    }

    fn accept(&mut self, job: &dyn Job, slot: usize, outcome: TaskOutcome) {
        let task = outcome.index as usize;
        self.busy[slot] = self.busy[slot].saturating_add(outcome.nanos);
        self.nanos[task] = outcome.nanos;
        match outcome.output.and_then(|bytes| job.decode_output(task, &bytes).map_err(|e| e.to_string())) {
            Ok(output) => self.outputs[task] = Some(output),
            Err(message) => self.failures.push(TaskFailure { task, message }),
        }
    }

    pub fn first_unfinished(&self) -> usize {
        self.outputs.iter().position(Option::is_none).unwrap_or(0)
    }

    /// The execution: failed at the lowest failed task, or else at the first task no worker answered for.
    pub fn into_execution(
        self,
        faults: Faults,
        wire: WireBytes,
        worker_cpu_ns: u64,
        worker_peak_rss: Vec<u64>,
    ) -> Execution {
        let mut failure = self.failures.into_iter().min_by_key(|f| f.task);
        if failure.is_none()
            && let Some(task) = self.outputs.iter().position(Option::is_none)
        {
            failure = Some(TaskFailure { task, message: "no worker returned an output for it".to_owned() });
        }
        Execution {
            outputs: self.outputs.into_iter().map_while(|o| o).collect(),
            task_nanos: self.nanos,
            busy_nanos: self.busy,
            failure,
            faults,
            wire: Some(wire),
            worker_cpu_ns,
            worker_peak_rss,
            worker_start_ns: None,
        }
    }
}
