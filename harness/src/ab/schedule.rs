//! Which cells an A/B round still runs: at each look the family is judged and decided cells stop (see
//! [`crate::verdict::family`]); after each round, cells too noisy to be decided by the plan's last look are dropped
//! (see [`crate::verdict::too_noisy`]).

use super::PairedCell;
use crate::stats::preempted::kept_pairs;
use crate::store::thresholds::ThresholdSet;
use crate::verdict::compare::Change;
use crate::verdict::family::{FamilyPlan, SeriesCell, judge_family};
use crate::verdict::too_noisy::too_noisy_to_finish;

/// Marks the cells whose paired verdict is decided after `round` rounds as done, the family judged at once (see
/// [`crate::verdict::family`]).
pub(super) fn decide(cells: &mut [PairedCell], thresholds: &ThresholdSet, plan: &FamilyPlan, round: u32) {
    let series: Vec<SeriesCell> = cells.iter().map(|c| series_cell(c, thresholds)).collect();
    let judged = judge_family(plan, &series, round);
    for cell in cells.iter_mut().filter(|c| !c.done) {
        cell.done = judged.cells.iter().any(|j| j.id == cell.id && j.change != Change::Inconclusive);
    }
}

/// Stops the undecided cells whose spread could not see their threshold even at the plan's last look (see
/// [`too_noisy_to_finish`]), so that the rounds left go to cells that can still be decided; their ids.
pub(super) fn drop_too_noisy(cells: &mut [PairedCell], thresholds: &ThresholdSet, plan: &FamilyPlan) -> Vec<String> {
    let workload = |id: &str| id.split('/').next().unwrap_or("").to_owned();
    let workloads: Vec<String> = cells.iter().map(|c| workload(&c.id)).collect();
    let mut dropped = Vec::new();
    for cell in cells.iter_mut().filter(|c| !c.done) {
        let series = series_cell(cell, thresholds);
        let kept = kept_pairs(&cell.pairs, series.thresholds.alpha.value).log_ratios;
        let workload_cells = workloads.iter().filter(|w| **w == workload(&cell.id)).count();
        if too_noisy_to_finish(&kept, plan, &series.thresholds, workload_cells) {
            cell.done = true;
            dropped.push(cell.id.clone());
        }
    }
    dropped
}

/// The cell as the family sees it: its workload and thresholds from its id (`workload/size/strategy/…`).
fn series_cell<'a>(cell: &'a PairedCell, thresholds: &ThresholdSet) -> SeriesCell<'a> {
    let mut parts = cell.id.split('/');
    let (workload, strategy) = (parts.next().unwrap_or(""), parts.nth(1).unwrap_or(""));
    SeriesCell { id: &cell.id, workload, rounds: &cell.pairs, thresholds: thresholds.for_cell(workload, strategy) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;
    use crate::stats::looks::Looks;
    use crate::stats::preempted::Timing;
    use crate::verdict::too_noisy::DROP_AFTER_PAIRS;

    /// A cell of `rounds` pairs: base times around 10 ms, candidate times `ratio` × base, both with
    /// deterministic, tie-free noise of amplitude `noise`.
    fn paired(id: &str, ratio: f64, noise: f64, rounds: usize) -> PairedCell {
        let wobble = |i: usize, phase: f64| 1.0 + noise * ((i as f64 * 0.618_034 + phase).fract() * 2.0 - 1.0);
        let at = |ns: f64| Timing { wall_ns: ns as u64, cpu_ns: ns as u64 };
        let pairs = (0..rounds).map(|i| vec![[at(10e6 * wobble(i, 0.0)), at(10e6 * ratio * wobble(i, 0.5))]]).collect();
        PairedCell { group: 0, id: id.to_owned(), pairs, done: false }
    }

    fn thresholds() -> ThresholdSet {
        ThresholdSet::load(None, Overrides::default()).unwrap()
    }

    #[test]
    fn at_each_look_decided_cells_stop_and_undecided_ones_go_on() {
        let looks = Looks::sequential(0.01, 3);
        let plan = FamilyPlan { looks: looks.rounds.clone(), family: 3 };
        let first = looks.rounds[0] as usize;
        let mut cells = [
            paired("quiet/1/serial/w1/cauto", 1.0, 0.01, first),
            paired("slow/1/serial/w1/cauto", 1.3, 0.01, first),
            paired("noisy/1/serial/w1/cauto", 1.0, 0.1, first),
        ];
        decide(&mut cells, &thresholds(), &plan, first as u32);
        assert!(cells[0].done, "equal quiet builds are unchanged at the first look");
        assert!(cells[1].done, "every pair 1.3x slower: regressed at the first look");
        assert!(!cells[2].done, "10 % noise: undecided, goes on");

        let mut early = [paired("quiet/1/serial/w1/cauto", 1.0, 0.01, 8)];
        decide(&mut early, &thresholds(), &plan, 8);
        assert!(!early[0].done, "8 rounds is before the first look");
    }

    #[test]
    fn a_cell_too_noisy_to_be_decided_by_the_last_look_is_dropped_and_says_so() {
        let looks = Looks::sequential(0.01, 72);
        let plan = FamilyPlan { looks: looks.rounds.clone(), family: 72 };
        let mut cells = [
            paired("quiet/1/serial/w1/cauto", 1.0, 0.02, 8),
            paired("noisy/1/serial/w1/cauto", 1.0, 0.6, 8),
            paired("young/1/serial/w1/cauto", 1.0, 0.6, DROP_AFTER_PAIRS - 1),
            paired("slower/1/serial/w1/cauto", 3.0, 0.6, 8),
        ];
        assert_eq!(drop_too_noisy(&mut cells, &thresholds(), &plan), ["noisy/1/serial/w1/cauto"]);
        assert!(!cells[0].done && cells[1].done, "the quiet one goes on, the noisy one is dropped");
        assert!(!cells[2].done, "too few pairs to judge the young one's spread");
        assert!(!cells[3].done, "as noisy, but 3x slower: more than it could see, so it may yet be called");

        // The verdict, recomputed after the run's last look from the pairs alone, says why the cell stopped.
        let mut quiet = paired("quiet/1/serial/w1/cauto", 1.0, 0.02, looks.last() as usize);
        quiet.group = 1;
        let cells = [&quiet, &cells[1]];
        let series: Vec<SeriesCell> = cells.iter().map(|c| series_cell(c, &thresholds())).collect();
        let judged = judge_family(&plan, &series, looks.last());
        let reason = judged.cells[1].reason.clone().unwrap();
        assert!(
            reason.starts_with("too noisy: could see ≥ ") && reason.ends_with("dropped after 8 rounds"),
            "{reason}"
        );
        assert_eq!(judged.cells[0].change, Change::Unchanged);
    }
}
