//! The verdict table: every compared cell with its ratio, interval, p-value and verdict; every judged cell's
//! scaling; and every threshold in force with where it came from.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::verdict::gate::GateReport;
use crate::verdict::thresholds::Thresholds;

pub fn render(report: &GateReport) -> String {
    let mut out = String::new();
    let mut in_force: BTreeMap<String, &Thresholds> = BTreeMap::new();
    if let Some(note) = &report.baseline_note {
        let _ = writeln!(out, "no regression check: {note}");
    }
    for warning in report.reference_warnings() {
        let _ = writeln!(out, "warning: {warning}");
    }
    if let Some(line) = report.power_line() {
        let _ = writeln!(out, "{line}\n");
    }
    for line in report.workload_lines() {
        let _ = writeln!(out, "{line}");
    }
    if !report.comparisons.is_empty() {
        let header = ("cell (vs baseline)", "ratio", "interval", "p (adj.)", "sees ≥");
        let _ =
            writeln!(out, "{:<44} {:>8} {:>17} {:>9} {:>7}  verdict", header.0, header.1, header.2, header.3, header.4);
        for c in &report.comparisons {
            let interval = format!("[{:.3}, {:.3}]", c.interval.low, c.interval.high);
            let p = if c.p_adjusted >= 1e-3 { format!("{:.3}", c.p_adjusted) } else { format!("{:.1e}", c.p_adjusted) };
            let sees =
                if c.min_detectable_ratio.is_finite() { format!("{:.3}", c.min_detectable_ratio) } else { "-".into() };
            let verdict = c.verdict_text();
            let _ = writeln!(out, "{:<44} {:>8.3} {:>17} {:>9} {:>7}  {verdict}", c.id, c.ratio, interval, p, sees);
            in_force.insert(key(&c.id), &c.thresholds);
        }
    }
    for u in &report.unmatched {
        let _ = writeln!(out, "{:<44} not compared: {}", u.id, u.reason);
    }
    if !report.scaling.is_empty() {
        let _ = writeln!(out, "\n{:<44} {:>40}  verdict", "cell (scaling)", "measure");
        for s in &report.scaling {
            let _ = writeln!(out, "{:<44} {:>40}  {}", s.id, s.measure_text(), s.verdict_text());
            in_force.insert(key(&s.id), &s.thresholds);
        }
    }
    for id in &report.unconfirmed {
        let _ = writeln!(out, "{id:<44} regressed at first, not when re-measured (--confirm): inconclusive");
    }
    for id in &report.failed_cells {
        let _ = writeln!(out, "{id:<44} FAILED (see the run's table)");
    }
    let _ = writeln!(out, "\nthresholds in force:");
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (cell, t) in in_force {
        let text = format!(
            "regression ratio {}; alpha {}; min efficiency {}; min bandwidth fraction {}",
            t.regression_ratio, t.alpha, t.min_efficiency, t.min_bandwidth_fraction
        );
        groups.entry(text).or_default().push(cell);
    }
    for (text, cells) in groups {
        let _ = writeln!(out, "  {}: {text}", cells.join(", "));
    }
    out
}

/// `workload/strategy` of a cell id `workload/size/strategy/...`.
fn key(id: &str) -> String {
    let parts: Vec<&str> = id.split('/').collect();
    format!("{}/{}", parts.first().unwrap_or(&""), parts.get(2).unwrap_or(&""))
}
