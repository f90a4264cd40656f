//! The gate: a candidate record judged against a baseline (regressions) and on its own (scaling), reduced to
//! one exit code.

use serde::Serialize;

use crate::config::BaselineSource;
use crate::error::HarnessError;
use crate::exit;
use crate::record::{CellStatus, RunRecord};
use crate::store::baseline::{BaselineStore, read_baseline};
use crate::store::thresholds::ThresholdSet;
use crate::verdict::compare::{CellComparison, Change, Unmatched, compare};
use crate::verdict::family::WorkloadVerdict;
use crate::verdict::paired::compare_paired;
use crate::verdict::reference::{SuspectReference, doubt_passes, suspect_references};
use crate::verdict::scaling::{CellScaling, judge};

/// How to find and accept a baseline.
pub struct BaselineChoice<'a> {
    pub source: BaselineSource,
    pub store: &'a BaselineStore,
    pub allow_foreign: bool,
}

impl BaselineChoice<'_> {
    /// Loads the baseline for a candidate measured on machine `fingerprint`.
    pub fn load(&self, fingerprint: &str) -> Result<RunRecord, HarnessError> {
        match &self.source {
            BaselineSource::Named(name) => self.store.load(name, fingerprint, self.allow_foreign),
            BaselineSource::File(path) => read_baseline(path, fingerprint, self.allow_foreign),
        }
    }
}

/// Why comparing `candidate` with `baseline` compared no cell, when it compared none: a comparison of nothing
/// must not pass. The labels name the two records as the user gave them.
pub fn nothing_compared(
    report: &GateReport,
    (candidate, candidate_label): (&RunRecord, &str),
    (baseline, baseline_label): (&RunRecord, &str),
) -> Option<String> {
    if !report.comparisons.is_empty() {
        return None;
    }
    let measured = |record: &RunRecord| -> Vec<String> {
        record
            .cells
            .iter()
            .filter(|c| c.status == CellStatus::Ok && !c.samples.is_empty())
            .map(|c| c.id.clone())
            .collect()
    };
    let (ours, theirs) = (measured(candidate), measured(baseline));
    let why = if candidate.cells.is_empty() {
        format!("{candidate_label} has no cells")
    } else if baseline.cells.is_empty() {
        format!("the baseline {baseline_label} has no cells")
    } else if ours.is_empty() {
        format!("{candidate_label} has no measured cells (each failed or was not measured)")
    } else if theirs.is_empty() {
        format!("the baseline {baseline_label} has no measured cells (each failed or was not measured)")
    } else if !ours.iter().any(|id| theirs.contains(id)) {
        format!(
            "no cell in common: {candidate_label} has {}, the baseline {baseline_label} has {}",
            some_ids(&ours),
            some_ids(&theirs)
        )
    } else {
        "no cell had timed samples on both sides".to_owned()
    };
    Some(format!("nothing compared: {why}; compare results of the same workloads, sizes and strategies"))
}

/// `a, b and 3 more`: enough ids to recognise a set of cells.
pub(crate) fn some_ids(ids: &[String]) -> String {
    match ids {
        [one] => one.clone(),
        [first, second] => format!("{first} and {second}"),
        [first, second, rest @ ..] => format!("{first}, {second} and {} more", rest.len()),
        [] => "none".to_owned(),
    }
}

/// Everything the gate found.
#[derive(Debug, Serialize)]
pub struct GateReport {
    pub comparisons: Vec<CellComparison>,
    pub unmatched: Vec<Unmatched>,
    /// In A/B mode, each workload's verdict over its cells combined (see [`crate::verdict::family`]); a workload
    /// called regressed as a whole fails the gate like a regressed cell.
    pub workloads: Vec<WorkloadVerdict>,
    pub scaling: Vec<CellScaling>,
    /// Cells of the candidate that failed outright (task failure, digest mismatch).
    pub failed_cells: Vec<String>,
    /// Why there was no comparison, when the baseline was missing and that was allowed.
    pub baseline_note: Option<String>,
    /// Cells that regressed at first but not when re-measured (`--confirm`).
    pub unconfirmed: Vec<String>,
    /// Inconclusive verdicts fail the gate (`--require-power`).
    pub require_power: bool,
    /// Workloads and sizes whose serial cell, the reference, ran slower than a strategy at 1 worker.
    pub suspect_references: Vec<SuspectReference>,
}

impl GateReport {
    /// Judges `candidate`; `baseline` is `None` when there is none to compare with.
    pub fn new(
        candidate: &RunRecord,
        baseline: Option<&RunRecord>,
        thresholds: &ThresholdSet,
        baseline_note: Option<String>,
    ) -> Self {
        let (comparisons, unmatched, workloads) = match baseline {
            Some(base) if candidate.pairing.is_some() && base.pairing.is_some() => {
                compare_paired(candidate, base, thresholds)
            }
            Some(baseline) => {
                let (comparisons, unmatched) = compare(candidate, baseline, thresholds);
                (comparisons, unmatched, Vec::new())
            }
            None => Default::default(),
        };
        let suspect_references = suspect_references(candidate, thresholds.for_cell("", "").alpha.value);
        let mut scaling = judge(candidate, thresholds);
        doubt_passes(&mut scaling, candidate, &suspect_references);
        GateReport {
            comparisons,
            unmatched,
            workloads,
            scaling,
            failed_cells: candidate.failed_cells().map(|(c, _)| c.id.clone()).collect(),
            baseline_note,
            unconfirmed: Vec::new(),
            require_power: false,
            suspect_references,
        }
    }

    /// One warning per suspect reference, for the top of every output.
    pub fn reference_warnings(&self) -> Vec<String> {
        self.suspect_references.iter().map(SuspectReference::describe).collect()
    }

    /// With `require_power`, inconclusive verdicts fail the gate (exit 6).
    pub fn requiring_power(mut self, require_power: bool) -> Self {
        self.require_power = require_power;
        self
    }

    /// What the regression check could see, for the top of every verdict output: `this gate could see slowdowns
    /// ≥ 1.07× in 70 of 72 cells; 2 too noisy`. `None` when nothing was compared.
    pub fn power_line(&self) -> Option<String> {
        if self.comparisons.is_empty() {
            return None;
        }
        let seeing: Vec<f64> =
            self.comparisons.iter().filter(|c| c.could_see_threshold()).map(|c| c.min_detectable_ratio).collect();
        let worst = seeing.iter().copied().fold(1.0f64, f64::max);
        let blind = self.comparisons.len() - seeing.len();
        let mut line = if seeing.is_empty() {
            format!("this gate could not see a slowdown of the threshold's size in any of its {} cells", blind)
        } else {
            format!(
                "this gate could see slowdowns ≥ {worst:.2}× in {} of {} cells",
                seeing.len(),
                self.comparisons.len()
            )
        };
        if blind > 0 && !seeing.is_empty() {
            line.push_str(&format!("; {blind} too noisy"));
        }
        Some(line)
    }

    /// Keeps a regression only where the re-measured comparison `again` regresses too; the others become
    /// inconclusive and are listed as unconfirmed.
    pub fn confirm(&mut self, again: &[CellComparison]) {
        for cell in self.comparisons.iter_mut().filter(|c| c.change == Change::Regressed) {
            let confirmed = again.iter().any(|a| a.id == cell.id && a.change == Change::Regressed);
            if !confirmed {
                cell.change = Change::Inconclusive;
                self.unconfirmed.push(cell.id.clone());
            }
        }
    }

    pub fn regressions(&self) -> impl Iterator<Item = &CellComparison> {
        self.comparisons.iter().filter(|c| c.change == Change::Regressed)
    }

    pub fn scaling_failures(&self) -> impl Iterator<Item = &CellScaling> {
        self.scaling.iter().filter(|s| s.failed())
    }

    /// Cells whose verdict is inconclusive: regressions too noisy or too near the threshold to call, and scaling
    /// judged while the machine was busy.
    pub fn inconclusive(&self) -> usize {
        let comparisons = self.comparisons.iter().filter(|c| c.change == Change::Inconclusive).count();
        comparisons + self.scaling.iter().filter(|s| s.inconclusive()).count()
    }

    /// The workloads that changed, one line each: `` `hashchain` regressed: 5 of 9 cells (its pairs 1.16× combined) ``.
    pub fn workload_lines(&self) -> Vec<String> {
        let changed = |w: &&WorkloadVerdict| matches!(w.change, Change::Regressed | Change::Improved);
        self.workloads.iter().filter(changed).map(WorkloadVerdict::line).collect()
    }

    /// 1 when a cell failed outright, else 3 on a regression (a cell's, or a workload's as a whole), else 4 on a scaling failure, else (with
    /// `require_power`) 6 when a verdict was inconclusive, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.failed_cells.is_empty() {
            exit::ERROR
        } else if self.regressions().next().is_some() || self.workloads.iter().any(|w| w.change == Change::Regressed) {
            exit::REGRESSION
        } else if self.scaling_failures().next().is_some() {
            exit::SCALING
        } else if self.require_power && self.inconclusive() > 0 {
            exit::INCONCLUSIVE
        } else {
            exit::SUCCESS
        }
    }
}
