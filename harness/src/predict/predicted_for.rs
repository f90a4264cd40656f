//! A run's scaling predicted at the one worker count its outputs ask for (`--predict-for N` on `run`, `report`
//! and `gate`): each workload × strategy's predictions up to N (the curve the report's charts continue as a
//! band), and the prediction at N read against the floor in force, as the gate reads it — below the floor with its
//! whole interval, straddling it (inconclusive, never a failure), or keeping it. What is read here is a
//! prediction and every text says so; the measured verdicts are the verdict layer's.

use ablate_workloads::Kind;

use super::model::Prediction;
use super::profile::MachineProfile;
use super::{Predicted, default_workers, predict, strategy_label};
use crate::exit;
use crate::record::{CellRecord, RunRecord};
use crate::store::thresholds::ThresholdSet;
use crate::strategy::StrategyKind;

/// Why a run of serial cells alone has nothing to predict.
const NOTHING_PARALLEL: &str = "no parallel strategy was run, so there is nothing to predict; run again with the \
                                strategies to predict at 1 and 2 workers, e.g. `ablate run -s serial,rayon -j 1,2`";

/// A run's strategies predicted for one machine at `workers`.
pub struct PredictedFor {
    pub profile: MachineProfile,
    pub workers: usize,
    /// The efficiency floor in force by default, which "where it stops paying" is told against.
    pub floor: f64,
    /// Each workload × strategy predicted, or why none could be (`too little recorded: …`).
    pub outcome: Result<Vec<StrategyAt>, String>,
}

/// One workload × strategy: its predictions at every count up to N, and the one at N as the gate reads it.
pub struct StrategyAt {
    pub predicted: Predicted,
    pub at_n: Prediction,
    pub judged: Judged,
}

/// The prediction at N against the floor of its cell: efficiency for CPU-bound work, the share of serial's
/// throughput kept (the speedup) for memory-bound and mixed work, as measured cells are judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    pub throughput: bool,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub floor: f64,
    pub verdict: PredictedVerdict,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PredictedVerdict {
    /// The whole interval keeps the floor.
    Keeps,
    /// The whole interval lies below the floor.
    Below,
    /// The interval straddles the floor: the model cannot tell.
    Inconclusive,
    /// Below the floor, as the workload declares it should be under this strategy (its purpose).
    Expected { why: String },
}

impl PredictedFor {
    /// Predicts every strategy of `record` on `profile` at `workers` (and the counts below it the charts draw),
    /// each judged against its floor in `thresholds`.
    pub fn new(record: &RunRecord, profile: MachineProfile, workers: usize, thresholds: &ThresholdSet) -> Self {
        let floor = thresholds.for_cell("", "").min_efficiency.value;
        let counts = counts_up_to(workers, record);
        let parallel = record.cells.iter().any(|c| c.strategy != StrategyKind::Serial);
        let outcome = match predict(record, &profile, None, &counts, floor) {
            _ if !parallel => Err(NOTHING_PARALLEL.to_owned()),
            Ok(predicted) => Ok(predicted.into_iter().filter_map(|p| at(p, workers, record, thresholds)).collect()),
            Err(e) => Err(e.to_string()),
        };
        PredictedFor { profile, workers, floor, outcome }
    }

    /// How every output names these figures: `predicted for <fingerprint>`.
    pub fn label(&self) -> String {
        format!("predicted for {}", self.profile.fingerprint)
    }

    /// The strategies predicted (none where nothing could be).
    pub fn strategies(&self) -> &[StrategyAt] {
        self.outcome.as_deref().unwrap_or_default()
    }

    /// The strategies whose prediction at N lies below the floor with its whole interval (and was not expected to).
    pub fn below(&self) -> impl Iterator<Item = &StrategyAt> {
        self.strategies().iter().filter(|s| s.judged.verdict == PredictedVerdict::Below)
    }

    /// The gate's exit code: `measured` (the measured verdict's), unless that passed, `required`
    /// (`--require-predicted-scaling`) and a strategy is predicted below the floor.
    pub fn gate_code(&self, measured: u8, required: bool) -> u8 {
        if measured == exit::SUCCESS && required && self.below().next().is_some() {
            exit::PREDICTED_SCALING
        } else {
            measured
        }
    }

    /// One line for the gate's end: how many strategies are predicted below the floor, inconclusive, or keep it.
    pub fn gate_summary(&self, required: bool) -> String {
        let count =
            |v: fn(&PredictedVerdict) -> bool| self.strategies().iter().filter(|s| v(&s.judged.verdict)).count();
        let below = count(|v| *v == PredictedVerdict::Below);
        let inconclusive = count(|v| *v == PredictedVerdict::Inconclusive);
        let keeps = count(|v| matches!(v, PredictedVerdict::Keeps | PredictedVerdict::Expected { .. }));
        let effect = match (below, required) {
            (0, _) => "",
            (_, true) => "; this fails the gate (--require-predicted-scaling)",
            (_, false) => "; reported only (--require-predicted-scaling makes it fail the gate)",
        };
        format!(
            "scaling {} at {}: {below} below the floor, {inconclusive} inconclusive, {keeps} keep it{effect}",
            self.label(),
            self.workers
        )
    }
}

impl Judged {
    /// `0.55 [0.48, 0.61]`, or for throughput `0.55 [0.48, 0.61] of serial's throughput`.
    pub fn figure(&self) -> String {
        let of = if self.throughput { " of serial's throughput" } else { "" };
        format!("{:.2} [{:.2}, {:.2}]{of}", self.value, self.low, self.high)
    }

    /// The verdict at `workers` in words: `predicted below the floor at 16 (0.55 [0.48, 0.61])`.
    pub fn describe(&self, workers: usize) -> String {
        let figure = self.figure();
        match &self.verdict {
            PredictedVerdict::Keeps => format!("predicted to keep the floor at {workers} ({figure})"),
            PredictedVerdict::Below => format!("predicted below the floor at {workers} ({figure})"),
            PredictedVerdict::Inconclusive => {
                format!("inconclusive at {workers}: {figure} straddles the floor {}", self.floor)
            }
            PredictedVerdict::Expected { why } => {
                format!("predicted below the floor at {workers} ({figure}), as expected: {why}")
            }
        }
    }
}

/// The counts predicted: the powers of two from 2 below `workers`, `workers`, and those from 2 up to it the run
/// measured (where the charts' bands begin). One worker is not asked: a strategy stops paying beyond it.
fn counts_up_to(workers: usize, record: &RunRecord) -> Vec<usize> {
    let mut counts = default_workers(workers);
    counts.retain(|&n| n <= workers);
    counts.push(workers);
    counts.extend(record.cells.iter().map(|c| c.workers).filter(|&n| (2..=workers).contains(&n)));
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// `predicted` read at `workers` against the floor of its cells; `None` where it has no prediction there or no
/// cell of its strategy (neither happens for what [`predict`] returns).
fn at(predicted: Predicted, workers: usize, record: &RunRecord, thresholds: &ThresholdSet) -> Option<StrategyAt> {
    let at_n = predicted.predictions.iter().find(|p| p.workers == workers)?.clone();
    let cell = record.cells.iter().find(|c| {
        c.workload == predicted.workload && c.size == predicted.size && strategy_label(c) == predicted.strategy
    })?;
    let judged = judge(&at_n, cell, thresholds);
    Some(StrategyAt { predicted, at_n, judged })
}

/// The prediction `at_n` against the floor `thresholds` set for `cell`'s workload and strategy.
pub fn judge(at_n: &Prediction, cell: &CellRecord, thresholds: &ThresholdSet) -> Judged {
    let set = thresholds.for_cell(&cell.workload, cell.strategy.name());
    let throughput = cell.kind != Kind::Cpu;
    let (scale, floor) = if throughput {
        (at_n.workers as f64, set.min_bandwidth_fraction.value)
    } else {
        (1.0, set.min_efficiency.value)
    };
    let (value, low, high) = (at_n.efficiency * scale, at_n.low * scale, at_n.high * scale);
    let verdict = if low >= floor {
        PredictedVerdict::Keeps
    } else if high >= floor {
        PredictedVerdict::Inconclusive
    } else if let Some(why) = &cell.expected_shortfall {
        PredictedVerdict::Expected { why: why.clone() }
    } else {
        PredictedVerdict::Below
    };
    Judged { throughput, value, low, high, floor, verdict }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;
    use crate::predict::model::Loss;
    use crate::verdict::fixtures;

    fn at_16(efficiency: f64, low: f64, high: f64) -> Prediction {
        Prediction { workers: 16, time_ns: 1.0, efficiency, low, high, loss: Loss::None }
    }

    fn thresholds() -> ThresholdSet {
        ThresholdSet::load(None, Overrides::default()).unwrap()
    }

    fn threads(kind: Kind) -> CellRecord {
        fixtures::cell("spin", kind, StrategyKind::Threads, 2, &[1.0])
    }

    #[test]
    fn below_straddling_and_above_the_floor_are_below_inconclusive_and_kept() {
        let below = judge(&at_16(0.55, 0.48, 0.61), &threads(Kind::Cpu), &thresholds());
        assert_eq!(below.verdict, PredictedVerdict::Below);
        assert_eq!(below.describe(16), "predicted below the floor at 16 (0.55 [0.48, 0.61])");
        let straddles = judge(&at_16(0.68, 0.55, 0.81), &threads(Kind::Cpu), &thresholds());
        assert_eq!(straddles.verdict, PredictedVerdict::Inconclusive);
        assert_eq!(straddles.describe(16), "inconclusive at 16: 0.68 [0.55, 0.81] straddles the floor 0.7");
        assert_eq!(judge(&at_16(0.9, 0.7, 0.95), &threads(Kind::Cpu), &thresholds()).verdict, PredictedVerdict::Keeps);
    }

    #[test]
    fn a_declared_shortfall_is_expected_and_memory_bound_work_is_read_on_throughput() {
        let mut skewed = threads(Kind::Cpu);
        skewed.expected_shortfall = Some("static partition of heavy-first tasks".to_owned());
        let expected = judge(&at_16(0.2, 0.15, 0.25), &skewed, &thresholds());
        assert!(matches!(expected.verdict, PredictedVerdict::Expected { .. }), "{expected:?}");
        // 0.1 efficiency at 16 is 1.6 times serial's throughput: a memory-bound cell keeps its floor.
        let triad = judge(&at_16(0.1, 0.08, 0.12), &threads(Kind::Memory), &thresholds());
        assert_eq!(triad.verdict, PredictedVerdict::Keeps);
        assert!(triad.figure().starts_with("1.60 [1.28, 1.92] of serial's throughput"), "{}", triad.figure());
    }

    #[test]
    fn only_a_required_prediction_below_the_floor_changes_a_passing_exit_code() {
        let judged = judge(&at_16(0.55, 0.48, 0.61), &threads(Kind::Cpu), &thresholds());
        let predicted = Predicted {
            workload: "spin".to_owned(),
            size: 100,
            strategy: "threads".to_owned(),
            predictions: vec![at_16(0.55, 0.48, 0.61)],
            speed: None,
            measured: Vec::new(),
            usl: None,
            stops: super::super::Stops::Never { up_to: 16 },
        };
        let profile: MachineProfile = serde_json::from_str(PROFILE).unwrap();
        let below = PredictedFor {
            profile,
            workers: 16,
            floor: 0.7,
            outcome: Ok(vec![StrategyAt { predicted, at_n: at_16(0.55, 0.48, 0.61), judged }]),
        };
        assert_eq!(below.gate_code(exit::SUCCESS, true), exit::PREDICTED_SCALING);
        assert_eq!(below.gate_code(exit::SUCCESS, false), exit::SUCCESS);
        assert_eq!(below.gate_code(exit::SCALING, true), exit::SCALING, "a measured failure comes first");
        assert!(below.gate_summary(false).contains("1 below the floor, 0 inconclusive, 0 keep it; reported only"));
    }

    const PROFILE: &str = r#"{"profile_version": 1, "fingerprint": "big", "cpu_model": "x", "logical_cores": 16,
        "physical_cores": 16, "stream_gbps": [], "smt_yield": null, "cpu_kernel_ns": null, "thread_wake_ns": null,
        "process_spawn_ns": null, "pipe_round_trip_ns": null, "source": "crafted"}"#;
}
