//! The rows of the results table, as text, shared by the aligned table and markdown.

use super::doubts::CellDoubt;
use super::judged::strategy_label;
use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::units::{bytes, duration_ns, ratio};
use crate::verdict::reference::SuspectReference;

pub(super) const HEADERS: [&str; 15] = [
    "workload",
    "size",
    "strategy",
    "workers",
    "chunk",
    "median",
    "spread",
    "speedup",
    "efficiency",
    "load-proof",
    "util",
    "in/task",
    "out/task",
    "peak RSS",
    "GB/s",
];

/// Marks a speedup or efficiency that rests on a suspect reference, or that a busy machine made unreliable.
pub(super) const SUSPECT_MARK: &str = "?";

/// One row per cell, plus a status column saying `ok` or why the cell failed. Speedups and efficiencies whose
/// serial cell is among `suspects`, or whose wall clock is in doubt (`doubts`, in record order), carry
/// [`SUSPECT_MARK`].
pub(super) fn rows(record: &RunRecord, suspects: &[SuspectReference], doubts: &[CellDoubt]) -> Vec<Vec<String>> {
    record
        .cells
        .iter()
        .zip(doubts)
        .map(|(cell, doubt)| row(cell, suspects.iter().any(|s| s.covers(cell)) || doubt.doubt.is_some(), doubt))
        .collect()
}

fn row(cell: &CellRecord, suspect: bool, doubt: &CellDoubt) -> Vec<String> {
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
        ratio(doubt.load_proof),
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
