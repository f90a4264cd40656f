//! The verdict table: every compared cell with its ratio, interval, p-value and verdict; every judged cell's
//! scaling; and every threshold in force with where it came from.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::gate_footer::thresholds_table;
use crate::store::thresholds::Thresholds;
use crate::verdict::gate::GateReport;

/// The verdicts, with the suspect-reference warnings at the top (`compare`, which prints no table before them).
pub fn render(report: &GateReport) -> String {
    render_with(report, true)
}

/// The verdicts after the results table (or a format that is no table), which said the suspect-reference warnings
/// already: each warning is printed once.
pub fn render_after_table(report: &GateReport) -> String {
    render_with(report, false)
}

fn render_with(report: &GateReport, warnings: bool) -> String {
    let mut out = String::new();
    let mut in_force: BTreeMap<String, &Thresholds> = BTreeMap::new();
    if let Some(note) = &report.baseline_note {
        let _ = writeln!(out, "no regression check: {note}");
    }
    for warning in report.reference_warnings().into_iter().filter(|_| warnings) {
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
    out.push('\n');
    out.push_str(&thresholds_table(&in_force.into_iter().collect::<Vec<_>>()));
    out
}

/// `workload/strategy` of a cell id `workload/size/strategy/...`.
fn key(id: &str) -> String {
    let parts: Vec<&str> = id.split('/').collect();
    format!("{}/{}", parts.first().unwrap_or(&""), parts.get(2).unwrap_or(&""))
}
