//! A results file with what was judged of it: the unit every report section and chart is drawn from.

use crate::decision::TINY_TASK_NS;
use crate::predict::predicted_for::PredictedFor;
use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::store::thresholds::ThresholdSet;
use crate::strategy::StrategyKind;
use crate::verdict::gate::GateReport;

/// One run in a report: its record, the gate's findings (scaling always; regressions when a baseline was given)
/// and the limits the findings and charts read it against: the thresholds' efficiency floor, and the task time
/// below which tasks are too small for worker processes.
pub struct JudgedRun {
    /// How the report names this run: its file, or "this run".
    pub label: String,
    pub record: RunRecord,
    pub gate: GateReport,
    pub baseline_label: Option<String>,
    /// The default minimum efficiency in force, drawn as a line.
    pub min_efficiency: f64,
    /// The task time (nanoseconds) below which the findings call tasks too small for worker processes.
    pub tiny_task_ns: f64,
    /// Each strategy's scaling predicted at `--predict-for N`, when asked for.
    pub predicted: Option<PredictedFor>,
    /// Whether a gate judged the run, or a plain `run` or `report` describes it.
    pub origin: Origin,
}

/// Who judged a run: the page and summary of a plain `run` or `report` say what the run found; only a gate's
/// speak of the gate and its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Run,
    Gate,
}

impl JudgedRun {
    /// `gate` is what was judged of `record` (against the baseline named `baseline_label`, if any).
    pub fn new(
        label: String,
        record: RunRecord,
        gate: GateReport,
        baseline_label: Option<String>,
        thresholds: &ThresholdSet,
    ) -> Self {
        let min_efficiency = thresholds.for_cell("", "").min_efficiency.value;
        JudgedRun {
            label,
            record,
            gate,
            baseline_label,
            min_efficiency,
            tiny_task_ns: TINY_TASK_NS,
            predicted: None,
            origin: Origin::Run,
        }
    }

    /// The run with its scaling predicted at `--predict-for N`, which the table, the summary and the charts show.
    pub fn with_prediction(self, predicted: Option<PredictedFor>) -> Self {
        JudgedRun { predicted, ..self }
    }

    /// This run as a gate judged it: its verdict names the gate's exit code.
    pub fn by_gate(self) -> Self {
        JudgedRun { origin: Origin::Gate, ..self }
    }

    /// The cells that completed, in record order.
    pub fn ok_cells(&self) -> impl Iterator<Item = &CellRecord> {
        self.record.cells.iter().filter(|c| c.status == CellStatus::Ok && c.summary.is_some())
    }

    /// Each workload and size measured, in record order.
    pub fn groups(&self) -> Vec<(String, u64)> {
        let mut groups: Vec<(String, u64)> = Vec::new();
        for cell in &self.record.cells {
            if !groups.iter().any(|(w, s)| *w == cell.workload && *s == cell.size) {
                groups.push((cell.workload.clone(), cell.size));
            }
        }
        groups
    }

    /// The parallel strategy labels present (`rayon`, `process/shm`, …), in record order.
    pub fn parallel_labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        for cell in self.record.cells.iter().filter(|c| c.strategy != StrategyKind::Serial) {
            let label = strategy_label(cell);
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels
    }

    /// The largest worker count measured.
    pub fn max_workers(&self) -> usize {
        self.record.cells.iter().map(|c| c.workers).max().unwrap_or(1)
    }
}

/// `rayon`, `process/shm` where a transport was chosen, or `auto→crossbeam` for what `auto` chose.
pub fn strategy_label(cell: &CellRecord) -> String {
    let fixed = match cell.transport {
        Some(transport) => format!("{}/{transport}", cell.strategy),
        None => cell.strategy.to_string(),
    };
    if cell.decision.is_some() { format!("auto→{fixed}") } else { fixed }
}

/// `rayon ×2`, `process/shm ×2`: a cell within its workload.
pub fn short_label(cell: &CellRecord) -> String {
    format!("{} ×{}", strategy_label(cell), cell.workers)
}
