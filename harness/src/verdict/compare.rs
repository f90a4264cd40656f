//! Regression verdicts: each candidate cell against the baseline cell of the same id.
//!
//! A cell regresses only when the ratio of medians (candidate / baseline) exceeds its threshold **and** the rank
//! test finds the difference significant; it improves under the mirror conditions. It is unchanged when the
//! interval of the ratio lies within the thresholds, and inconclusive otherwise: too noisy to say.
//!
//! A gate tests many cells at once, so significance is judged on Holm-adjusted p-values: the chance that any
//! unchanged cell of the whole comparison is called changed stays below alpha, not alpha per cell.

use ablate_workloads::Digest;
use serde::Serialize;

use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::stats::median;
use crate::verdict::inference::{Interval, mann_whitney, ratio_of_medians_interval};
use crate::verdict::thresholds::{ThresholdSet, Thresholds};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Regressed,
    Improved,
    Unchanged,
    Inconclusive,
}

/// The comparison of one cell.
#[derive(Clone, Debug, Serialize)]
pub struct CellComparison {
    pub id: String,
    pub baseline_median_ns: f64,
    pub candidate_median_ns: f64,
    /// Candidate median over baseline median: above 1 is slower.
    pub ratio: f64,
    pub interval: Interval,
    /// The rank test's p-value for this cell alone.
    pub p_value: f64,
    /// The p-value adjusted for all the cells of the comparison (Holm); the verdict uses this one.
    pub p_adjusted: f64,
    pub change: Change,
    #[serde(skip)]
    pub thresholds: Thresholds,
}

/// Cells that could not be compared, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Unmatched {
    pub id: String,
    pub reason: String,
}

/// Bootstrap resamples per interval.
const RESAMPLES: usize = 2000;

/// Compares every successful candidate cell with the baseline cell of the same id.
pub fn compare(
    candidate: &RunRecord,
    baseline: &RunRecord,
    thresholds: &ThresholdSet,
) -> (Vec<CellComparison>, Vec<Unmatched>) {
    let mut compared = Vec::new();
    let mut unmatched = Vec::new();
    for cell in candidate.cells.iter().filter(|c| c.status == CellStatus::Ok) {
        match baseline.cells.iter().find(|b| b.id == cell.id) {
            None => unmatched.push(Unmatched { id: cell.id.clone(), reason: "not in the baseline".into() }),
            Some(base) if base.status != CellStatus::Ok => {
                unmatched.push(Unmatched { id: cell.id.clone(), reason: "failed in the baseline".into() });
            }
            Some(base) => {
                let t = thresholds.for_cell(&cell.workload, cell.strategy.name());
                compared.extend(compare_cell(cell, base, t));
            }
        }
    }
    let adjusted = holm(&compared.iter().map(|c| c.p_value).collect::<Vec<_>>());
    for (cell, p_adjusted) in compared.iter_mut().zip(adjusted) {
        cell.p_adjusted = p_adjusted;
        let (threshold, alpha) = (cell.thresholds.regression_ratio.value, cell.thresholds.alpha.value);
        cell.change = classify(cell.ratio, cell.interval, p_adjusted, threshold, alpha);
    }
    (compared, unmatched)
}

/// Holm's step-down adjustment: the i-th smallest of m p-values is multiplied by m − i + 1, then made monotone.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &index) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p_values[index]).min(1.0));
        adjusted[index] = running;
    }
    adjusted
}

/// The comparison of two samples of one cell under `thresholds`.
pub fn compare_cell(candidate: &CellRecord, baseline: &CellRecord, thresholds: Thresholds) -> Option<CellComparison> {
    let (new, old) = (candidate.walls(), baseline.walls());
    let (new_median, old_median) = (median(&new)?, median(&old)?);
    let alpha = thresholds.alpha.value;
    let seed = Digest::of_parts([candidate.id.as_bytes()]).0;
    let interval = ratio_of_medians_interval(&new, &old, 1.0 - alpha, RESAMPLES, seed)?;
    let p_value = mann_whitney(&new, &old)?.p_value;
    let ratio = new_median / old_median;
    let change = classify(ratio, interval, p_value, thresholds.regression_ratio.value, alpha);
    Some(CellComparison {
        id: candidate.id.clone(),
        baseline_median_ns: old_median,
        candidate_median_ns: new_median,
        ratio,
        interval,
        p_value,
        p_adjusted: p_value,
        change,
        thresholds,
    })
}

/// The verdict rule, on plain numbers.
pub fn classify(ratio: f64, interval: Interval, p_value: f64, threshold: f64, alpha: f64) -> Change {
    let significant = p_value < alpha;
    if significant && ratio > threshold {
        Change::Regressed
    } else if significant && ratio < 1.0 / threshold {
        Change::Improved
    } else if interval.high <= threshold && interval.low >= 1.0 / threshold {
        Change::Unchanged
    } else {
        Change::Inconclusive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(low: f64, high: f64) -> Interval {
        Interval { low, high }
    }

    #[test]
    fn verdicts_need_both_size_and_significance() {
        assert_eq!(classify(1.30, interval(1.2, 1.4), 0.001, 1.1, 0.01), Change::Regressed);
        assert_eq!(classify(0.70, interval(0.6, 0.8), 0.001, 1.1, 0.01), Change::Improved);
        assert_eq!(classify(1.02, interval(0.98, 1.05), 0.2, 1.1, 0.01), Change::Unchanged);
        assert_eq!(
            classify(1.30, interval(0.9, 1.7), 0.2, 1.1, 0.01),
            Change::Inconclusive,
            "large but not significant"
        );
        assert_eq!(classify(1.05, interval(1.04, 1.06), 0.0001, 1.1, 0.01), Change::Unchanged, "significant but small");
    }

    #[test]
    fn holm_adjusts_step_down_and_stays_monotone() {
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        // Sorted: 0.005×4 = 0.02, 0.01×3 = 0.03, 0.03×2 = 0.06, 0.04×1 = 0.04 → 0.06 (monotone).
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (got, want) in adjusted.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{adjusted:?}");
        }
        assert_eq!(holm(&[0.9, 0.8]), vec![1.0, 1.0], "capped at 1");
        assert!(holm(&[]).is_empty());
    }

    #[test]
    fn ratios_just_under_and_over_the_threshold() {
        assert_eq!(classify(1.099, interval(1.09, 1.0999), 1e-6, 1.1, 0.01), Change::Unchanged);
        assert_eq!(classify(1.101, interval(1.10, 1.11), 1e-6, 1.1, 0.01), Change::Regressed);
    }
}
