//! `auto` against what it chose among: for each workload, the `auto` cell's median time beside the best fixed
//! configuration's and the naive default's (processes, one task per dispatch, the input copied), with geometric
//! means — the ablation that shows whether `auto` chose well — the reasons each choice was made, and the race of
//! finalists that made it (each entrant's median, runs and fate). The ratio to
//! the best carries a 95 % bootstrap interval: the best of several configurations is also the luckiest, and the
//! interval says how far noise reaches.

use std::fmt::Write;

use ablate_workloads::Digest;

use super::judged::strategy_label;
use crate::decision::Race;
use crate::plan::is_naive;
use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::units::duration_ns;
use crate::verdict::inference::{Interval, RESAMPLES, ratio_of_medians_interval};

/// One workload's comparison.
pub struct AutoRow {
    pub workload: String,
    pub auto: (String, f64),
    pub best: (String, f64),
    /// 95 % interval of auto ÷ best, from their samples.
    pub interval: Option<Interval>,
    pub naive: Option<f64>,
    /// Why `auto` chose what it did, from its pilot.
    pub reasons: Vec<String>,
    /// The finalists' race, each entrant in a phrase (empty where there was none); why the winner won is among
    /// the reasons.
    pub race: Vec<String>,
}

const CONFIDENCE: f64 = 0.95;

impl AutoRow {
    /// `auto`'s time over the best fixed configuration's: 1 means it found the best.
    pub fn against_best(&self) -> f64 {
        self.auto.1 / self.best.1
    }

    /// How many times faster `auto` ran than the naive default.
    pub fn over_naive(&self) -> Option<f64> {
        self.naive.map(|naive| naive / self.auto.1)
    }
}

/// A row per workload and size that has a measured `auto` cell.
pub fn rows(record: &RunRecord) -> Vec<AutoRow> {
    let most_workers = record.cells.iter().map(|c| c.workers).max().unwrap_or(1);
    let median = |c: &CellRecord| c.summary.as_ref().map(|s| s.median_wall_ns);
    let label = |c: &CellRecord| format!("{} ×{} chunk {}", strategy_label(c), c.workers, c.effective_chunk);
    let measured = |c: &&CellRecord| c.status == CellStatus::Ok && c.summary.is_some();
    let mut rows = Vec::new();
    for auto in record.cells.iter().filter(measured).filter(|c| c.decision.is_some()) {
        let group: Vec<&CellRecord> = record
            .cells
            .iter()
            .filter(measured)
            .filter(|c| c.workload == auto.workload && c.size == auto.size)
            .collect();
        let is_naive = |c: &CellRecord| is_naive(c.strategy, c.chunk, c.transport) && c.workers == most_workers;
        let fixed = group.iter().filter(|c| c.decision.is_none() && !(record.config.naive && is_naive(c)));
        let Some(best) = fixed.min_by(|a, b| median(a).unwrap_or(f64::MAX).total_cmp(&median(b).unwrap_or(f64::MAX)))
        else {
            continue;
        };
        let naive = group.iter().find(|c| record.config.naive && is_naive(c)).and_then(|c| median(c));
        let seed = Digest::of_parts([auto.id.as_bytes()]).0;
        rows.push(AutoRow {
            workload: format!("{} ({})", auto.workload, auto.size),
            auto: (label(auto), median(auto).unwrap_or(f64::NAN)),
            best: (label(best), median(best).unwrap_or(f64::NAN)),
            interval: ratio_of_medians_interval(&auto.walls(), &best.walls(), CONFIDENCE, RESAMPLES, seed),
            naive,
            reasons: auto.decision.as_ref().map(|d| d.reasons.clone()).unwrap_or_default(),
            race: auto.decision.as_ref().and_then(|d| d.race.as_ref()).map_or_else(Vec::new, Race::standings),
        });
    }
    rows
}

/// The geometric mean of `values`.
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

/// The comparison as an aligned text table, or `None` when the run had no `auto` cell.
pub fn render(record: &RunRecord) -> Option<String> {
    let rows = rows(record);
    if rows.is_empty() {
        return None;
    }
    let mut out = String::from(
        "\nauto against the fixed strategies (median wall time; naive = process/copy, one task per dispatch, most workers):\n",
    );
    let _ = writeln!(
        out,
        "{:<24} {:<40} {:<40} {:>11} {:>14} {:>10} {:>12}",
        "workload", "auto chose", "best fixed", "auto÷best", "95% interval", "naive", "naive÷auto"
    );
    for row in &rows {
        let _ = writeln!(
            out,
            "{:<24} {:<40} {:<40} {:>11.2} {:>14} {:>10} {:>12}",
            row.workload,
            format!("{} {}", row.auto.0, duration_ns(row.auto.1)),
            format!("{} {}", row.best.0, duration_ns(row.best.1)),
            row.against_best(),
            row.interval.map_or_else(|| "-".to_owned(), |i| format!("[{:.2}, {:.2}]", i.low, i.high)),
            row.naive.map_or_else(|| "-".to_owned(), duration_ns),
            row.over_naive().map_or_else(|| "-".to_owned(), |r| format!("{r:.2}")),
        );
    }
    let against_best: Vec<f64> = rows.iter().map(AutoRow::against_best).collect();
    let over_naive: Vec<f64> = rows.iter().filter_map(AutoRow::over_naive).collect();
    let _ = writeln!(
        out,
        "{:<24} {:<40} {:<40} {:>11.2} {:>14} {:>10} {:>12}",
        "geometric mean",
        "",
        "",
        geometric_mean(&against_best).unwrap_or(f64::NAN),
        "",
        "",
        geometric_mean(&over_naive).map_or_else(|| "-".to_owned(), |r| format!("{r:.2}")),
    );
    out.push_str("\nwhy auto chose as it did:\n");
    for row in &rows {
        let _ = writeln!(out, "{}: {}", row.workload, row.reasons.join("; "));
        if !row.race.is_empty() {
            let _ = writeln!(out, "  race: {}", row.race.join("; "));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::geometric_mean;

    #[test]
    fn geometric_mean_of_ratios() {
        assert!((geometric_mean(&[2.0, 8.0]).unwrap() - 4.0).abs() < 1e-12);
        assert!((geometric_mean(&[1.0]).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(geometric_mean(&[]), None);
    }
}
