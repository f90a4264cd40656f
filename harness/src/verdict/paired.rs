//! Paired verdicts for A/B runs: each round ran a cell under both builds back to back, so the unit of evidence is
//! the round's log ratio `ln(candidate / base)`. Whatever drifts between rounds — other processes, clock
//! frequency, memory placement — cancels within a pair instead of counting as noise.
//!
//! A cell is judged on the centre of its paired log ratios: the one-sided Wilcoxon signed-rank test (exact for
//! small samples) for significance, in the direction the pairs lean, so that alpha bounds a false regression
//! (and, separately, a false improvement); for size, the Hodges–Lehmann estimate (the pseudo-median, the centre
//! the signed-rank test tests) and the interval that inverts the same test. Both are distribution-free; both are
//! far tighter than the plain median and a bootstrap of it, whose interval at the confidence a gate asks
//! (99.8 % at five looks) spans nearly the whole range of twenty pairs. Rounds are added only for cells
//! still undecided, with looks at a fixed schedule (see [`Looks`]); alpha is split evenly over the planned looks
//! and the cells by the union bound (Bonferroni), so the chance of any false regression in the whole gate stays
//! below alpha however many looks are taken and whatever was decided at each. This is the simplest alpha-spending
//! plan of group-sequential testing (Jennison & Turnbull, *Group Sequential Methods with Applications to
//! Clinical Trials*, 2000, ch. 7); conservative, and valid under any dependence between looks.

use crate::record::{CellRecord, CellStatus, RunRecord, Sample};
use crate::stats::median;
use crate::verdict::compare::{CellComparison, Change, Unmatched};
use crate::verdict::inference::{Interval, signed_rank, smallest_detectable_shift};
use crate::verdict::preempted::{Timing, Tries, kept_pairs};
use crate::verdict::pseudo_median::{pseudo_median, pseudo_median_interval};
use crate::verdict::thresholds::{ThresholdSet, Thresholds};

/// The planned looks: after how many paired rounds undecided cells are judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Looks {
    pub rounds: Vec<u32>,
}

/// How many looks a sequential plan takes.
pub const SEQUENTIAL_LOOKS: usize = 5;

impl Looks {
    /// The default plan for `family` cells judged at `alpha`: [`SEQUENTIAL_LOOKS`] looks, the first a few rounds
    /// after the fewest pairs that could be significant at all at alpha's share of a look and a cell (n pairs all
    /// slower give the one-sided signed-rank test's smallest p, 1 / 2ⁿ), then each ~1.3× later. For 72 cells at
    /// 0.01: 19, 25, 33, 43 and 56 rounds.
    pub fn sequential(alpha: f64, family: usize) -> Self {
        let fewest = fewest_pairs(alpha, family, SEQUENTIAL_LOOKS);
        let mut rounds = vec![fewest + 3];
        while rounds.len() < SEQUENTIAL_LOOKS {
            let last = *rounds.last().expect("one look");
            rounds.push((f64::from(last) * 1.3).round() as u32);
        }
        Looks { rounds }
    }

    /// Whether any cell of a `family` judged at `alpha` could be decided at the last look: it has at least the
    /// fewest pairs that can reach significance at that look's share of alpha.
    pub fn can_decide(&self, alpha: f64, family: usize) -> bool {
        self.last() >= fewest_pairs(alpha, family, self.rounds.len())
    }

    /// The looks that fit in `rounds` rounds; when not even the first does, one look at `rounds` (at least 2),
    /// where the whole alpha goes.
    pub fn within(self, rounds: u32) -> Self {
        let fitting: Vec<u32> = self.rounds.iter().copied().filter(|&r| r <= rounds).collect();
        if fitting.is_empty() { Looks::fixed(rounds.max(2)) } else { Looks { rounds: fitting } }
    }

    /// One look after a fixed number of rounds (`--ab-rounds N`).
    pub fn fixed(rounds: u32) -> Self {
        Looks { rounds: vec![rounds] }
    }

    pub fn last(&self) -> u32 {
        self.rounds.last().copied().unwrap_or(0)
    }

    pub fn is_look(&self, rounds: u32) -> bool {
        self.rounds.contains(&rounds)
    }
}

/// The fewest pairs that could be significant at all when `alpha` is split over `looks` looks and a `family` of
/// cells: n pairs all slower give the one-sided signed-rank test's smallest p, 1 / 2ⁿ.
pub fn fewest_pairs(alpha: f64, family: usize, looks: usize) -> u32 {
    let share = alpha / (looks.max(1) * family.max(1)) as f64;
    (1..64u32).find(|&n| 1.0 / 2f64.powi(n as i32) < share).unwrap_or(64)
}

/// The executions of `base` and `candidate` paired by round and try (`[base, candidate]`): each round's tries in
/// order, rounds in the order the candidate ran them.
pub fn timing_pairs(candidate: &CellRecord, base: &CellRecord) -> Vec<Tries> {
    let timing = |s: &Sample| Timing { wall_ns: s.wall_ns, cpu_ns: s.cpu_ns };
    let mut rounds: Vec<(u32, Tries)> = Vec::new();
    for new in &candidate.samples {
        let Some(old) = base.samples.iter().find(|old| (old.round, old.attempt) == (new.round, new.attempt)) else {
            continue;
        };
        match rounds.iter_mut().find(|(round, _)| *round == new.round) {
            Some((_, tries)) => tries.push([timing(old), timing(new)]),
            None => rounds.push((new.round, vec![[timing(old), timing(new)]])),
        }
    }
    rounds.into_iter().map(|(_, tries)| tries).collect()
}

/// The paired comparison of one cell from its pairs, those visibly preempted set aside (see
/// [`crate::verdict::preempted`]), judged at `alpha` split over `looks` looks and a `family` of cells.
pub fn judge_pairs(
    id: &str,
    rounds: &[Tries],
    medians: (f64, f64),
    thresholds: Thresholds,
    looks: usize,
    family: usize,
) -> Option<CellComparison> {
    let split = (looks.max(1) * family.max(1)) as f64;
    let alpha = thresholds.alpha.value;
    let kept = kept_pairs(rounds, alpha);
    let log_ratios = kept.log_ratios.as_slice();
    let center = pseudo_median(log_ratios)?;
    let log_interval = pseudo_median_interval(log_ratios, 1.0 - alpha / looks.max(1) as f64)?;
    let p_value = signed_rank(log_ratios).map_or(1.0, |t| t.sides.toward(center >= 0.0));
    let mut comparison = CellComparison {
        id: id.to_owned(),
        baseline_median_ns: medians.0,
        candidate_median_ns: medians.1,
        ratio: center.exp(),
        interval: Interval { low: log_interval.low.exp(), high: log_interval.high.exp() },
        p_value,
        p_adjusted: (p_value * split).min(1.0),
        min_detectable_ratio: paired_min_detectable_ratio(log_ratios, alpha / split),
        pairs: Some(log_ratios.len()),
        set_aside: kept.set_aside,
        change: Change::Inconclusive,
        reason: None,
        thresholds,
    };
    comparison.judge();
    Some(comparison)
}

/// The smallest ratio the signed-rank test at `alpha` would have called significant had every pair been slower
/// by it, keeping the pairs' measured spread around their median.
pub fn paired_min_detectable_ratio(log_ratios: &[f64], alpha: f64) -> f64 {
    let Some(center) = pseudo_median(log_ratios) else { return f64::INFINITY };
    let centred: Vec<f64> = log_ratios.iter().map(|d| d - center).collect();
    let spread = centred.iter().fold(0.0f64, |a, d| a.max(d.abs()));
    let p_at = |shift: f64| {
        let shifted: Vec<f64> = centred.iter().map(|d| d + shift).collect();
        signed_rank(&shifted).map_or(1.0, |t| t.sides.greater)
    };
    smallest_detectable_shift(p_at, alpha, 2.0 * spread + 1e-6).exp()
}

/// Compares every successful candidate cell with the base cell of the same id, pair by pair, as the records'
/// pairing planned.
pub fn compare_paired(
    candidate: &RunRecord,
    base: &RunRecord,
    thresholds: &ThresholdSet,
) -> (Vec<CellComparison>, Vec<Unmatched>) {
    let (looks, family) = candidate.pairing.as_ref().map_or((1, candidate.cells.len()), |p| (p.looks.len(), p.family));
    let mut compared = Vec::new();
    let mut unmatched = Vec::new();
    for cell in candidate.cells.iter().filter(|c| c.status == CellStatus::Ok) {
        let Some(old) = base.cells.iter().find(|b| b.id == cell.id) else {
            unmatched.push(Unmatched { id: cell.id.clone(), reason: "not in the base build".into() });
            continue;
        };
        if old.status != CellStatus::Ok {
            unmatched.push(Unmatched { id: cell.id.clone(), reason: "failed in the base build".into() });
            continue;
        }
        let pairs = timing_pairs(cell, old);
        let medians = (median(&old.walls()).unwrap_or(0.0), median(&cell.walls()).unwrap_or(0.0));
        let t = thresholds.for_cell(&cell.workload, cell.strategy.name());
        match judge_pairs(&cell.id, &pairs, medians, t, looks, family) {
            Some(comparison) => compared.push(comparison),
            None => unmatched.push(Unmatched { id: cell.id.clone(), reason: "no paired rounds".into() }),
        }
    }
    (compared, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::thresholds::Overrides;

    fn thresholds() -> Thresholds {
        ThresholdSet::load(None, Overrides::default()).unwrap().for_cell("w", "rayon")
    }

    /// `n` log ratios of `shift` plus deterministic, tie-free noise of amplitude `noise`.
    fn pairs(shift: f64, noise: f64, n: usize) -> Vec<f64> {
        (1..=n).map(|i| shift + noise * ((i as f64 * 0.618_034).fract() * 2.0 - 1.0)).collect()
    }

    /// Rounds of one try each whose log ratios are `ratios`, CPU time unmeasured (so none is set aside).
    fn timed(ratios: &[f64]) -> Vec<Tries> {
        let at = |ns: f64| Timing { wall_ns: ns as u64, cpu_ns: 0 };
        ratios.iter().map(|r| vec![[at(1e7), at(1e7 * r.exp())]]).collect()
    }

    fn verdict(ratios: &[f64], looks: usize, family: usize) -> CellComparison {
        judge_pairs("w/100/rayon/2", &timed(ratios), (1.0, 1.0), thresholds(), looks, family).unwrap()
    }

    #[test]
    fn the_sequential_plan_starts_where_a_verdict_becomes_possible() {
        assert_eq!(Looks::sequential(0.01, 72).rounds, vec![19, 25, 33, 43, 56]);
        assert_eq!(Looks::sequential(0.01, 3).rounds, vec![14, 18, 23, 30, 39]);
        assert_eq!(Looks::fixed(10).last(), 10);
        assert_eq!(Looks::sequential(0.01, 72).within(40).rounds, vec![19, 25, 33], "the looks that fit");
        assert_eq!(Looks::sequential(0.01, 72).within(15).rounds, vec![15], "one look, with the whole alpha");
        assert_eq!(fewest_pairs(0.01, 72, 1), 13, "2⁻¹³ < 0.01 / 72 < 2⁻¹²");
        assert!(Looks::fixed(13).can_decide(0.01, 72) && !Looks::fixed(10).can_decide(0.01, 72));
        assert!(Looks::sequential(0.01, 72).can_decide(0.01, 72));
    }

    #[test]
    fn a_clear_slowdown_is_regressed_once_enough_pairs_are_in() {
        let slow = pairs(1.3f64.ln(), 0.05, 20);
        assert_eq!(verdict(&slow, 6, 72).change, Change::Regressed);
        let early = verdict(&slow[..8], 6, 72);
        assert_eq!(early.change, Change::Inconclusive, "8 pairs cannot reach 0.01 / (6 × 72)");
        assert_eq!(early.reason.as_deref(), Some("too noisy: too few samples to see any slowdown"));
    }

    #[test]
    fn quiet_equal_builds_are_unchanged_at_the_first_look() {
        let same = pairs(0.0, 0.02, 8);
        let comparison = verdict(&same, 1, 1);
        assert_eq!(comparison.change, Change::Unchanged, "{comparison:?}");
        assert!(comparison.could_see_threshold(), "{}", comparison.min_detectable_ratio);
    }

    #[test]
    fn noisy_pairs_are_inconclusive_with_what_they_could_see() {
        let noisy = pairs(0.0, 0.3, 24);
        let comparison = verdict(&noisy, 6, 72);
        assert_eq!(comparison.change, Change::Inconclusive);
        assert!(comparison.min_detectable_ratio > 1.1 && comparison.min_detectable_ratio.is_finite());
        assert!(comparison.reason.as_ref().unwrap().starts_with("too noisy: could see ≥"), "{comparison:?}");
    }

    #[test]
    fn splitting_alpha_over_looks_and_cells_makes_each_look_stricter() {
        let modest = pairs(1.15f64.ln(), 0.04, 12);
        assert_eq!(verdict(&modest, 1, 1).change, Change::Regressed);
        let split = verdict(&modest, 6, 72);
        assert_eq!(split.p_value, verdict(&modest, 1, 1).p_value);
        assert!(split.p_adjusted > 0.01 && split.change != Change::Regressed, "{split:?}");
    }

    #[test]
    fn a_slowdown_behind_a_few_preempted_pairs_is_seen_once_they_are_set_aside() {
        // 22 pairs 1.15× slower with 2 % noise, on CPU the whole time; in three of them the base execution lost
        // its core for half its run (wall 1.5× longer, CPU time unchanged): high-ranked pairs of the wrong sign.
        let at = |wall: f64, cpu: f64| Timing { wall_ns: wall as u64, cpu_ns: cpu as u64 };
        let noise = pairs(0.0, 0.02, 22);
        let mut timed: Vec<Tries> =
            noise.iter().map(|e| vec![[at(1e7, 1e7), at(1e7 * 1.15 * e.exp(), 1e7 * 1.15 * e.exp())]]).collect();
        for round in [2, 9, 15] {
            timed[round][0][0] = at(1.5e7 * 1.15, 1e7);
        }
        let judged = judge_pairs("w/100/rayon/2", &timed, (1.0, 1.0), thresholds(), 1, 72).unwrap();
        assert_eq!((judged.change, judged.set_aside, judged.pairs), (Change::Regressed, 3, Some(19)), "{judged:?}");

        let unmeasured: Vec<Tries> = timed
            .iter()
            .map(|tries| tries.iter().map(|p| p.map(|t| Timing { wall_ns: t.wall_ns, cpu_ns: 0 })).collect())
            .collect();
        let blind = judge_pairs("w/100/rayon/2", &unmeasured, (1.0, 1.0), thresholds(), 1, 72).unwrap();
        assert_ne!(blind.change, Change::Regressed, "three wrong-signed top ranks hide it: {blind:?}");
    }

    #[test]
    fn pairs_are_matched_by_round_whatever_the_order() {
        use crate::strategy::StrategyKind::Rayon;
        use crate::verdict::fixtures::{cell, sample};
        let mut base = cell("w", ablate_workloads::Kind::Cpu, Rayon, 2, &[]);
        let mut candidate = base.clone();
        base.samples = vec![sample(0, 100.0, None), sample(1, 200.0, None), sample(2, 400.0, None)];
        candidate.samples = vec![sample(2, 440.0, None), sample(0, 110.0, None)];
        let rounds = timing_pairs(&candidate, &base);
        assert_eq!(rounds.len(), 2, "round 1 has no candidate sample");
        assert!(rounds.iter().flatten().all(|[old, new]| new.wall_ns * 10 == old.wall_ns * 11), "{rounds:?}");

        let retried = |round, attempt, wall| crate::record::Sample { attempt, ..sample(round, wall, None) };
        base.samples = vec![retried(0, 0, 100.0), retried(0, 1, 200.0), retried(1, 0, 300.0)];
        candidate.samples = vec![retried(1, 0, 330.0), retried(0, 0, 110.0), retried(0, 1, 220.0)];
        let rounds = timing_pairs(&candidate, &base);
        let walls: Vec<Vec<u64>> = rounds.iter().map(|t| t.iter().map(|[old, _]| old.wall_ns).collect()).collect();
        assert_eq!(walls, [vec![300], vec![100, 200]], "each round's tries together, by try, in the candidate's order");
    }
}
