//! The markdown summary for a pull-request comment: the verdict, the worst regressions and best improvements,
//! the scaling failures, which strategy wins where, and every cell folded away below.

use std::fmt::Write;

use super::findings::{findings, worker_counts};
use super::judged::JudgedRun;
use super::markdown;
use super::sentences;
use super::table::render_markdown;
use crate::verdict::compare::{CellComparison, Change};

/// How many regressions and improvements the summary lists.
const TOP: usize = 10;

pub fn render(run: &JudgedRun) -> String {
    let verdict = sentences::verdict(run);
    let m = &run.record.machine;
    let mut out = format!("## ablate: {}\n\n", markdown::text(&verdict));
    let _ = write!(
        out,
        "Machine {} ({}, {} logical cores); {} cells; {}",
        markdown::code(&m.fingerprint),
        markdown::text(&m.cpu_model),
        m.logical_cores,
        run.record.cells.len(),
        run.record.config.profile.repetitions_phrase()
    );
    match &run.baseline_label {
        Some(baseline) => {
            let _ = writeln!(out, "; compared with {}.\n", markdown::code(baseline));
        }
        None => out.push_str("; no baseline compared.\n\n"),
    }
    for warning in run.gate.reference_warnings() {
        let _ = writeln!(out, "> **Warning:** {}\n", markdown::text(&warning));
    }
    let mut regressed: Vec<&CellComparison> = run.gate.regressions().collect();
    regressed.sort_by(|a, b| b.ratio.total_cmp(&a.ratio));
    comparisons(&mut out, "Regressions", &regressed);
    let mut improved: Vec<&CellComparison> =
        run.gate.comparisons.iter().filter(|c| c.change == Change::Improved).collect();
    improved.sort_by(|a, b| a.ratio.total_cmp(&b.ratio));
    comparisons(&mut out, "Improvements", &improved);
    scaling_failures(&mut out, run);
    for id in &run.gate.failed_cells {
        let _ = writeln!(out, "- **failed**: {}", markdown::code(id));
    }
    if !run.gate.failed_cells.is_empty() {
        out.push('\n');
    }
    strategy_table(&mut out, run);
    out.push_str(&run.predicted.as_ref().map(super::predicted_for::markdown).unwrap_or_default());
    let _ = write!(
        out,
        "<details><summary>Every cell</summary>\n\n{}\n</details>\n",
        render_markdown(&run.record, &run.gate.suspect_references)
    );
    out
}

fn comparisons(out: &mut String, title: &str, cells: &[&CellComparison]) {
    if cells.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title} ({})\n", cells.len());
    out.push_str("| cell | ratio | interval | p (Holm) |\n|---|---|---|---|\n");
    for c in cells.iter().take(TOP) {
        let _ = writeln!(
            out,
            "| {} | {:.3} | [{:.3}, {:.3}] | {:.1e} |",
            markdown::code(&c.id),
            c.ratio,
            c.interval.low,
            c.interval.high,
            c.p_adjusted
        );
    }
    if cells.len() > TOP {
        let _ = writeln!(out, "\n…and {} more.", cells.len() - TOP);
    }
    out.push('\n');
}

fn scaling_failures(out: &mut String, run: &JudgedRun) {
    let failures: Vec<_> = run.gate.scaling_failures().collect();
    if failures.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Scaling below threshold ({})\n", failures.len());
    out.push_str("| cell | measure | floor |\n|---|---|---|\n");
    for s in failures {
        let _ = writeln!(out, "| {} | {} | {} |", markdown::code(&s.id), markdown::text(&s.measure_text()), s.floor);
    }
    out.push('\n');
}

fn strategy_table(out: &mut String, run: &JudgedRun) {
    let found = findings(run);
    let counts = worker_counts(&found);
    if found.is_empty() {
        return;
    }
    out.push_str("### Which strategy wins\n\n| workload |");
    for w in &counts {
        let _ = write!(out, " best at {w} |");
    }
    let _ = writeln!(out, " why |\n|---|{}---|", "---|".repeat(counts.len()));
    for f in &found {
        let _ = write!(out, "| {} |", markdown::text(&f.workload));
        for w in &counts {
            match f.best.iter().find(|b| b.0 == *w) {
                Some((_, label, speedup)) => {
                    let mark = if f.doubt.is_some() { "?" } else { "" };
                    let _ = write!(out, " {} ({speedup:.2}×{mark}) |", markdown::text(label));
                }
                None => out.push_str(" - |"),
            }
        }
        let why: Vec<String> = std::iter::once(f.scaling.clone()).chain(f.reasons.iter().cloned()).collect();
        let _ = writeln!(out, " {} |", markdown::text(&why.join("; ")));
    }
    out.push('\n');
}
