//! The rows of the results table, as text, shared by the aligned table and markdown.

use super::units::{bytes, duration_ns, ratio};
use crate::record::{CellRecord, CellStatus, RunRecord};

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

/// One row per cell, plus a status column saying `ok` or why the cell failed.
pub(super) fn rows(record: &RunRecord) -> Vec<Vec<String>> {
    record.cells.iter().map(row).collect()
}

fn row(cell: &CellRecord) -> Vec<String> {
    let summary = cell.summary.as_ref();
    let payload = cell.payload.as_ref();
    let dash = || "-".to_owned();
    vec![
        cell.workload.clone(),
        format!("{} {}", cell.size, cell.size_unit),
        cell.strategy.to_string(),
        cell.workers.to_string(),
        cell.effective_chunk.to_string(),
        summary.map_or_else(dash, |s| duration_ns(s.median_wall_ns)),
        summary.map_or_else(dash, |s| format!("±{:.1}%", s.relative_spread * 100.0)),
        ratio(summary.and_then(|s| s.speedup)),
        ratio(summary.and_then(|s| s.efficiency)),
        ratio(summary.map(|s| s.median_utilisation)),
        payload.map_or_else(dash, |p| bytes(p.input_per_task(cell.tasks))),
        payload.map_or_else(dash, |p| bytes(p.output_per_task(cell.tasks))),
        summary.map_or_else(dash, |s| bytes(s.peak_rss_bytes as f64)),
        summary.and_then(|s| s.gbps).map_or_else(dash, |g| format!("{g:.1}")),
        match &cell.status {
            CellStatus::Ok => "ok".to_owned(),
            CellStatus::Failed { reason } => format!("FAILED: {reason}"),
        },
    ]
}
