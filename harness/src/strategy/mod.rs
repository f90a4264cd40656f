//! Execution strategies: how the tasks of one job are spread over workers.
//!
//! Each strategy is one file. A strategy is launched once per cell into a [`Pool`] (so that start-up cost, such as
//! building a rayon pool, is measured apart from the repetitions) and then executes the job once per repetition.

mod chunks;
mod crossbeam_queue;
mod effective_chunk;
mod gathered;
pub(crate) mod mpi;
mod pinning;
pub mod process;
mod rayon_pool;
mod scoped;
mod serial;
mod task;
mod threads;

use std::fmt;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ablate_workloads::runtime::Job;
use serde::{Deserialize, Serialize};

pub use crate::cancel::Cancel;
pub(crate) use chunks::{block_ranges, chunk_ranges, next_chunk_size};
pub use effective_chunk::EffectiveChunk;
pub use pinning::Pinning;
pub use process::{ProcessOptions, Transport};
pub use task::{Execution, Fault, Faults, TaskFailure, WireBytes, install_quiet_panic_hook};

use strum::VariantArray;

use crate::error::HarnessError;

/// The strategies ablate knows, in the order tables show them.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum StrategyKind {
    /// One thread: the reference for speedup and for digests.
    Serial,
    /// `std::thread::scope` with a static partition: contiguous blocks, or round-robin chunks when a chunk is set.
    Threads,
    /// A dedicated rayon pool of exactly N threads, work stealing over chunks.
    Rayon,
    /// Scoped threads pulling chunks from a shared crossbeam queue: dynamic, the classic pool.
    Crossbeam,
    /// Worker processes re-executed from this binary, pulling chunks over pipes; see [`Transport`].
    Process,
    /// MPI ranks under `mpirun` (cargo feature `mpi`): rank 0 hands chunks to the others.
    Mpi,
}

impl StrategyKind {
    /// Every strategy, in the order tables show them.
    pub const ALL: &[StrategyKind] = <StrategyKind as VariantArray>::VARIANTS;

    /// The name the CLI and the results file use: `serial`, `threads`, …
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn summary(self) -> &'static str {
        match self {
            StrategyKind::Serial => "one thread; the reference for speedup and digests",
            StrategyKind::Threads => "std::thread::scope, static block partition (round-robin chunks with --chunk N)",
            StrategyKind::Rayon => "a dedicated rayon pool of exactly N threads, work stealing over chunks",
            StrategyKind::Crossbeam => {
                "scoped workers pulling chunks from a shared queue (dynamic; adaptive chunks unless --chunk N)"
            }
            StrategyKind::Process => {
                "worker processes (this binary re-executed) pulling chunks over pipes (adaptive unless --chunk N); --transport"
            }
            StrategyKind::Mpi => "MPI ranks under mpirun (build feature `mpi`); rank 0 hands chunks to the others",
        }
    }

    pub fn valid_names() -> String {
        StrategyKind::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
    }

    /// Tasks per dispatch when the user sets none: the whole block per worker for `serial` and `threads` (so
    /// serial, the reference, pays no per-chunk bookkeeping that `threads` ×1 does not), adaptive for
    /// `crossbeam`, `process` and `mpi`, else one task.
    pub fn effective_chunk(self, chunk: Chunk, tasks: usize, workers: usize) -> EffectiveChunk {
        match (self, chunk) {
            (_, Chunk::Fixed(n)) => EffectiveChunk::Fixed(n),
            (StrategyKind::Serial | StrategyKind::Threads, Chunk::Auto) => {
                EffectiveChunk::Fixed(tasks.div_ceil(workers.max(1)).max(1))
            }
            (StrategyKind::Crossbeam | StrategyKind::Process | StrategyKind::Mpi, Chunk::Auto) => {
                EffectiveChunk::Adaptive
            }
            (_, Chunk::Auto) => EffectiveChunk::Fixed(1),
        }
    }

    /// The strategies this run can use: all but `mpi` outside `mpirun`.
    pub fn usable() -> Vec<StrategyKind> {
        StrategyKind::ALL.iter().copied().filter(|k| k.available().is_ok()).collect()
    }

    /// Whether this run can use the strategy, or why not (only `mpi` can be missing: see `mpi::worker_ranks`).
    pub fn available(self) -> Result<(), String> {
        match self {
            StrategyKind::Mpi => mpi::worker_ranks().map(drop),
            _ => Ok(()),
        }
    }

    /// Whether the strategy's workers are processes of their own (worker processes or MPI ranks), each holding its
    /// own copy of the shared input.
    pub fn runs_in_other_processes(self) -> bool {
        matches!(self, StrategyKind::Process | StrategyKind::Mpi)
    }

    /// Whether the strategy moves data between processes, so that the transport matters.
    pub fn crosses_processes(self) -> bool {
        self == StrategyKind::Process
    }

    /// Starts the workers of one cell.
    pub fn launch(self, spec: &Launch<'_>) -> Result<Box<dyn Pool>, HarnessError> {
        let (workers, chunk, pinning) = (spec.workers, spec.chunk, spec.pinning.clone());
        let (job, cancel) = (spec.job.clone(), spec.cancel.clone());
        Ok(match self {
            StrategyKind::Serial => Box::new(serial::Serial { job, chunk, pinning, cancel }),
            StrategyKind::Threads => Box::new(threads::StaticThreads { job, workers, chunk, pinning, cancel }),
            StrategyKind::Rayon => Box::new(rayon_pool::RayonPool::new(job, workers, chunk, pinning, cancel)?),
            StrategyKind::Crossbeam => {
                let target = spec.chunk_target;
                Box::new(crossbeam_queue::CrossbeamQueue { job, workers, chunk, target, pinning, cancel })
            }
            StrategyKind::Process => Box::new(process::ProcessPool::start(spec)?),
            StrategyKind::Mpi => mpi::launch(spec)?,
        })
    }
}

impl fmt::Display for StrategyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The chunk-size knob: tasks handed to a worker per dispatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Chunk {
    /// The strategy's own default (see [`StrategyKind::effective_chunk`]).
    Auto,
    Fixed(usize),
}

impl fmt::Display for Chunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Chunk::Auto => f.write_str("auto"),
            Chunk::Fixed(n) => write!(f, "{n}"),
        }
    }
}

/// What a strategy needs to start the workers of one cell.
pub struct Launch<'a> {
    /// The job the pool executes: handed over once, here, since worker processes and ranks must load it before
    /// the first execution; in-process pools keep it too.
    pub job: &'a Arc<dyn Job>,
    pub workers: usize,
    pub chunk: Chunk,
    /// How the shared input reaches worker processes; ignored by in-process strategies.
    pub transport: Transport,
    pub process: &'a ProcessOptions,
    /// How long an adaptive chunk (`crossbeam` or `process` with `--chunk auto`) should take.
    pub chunk_target: Duration,
    /// Where each worker runs.
    pub pinning: &'a Pinning,
    /// Stops the pool's executions early: checked before every task, and while waiting on workers.
    pub cancel: &'a Cancel,
}

/// The default duration of an adaptive chunk: long enough that handing it out is noise, short enough to balance.
pub const DEFAULT_CHUNK_TARGET: Duration = Duration::from_micros(200);

/// Receives task completions and faults while a job executes; called from worker threads.
pub trait TaskProgress: Sync {
    fn tasks_done(&self, count: usize);
    fn fault(&self, _fault: &Fault<'_>) {}
}

/// A [`TaskProgress`] that ignores completions, for callers that only want the execution.
pub struct IgnoreProgress;

impl TaskProgress for IgnoreProgress {
    fn tasks_done(&self, _count: usize) {}
}

/// A launched strategy, ready to execute its job repeatedly: the job it was launched with (see [`Launch::job`]),
/// the only one it runs.
pub trait Pool: Send {
    fn execute(&mut self, progress: &dyn TaskProgress) -> Execution;

    /// Each long-lived worker thread's time on and waiting for a CPU so far, read from outside it, so that the
    /// runner reads them before and after an execution and the timed execution pays nothing for them. `None` for
    /// pools whose workers note their own (threads started per execution, worker processes) or where unreadable.
    fn worker_counters(&self) -> Option<Vec<crate::measure::schedstat::WorkerCpu>> {
        None
    }

    /// The hosts the pool's workers run on, each with its ranks (`mpi`); empty for pools on this machine alone.
    fn hosts(&self) -> Vec<mpi::HostRanks> {
        Vec::new()
    }
}

/// A launched pool more than one cell of a group may run on: `auto`'s race times the fixed cells' own pools, and
/// its cell runs on the pool of the fixed cell whose configuration it chose.
pub type SharedPool = Arc<Mutex<Box<dyn Pool>>>;

#[cfg(test)]
mod tests {
    use super::*;
    use ablate_workloads::{Params, Registry, WorkloadConfig};
    use proptest::prelude::*;

    /// The strategies that run inside this process (a unit-test binary cannot serve as a worker process).
    const IN_PROCESS: [StrategyKind; 4] =
        [StrategyKind::Serial, StrategyKind::Threads, StrategyKind::Rayon, StrategyKind::Crossbeam];

    fn launch(kind: StrategyKind, workers: usize, chunk: Chunk, job: &Arc<dyn Job>) -> Box<dyn Pool> {
        launch_with(kind, workers, chunk, job, &Cancel::new())
    }

    fn launch_with(
        kind: StrategyKind,
        workers: usize,
        chunk: Chunk,
        job: &Arc<dyn Job>,
        cancel: &Cancel,
    ) -> Box<dyn Pool> {
        let process = ProcessOptions::default();
        let chunk_target = DEFAULT_CHUNK_TARGET;
        let pinning = Pinning::allowed_cpus();
        let transport = Transport::Shm;
        let spec =
            Launch { job, workers, chunk, transport, process: &process, chunk_target, pinning: &pinning, cancel };
        kind.launch(&spec).unwrap()
    }

    fn spin_job(tasks: u64, params: Params) -> std::sync::Arc<dyn Job> {
        let params = params.with("iters", 50);
        Registry::builtin().prepare(WorkloadConfig { name: "spin".into(), size: tasks, seed: 11, params }).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn every_in_process_strategy_digest_equals_serial(tasks in 1u64..60, workers in 1usize..6, chunk in 0usize..9, pick in 0usize..4) {
            let job = spin_job(tasks, Params::new());
            let chunk = if chunk == 0 { Chunk::Auto } else { Chunk::Fixed(chunk) };
            let run = |kind: StrategyKind, workers| {
                let execution = launch(kind, workers, chunk, &job).execute(&IgnoreProgress);
                prop_assert!(execution.failure.is_none());
                prop_assert_eq!(execution.task_nanos.len(), tasks as usize);
                prop_assert_eq!(execution.busy_nanos.len(), if kind == StrategyKind::Serial { 1 } else { workers });
                Ok(job.digest(&execution.outputs).unwrap())
            };
            prop_assert_eq!(run(IN_PROCESS[pick], workers)?, run(StrategyKind::Serial, 1)?);
        }
    }

    #[test]
    fn a_panicking_task_is_reported_with_its_index_under_every_in_process_strategy() {
        install_quiet_panic_hook();
        let job = spin_job(40, Params::new().with("panic_on", 17));
        for kind in IN_PROCESS {
            let execution = launch(kind, 3, Chunk::Fixed(2), &job).execute(&IgnoreProgress);
            let failure = execution.failure.expect("task 17 panics");
            assert_eq!(failure.task, 17, "{kind}");
            assert!(failure.message.contains("panicked on purpose"), "{kind}: {}", failure.message);
        }
    }

    /// Cancels its token as soon as the first task is done.
    struct CancelAfterFirstTask(Cancel);

    impl TaskProgress for CancelAfterFirstTask {
        fn tasks_done(&self, _count: usize) {
            self.0.cancel();
        }
    }

    #[test]
    fn a_pool_stops_when_the_token_it_was_given_is_cancelled_and_others_run_on() {
        let job = spin_job(200, Params::new());
        for kind in IN_PROCESS {
            let cancel = Cancel::new();
            let mut pool = launch_with(kind, 2, Chunk::Fixed(1), &job, &cancel);
            let mut untouched = launch(kind, 2, Chunk::Fixed(1), &job);
            let stopped = pool.execute(&CancelAfterFirstTask(cancel.clone()));
            let failure = stopped.failure.expect("a cancelled execution does not finish");
            assert_eq!(failure.message, "cancelled", "{kind}");
            assert!(stopped.outputs.len() < 200, "{kind}: {} tasks ran after the cancel", stopped.outputs.len());
            let whole = untouched.execute(&CancelAfterFirstTask(Cancel::new()));
            assert!(whole.failure.is_none() && whole.outputs.len() == 200, "{kind}: another pool's token is its own");
            assert!(pool.execute(&IgnoreProgress).outputs.is_empty(), "{kind}: a cancelled pool starts no task");
        }
    }
}
