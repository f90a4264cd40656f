//! Scaling verdicts: does each parallel cell earn its workers?
//!
//! Every judgement is of serial's median time over the cell's, with a bootstrap interval, and a cell fails only
//! when the whole interval lies below its floor, so noise alone does not fail it. What the ratio is compared with
//! depends on the workload's kind:
//! - CPU-bound cells are judged on efficiency: the speedup per worker, against `min_efficiency`.
//! - Memory-bound and mixed cells are judged on throughput: the speedup itself, which for the same bytes is the
//!   fraction of serial's bandwidth the cell kept, against `min_bandwidth_fraction`. Memory bandwidth saturates
//!   before cores do, so a triad at 2 workers cannot be twice as fast as at 1; what a parallel cell must not do
//!   is lose the throughput one core already had — which is also what a mixed cell moving large outputs between
//!   processes does when its transport costs more than its work.
//!
//! A verdict needs cores to judge on. A cell with more workers than the machine has logical cores is marked
//! oversubscribed and judged on the cores that exist. A cell that fell short while other processes kept the
//! cores its workers needed busy (recorded per repetition, see [`crate::measure::load`]) is `inconclusive`, not
//! failed; and a shortfall the workload declares as its purpose (`skewed` under static `threads`) is `expected`.
//!
//! A wall-clock speedup is only as good as the shares of the machine its two cells got. Where they got unequal
//! shares (or a CPU-bound efficiency is more than linear), the cell is judged on its load-proof efficiency
//! instead ([`crate::verdict::load_proof`]), and the wall-clock figure is marked as unreliable wherever it is
//! shown; where no load-proof figure was recorded, a pass on the wall clock is `inconclusive`.

use ablate_workloads::{Digest, Kind};
use serde::Serialize;

use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::stats::inference::{Interval, RESAMPLES, ratio_of_medians_interval};
use crate::stats::median;
use crate::store::thresholds::{ThresholdSet, Thresholds};
use crate::strategy::StrategyKind;
use crate::verdict::load_proof::{self, LoadProof, busy_reason};

/// The share of a cell's median wall time its workers may take to start before a shortfall is put down to the
/// wake-up rather than to the strategy: past it the cell is too short to judge at this size.
pub const MAX_START_SHARE: f64 = 0.1;

/// What a cell was judged on.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "lowercase", tag = "on")]
pub enum Measure {
    /// Speedup per judged worker (CPU-bound).
    Efficiency { value: f64, interval: Interval },
    /// Speedup, i.e. the fraction of serial's throughput kept (memory-bound and mixed); GB/s where known.
    Throughput { value: f64, interval: Interval, gbps: Option<f64>, serial_gbps: Option<f64> },
}

impl Measure {
    pub fn interval(&self) -> Interval {
        match self {
            Measure::Efficiency { interval, .. } | Measure::Throughput { interval, .. } => *interval,
        }
    }

    /// `efficiency 0.93 [0.90, 0.95]`, or `throughput 1.41× of serial [1.30, 1.52] (20.3 GB/s)`.
    pub fn describe(&self) -> String {
        match self {
            Measure::Efficiency { value, interval } => {
                format!("efficiency {value:.2} [{:.2}, {:.2}]", interval.low, interval.high)
            }
            Measure::Throughput { value, interval, gbps, .. } => {
                let gbps = gbps.map(|g| format!(" ({g:.1} GB/s)")).unwrap_or_default();
                format!("throughput {value:.2}× of serial [{:.2}, {:.2}]{gbps}", interval.low, interval.high)
            }
        }
    }
}

/// The scaling verdict of one cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "verdict")]
pub enum ScalingVerdict {
    Passed,
    /// The whole interval lies below the floor: fails the gate.
    Below,
    /// Below the floor, as the workload declares it should be.
    Expected {
        why: String,
    },
    /// Below the floor, but the machine could not give the cell the cores it needed.
    Inconclusive {
        reason: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct CellScaling {
    pub id: String,
    pub measure: Measure,
    pub verdict: ScalingVerdict,
    /// The floor the measure was held to.
    pub floor: f64,
    /// Workers the efficiency is computed over: the cell's, or the logical cores when there are fewer.
    pub judged_workers: usize,
    pub oversubscribed: bool,
    /// Cores other processes kept busy, on average, during the cell's timed repetitions.
    pub others_cores: Option<f64>,
    /// The median time its workers took to start their first tasks (the wake-up cost), where measured.
    pub worker_start_ns: Option<f64>,
    /// Why the wall-clock speedup cannot be trusted (a busy machine, a more than linear efficiency); `None` when
    /// it can.
    pub wall_clock_doubt: Option<String>,
    /// Other processes' load, in cores, where the doubt is a busy machine.
    pub busy_load: Option<f64>,
    /// The efficiency as on a dedicated machine, where the workers' scheduler counters were recorded.
    pub load_proof: Option<LoadProof>,
    /// The verdict rests on `load_proof`, the wall-clock figure being in doubt.
    pub judged_on_load_proof: bool,
    /// The wall-clock figure: efficiency (CPU-bound) or throughput against serial (memory-bound and mixed).
    pub wall_clock: f64,
    #[serde(skip)]
    pub thresholds: Thresholds,
}

impl CellScaling {
    pub fn failed(&self) -> bool {
        self.verdict == ScalingVerdict::Below
    }

    pub fn inconclusive(&self) -> bool {
        matches!(self.verdict, ScalingVerdict::Inconclusive { .. })
    }

    /// What was judged, as the verdict table prints it: `efficiency 0.93 [0.90, 0.95]`, or `load-proof efficiency
    /// 0.91 [0.89, 0.93]; wall clock 2.03?` when the wall-clock figure is in doubt.
    pub fn measure_text(&self) -> String {
        match (self.judged_on_load_proof, &self.wall_clock) {
            (true, wall) => format!("load-proof {}; wall clock {wall:.2}?", self.measure.describe()),
            (false, _) => self.measure.describe(),
        }
    }

    /// The verdict in words, with the oversubscription noted: `ok`, `BELOW THRESHOLD`, `expected: …`,
    /// `inconclusive (machine busy: …)`.
    pub fn verdict_text(&self) -> String {
        let verdict = match &self.verdict {
            ScalingVerdict::Passed => "ok".to_owned(),
            ScalingVerdict::Below => "BELOW THRESHOLD".to_owned(),
            ScalingVerdict::Expected { why } => format!("below the floor as expected: {why}"),
            ScalingVerdict::Inconclusive { reason } => format!("inconclusive ({reason})"),
        };
        let started = self.worker_start_ns.map(|ns| format!("; workers started within {:.2} ms", ns / 1e6));
        let oversubscribed =
            self.oversubscribed.then(|| format!("; oversubscribed, judged on {} cores", self.judged_workers));
        format!("{verdict}{}{}", started.unwrap_or_default(), oversubscribed.unwrap_or_default())
    }
}

/// Judges every successful parallel cell of `record` against the serial cell of its workload and size.
pub fn judge(record: &RunRecord, thresholds: &ThresholdSet) -> Vec<CellScaling> {
    let cores = record.machine.logical_cores.max(1);
    let parallel = record.cells.iter().filter(|c| c.status == CellStatus::Ok && c.strategy != StrategyKind::Serial);
    parallel
        .filter_map(|cell| {
            let serial = record.cells.iter().find(|c| {
                c.workload == cell.workload
                    && c.size == cell.size
                    && c.strategy == StrategyKind::Serial
                    && c.status == CellStatus::Ok
            })?;
            judge_cell(cell, serial, cores, thresholds.for_cell(&cell.workload, cell.strategy.name()))
        })
        .collect()
}

/// The verdict of `cell` against `serial` on a machine of `cores` logical cores.
pub fn judge_cell(cell: &CellRecord, serial: &CellRecord, cores: usize, thresholds: Thresholds) -> Option<CellScaling> {
    let judged_workers = cell.workers.clamp(1, cores);
    let confidence = 1.0 - thresholds.alpha.value;
    let seed = Digest::of_parts([cell.id.as_bytes(), b"scaling"]).0;
    let (serial_walls, cell_walls) = (serial.walls(), cell.walls());
    let speedup_interval = ratio_of_medians_interval(&serial_walls, &cell_walls, confidence, RESAMPLES, seed)?;
    let cell_median = median(&cell_walls)?;
    let speedup = median(&serial_walls)? / cell_median;
    let per = judged_workers as f64;
    let wall_clock = if cell.kind == Kind::Cpu { speedup / per } else { speedup };
    let doubt = load_proof::wall_clock_doubt(cell, serial, cores, speedup / per);
    let busy_load = doubt.as_ref().and_then(load_proof::Doubt::others_cores);
    let wall_clock_doubt = doubt.map(|d| d.describe());
    let load_proof = load_proof::of_cell(cell, serial, cores, confidence);
    let on_load_proof = wall_clock_doubt.is_some().then_some(load_proof.as_ref()).flatten();
    let (speedup, speedup_interval) = match on_load_proof {
        Some(proof) => {
            let workers = cell.workers.max(1) as f64;
            let interval = Interval { low: proof.interval.low * workers, high: proof.interval.high * workers };
            (proof.efficiency * workers, interval)
        }
        None => (speedup, speedup_interval),
    };
    let (measure, floor) = match cell.kind {
        Kind::Cpu => {
            let interval = Interval { low: speedup_interval.low / per, high: speedup_interval.high / per };
            (Measure::Efficiency { value: speedup / per, interval }, thresholds.min_efficiency.value)
        }
        Kind::Memory | Kind::Mixed => {
            let gbps = |c: &CellRecord| c.summary.as_ref().and_then(|s| s.gbps);
            let measure = Measure::Throughput {
                value: speedup,
                interval: speedup_interval,
                gbps: gbps(cell),
                serial_gbps: gbps(serial),
            };
            (measure, thresholds.min_bandwidth_fraction.value)
        }
    };
    let others_cores = cell.others_cores();
    let starts: Vec<f64> = cell.samples.iter().filter_map(|s| s.worker_start_ns).map(|ns| ns as f64).collect();
    let worker_start_ns = median(&starts);
    let unjudgeable = wall_clock_doubt.as_ref().filter(|_| on_load_proof.is_none());
    let verdict = if measure.interval().high >= floor {
        match unjudgeable {
            Some(doubt) => ScalingVerdict::Inconclusive {
                reason: format!("the wall-clock speedup is unreliable and no load-proof figure was recorded: {doubt}"),
            },
            None => ScalingVerdict::Passed,
        }
    } else if let Some(why) = &cell.expected_shortfall {
        ScalingVerdict::Expected { why: why.clone() }
    } else if let Some(reason) = busy_reason(others_cores, serial.others_cores(), judged_workers, cores) {
        ScalingVerdict::Inconclusive { reason }
    } else if let Some(reason) = too_short_reason(worker_start_ns, cell_median) {
        ScalingVerdict::Inconclusive { reason }
    } else {
        ScalingVerdict::Below
    };
    let oversubscribed = cell.workers > cores;
    Some(CellScaling {
        id: cell.id.clone(),
        judged_on_load_proof: on_load_proof.is_some(),
        measure,
        verdict,
        floor,
        judged_workers,
        oversubscribed,
        others_cores,
        worker_start_ns,
        wall_clock,
        wall_clock_doubt,
        busy_load,
        load_proof,
        thresholds,
    })
}

/// Why the cell is too short to judge: its workers took more than [`MAX_START_SHARE`] of its time to start.
fn too_short_reason(worker_start_ns: Option<f64>, wall_ns: f64) -> Option<String> {
    let start = worker_start_ns.filter(|&start| start > MAX_START_SHARE * wall_ns)?;
    Some(format!(
        "too short to judge: its workers took {:.2} ms of its {:.2} ms to start; measure at a larger --size",
        start / 1e6,
        wall_ns / 1e6
    ))
}

#[cfg(test)]
mod tests;
