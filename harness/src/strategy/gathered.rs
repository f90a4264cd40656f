//! Tasks sent to workers in other processes (worker processes, MPI ranks) and their outputs gathered back by task
//! index: what the `process` and `mpi` dispatchers share.

use std::ops::Range;

use ablate_workloads::runtime::{AnyOutput, Job};

use super::process::wire::TaskOutcome;
use super::{Execution, Faults, TaskFailure, WireBytes};
use crate::measure::schedstat::WorkerCpu;

/// The CPU time worker processes took in one execution.
#[derive(Default)]
pub(crate) struct WorkersCpu {
    /// Over every worker, respawned ones included.
    pub total_ns: u64,
    /// Each slot's worker's time on and waiting for a CPU, where every slot kept one worker, read at both ends,
    /// for the whole execution; else empty.
    pub each: Vec<WorkerCpu>,
}

/// What the workers took between two readings of each slot's `(worker serial, counters)`: a worker absent from
/// `before` (started during the execution) counts from zero.
pub(crate) fn per_slot_since(after: &[Option<(u64, WorkerCpu)>], before: &[Option<(u64, WorkerCpu)>]) -> WorkersCpu {
    let earlier = |serial: u64| before.iter().flatten().find(|(s, _)| *s == serial).map(|(_, cpu)| *cpu);
    let total_ns = after.iter().flatten().map(|(s, cpu)| cpu.since(earlier(*s).unwrap_or_default()).ran_ns).sum();
    let whole = after.len() == before.len()
        && after.iter().zip(before).all(|(a, b)| matches!((a, b), (Some((x, _)), Some((y, _))) if x == y));
    let each = if whole {
        after.iter().flatten().map(|(s, cpu)| cpu.since(earlier(*s).unwrap_or_default())).collect()
    } else {
        Vec::new()
    };
    WorkersCpu { total_ns, each }
}

/// The encoded inputs of the tasks in `range`, or the first that cannot be encoded.
pub(crate) fn encode_inputs(job: &dyn Job, range: Range<usize>) -> Result<Vec<Vec<u8>>, TaskFailure> {
    range
        .map(|index| job.codec().encode_task(index).map_err(|e| TaskFailure { task: index, message: e.to_string() }))
        .collect()
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
        match outcome.output.and_then(|bytes| job.codec().decode_output(task, &bytes).map_err(|e| e.to_string())) {
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
        worker_cpu: WorkersCpu,
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
            worker_cpu_ns: worker_cpu.total_ns,
            worker_cpu: worker_cpu.each,
            worker_peak_rss,
            worker_start_ns: None,
            refused: None,
            network: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ablate_workloads::{Params, Registry, WorkloadConfig};

    use ablate_workloads::runtime::SharedSource;
    use proptest::prelude::*;
    use serde_bytes::ByteBuf;

    use super::*;
    use crate::strategy::process::wire::{FromWorker, ToWorker, read_frame, write_frame};

    /// The dispatch every frame answers: tasks 3..7 of a ten-task `spin`.
    const DISPATCH: Range<usize> = 3..7;

    fn config() -> WorkloadConfig {
        WorkloadConfig { name: "spin".into(), size: 10, seed: 3, params: Params::new().with("iters", 10) }
    }

    fn job() -> Arc<dyn Job> {
        Registry::builtin().prepare(config()).unwrap()
    }

    /// The frame an honest worker sends for [`DISPATCH`].
    fn honest_answer(job: &dyn Job) -> Vec<u8> {
        let remote = Registry::builtin().remote(config(), SharedSource::Regenerate).unwrap();
        let results = DISPATCH
            .map(|task| {
                let output = remote.run_encoded(&job.codec().encode_task(task).unwrap(), None).unwrap();
                TaskOutcome { index: task as u32, nanos: 5, output: Ok(ByteBuf::from(output)) }
            })
            .collect();
        let mut frame = Vec::new();
        write_frame(&mut frame, &FromWorker::Done { results }, &mut Vec::new()).unwrap();
        frame
    }

    /// A change to a frame: bytes overwritten, cut short or inserted.
    #[derive(Debug, Clone)]
    enum Mutation {
        Overwrite(usize, u8),
        Truncate(usize),
        Insert(usize, u8),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Overwrite(at, byte)),
            any::<usize>().prop_map(Mutation::Truncate),
            (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert(at, byte)),
        ]
    }

    fn mutate(frame: &mut Vec<u8>, mutation: &Mutation) {
        let len = frame.len();
        match *mutation {
            Mutation::Overwrite(at, byte) if len > 0 => frame[at % len] = byte,
            Mutation::Truncate(at) if len > 0 => frame.truncate(at % len),
            Mutation::Insert(at, byte) => frame.insert(at % (len + 1), byte),
            _ => {}
        }
    }

    /// Decodes `frame` both ways and gathers any answer it holds: taken whole when it fits the dispatch, else
    /// not at all. Panics only when an invariant breaks.
    fn decode_and_gather(job: &dyn Job, frame: &[u8]) {
        let mut buffer = Vec::new();
        if let Ok(Some((FromWorker::Done { results }, _))) =
            read_frame::<FromWorker>(&mut &frame[..], 1 << 16, &mut buffer)
        {
            let fits = results.len() == DISPATCH.len()
                && results.iter().zip(DISPATCH).all(|(outcome, task)| outcome.index as usize == task);
            let mut gathered = Gathered::new(10, 2);
            let answer = gathered.accept_answer(job, 1, DISPATCH, results);
            assert_eq!(answer.is_ok(), fits, "{answer:?}");
            let taken =
                (0..10).filter(|&t| gathered.outputs[t].is_some() || gathered.failures.iter().any(|f| f.task == t));
            match fits {
                true => assert!(taken.eq(DISPATCH), "each task of the dispatch has its output or its error"),
                false => assert_eq!(taken.count(), 0, "an answer that does not fit is not taken at all"),
            }
        }
        if frame.len() > 4 {
            let _ = postcard::from_bytes::<ToWorker<'_>>(&frame[4..]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn item_10_random_and_mutated_frames_never_panic_the_decoder_or_the_gatherer(
            random in proptest::collection::vec(any::<u8>(), 0..64),
            mutations in proptest::collection::vec(mutation(), 1..4),
        ) {
            let job = job();
            let mut frame = honest_answer(job.as_ref());
            decode_and_gather(job.as_ref(), &frame);
            for mutation in &mutations {
                mutate(&mut frame, mutation);
            }
            decode_and_gather(job.as_ref(), &frame);
            decode_and_gather(job.as_ref(), &random);
        }

        #[test]
        fn item_10_an_answer_is_taken_exactly_when_it_fits_its_dispatch(
            indices in proptest::collection::vec(0u32..12, 0..7),
            nanos in any::<u64>(),
        ) {
            let job = job();
            let fits = indices.iter().map(|&i| i as usize).eq(DISPATCH);
            let results = indices
                .iter()
                .map(|&index| TaskOutcome { index, nanos, output: Err("failed on purpose".to_owned()) })
                .collect();
            let mut gathered = Gathered::new(10, 2);
            prop_assert_eq!(gathered.accept_answer(job.as_ref(), 0, DISPATCH, results).is_ok(), fits);
            prop_assert_eq!(gathered.failures.len(), if fits { DISPATCH.len() } else { 0 });
        }
    }
}
