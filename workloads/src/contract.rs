//! The workload trait a user implements, and the plain data that describes and configures a workload.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::params::Params;

/// What limits a workload: the cores, the memory system, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Bound by arithmetic: efficiency should stay near 1 while cores are added.
    Cpu,
    /// Bound by memory bandwidth: judged in GB/s, since bandwidth saturates before cores do.
    Memory,
    /// Both matter.
    Mixed,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Kind::Cpu => "cpu",
            Kind::Memory => "memory",
            Kind::Mixed => "mixed",
        })
    }
}

/// One parameter a workload accepts, for `ablate list` and for rejecting unknown keys.
#[derive(Clone, Copy, Debug)]
pub struct ParamDoc {
    pub name: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

/// Everything the harness shows about a workload before building it.
#[derive(Clone, Debug)]
pub struct Description {
    /// The registry name, e.g. `triad`.
    pub name: &'static str,
    pub kind: Kind,
    /// Scaling shortfalls this workload exists to show (e.g. imbalance under a static partition): the gate reports
    /// them as expected, not as failures. Empty for most workloads.
    pub expected_shortfalls: &'static [ExpectedShortfall],
    /// One sentence: what the workload computes and what it stresses.
    pub summary: &'static str,
    /// What `--size` counts, e.g. `elements` or `tasks`.
    pub size_unit: &'static str,
    /// The size of a real measurement.
    pub default_size: u64,
    /// The size of the `--quick` profile: small enough for CI, large enough to run every code path.
    pub quick_size: u64,
    /// The parameters `build` reads besides size and seed.
    pub params: &'static [ParamDoc],
}

/// A scaling shortfall a workload is built to show: under `strategy` its efficiency is expected to fall below the
/// floor, and the gate says so instead of failing the cell.
#[derive(Clone, Copy, Debug)]
pub struct ExpectedShortfall {
    /// The strategy, by name (`threads`, `rayon`, …).
    pub strategy: &'static str,
    /// Why the shortfall is the point of the workload.
    pub why: &'static str,
}

/// The inputs a workload is built from; equal configurations build equal workloads in any process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadConfig {
    pub name: String,
    pub size: u64,
    pub seed: u64,
    pub params: Params,
}

impl WorkloadConfig {
    /// The size, once it is at least `min`; otherwise an error naming the size and the least valid one.
    pub fn size_at_least(&self, min: u64, unit: &str) -> Result<u64, WorkloadError> {
        if self.size >= min {
            return Ok(self.size);
        }
        Err(WorkloadError::BadSize {
            workload: self.name.clone(),
            size: self.size,
            expected: format!("at least {min} {unit}"),
        })
    }
}

/// What a built workload holds in memory, estimated from its configuration alone (nothing is made), so that the
/// harness can refuse, before building, a size the machine cannot hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// The shared input once made; every worker process holds a copy of its own.
    pub shared_bytes: u64,
    /// Memory `run` keeps besides (e.g. output buffers), in every process that runs tasks.
    pub scratch_bytes: u64,
    /// How many tasks `tasks` lists.
    pub tasks: u64,
    /// One task's input and one output together, heap included.
    pub bytes_per_task: u64,
}

impl Footprint {
    /// What the harness assumes of a workload that gives no estimate: one task per unit of size, whose input,
    /// output and shared input hold nothing beyond their inline bytes.
    pub fn assumed<W: Workload>(size: u64) -> Self {
        Footprint {
            shared_bytes: std::mem::size_of::<W::Shared>() as u64,
            scratch_bytes: 0,
            tasks: size,
            bytes_per_task: (std::mem::size_of::<W::Task>() + std::mem::size_of::<W::Output>()) as u64,
        }
    }

    /// The bytes of one process that builds the workload and runs every task, keeping `runner_bytes_per_task`
    /// of its own per task (saturating: an absurd size is simply too large).
    pub fn in_one_process(&self, runner_bytes_per_task: u64) -> u64 {
        let per_task = self.bytes_per_task.saturating_add(runner_bytes_per_task);
        self.shared_bytes.saturating_add(self.scratch_bytes).saturating_add(self.tasks.saturating_mul(per_task))
    }

    /// What every worker process adds: its own copy of the shared input, and its scratch.
    pub fn per_worker_process(&self) -> u64 {
        self.shared_bytes.saturating_add(self.scratch_bytes)
    }
}

/// Why a workload could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    #[error("unknown workload '{name}'; valid workloads: {valid}")]
    UnknownWorkload { name: String, valid: String },
    #[error("workload '{workload}': unknown parameter '{key}'; valid parameters: {valid}")]
    UnknownParam { workload: String, key: String, valid: String },
    #[error("workload '{workload}': parameter {key}={value} is invalid; expected {expected}")]
    BadParam { workload: String, key: String, value: String, expected: String },
    #[error("workload '{workload}': size {size} is invalid; expected {expected}")]
    BadSize { workload: String, size: u64, expected: String },
}

/// A unit of parallel work, split into independent tasks over a read-only shared input.
///
/// `build` must be cheap and deterministic: the same [`WorkloadConfig`] yields the same shared input, the same
/// tasks and, task by task, the same outputs, whichever thread or process runs them. Task inputs, outputs and the
/// shared input are plain serde data, so that worker processes can receive them as bytes.
pub trait Workload: Sized + Send + Sync + 'static {
    /// Read-only data every task may read (may be large).
    type Shared: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The input of one task.
    type Task: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The result of one task.
    type Output: Serialize + DeserializeOwned + Send + 'static;

    fn describe() -> Description;

    /// Reads the parameters; must not do the expensive work of making the shared input.
    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError>;

    /// Makes the shared input, deterministically from the configuration's seed.
    fn shared_input(&self) -> Self::Shared;

    /// The tasks, in the order their outputs are digested.
    fn tasks(&self) -> Vec<Self::Task>;

    /// Runs one task. Must depend only on `shared` and `task` (and scratch space of its own).
    fn run(&self, shared: &Self::Shared, task: &Self::Task) -> Self::Output;

    /// What the workload will hold once built, estimated without making anything (see [`Footprint`]). `None`,
    /// the default, lets the harness assume one task per unit of size, each as large as its types' inline bytes
    /// ([`Footprint::assumed`]); a workload whose data live on the heap, or whose size is not a task count,
    /// says better.
    fn footprint(&self) -> Option<Footprint> {
        None
    }

    /// Bytes of memory traffic in one pass over all tasks, for memory-bound workloads' GB/s (STREAM counting).
    fn bytes_touched(&self) -> Option<u64> {
        None
    }
}
