//! Change points of a series, described: the run where each begins, its commit, the ratio of the medians after
//! and before it with a bootstrap interval over runs, and its significance.

use std::ops::Range;

use ablate_workloads::Digest;
use ablate_workloads::rng::Rng;
use rayon::prelude::*;

use super::detect::{Detector, change_points};
use super::series::{Point, Series};
use crate::stats::inference::Interval;
use crate::stats::{median, quantile};

/// Bootstrap resamples per ratio interval.
const RESAMPLES: usize = 500;

/// Confidence of ratio intervals.
pub const CONFIDENCE: f64 = 0.99;

/// A change point of a series.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangePoint {
    /// The index of the first run after the change, among the series' points.
    pub at: usize,
    /// That run's commit, abbreviated (`+dirty` when dirty).
    pub commit: String,
    /// Median after over median before, in the metric's unit (above 1: larger).
    pub ratio: f64,
    pub interval: Interval,
    /// The permutation p-value of the split.
    pub p_value: f64,
}

impl ChangePoint {
    /// Where the change is and how large, as the text and the HTML history both say it: `at run 4 (commit
    /// a9af336): 1.234× [1.180, 1.290], p = 0.0010` (the interval at [`CONFIDENCE`]).
    pub fn describe(&self) -> String {
        format!(
            "at run {} (commit {}): {:.3}× [{:.3}, {:.3}], p = {:.4}",
            self.at + 1,
            self.commit,
            self.ratio,
            self.interval.low,
            self.interval.high,
            self.p_value
        )
    }
}

/// A series and its change points.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub series: Series,
    pub changes: Vec<ChangePoint>,
}

impl Analysis {
    /// The runs of each segment between change points, oldest first.
    pub fn segments(&self) -> Vec<Range<usize>> {
        let mut bounds = vec![0];
        bounds.extend(self.changes.iter().map(|c| c.at));
        bounds.push(self.series.points.len());
        bounds.windows(2).map(|w| w[0]..w[1]).collect()
    }

    /// The seed of this series' permutations and resamples: fixed by what the series is, so every reading of the
    /// same store gives the same answer.
    pub fn seed(series: &Series) -> u64 {
        Digest::of_parts([series.fingerprint.as_bytes(), series.cell.as_bytes(), series.metric.name().as_bytes()]).0
    }
}

/// The change points of `series`.
pub fn analyse(series: Series, detector: &Detector) -> Analysis {
    let seed = Analysis::seed(&series);
    let logs: Vec<Vec<f64>> = series.points.iter().map(|p| p.values.iter().map(|v| v.ln()).collect()).collect();
    let splits = change_points(&logs, detector, seed);
    let mut bounds = vec![0];
    bounds.extend(splits.iter().map(|s| s.at));
    bounds.push(series.points.len());
    let changes = splits
        .iter()
        .enumerate()
        .map(|(i, split)| {
            let (before, after) = (bounds[i]..bounds[i + 1], bounds[i + 1]..bounds[i + 2]);
            let (ratio, interval) = segment_ratio(&series.points, before, after, seed ^ split.at as u64);
            ChangePoint {
                at: split.at,
                commit: series.points[split.at].entry.short_commit(),
                ratio,
                interval,
                p_value: split.p_value,
            }
        })
        .collect();
    Analysis { series, changes }
}

/// Every series analysed, in parallel, in the order given.
pub fn analyse_all(series: Vec<Series>, detector: &Detector) -> Vec<Analysis> {
    series.into_par_iter().map(|one| analyse(one, detector)).collect()
}

/// The median of the samples of runs `after` over that of runs `before`, with a percentile-bootstrap interval
/// that resamples whole runs within each (a run is one unit of evidence, as in the detector).
pub fn segment_ratio(points: &[Point], before: Range<usize>, after: Range<usize>, seed: u64) -> (f64, Interval) {
    let pooled = |runs: &[Point]| -> Vec<f64> { runs.iter().flat_map(|p| p.values.iter().copied()).collect() };
    let (old, new) = (&points[before], &points[after]);
    let ratio = median(&pooled(new)).unwrap_or(f64::NAN) / median(&pooled(old)).unwrap_or(f64::NAN);
    let mut rng = Rng::new(seed);
    let mut draw = |runs: &[Point]| -> f64 {
        let resample: Vec<f64> =
            (0..runs.len()).flat_map(|_| runs[rng.below(runs.len() as u64) as usize].values.iter().copied()).collect();
        median(&resample).unwrap_or(f64::NAN)
    };
    let ratios: Vec<f64> = (0..RESAMPLES).map(|_| draw(new) / draw(old)).collect();
    let tail = (1.0 - CONFIDENCE) / 2.0;
    let interval = Interval {
        low: quantile(&ratios, tail).unwrap_or(f64::NAN),
        high: quantile(&ratios, 1.0 - tail).unwrap_or(f64::NAN),
    };
    (ratio, interval)
}
