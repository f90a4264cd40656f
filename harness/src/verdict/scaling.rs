//! Scaling verdicts: does each parallel cell earn its workers?
//!
//! CPU-bound cells are judged on efficiency = T_serial / (workers × T_cell), with a bootstrap interval; a cell
//! fails only when the whole interval lies below the threshold, so noise alone does not fail it. Memory-bound
//! cells are judged on bandwidth instead — as a fraction of the GB/s serial reached on the same workload and
//! size — because memory bandwidth saturates before cores do: a triad at 2 workers cannot be twice as fast as at
//! 1 when one core nearly fills the memory bus, and that is the machine, not the strategy. What a parallel
//! memory-bound cell must not do is lose the bandwidth one core already had.

use ablate_workloads::{Digest, Kind};
use serde::Serialize;

use crate::verdict::inference::{Interval, ratio_of_medians_interval};
use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::stats::median;
use crate::strategy::StrategyKind;
use crate::verdict::thresholds::{ThresholdSet, Thresholds};

/// What a cell was judged on.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "lowercase", tag = "on")]
pub enum Measure {
    Efficiency { value: f64, interval: Interval },
    Bandwidth { gbps: f64, serial_gbps: f64, fraction: f64 },
}

#[derive(Clone, Debug, Serialize)]
pub struct CellScaling {
    pub id: String,
    pub measure: Measure,
    pub passed: bool,
    #[serde(skip)]
    pub thresholds: Thresholds,
}

/// Judges every successful parallel cell of `record`; serial cells, and mixed cells without a bandwidth, are not
/// judged.
pub fn judge(record: &RunRecord, thresholds: &ThresholdSet) -> Vec<CellScaling> {
    let parallel = record.cells.iter().filter(|c| c.status == CellStatus::Ok && c.strategy != StrategyKind::Serial);
    parallel
        .filter_map(|cell| judge_cell(record, cell, thresholds.for_cell(&cell.workload, cell.strategy.name())))
        .collect()
}

fn judge_cell(record: &RunRecord, cell: &CellRecord, thresholds: Thresholds) -> Option<CellScaling> {
    let same_group = |c: &&CellRecord| c.workload == cell.workload && c.size == cell.size && c.status == CellStatus::Ok;
    let serial = record.cells.iter().filter(same_group).find(|c| c.strategy == StrategyKind::Serial)?;
    let measure = match (cell.kind, cell.summary.as_ref()?.gbps) {
        (Kind::Memory | Kind::Mixed, Some(gbps)) => {
            let serial_gbps = serial.summary.as_ref()?.gbps?;
            Measure::Bandwidth { gbps, serial_gbps, fraction: gbps / serial_gbps }
        }
        (Kind::Cpu, _) => {
            let confidence = 1.0 - thresholds.alpha.value;
            let seed = Digest::of_parts([cell.id.as_bytes(), b"scaling"]).0;
            let (serial_walls, cell_walls) = (serial.walls(), cell.walls());
            let speedup = ratio_of_medians_interval(&serial_walls, &cell_walls, confidence, 2000, seed)?;
            let workers = cell.workers as f64;
            let interval = Interval { low: speedup.low / workers, high: speedup.high / workers };
            let value = median(&serial_walls)? / median(&cell_walls)? / workers;
            Measure::Efficiency { value, interval }
        }
        (Kind::Memory | Kind::Mixed, None) => return None,
    };
    let passed = match &measure {
        Measure::Efficiency { interval, .. } => interval.high >= thresholds.min_efficiency.value,
        Measure::Bandwidth { fraction, .. } => *fraction >= thresholds.min_bandwidth_fraction.value,
    };
    Some(CellScaling { id: cell.id.clone(), measure, passed, thresholds })
}
