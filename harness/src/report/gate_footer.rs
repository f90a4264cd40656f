//! What ends a verdict output: the thresholds in force as a short table (one row per set of values, sources as
//! numbered notes), and the gate's last stdout line, `PASS (exit 0): …` or `FAIL (exit N): …` with the one-line
//! reason.

use std::fmt::Write;

use crate::exit;
use crate::store::thresholds::{Setting, Thresholds};
use crate::verdict::gate::GateReport;

/// How many `workload/strategy` keys a row names before it counts the rest.
const KEYS_NAMED: usize = 3;

const COLUMNS: [&str; 5] =
    ["workload/strategy", "regression ratio", "alpha", "min efficiency", "min bandwidth fraction"];

/// The table of the thresholds `in_force`, each `workload/strategy` key with its own, in key order. One row per
/// distinct set; the largest set is "all" (or "all others", last); where values come from more than one
/// source each value carries a note number, and the notes follow the table.
pub fn thresholds_table(in_force: &[(String, &Thresholds)]) -> String {
    let mut sets: Vec<(&Thresholds, Vec<&str>)> = Vec::new();
    for (key, thresholds) in in_force {
        match sets.iter_mut().find(|(t, _)| t == thresholds) {
            Some((_, keys)) => keys.push(key),
            None => sets.push((thresholds, vec![key])),
        }
    }
    sets.sort_by_key(|(_, keys)| std::cmp::Reverse(keys.len()));
    let mut sources: Vec<&str> = Vec::new();
    for (t, _) in &sets {
        for setting in settings(t) {
            if !sources.contains(&setting.source.as_str()) {
                sources.push(&setting.source);
            }
        }
    }
    let noted = sources.len() > 1;
    let mut rows: Vec<[String; 5]> = vec![COLUMNS.map(str::to_owned)];
    let many = sets.len() > 1;
    for (index, (t, keys)) in sets.iter().enumerate() {
        let label = match (index, many) {
            (0, false) => format!("all ({})", keys.len()),
            (0, true) => format!("all others ({})", keys.len()),
            _ => named(keys),
        };
        let [a, b, c, d] = settings(t).map(|s| value(s, noted.then(|| note(&sources, s))));
        rows.push([label, a, b, c, d]);
    }
    // The "all others" row reads last, after the exceptions.
    if many {
        let rest = rows.remove(1);
        rows.push(rest);
    }
    let mut out = String::from("thresholds in force:\n");
    let widths: Vec<usize> = (0..5).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (text, &width))| if c == 0 { format!("{text:<width$}") } else { format!("{text:>width$}") })
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
    match sources.as_slice() {
        [] => {}
        [only] => {
            let _ = writeln!(out, "  source: {only}");
        }
        _ => {
            for (number, source) in sources.iter().enumerate() {
                let _ = writeln!(out, "  [{}] {source}", number + 1);
            }
        }
    }
    out
}

fn settings(t: &Thresholds) -> [&Setting; 4] {
    [&t.regression_ratio, &t.alpha, &t.min_efficiency, &t.min_bandwidth_fraction]
}

fn note(sources: &[&str], setting: &Setting) -> usize {
    sources.iter().position(|s| *s == setting.source).map_or(0, |at| at + 1)
}

fn value(setting: &Setting, note: Option<usize>) -> String {
    match note {
        Some(note) => format!("{} [{note}]", setting.value),
        None => setting.value.to_string(),
    }
}

/// `spin/threads, spin/rayon, triad/threads and 2 more`.
fn named(keys: &[&str]) -> String {
    let shown = keys[..keys.len().min(KEYS_NAMED)].join(", ");
    match keys.len().saturating_sub(KEYS_NAMED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The gate's verdict in one line, for the last line of its stdout: `PASS (exit 0): …` or `FAIL (exit 3): …`.
pub fn verdict_line(report: &GateReport) -> String {
    let code = report.exit_code();
    let word = if code == exit::SUCCESS { "PASS" } else { "FAIL" };
    format!("{word} (exit {code}): {}", reason(report, code))
}

fn reason(report: &GateReport, code: u8) -> String {
    let (compared, judged) = (report.comparisons.len(), report.scaling.len());
    match code {
        exit::SUCCESS => {
            let mut parts = Vec::new();
            if compared > 0 {
                parts.push(format!("none of {compared} cells compared with the baseline regressed"));
            }
            if judged > 0 {
                parts.push(format!("none of {judged} parallel cells scales below its floor"));
            }
            let inconclusive = report.inconclusive();
            if inconclusive > 0 {
                parts.push(format!("{inconclusive} verdicts inconclusive (--require-power would fail them)"));
            }
            if parts.is_empty() { "nothing failed".to_owned() } else { parts.join("; ") }
        }
        exit::ERROR => {
            format!("{} cells failed outright: {}", report.failed_cells.len(), named_ids(&report.failed_cells))
        }
        exit::REGRESSION => {
            let regressed: Vec<_> = report.regressions().collect();
            let worst = regressed.iter().max_by(|a, b| a.ratio.total_cmp(&b.ratio)).expect("a regression");
            format!(
                "{} of {compared} cells regressed against the baseline, the worst {} at {:.3}× its time",
                regressed.len(),
                worst.id,
                worst.ratio
            )
        }
        exit::SCALING => {
            let below: Vec<_> = report.scaling_failures().collect();
            format!(
                "{} of {judged} parallel cells scale below their floor, e.g. {}: {} below {}",
                below.len(),
                below[0].id,
                below[0].measure_text().trim(),
                below[0].floor
            )
        }
        exit::INCONCLUSIVE => format!(
            "{} verdicts are inconclusive and --require-power fails them (see the verdicts above)",
            report.inconclusive()
        ),
        _ => "see the verdicts above".to_owned(),
    }
}

fn named_ids(ids: &[String]) -> String {
    named(&ids.iter().map(String::as_str).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests;
