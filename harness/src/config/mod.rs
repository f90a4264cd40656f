//! The plain, validated configuration of a run and of the commands around it (where output goes, how results are
//! judged, how a gate proceeds, what `history` and `baseline` do): the CLI builds it, the engine reads it, and a child `ablate` gets its command line
//! back from it ([`crate::cli::to_args`]).

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ablate_workloads::Params;
use serde::{Deserialize, Serialize};

mod baseline_source;
mod format;
mod prediction;

pub use baseline_source::BaselineSource;
pub use format::Format;
pub use prediction::{Prediction, Probing};

use crate::stats::looks::Looks;
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
    /// How long `auto`'s race of finalists may run, as a share of the auto cell's expected timed work.
    #[serde(default = "default_auto_budget")]
    pub auto_budget: f64,
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
    /// Workers were pinned to cores, worker `i` to the `i`-th CPU the run may use (see `strategy::pinning`).
    #[serde(default)]
    pub pin: bool,
    /// The seed every workload is built from.
    pub seed: u64,
    /// The seed of the randomized order of repetitions in each round.
    pub order_seed: u64,
}

/// A seed from the clock, for an order seed none was given for.
pub fn clock_seed() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// Threshold overrides from the command line; they beat the thresholds file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub regression_ratio: Option<f64>,
    pub alpha: Option<f64>,
    pub min_efficiency: Option<f64>,
    pub min_bandwidth_fraction: Option<f64>,
}

#[cfg(test)]
impl RunConfig {
    /// A quick configuration for tests: no workloads or strategies yet, workers 1 and 2, adaptive chunks, shm,
    /// fixed seeds, nothing pinned.
    pub(crate) fn for_tests() -> Self {
        RunConfig {
            workloads: Vec::new(),
            strategies: Vec::new(),
            auto: false,
            auto_budget: DEFAULT_AUTO_BUDGET,
            naive: false,
            workers: vec![1, 2],
            chunks: vec![Chunk::Auto],
            transports: vec![Transport::Shm],
            process: ProcessOptions::default(),
            chunk_target_ns: 200_000,
            profile: Profile::QUICK,
            pin: false,
            seed: 1,
            order_seed: 2,
        }
    }
}

/// `auto`'s race budget when none is given: as long as the cell's own timed work.
pub const DEFAULT_AUTO_BUDGET: f64 = 1.0;

fn default_auto_budget() -> f64 {
    DEFAULT_AUTO_BUDGET
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

/// Where a command's results go and how they are printed.
#[derive(Clone, Debug)]
pub struct Output {
    /// The results file, written atomically.
    pub out: PathBuf,
    /// What is printed on stdout.
    pub format: Format,
    /// The directory the HTML report is written to, when one is asked for.
    pub report: Option<PathBuf>,
    /// The history store the results are kept in, when one is asked for.
    pub history: Option<PathBuf>,
    /// The name (already validated) the results are stored under as this machine's baseline after a run with no
    /// failed cell.
    pub save_baseline: Option<String>,
    /// The worker count `--predict-for` predicts every strategy's scaling at, and for which machine.
    pub predict_for: Option<PredictFor>,
}

/// `--predict-for N [--machine FILE]`: the outputs carry each strategy's scaling predicted at `workers`.
#[derive(Clone, Debug)]
pub struct PredictFor {
    pub workers: usize,
    /// The profile of the machine predicted for; `None`: this machine's (kept, or probed when needed).
    pub machine: Option<PathBuf>,
}

/// How results are judged: the baseline, where baselines are stored, and the thresholds.
#[derive(Clone, Debug)]
pub struct Judging {
    /// The baseline to compare with (a name already validated, or a results file), if any.
    pub baseline: Option<BaselineSource>,
    pub baseline_dir: PathBuf,
    /// A baseline measured on another machine is accepted.
    pub allow_foreign_baseline: bool,
    /// The thresholds file named, if any (the default file is looked for when none is).
    pub thresholds: Option<PathBuf>,
    pub overrides: Overrides,
}

/// How `ablate gate` proceeds.
#[derive(Clone, Debug)]
pub struct GateOptions {
    /// What is judged.
    pub candidate: Candidate,
    /// A missing baseline is a warning rather than an error.
    pub lenient: bool,
    /// Re-measurements that must each confirm a regression.
    pub confirm: u32,
    /// An inconclusive verdict fails the gate.
    pub require_power: bool,
    /// Scaling predicted below the floor at `--predict-for N` fails the gate (exit 8).
    pub require_predicted_scaling: bool,
    /// Each re-measurement gets an order seed of its own (none was given), rather than the run's.
    pub reseed_confirmations: bool,
}

/// What a gate judges.
#[derive(Clone, Debug)]
pub enum Candidate {
    /// A results file already written.
    Results(PathBuf),
    /// The run, measured now.
    Run(RunConfig),
    /// The run under this build and under another, in paired rounds.
    Ab(AbOptions, RunConfig),
}

/// How an A/B gate proceeds.
#[derive(Clone, Debug)]
pub struct AbOptions {
    /// The other build, run as the baseline.
    pub base: PathBuf,
    /// Fixed looks, or `None` for rounds added until each cell is decided.
    pub looks: Option<Looks>,
    /// The time budget of the rounds.
    pub max_time: Duration,
    /// Seeds the order of cells and of the builds within each pair: the order seed, or else the workloads' seed.
    pub seed: u64,
    /// The base may be byte for byte the candidate's binary (an A/A check); otherwise such a gate is refused, since
    /// it could pass any change.
    pub allow_identical: bool,
    /// Each build's group inputs are made once and reused by every round (`--no-input-cache` turns it off).
    pub input_cache: bool,
}

/// What `ablate history` does, to the store at `store`.
#[derive(Clone, Debug)]
pub struct History {
    pub store: PathBuf,
    pub task: HistoryTask,
}

#[derive(Clone, Debug)]
pub enum HistoryTask {
    /// Every kept run, in commit order.
    List,
    /// Keep these results files in the store.
    Import(Vec<PathBuf>),
    /// One cell's runs and change points, by its id.
    Show(String),
    /// The gate over history.
    Check(HistoryCheck),
}

/// How `ablate history check` judges: the thresholds, and how many newest runs a change point must lie among to
/// fail the check (at least 1).
#[derive(Clone, Debug)]
pub struct HistoryCheck {
    /// The thresholds file named, if any (the default file is looked for when none is).
    pub thresholds: Option<PathBuf>,
    pub overrides: Overrides,
    pub recent: usize,
}

/// What `ablate baseline` does, to the baselines under `dir`.
#[derive(Clone, Debug)]
pub struct Baselines {
    pub dir: PathBuf,
    pub task: BaselineTask,
}

#[derive(Clone, Debug)]
pub enum BaselineTask {
    /// Every stored baseline, by machine fingerprint.
    List,
    /// One baseline of this machine, by name, as a table.
    Show(String),
    /// Deletes one baseline of this machine, by name.
    Delete(String),
}

/// How much measuring to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub kind: ProfileKind,
    /// Untimed executions of every cell before the timed ones.
    pub warmup: u32,
    /// Timed executions of every cell.
    pub reps: u32,
    /// Once a cell's timed executions have taken this long in all (nanoseconds), it sits out the remaining
    /// rounds, having run at least [`Profile::MIN_BUDGETED_REPS`]; `None` means every cell runs every round.
    #[serde(default)]
    pub max_cell_time_ns: Option<u64>,
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
    pub const QUICK: Profile = Profile { kind: ProfileKind::Quick, warmup: 1, reps: 3, max_cell_time_ns: None };
    pub const DEFAULT: Profile = Profile { kind: ProfileKind::Default, warmup: 1, reps: 10, max_cell_time_ns: None };
    /// The timed executions a cell always gets under a time limit: enough for a median and a spread.
    pub const MIN_BUDGETED_REPS: u32 = 3;

    /// Whether a cell with these timed executions is done before the last round.
    pub fn cell_has_enough(&self, timed_walls_ns: impl Iterator<Item = u64>) -> bool {
        let Some(limit) = self.max_cell_time_ns else { return false };
        let (count, total) = timed_walls_ns.fold((0u32, 0u64), |(n, sum), wall| (n + 1, sum + wall));
        count >= Self::MIN_BUDGETED_REPS && total >= limit
    }

    /// "10 timed repetitions per cell", or how a time limit cut them short.
    pub fn repetitions_phrase(&self) -> String {
        match self.max_cell_time_ns {
            None => format!("{} timed repetitions per cell", self.reps),
            Some(limit) => format!(
                "up to {} timed repetitions per cell (at least {}; a cell stops once they have taken {})",
                self.reps,
                Self::MIN_BUDGETED_REPS.min(self.reps),
                humantime::format_duration(std::time::Duration::from_nanos(limit))
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_has_enough_only_past_the_limit_and_the_minimum() {
        let limited = Profile { reps: 60, max_cell_time_ns: Some(1_000), ..Profile::DEFAULT };
        assert!(!limited.cell_has_enough([600, 600].into_iter()), "two repetitions are too few");
        assert!(!limited.cell_has_enough([100, 100, 100].into_iter()), "300 ns is under the limit");
        assert!(limited.cell_has_enough([600, 600, 1].into_iter()));
        assert!(!Profile::DEFAULT.cell_has_enough([u64::MAX / 4; 9].into_iter()), "no limit, never done early");
    }

    #[test]
    fn the_phrase_names_the_limit() {
        assert_eq!(Profile::DEFAULT.repetitions_phrase(), "10 timed repetitions per cell");
        let limited = Profile { reps: 60, max_cell_time_ns: Some(10_000_000_000), ..Profile::DEFAULT };
        assert_eq!(
            limited.repetitions_phrase(),
            "up to 60 timed repetitions per cell (at least 3; a cell stops once they have taken 10s)"
        );
    }
}
