//! The plain, validated configuration of a run; the CLI builds it, the planner reads it.

use ablate_workloads::Params;
use serde::{Deserialize, Serialize};

use crate::strategy::{Chunk, ProcessOptions, StrategyKind, Transport};

/// Everything a run needs to know, free of any command-line types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    pub workloads: Vec<WorkloadChoice>,
    /// The strategies asked for; `serial` always runs too, as the reference.
    pub strategies: Vec<StrategyKind>,
    /// Also run `auto`: a strategy, worker count and chunk chosen per workload from a pilot.
    #[serde(default)]
    pub auto: bool,
    /// Also run the naive default of many pools: processes at the most workers, one task per dispatch, the
    /// shared input copied into every dispatch.
    #[serde(default)]
    pub naive: bool,
    pub workers: Vec<usize>,
    pub chunks: Vec<Chunk>,
    /// Transports for strategies that cross processes.
    pub transports: Vec<Transport>,
    pub process: ProcessOptions,
    /// How long an adaptive chunk should take, in nanoseconds.
    #[serde(default = "default_chunk_target_ns")]
    pub chunk_target_ns: u64,
    pub profile: Profile,
    /// The seed every workload is built from.
    pub seed: u64,
    /// The seed of the randomized order of repetitions in each round.
    pub order_seed: u64,
}

fn default_chunk_target_ns() -> u64 {
    crate::strategy::DEFAULT_CHUNK_TARGET.as_nanos() as u64
}

/// One workload to run, at one or more sizes, with its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkloadChoice {
    pub name: String,
    /// Sizes in the workload's own unit; empty means the profile's size for that workload.
    pub sizes: Vec<u64>,
    pub params: Params,
}

/// How much measuring to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub kind: ProfileKind,
    /// Untimed executions of every cell before the timed ones.
    pub warmup: u32,
    /// Timed executions of every cell.
    pub reps: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    /// Small sizes and few repetitions: checks every path quickly, for CI.
    Quick,
    /// Full sizes and enough repetitions for a real measurement.
    Default,
}

impl Profile {
    pub const QUICK: Profile = Profile { kind: ProfileKind::Quick, warmup: 1, reps: 3 };
    pub const DEFAULT: Profile = Profile { kind: ProfileKind::Default, warmup: 1, reps: 10 };
}
