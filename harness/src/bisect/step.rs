//! One step of a bisection and its evidence: the commit, the paired verdict of each tracked cell against GOOD
//! (ratio, interval, verdict), and what that makes the commit — bad when any tracked cell regressed, good when
//! none can have: each is unchanged or improved, or the top of its interval lies below its threshold (a
//! bisection asks whether the regression is there, not whether the commit is as fast as GOOD within the
//! threshold both ways); skipped otherwise (undecided within the step's budget, not measured, or the commit did
//! not build).

use super::git::Commit;
use super::search::Outcome;
use crate::verdict::compare::{CellComparison, Change};

/// What was found at one commit.
#[derive(Clone, Debug)]
pub struct Step {
    /// `BAD` for the first step (BAD against GOOD, every cell), `step N` for the commits between.
    pub label: String,
    pub commit: Commit,
    pub outcome: Outcome,
    /// The tracked cells' paired comparisons against GOOD, as measured.
    pub cells: Vec<CellComparison>,
    /// Why a skipped commit was skipped.
    pub note: Option<String>,
}

/// What the paired comparisons of a commit against GOOD make it, with the reason for a skip.
pub fn classify(comparisons: &[CellComparison], tracked: &[String]) -> (Outcome, Option<String>) {
    if comparisons.iter().any(|c| c.change == Change::Regressed && tracked.contains(&c.id)) {
        return (Outcome::Bad, None);
    }
    let missing: Vec<&str> =
        tracked.iter().filter(|id| !comparisons.iter().any(|c| c.id == **id)).map(String::as_str).collect();
    if !missing.is_empty() {
        return (
            Outcome::Skip,
            Some(format!("not measured (the cell failed or was not planned): {}", missing.join(", "))),
        );
    }
    let cannot_have_regressed = |c: &CellComparison| {
        matches!(c.change, Change::Unchanged | Change::Improved)
            || c.interval.high <= c.thresholds.regression_ratio.value
    };
    let undecided: Vec<String> = comparisons
        .iter()
        .filter(|c| tracked.contains(&c.id) && !cannot_have_regressed(c))
        .map(|c| format!("{} {}", c.id, c.verdict_text()))
        .collect();
    if undecided.is_empty() {
        (Outcome::Good, None)
    } else {
        (Outcome::Skip, Some(format!("undecided within the step's budget: {}", undecided.join(", "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;
    use crate::stats::inference::Interval;
    use crate::store::thresholds::ThresholdSet;

    fn comparison(id: &str, change: Change) -> CellComparison {
        within(id, change, Interval { low: 0.99, high: 1.12 })
    }

    fn within(id: &str, change: Change, interval: Interval) -> CellComparison {
        CellComparison {
            id: id.to_owned(),
            baseline_median_ns: 1e7,
            candidate_median_ns: 1e7,
            ratio: 1.0,
            interval,
            p_value: 0.5,
            p_adjusted: 0.5,
            min_detectable_ratio: 1.05,
            pairs: Some(12),
            set_aside: 0,
            change,
            reason: (change == Change::Inconclusive).then(|| "too noisy: could see ≥ 1.40×".to_owned()),
            thresholds: ThresholdSet::load(None, Overrides::default()).unwrap().for_cell("w", "serial"),
        }
    }

    fn tracked(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| (*id).to_owned()).collect()
    }

    #[test]
    fn any_tracked_cell_regressed_makes_the_commit_bad() {
        let found = [comparison("a", Change::Unchanged), comparison("b", Change::Regressed)];
        assert_eq!(classify(&found, &tracked(&["a", "b"])).0, Outcome::Bad);
        assert_eq!(
            classify(&found, &tracked(&["a"])).0,
            Outcome::Good,
            "an untracked cell's regression is not evidence"
        );
    }

    #[test]
    fn every_tracked_cell_unchanged_or_improved_makes_it_good() {
        let found = [comparison("a", Change::Unchanged), comparison("b", Change::Improved)];
        assert_eq!(classify(&found, &tracked(&["a", "b"])), (Outcome::Good, None));
    }

    #[test]
    fn an_undecided_or_missing_cell_makes_it_a_skip_that_says_why() {
        let found = [comparison("a", Change::Unchanged), comparison("b", Change::Inconclusive)];
        let (outcome, why) = classify(&found, &tracked(&["a", "b"]));
        assert_eq!(outcome, Outcome::Skip);
        assert!(why.unwrap().contains("b inconclusive (too noisy: could see ≥ 1.40×)"));
        let (outcome, why) = classify(&found[..1], &tracked(&["a", "c"]));
        assert_eq!(outcome, Outcome::Skip);
        assert!(why.unwrap().ends_with(": c"));
    }

    #[test]
    fn an_inconclusive_cell_whose_interval_lies_below_the_threshold_cannot_have_regressed() {
        let below = [within("a", Change::Inconclusive, Interval { low: 0.85, high: 1.09 })];
        assert_eq!(
            classify(&below, &tracked(&["a"])),
            (Outcome::Good, None),
            "at most 1.09x: not the 1.10x regression"
        );
        let straddling = [within("a", Change::Inconclusive, Interval { low: 0.95, high: 1.14 })];
        assert_eq!(classify(&straddling, &tracked(&["a"])).0, Outcome::Skip);
    }
}
