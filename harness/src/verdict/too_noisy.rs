//! The rule that drops a cell from an A/B gate's schedule once it cannot be decided within the time left: its
//! measured spread could not see its threshold even at the plan's last look, and it does not lean far enough to be
//! called changed there. Dropping only ever removes chances to call a change, so the family's error control (see
//! [`super::family`]) is untouched; the rounds left go to cells that can still be decided.

use crate::stats::detectable::projected_min_detectable_ratio;
use crate::stats::pseudo_median::pseudo_median;
use crate::store::thresholds::Thresholds;
use crate::verdict::family::FamilyPlan;

/// The fewest kept pairs before a cell's spread is trusted to drop it as too noisy.
pub const DROP_AFTER_PAIRS: usize = 8;

/// Whether a cell of these kept log ratios, one of `workload_cells` of its workload, should be dropped: its spread
/// could not see its threshold by the plan's last look even at the level of a cell whose workload is opened
/// (`alpha / M`), nor does it lean far enough to be called changed there (its centre within what it could see).
/// When no cell could be decided at all by then but its workload as a whole could (`2⁻ⁿ ≤ alpha·m / (2M)`), the
/// cell stays: its pairs are the workload's evidence.
pub fn too_noisy_to_finish(
    log_ratios: &[f64],
    plan: &FamilyPlan,
    thresholds: &Thresholds,
    workload_cells: usize,
) -> bool {
    let (alpha, family) = (thresholds.alpha.value, plan.family.max(1) as f64);
    let end = plan.looks.last().copied().unwrap_or(0) as usize;
    if log_ratios.len() < DROP_AFTER_PAIRS {
        return false;
    }
    let could_see = projected_min_detectable_ratio(log_ratios, end, alpha / family);
    let workload_decidable = 0.5f64.powi(end.min(1024) as i32) <= alpha * workload_cells as f64 / (2.0 * family);
    if could_see.is_infinite() && workload_cells > 1 && workload_decidable {
        return false;
    }
    let leaning = pseudo_median(log_ratios).map_or(0.0, f64::abs);
    could_see > thresholds.regression_ratio.value && leaning < could_see.ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;
    use crate::store::thresholds::ThresholdSet;

    /// `n` log ratios of `shift` plus deterministic, tie-free noise of amplitude `noise`.
    fn spread(shift: f64, noise: f64, n: usize) -> Vec<f64> {
        (1..=n).map(|i| shift + noise * ((i as f64 * 0.618_034).fract() * 2.0 - 1.0)).collect()
    }

    #[test]
    fn only_a_cell_that_can_neither_see_its_threshold_nor_be_called_is_dropped() {
        let thresholds = ThresholdSet::load(None, Overrides::default()).unwrap().for_cell("w", "rayon");
        let plan = FamilyPlan { looks: vec![15, 20, 26, 34, 44], family: 72 };
        let dropped = |ratios: &[f64], plan: &FamilyPlan, cells| too_noisy_to_finish(ratios, plan, &thresholds, cells);
        assert!(!dropped(&spread(0.0, 0.02, 10), &plan, 1), "quiet: goes on");
        assert!(dropped(&spread(0.0, 0.4, 10), &plan, 1), "40 % noise: dropped");
        assert!(!dropped(&spread(0.0, 0.4, DROP_AFTER_PAIRS - 1), &plan, 1), "too few to say");
        assert!(!dropped(&spread(1.0, 0.4, 10), &plan, 1), "e× slower: may yet be called");
        let short = FamilyPlan { looks: vec![12], family: 72 };
        assert!(dropped(&spread(0.0, 0.02, 10), &short, 1), "12 rounds can never reach 0.01 / 72");
        assert!(!dropped(&spread(0.0, 0.02, 10), &short, 9), "but 9 cells together can reach 0.01 · 9 / 144");
        assert!(dropped(&spread(0.0, 0.02, 10), &FamilyPlan { looks: vec![10], family: 72 }, 9), "10 cannot");
    }
}
