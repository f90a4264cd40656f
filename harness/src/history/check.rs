//! `ablate history check`: the gate over history. A cell fails when its newest runs begin a change point and
//! the newest segment is slower than its reference segment by more than the cell's regression threshold (the
//! same thresholds file as `gate`).
//!
//! The reference is where the current run of slowdowns began: walking back from the newest change point over
//! every change point that made the cell slower, to the segment before the first of them. Three 1.05× steps,
//! none of which a pairwise gate would call, are one 1.16× creep here. An improvement ends the walk, and a change
//! point older than the newest `recent` runs has been reported when it was new: it is history, not a failure.

use std::fmt::Write;

use super::analysis::{Analysis, segment_ratio};
use super::series::Metric;
use crate::stats::inference::Interval;
use crate::store::thresholds::{Setting, ThresholdSet};

/// How many of the newest runs a change point must lie among to fail the check, unless told otherwise.
pub const DEFAULT_RECENT: usize = 20;

/// What the check says of one cell's time series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The newest segment is slower than the reference beyond the threshold.
    Regressed,
    /// Slower than the reference, but within the threshold.
    Within,
    /// The newest change point made the cell faster.
    Improved,
    /// The newest change point is older than the newest `recent` runs.
    Settled,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Regressed => "REGRESSED",
            Verdict::Within => "slower, within threshold",
            Verdict::Improved => "improved",
            Verdict::Settled => "settled (older change)",
        }
    }
}

/// One cell whose time series has a change point.
#[derive(Clone, Debug)]
pub struct Finding {
    pub fingerprint: String,
    pub cell: String,
    pub verdict: Verdict,
    /// The newest segment's median over the reference segment's.
    pub ratio: f64,
    pub interval: Interval,
    /// The change points from the reference to now: one for a single step, more for creep.
    pub steps: usize,
    /// The commit of the first run after the reference (where the slowdown began).
    pub since: String,
    /// The commit of the newest change point.
    pub newest: String,
    /// Runs since the newest change point.
    pub runs_since: usize,
    pub threshold: Setting,
}

/// The findings of every time series with a change point, by machine, worst first.
pub fn check(analyses: &[Analysis], thresholds: &ThresholdSet, recent: usize) -> Vec<Finding> {
    let mut findings: Vec<Finding> = analyses
        .iter()
        .filter(|a| a.series.metric == Metric::Time)
        .filter_map(|a| judge(a, thresholds, recent))
        .collect();
    let rank = |f: &Finding| (f.verdict != Verdict::Regressed, f.verdict != Verdict::Within);
    findings
        .sort_by(|a, b| (&a.fingerprint, rank(a)).cmp(&(&b.fingerprint, rank(b))).then(b.ratio.total_cmp(&a.ratio)));
    findings
}

fn judge(analysis: &Analysis, thresholds: &ThresholdSet, recent: usize) -> Option<Finding> {
    let newest = analysis.changes.last()?;
    let series = &analysis.series;
    let threshold = thresholds.for_cell(&series.workload, &series.strategy).regression_ratio;
    let first = analysis.changes.iter().rposition(|c| c.ratio <= 1.0).map_or(0, |i| i + 1);
    let segments = analysis.segments();
    let runs_since = series.points.len() - newest.at;
    let (ratio, interval, since, steps) = if first == analysis.changes.len() {
        (newest.ratio, newest.interval, newest.commit.clone(), 1)
    } else {
        let (reference, now) = (segments[first].clone(), segments[segments.len() - 1].clone());
        let (ratio, interval) = segment_ratio(&series.points, reference, now, Analysis::seed(series));
        (ratio, interval, analysis.changes[first].commit.clone(), analysis.changes.len() - first)
    };
    let verdict = if runs_since > recent {
        Verdict::Settled
    } else if newest.ratio <= 1.0 {
        Verdict::Improved
    } else if ratio > threshold.value {
        Verdict::Regressed
    } else {
        Verdict::Within
    };
    Some(Finding {
        fingerprint: series.fingerprint.clone(),
        cell: series.cell.clone(),
        verdict,
        ratio,
        interval,
        steps,
        since,
        newest: newest.commit.clone(),
        runs_since,
        threshold,
    })
}

/// The findings as an aligned table, and a line saying what was checked.
pub fn render(findings: &[Finding], series_checked: usize, recent: usize) -> String {
    let mut out = String::new();
    let changed = findings.len();
    let _ = writeln!(
        out,
        "{series_checked} time series checked; {changed} with a change point (a change point counts while it lies \
         among the newest {recent} runs)"
    );
    if findings.is_empty() {
        return out;
    }
    let rows: Vec<[String; 7]> = findings
        .iter()
        .map(|f| {
            [
                f.cell.clone(),
                f.verdict.name().to_owned(),
                format!("{:.3}× [{:.3}, {:.3}]", f.ratio, f.interval.low, f.interval.high),
                f.steps.to_string(),
                format!("{}..{}", f.since, f.newest),
                f.runs_since.to_string(),
                f.threshold.to_string(),
            ]
        })
        .collect();
    let header = ["cell", "verdict", "now / before (99% CI)", "steps", "commits", "runs since", "threshold"];
    let widths: Vec<usize> =
        (0..7).map(|i| rows.iter().map(|r| r[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0)).collect();
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_owned() + "\n"
    };
    let mut fingerprint = "";
    for (finding, row) in findings.iter().zip(&rows) {
        if finding.fingerprint != fingerprint {
            fingerprint = &finding.fingerprint;
            let _ = writeln!(out, "\nmachine {fingerprint}");
            out.push_str(&line(&header.map(str::to_owned)));
        }
        out.push_str(&line(row));
    }
    out
}
