//! A bisection as text: each step's evidence as it is found (commit, verdict, and per followed cell the paired
//! ratio against GOOD, its interval and verdict), then the conclusion with the commits that were skipped.

use std::fmt::Write;

use super::search::Outcome;
use super::step::Step;
use super::{Bisection, Conclusion};

/// One step: a line for the commit and what it was found to be, a line per cell, and why it was skipped.
pub fn step(step: &Step) -> String {
    let outcome = match step.outcome {
        Outcome::Good if step.label == "BAD" => "not slower than GOOD",
        Outcome::Good => "good",
        Outcome::Bad if step.label == "BAD" => "slower than GOOD",
        Outcome::Bad => "bad",
        Outcome::Skip => "skip",
    };
    let mut text = format!("{:<8} {}  {outcome:<5}  {}\n", step.label, step.commit.short(), step.commit.subject);
    let width = step.cells.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for cell in &step.cells {
        let pairs = cell.pairs.map(|n| format!("  ({n} pairs)")).unwrap_or_default();
        let _ = writeln!(
            text,
            "           {:<width$}  {:.3}×  [{:.3}, {:.3}]  {}{pairs}",
            cell.id,
            cell.ratio,
            cell.interval.low,
            cell.interval.high,
            cell.verdict_text()
        );
    }
    if let Some(note) = &step.note {
        let _ = writeln!(text, "           {note}");
    }
    text
}

/// The conclusion: the first bad commit (or the range that holds it) and the commits skipped on the way.
pub fn conclusion(bisection: &Bisection) -> String {
    let mut text = match &bisection.conclusion {
        Conclusion::FirstBad(commit) => format!("first bad commit: {} {}\n", commit.id, commit.subject),
        Conclusion::OneOf { commits, why } => {
            let mut text = format!("the first bad commit is one of these ({why}):\n");
            for commit in commits {
                let _ = writeln!(text, "  {} {}", commit.id, commit.subject);
            }
            text
        }
        Conclusion::NoRegression { undecided: 0 } => format!(
            "nothing to bisect: BAD {} regressed in no cell against GOOD {}\n",
            bisection.bad.short(),
            bisection.good.short()
        ),
        Conclusion::NoRegression { undecided } => format!(
            "nothing to bisect: BAD {} regressed in no cell against GOOD {}, though {undecided} cells were \
             inconclusive (a longer --step-time may decide them)\n",
            bisection.bad.short(),
            bisection.good.short()
        ),
        Conclusion::Interrupted => "interrupted: no conclusion\n".to_owned(),
    };
    for skipped in bisection.steps.iter().filter(|s| s.outcome == Outcome::Skip) {
        let why = skipped.note.as_deref().unwrap_or("interrupted");
        let _ = writeln!(text, "skipped: {} {} ({why})", skipped.commit.short(), skipped.commit.subject);
    }
    text
}
