//! The rows of the results table, as text, shared by the aligned table and markdown.

use super::judged::strategy_label;
use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::units::{bytes, duration_ns, ratio};
use crate::verdict::reference::SuspectReference;

pub(super) const HEADERS: [&str; 14] = [
    "workload",
    "size",
    "strategy",
    "workers",
    "chunk",
    "median",
    "spread",
    "speedup",
    "efficiency",
    "util",
    "in/task",
    "out/task",
    "peak RSS",
    "GB/s",
];

/// Marks a speedup or efficiency that rests on a suspect reference.
pub(super) const SUSPECT_MARK: &str = "?";

/// One row per cell, plus a status column saying `ok` or why the cell failed. Speedups and efficiencies whose
/// serial cell is among `suspects` carry [`SUSPECT_MARK`].
pub(super) fn rows(record: &RunRecord, suspects: &[SuspectReference]) -> Vec<Vec<String>> {
    record.cells.iter().map(|cell| row(cell, suspects.iter().any(|s| s.covers(cell)))).collect()
}

fn row(cell: &CellRecord, suspect: bool) -> Vec<String> {
    let summary = cell.summary.as_ref();
    let dash = || "-".to_owned();
    vec![
        cell.workload.clone(),
        format!("{} {}", cell.size, cell.size_unit),
        strategy_label(cell),
        cell.workers.to_string(),
        cell.effective_chunk.to_string(),
        summary.map_or_else(dash, |s| duration_ns(s.median_wall_ns)),
        summary.map_or_else(dash, |s| format!("±{:.1}%", s.relative_spread * 100.0)),
        marked(ratio(summary.and_then(|s| s.speedup)), suspect),
        marked(ratio(summary.and_then(|s| s.efficiency)), suspect),
        ratio(summary.map(|s| s.median_utilisation)),
        cell.bytes_per_task().map_or_else(dash, |(input, _)| bytes(input)),
        cell.bytes_per_task().map_or_else(dash, |(_, output)| bytes(output)),
        summary.map_or_else(dash, |s| bytes(s.peak_rss_bytes as f64)),
        summary.and_then(|s| s.gbps).map_or_else(dash, |g| format!("{g:.1}")),
        status(cell),
    ]
}

fn marked(value: String, suspect: bool) -> String {
    if suspect && value != "-" { value + SUSPECT_MARK } else { value }
}

/// `ok`, `FAILED: reason` or `not measured: reason`, followed by any worker faults that were met and handled.
fn status(cell: &CellRecord) -> String {
    let mut text = match &cell.status {
        CellStatus::Ok => "ok".to_owned(),
        CellStatus::Failed { reason } => format!("FAILED: {reason}"),
        CellStatus::Unmeasured { reason } => format!("not measured: {reason}"),
    };
    if !cell.faults.is_empty() {
        text.push_str(&format!(" ({})", cell.faults.listed()));
    }
    text
}
