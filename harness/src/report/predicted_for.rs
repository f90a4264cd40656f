//! `--predict-for N` in a run's text outputs: after the results table, and as a section of the markdown summary,
//! each workload × strategy's predicted speedup and efficiency at N with its interval, the prediction read against
//! the floor, and where the strategy stops paying. Labelled `predicted for <machine>` and never called a
//! measurement; where nothing could be predicted, why, and what to run instead.

use std::fmt::Write;

use super::markdown;
use super::predicted::{machine, stops_text};
use crate::predict::predicted_for::{PredictedFor, StrategyAt};

/// The lines printed after the results table.
pub fn text(predicted: &PredictedFor) -> String {
    let n = predicted.workers;
    let machine = machine(&predicted.profile);
    let mut out = format!("\n{} at {n} workers, {machine}: predictions, not measurements\n", predicted.label());
    let strategies = match &predicted.outcome {
        Ok(strategies) => strategies,
        Err(why) => {
            let _ = writeln!(out, "no prediction: {why}");
            return out;
        }
    };
    let header: Vec<String> = [
        "workload",
        "size",
        "strategy",
        &format!("speedup at {n}"),
        &format!("efficiency at {n}"),
        "where it stops paying",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    let rows: Vec<Vec<String>> = strategies.iter().map(|s| row(s, predicted.floor)).collect();
    out.push_str(&aligned(&header, &rows));
    let _ = writeln!(out, "against the floor at {n}:");
    for s in strategies {
        let _ = writeln!(out, "  {} {}: {}", s.predicted.workload, s.predicted.strategy, s.judged.describe(n));
    }
    out
}

/// The markdown summary's section.
pub fn markdown(predicted: &PredictedFor) -> String {
    let n = predicted.workers;
    let fingerprint = markdown::code(&predicted.profile.fingerprint);
    let mut out = format!("### Scaling predicted for {fingerprint} at {n} workers\n\n");
    let _ = writeln!(
        out,
        "Predictions, not measurements: the task costs this run recorded, replayed on the profile of {}.\n",
        markdown::text(&machine(&predicted.profile))
    );
    let strategies = match &predicted.outcome {
        Ok(strategies) => strategies,
        Err(why) => {
            let _ = writeln!(out, "No prediction: {}\n", markdown::text(why));
            return out;
        }
    };
    let _ = writeln!(
        out,
        "| workload | size | strategy | speedup at {n} | efficiency at {n} | against the floor | where it stops paying |"
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    for s in strategies {
        let cells = row(s, predicted.floor);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            markdown::text(&cells[0]),
            cells[1],
            markdown::code(&cells[2]),
            cells[3],
            cells[4],
            markdown::text(&s.judged.describe(n)),
            markdown::text(&cells[5])
        );
    }
    out.push('\n');
    out
}

/// workload, size, strategy, speedup at N, efficiency at N (each with its interval), where it stops paying.
fn row(s: &StrategyAt, floor: f64) -> Vec<String> {
    let p = &s.at_n;
    let w = p.workers as f64;
    vec![
        s.predicted.workload.clone(),
        s.predicted.size.to_string(),
        s.predicted.strategy.clone(),
        format!("{:.2} [{:.2}, {:.2}]", p.efficiency * w, p.low * w, p.high * w),
        format!("{:.2} [{:.2}, {:.2}]", p.efficiency, p.low, p.high),
        stops_text(&s.predicted.stops, floor),
    ]
}

/// Columns padded to their widest entry, the first three left-aligned, the last unpadded.
fn aligned(header: &[String], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().chain([&header.to_vec()]).map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for line in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (text, &width))| match c {
                0 | 2 => format!("{text:<width$}"),
                c if c == line.len() - 1 => text.clone(),
                _ => format!("{text:>width$}"),
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
