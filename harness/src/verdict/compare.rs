//! Regression verdicts: each candidate cell against the baseline cell of the same id.
//!
//! A cell regresses only when the ratio of medians (candidate / baseline) exceeds its threshold **and** the rank
//! test finds the difference significant; it improves under the mirror conditions. Otherwise, a cell whose noise
//! would have hidden a slowdown of the threshold's size is `inconclusive (too noisy: could see ≥ R×)` — never
//! `unchanged` — where R, its minimum detectable ratio, is the smallest slowdown that, added to the cell's own
//! measured spread, the test would have called significant at the level the cell was judged at. It is unchanged
//! when the interval of the ratio lies within the thresholds, and inconclusive otherwise (near the threshold).
//!
//! A gate tests many cells at once, so significance is judged on Holm-adjusted p-values: the chance that any
//! unchanged cell of the whole comparison is called changed stays below alpha, not alpha per cell. The minimum
//! detectable ratio is taken at Holm's strictest step, alpha over the number of cells: what one cell must reach
//! when it alone changed. This is the stored-baseline comparison, of independent samples (Mann–Whitney); A/B runs
//! pair their samples instead (see [`super::paired`]).

use ablate_workloads::Digest;
use serde::Serialize;

use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::stats::inference::{
    Interval, RESAMPLES, mann_whitney, ratio_of_medians_interval, smallest_detectable_shift,
};
use crate::stats::median;
use crate::store::thresholds::{ThresholdSet, Thresholds};

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
    /// The rank test's one-sided p-value for this cell alone, in the direction of its ratio: that the candidate is
    /// slower when the ratio is above 1, faster when below. A false regression and a false improvement are each
    /// bounded by alpha.
    pub p_value: f64,
    /// The p-value adjusted for all the cells of the comparison (Holm; in A/B mode alpha times the look's p-value
    /// over the level of the boundary the cell was judged at, see [`crate::verdict::family`]); significant when
    /// at most alpha. The verdict uses this one.
    pub p_adjusted: f64,
    /// The smallest candidate/baseline ratio this comparison could have called a regression, given the cell's
    /// measured noise; infinite when its samples are too few to reach significance at all.
    pub min_detectable_ratio: f64,
    /// Paired A/B rounds the verdict rests on; `None` for a comparison of independent samples.
    pub pairs: Option<usize>,
    /// Paired rounds set aside, visibly preempted in every try (see [`crate::stats::preempted`]); not among
    /// `pairs`.
    pub set_aside: usize,
    pub change: Change,
    /// Why an inconclusive cell is inconclusive.
    pub reason: Option<String>,
    #[serde(skip)]
    pub thresholds: Thresholds,
}

/// Cells that could not be compared, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Unmatched {
    pub id: String,
    pub reason: String,
}

/// Compares every successful candidate cell with the baseline cell of the same id. An id is compared once: a
/// file that repeats one (which ablate never writes) has its first cell of each id compared on both sides, and the
/// candidate's repeats are listed as unmatched, so that no cell counts twice in the family.
pub fn compare(
    candidate: &RunRecord,
    baseline: &RunRecord,
    thresholds: &ThresholdSet,
) -> (Vec<CellComparison>, Vec<Unmatched>) {
    let mut matched = Vec::new();
    let mut unmatched = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for cell in candidate.cells.iter().filter(|c| c.status == CellStatus::Ok) {
        if !seen.insert(cell.id.as_str()) {
            unmatched.push(Unmatched { id: cell.id.clone(), reason: "a duplicate id in the candidate".into() });
            continue;
        }
        match baseline.cells.iter().find(|b| b.id == cell.id) {
            None => unmatched.push(Unmatched { id: cell.id.clone(), reason: "not in the baseline".into() }),
            Some(base) if base.status != CellStatus::Ok => {
                unmatched.push(Unmatched { id: cell.id.clone(), reason: "failed in the baseline".into() });
            }
            Some(base) if !cell.samples.is_empty() && !base.samples.is_empty() => matched.push((cell, base)),
            Some(_) => {}
        }
    }
    let family = matched.len();
    let mut compared: Vec<CellComparison> = matched
        .into_iter()
        .filter_map(|(cell, base)| {
            compare_cell(cell, base, thresholds.for_cell(&cell.workload, cell.strategy.name()), family)
        })
        .collect();
    let adjusted = holm(&compared.iter().map(|c| c.p_value).collect::<Vec<_>>());
    for (cell, p_adjusted) in compared.iter_mut().zip(adjusted) {
        cell.p_adjusted = p_adjusted;
        cell.judge();
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

/// The comparison of two samples of one cell under `thresholds`, one of a `family` of cells compared at once (its
/// minimum detectable ratio is taken at alpha over the family: Holm's strictest step).
pub fn compare_cell(
    candidate: &CellRecord,
    baseline: &CellRecord,
    thresholds: Thresholds,
    family: usize,
) -> Option<CellComparison> {
    let (new, old) = (candidate.walls(), baseline.walls());
    let (new_median, old_median) = (median(&new)?, median(&old)?);
    let alpha = thresholds.alpha.value;
    let seed = Digest::of_parts([candidate.id.as_bytes()]).0;
    let interval = ratio_of_medians_interval(&new, &old, 1.0 - alpha, RESAMPLES, seed)?;
    let p_value = mann_whitney(&new, &old)?.sides.toward(new_median >= old_median);
    let mut comparison = CellComparison {
        id: candidate.id.clone(),
        baseline_median_ns: old_median,
        candidate_median_ns: new_median,
        ratio: new_median / old_median,
        interval,
        p_value,
        p_adjusted: p_value,
        min_detectable_ratio: unpaired_min_detectable_ratio(&new, &old, alpha / family.max(1) as f64),
        pairs: None,
        set_aside: 0,
        change: Change::Inconclusive,
        reason: None,
        thresholds,
    };
    comparison.judge();
    Some(comparison)
}

impl CellComparison {
    /// Sets the change and its reason from the figures, under the cell's thresholds.
    pub fn judge(&mut self) {
        let (threshold, alpha) = (self.thresholds.regression_ratio.value, self.thresholds.alpha.value);
        (self.change, self.reason) =
            classify(self.ratio, self.interval, self.p_adjusted, threshold, alpha, self.min_detectable_ratio);
        if let (Some(reason), Some(kept)) = (&mut self.reason, self.pairs)
            && self.set_aside > 0
        {
            let all = kept + self.set_aside;
            reason.push_str(&format!("; {} of {all} rounds set aside, preempted in every try", self.set_aside));
        }
    }

    /// The verdict in words: `REGRESSED`, `improved`, `unchanged`, `inconclusive (too noisy: …)`.
    pub fn verdict_text(&self) -> String {
        match (self.change, &self.reason) {
            (Change::Regressed, _) => "REGRESSED".to_owned(),
            (Change::Improved, _) => "improved".to_owned(),
            (Change::Unchanged, _) => "unchanged".to_owned(),
            (Change::Inconclusive, Some(reason)) => format!("inconclusive ({reason})"),
            (Change::Inconclusive, None) => "inconclusive".to_owned(),
        }
    }

    /// Whether the cell could have seen a slowdown of its threshold's size.
    pub fn could_see_threshold(&self) -> bool {
        self.min_detectable_ratio <= self.thresholds.regression_ratio.value
    }
}

/// The smallest ratio the Mann–Whitney test at `alpha` would have called significant had the candidate's samples
/// been slower by it, keeping both samples' measured spread (in log time, centred on the baseline's median).
fn unpaired_min_detectable_ratio(candidate: &[f64], baseline: &[f64], alpha: f64) -> f64 {
    let (new, old): (Vec<f64>, Vec<f64>) =
        (candidate.iter().map(|v| v.max(1.0).ln()).collect(), baseline.iter().map(|v| v.max(1.0).ln()).collect());
    let (Some(new_median), Some(old_median)) = (median(&new), median(&old)) else { return f64::INFINITY };
    let centred: Vec<f64> = new.iter().map(|v| v - new_median + old_median).collect();
    let all = centred.iter().chain(&old);
    let spread = all.clone().fold(f64::NEG_INFINITY, |a, &b| a.max(b)) - all.fold(f64::INFINITY, |a, &b| a.min(b));
    let p_at = |shift: f64| {
        let shifted: Vec<f64> = centred.iter().map(|v| v + shift).collect();
        mann_whitney(&shifted, &old).map_or(1.0, |t| t.sides.greater)
    };
    smallest_detectable_shift(p_at, alpha, 2.0 * spread + 1e-6).exp()
}

/// The verdict rule, on plain numbers: the change, and for an inconclusive cell why.
pub fn classify(
    ratio: f64,
    interval: Interval,
    p_value: f64,
    threshold: f64,
    alpha: f64,
    min_detectable_ratio: f64,
) -> (Change, Option<String>) {
    let significant = p_value <= alpha;
    if significant && ratio > threshold {
        (Change::Regressed, None)
    } else if significant && ratio < 1.0 / threshold {
        (Change::Improved, None)
    } else if min_detectable_ratio > threshold {
        let could = if min_detectable_ratio.is_finite() {
            format!("could see ≥ {min_detectable_ratio:.2}×")
        } else {
            "too few samples to see any slowdown".to_owned()
        };
        (Change::Inconclusive, Some(format!("too noisy: {could}")))
    } else if interval.high <= threshold && interval.low >= 1.0 / threshold {
        (Change::Unchanged, None)
    } else {
        let near = format!("near the threshold: interval [{:.3}, {:.3}]", interval.low, interval.high);
        (Change::Inconclusive, Some(near))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(low: f64, high: f64) -> Interval {
        Interval { low, high }
    }

    fn change(ratio: f64, interval: Interval, p: f64, mdr: f64) -> Change {
        classify(ratio, interval, p, 1.1, 0.01, mdr).0
    }

    #[test]
    fn verdicts_need_both_size_and_significance() {
        assert_eq!(change(1.30, interval(1.2, 1.4), 0.001, 1.05), Change::Regressed);
        assert_eq!(change(0.70, interval(0.6, 0.8), 0.001, 1.05), Change::Improved);
        assert_eq!(change(1.02, interval(0.98, 1.05), 0.2, 1.05), Change::Unchanged);
        assert_eq!(change(1.30, interval(0.9, 1.7), 0.2, 1.05), Change::Inconclusive, "large but not significant");
        assert_eq!(change(1.05, interval(1.04, 1.06), 0.0001, 1.02), Change::Unchanged, "significant but small");
    }

    #[test]
    fn a_cell_that_could_not_see_the_threshold_is_inconclusive_never_unchanged() {
        let (verdict, reason) = classify(1.0, interval(0.95, 1.05), 0.5, 1.1, 0.01, 1.27);
        assert_eq!(verdict, Change::Inconclusive);
        assert_eq!(reason.as_deref(), Some("too noisy: could see ≥ 1.27×"));
        let (_, reason) = classify(1.0, interval(0.95, 1.05), 0.5, 1.1, 0.01, f64::INFINITY);
        assert_eq!(reason.as_deref(), Some("too noisy: too few samples to see any slowdown"));
    }

    #[test]
    fn the_minimum_detectable_ratio_grows_with_the_noise_and_is_infinite_for_three_samples() {
        let quiet: Vec<f64> = (0..10).map(|i| 100.0 + f64::from(i % 5) * 0.5).collect();
        let noisy: Vec<f64> = (0..10).map(|i| 100.0 + f64::from(i % 5) * 10.0).collect();
        let quiet_mdr = unpaired_min_detectable_ratio(&quiet, &quiet, 0.01);
        let noisy_mdr = unpaired_min_detectable_ratio(&noisy, &noisy, 0.01);
        assert!(quiet_mdr > 1.0 && quiet_mdr < 1.03, "{quiet_mdr}");
        assert!(noisy_mdr > 1.1, "40 % spread cannot see the default 1.10 threshold: {noisy_mdr}");
        assert_eq!(unpaired_min_detectable_ratio(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], 0.01), f64::INFINITY);
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
    fn item_27_10_duplicate_cell_ids_are_compared_once() {
        use crate::config::Overrides;
        use crate::config::RunConfig;
        use crate::measure::machine::Machine;
        use crate::record::RssScope;
        use crate::strategy::StrategyKind::Serial;
        use crate::verdict::fixtures::{cell, walls};

        let run = |centers: &[f64]| {
            let cells = centers
                .iter()
                .map(|&c| cell("w", ablate_workloads::Kind::Cpu, Serial, 1, &walls(c, 0.02, 12)))
                .collect();
            RunRecord::new(RunConfig::for_tests(), Machine::for_tests(), RssScope::PerRepetition, cells, false)
        };
        let thresholds = ThresholdSet::load(None, Overrides::default()).unwrap();
        let (compared, unmatched) = compare(&run(&[100e6, 300e6]), &run(&[100e6, 100e6]), &thresholds);
        assert_eq!(compared.len(), 1, "one comparison per id: {compared:?}");
        assert_eq!(compared[0].change, Change::Unchanged, "the first of the candidate's duplicates is compared");
        assert_eq!(unmatched.len(), 1, "{unmatched:?}");
        assert!(unmatched[0].reason.contains("duplicate"), "{unmatched:?}");
    }

    #[test]
    fn ratios_just_under_and_over_the_threshold() {
        assert_eq!(change(1.099, interval(1.09, 1.0999), 1e-6, 1.01), Change::Unchanged);
        assert_eq!(change(1.101, interval(1.10, 1.11), 1e-6, 1.01), Change::Regressed);
    }
}
