//! What `auto` decided for a cell, as the results file keeps it: the choice, the reasons, the pilot's figures and
//! the race of finalists. Plain data, so the record, `auto` that makes it and the reports that show it share it
//! without depending on each other.

use serde::{Deserialize, Serialize};

use crate::strategy::{Chunk, StrategyKind, Transport};

/// Tasks shorter than this are cheap to hand out in blocks and costly to hand out one by one: `auto` chooses
/// blocks for them, and the report's findings name them as the reason worker processes do not pay.
pub const TINY_TASK_NS: f64 = 20_000.0;

/// What `auto` chose for one workload and size, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub strategy: StrategyKind,
    pub workers: usize,
    pub chunk: Chunk,
    /// How the shared input reaches the chosen worker processes; absent when the choice runs in process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    pub reasons: Vec<String>,
    pub pilot: Pilot,
    /// The finalists' race that made the choice; absent from records that predate it.
    #[serde(default)]
    pub race: Option<Race>,
}

/// What the pilot measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pilot {
    pub tasks: usize,
    /// Tasks timed.
    pub sampled: usize,
    pub mean_task_ns: f64,
    /// Standard deviation of the timed tasks over their mean.
    pub task_cv: f64,
    /// Mean serialized input per task.
    pub task_bytes: f64,
    pub shared_bytes: u64,
}

/// One finalist's figures in the race.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entrant {
    /// The configuration, as a cell names it: `crossbeam ×2`.
    pub label: String,
    /// Every execution's wall time, in the order run.
    pub times_ns: Vec<f64>,
    /// The rung it was dropped after (0 for the first), or `None` for those still in at the end.
    pub dropped_after: Option<usize>,
    /// Every execution's minor page faults (of the run's own threads), in the order run; empty where not
    /// measured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub minor_page_faults: Vec<u64>,
}

/// The race as it was run, kept in the decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Race {
    pub entrants: Vec<Entrant>,
    /// Index of the winner among `entrants`.
    pub winner: usize,
    /// Why it won: the figures that decided.
    pub why: String,
    /// Wall time the race's executions took in all.
    pub spent_ns: f64,
}
