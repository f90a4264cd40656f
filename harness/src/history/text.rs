//! The store and a cell's history as text: `ablate history list` and `ablate history show CELL`.

use std::fmt::Write;

use super::analysis::Analysis;
use super::series::{Metric, Point};
use super::store::Entry;
use crate::units::duration_ns;

/// One line per kept run, oldest commit first.
pub fn list(entries: &[Entry]) -> String {
    let mut out = String::new();
    for entry in entries {
        let when = entry.commit_time.as_deref().map_or_else(String::new, |t| format!("  committed {t}"));
        let _ = writeln!(
            out,
            "{:<13}  {}  {}  runs/{}{when}",
            entry.short_commit(),
            entry.created,
            entry.fingerprint,
            entry.file
        );
    }
    out
}

/// The runs of one cell's series (each metric's) on one machine and their change points.
pub fn show(analyses: &[&Analysis]) -> String {
    let mut out = String::new();
    let Some(time) = analyses.iter().find(|a| a.series.metric == Metric::Time) else { return out };
    let series = &time.series;
    let _ = writeln!(out, "{} on machine {} ({} runs)", series.cell, series.fingerprint, series.points.len());
    let _ = writeln!(
        out,
        "{:>4}  {:<13}  {:<20}  {:>10}  {:<23}  {:>7}",
        "run", "commit", "created", "median", "range", "samples"
    );
    for (index, point) in series.points.iter().enumerate() {
        let marker = if time.changes.iter().any(|c| c.at == index) { "  ← change" } else { "" };
        let _ = writeln!(
            out,
            "{:>4}  {:<13}  {:<20}  {:>10}  {:<23}  {:>7}{marker}",
            index + 1,
            point.entry.short_commit(),
            point.entry.created,
            duration_ns(point.median()),
            range(point),
            point.values.len()
        );
    }
    for analysis in analyses {
        let metric = analysis.series.metric;
        if analysis.changes.is_empty() {
            let _ = writeln!(out, "{}: no change point", metric.name());
            continue;
        }
        for change in &analysis.changes {
            let _ = writeln!(out, "{}: change {} (after/before, 99% interval)", metric.name(), change.describe());
        }
    }
    out
}

fn range(point: &Point) -> String {
    let low = point.values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = point.values.iter().copied().fold(0.0, f64::max);
    format!("{} – {}", duration_ns(low), duration_ns(high))
}
