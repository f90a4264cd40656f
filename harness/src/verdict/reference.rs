//! Whether serial, the reference every speedup and scaling verdict divides by, agrees with the strategies at one
//! worker: the same work on one core, so none of them should run faster than serial beyond noise.
//!
//! A 1-worker cell that beats serial by more than [`TOLERANCE`], with confidence, says serial was measured slow
//! (under load it can be: see the README's "The reference under load"), and every speedup of that workload and
//! size is inflated by it. Slower than serial is not suspect: a strategy's overhead (a spawned thread, a worker
//! process and its pipe) is real and is what the table should show.

use serde::Serialize;

use super::scaling::{CellScaling, ScalingVerdict};
use crate::measure::paging;
use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::stats::inference::{Interval, RESAMPLES, mann_whitney, ratio_of_medians_interval};
use crate::stats::median;
use crate::strategy::StrategyKind;
use crate::units::bytes;
use ablate_workloads::Digest;

/// How much faster than serial a 1-worker cell may run before serial is suspect: the band within which
/// measurements of the same work agree on a quiet machine (±3 %).
pub const TOLERANCE: f64 = 0.03;

/// Fewer timed samples than this on either side are too few to call a disagreement.
const MIN_SAMPLES: usize = 5;

/// A workload and size whose serial cell looks slow beside its 1-worker cells.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SuspectReference {
    pub workload: String,
    pub size: u64,
    /// The 1-worker cells that ran faster than serial beyond the tolerance.
    pub faster: Vec<FasterThanSerial>,
    /// Cores other processes kept busy while serial ran, when recorded.
    pub serial_others_cores: Option<f64>,
    /// Free memory in isolated single pages as the workload and its shared input were built, when recorded.
    pub single_free_page_bytes: Option<u64>,
}

/// One 1-worker cell against serial: its median time over serial's, with an interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FasterThanSerial {
    pub id: String,
    pub ratio: f64,
    pub interval: Interval,
    /// The median minor page faults of an execution, this cell's and serial's, where both counted them.
    pub page_faults: Option<(f64, f64)>,
    /// The shared input a worker process of this cell decoded into memory of its own, in bytes; absent for
    /// in-process cells and for workloads with no shared input.
    pub own_copy_bytes: Option<u64>,
}

impl SuspectReference {
    /// One line: which cells beat serial, by how much, and what the machine was doing meanwhile.
    pub fn describe(&self) -> String {
        let cells: Vec<String> = self
            .faster
            .iter()
            .map(|f| {
                let faults = match f.page_faults {
                    Some((cell, serial)) if paging::fresh_in_one(cell, serial) => format!(
                        " with {cell:.0} minor page faults an execution to serial's {serial:.0} ({}: the allocator's \
                         state, not the strategy)",
                        paging::FRESH_IN_ONE
                    ),
                    _ => String::new(),
                };
                let scattered = self
                    .single_free_page_bytes
                    .map(|free| format!(", made while {} of free memory lay in single pages", bytes(free as f64)))
                    .unwrap_or_default();
                let copy = f
                    .own_copy_bytes
                    .map(|shared| {
                        format!(
                            " (its worker reads its own copy of the {} shared input, in other physical pages than \
                             serial's{scattered}: on memory-bound work where the pages sit can move times as much as \
                             a strategy)",
                            bytes(shared as f64)
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "{} ran {:.2}× serial's time [{:.2}, {:.2}]{faults}{copy}",
                    f.id, f.ratio, f.interval.low, f.interval.high
                )
            })
            .collect();
        let load = self
            .serial_others_cores
            .map(|cores| format!("; other processes kept {cores:.2} cores busy while serial ran"))
            .unwrap_or_default();
        format!(
            "the reference is suspect for {} at size {}: {}{load}; its speedups and scaling verdicts rest on it",
            self.workload,
            self.size,
            cells.join(", ")
        )
    }

    /// Whether `cell` belongs to the workload and size whose reference this is.
    pub fn covers(&self, cell: &CellRecord) -> bool {
        cell.workload == self.workload && cell.size == self.size
    }
}

/// Every workload and size of `record` whose serial cell is suspect. Each 1-worker cell is tested one-sided
/// (Mann–Whitney: is it faster than serial less [`TOLERANCE`]?) at `alpha` split over all such cells
/// (Bonferroni), so that a run of many cells raises a false alarm with probability at most `alpha`.
pub fn suspect_references(record: &RunRecord, alpha: f64) -> Vec<SuspectReference> {
    let ok = |c: &&CellRecord| c.status == CellStatus::Ok && c.samples.len() >= MIN_SAMPLES;
    let serials: Vec<&CellRecord> =
        record.cells.iter().filter(ok).filter(|c| c.strategy == StrategyKind::Serial).collect();
    let at_one = |serial: &CellRecord| -> Vec<&CellRecord> {
        let same_group = |c: &&CellRecord| c.workload == serial.workload && c.size == serial.size;
        record
            .cells
            .iter()
            .filter(ok)
            .filter(same_group)
            .filter(|c| c.strategy != StrategyKind::Serial && c.workers == 1)
            .collect()
    };
    let groups: Vec<(&CellRecord, Vec<&CellRecord>)> = serials.into_iter().map(|s| (s, at_one(s))).collect();
    let tested: usize = groups.iter().map(|(_, cells)| cells.len()).sum();
    let per_cell_alpha = alpha / tested.max(1) as f64;
    groups
        .into_iter()
        .filter_map(|(serial, cells)| {
            let faster: Vec<FasterThanSerial> =
                cells.into_iter().filter_map(|cell| faster_than(cell, serial, per_cell_alpha)).collect();
            (!faster.is_empty()).then(|| SuspectReference {
                workload: serial.workload.clone(),
                size: serial.size,
                faster,
                serial_others_cores: serial.others_cores(),
                single_free_page_bytes: serial.single_free_page_bytes,
            })
        })
        .collect()
}

/// Makes every passing scaling verdict that rests on a suspect reference inconclusive: a serial cell measured
/// slow inflates the speedup that passed. A verdict below the floor stands, since a truer serial would only lower
/// its speedup further.
pub fn doubt_passes(scaling: &mut [CellScaling], record: &RunRecord, suspects: &[SuspectReference]) {
    for verdict in scaling.iter_mut().filter(|s| s.verdict == ScalingVerdict::Passed) {
        let cell = record.cells.iter().find(|c| c.id == verdict.id);
        if let Some(suspect) = suspects.iter().find(|s| cell.is_some_and(|c| s.covers(c))) {
            let beat: Vec<&str> = suspect.faster.iter().map(|f| f.id.as_str()).collect();
            verdict.verdict = ScalingVerdict::Inconclusive {
                reason: format!(
                    "reference suspect: serial ran slower than {} at 1 worker, so this speedup may be inflated",
                    beat.join(", ")
                ),
            };
        }
    }
}

/// `cell` against `serial`, when it ran faster than serial by more than the tolerance at `alpha`.
fn faster_than(cell: &CellRecord, serial: &CellRecord, alpha: f64) -> Option<FasterThanSerial> {
    let (cell_walls, serial_walls) = (cell.walls(), serial.walls());
    let tolerated: Vec<f64> = serial_walls.iter().map(|w| w * (1.0 - TOLERANCE)).collect();
    let test = mann_whitney(&cell_walls, &tolerated)?;
    if test.sides.less >= alpha {
        return None;
    }
    let seed = Digest::of_parts([cell.id.as_bytes(), b"reference"]).0;
    let interval = ratio_of_medians_interval(&cell_walls, &serial_walls, 1.0 - alpha, RESAMPLES, seed)?;
    let page_faults = cell.median_page_faults().zip(serial.median_page_faults());
    let in_workers = cell.strategy.runs_in_other_processes();
    let own_copy_bytes = cell.payload.as_ref().map(|p| p.shared_bytes).filter(|&shared| in_workers && shared > 0);
    Some(FasterThanSerial {
        id: cell.id.clone(),
        ratio: median(&cell_walls)? / median(&serial_walls)?,
        interval,
        page_faults,
        own_copy_bytes,
    })
}

#[cfg(test)]
mod tests;
