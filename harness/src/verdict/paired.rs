//! Paired verdicts for A/B runs: each round ran a cell under both builds back to back, so the unit of evidence is
//! the round's log ratio `ln(candidate / base)`. Whatever drifts between rounds — other processes, clock
//! frequency, memory placement — cancels within a pair instead of counting as noise.
//!
//! A cell is judged on the centre of its paired log ratios: for significance, the sequential signed-rank statistic
//! at looks whose boundaries are calibrated exactly on the sign-flip null (see [`crate::stats::sequential`]), in the
//! direction the pairs lean, so that alpha bounds a false regression (and, separately, a false improvement) over
//! every look; for size, the Hodges–Lehmann estimate (the pseudo-median) and the interval that inverts the
//! signed-rank test. The gate's cells form one family, tested workload first and then cell (see
//! [`super::family`]), so that alpha bounds the chance of any false regression in the whole gate. Rounds are added
//! only for cells still undecided, with looks at a fixed schedule (see [`crate::stats::looks::Looks`]).

use crate::record::{CellRecord, CellStatus, RunRecord, Sample};
use crate::stats::median;
use crate::stats::preempted::{Timing, Tries};
use crate::store::thresholds::ThresholdSet;
use crate::verdict::compare::{CellComparison, Unmatched};
use crate::verdict::family::{FamilyPlan, SeriesCell, WorkloadVerdict, judge_family};

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

/// Compares every successful candidate cell with the base cell of the same id, pair by pair, as the records'
/// pairing planned: the whole family at once (see [`super::family`]), after the run's last round. Also the
/// workloads' verdicts.
pub fn compare_paired(
    candidate: &RunRecord,
    base: &RunRecord,
    thresholds: &ThresholdSet,
) -> (Vec<CellComparison>, Vec<Unmatched>, Vec<WorkloadVerdict>) {
    let plan = candidate.pairing.as_ref().map_or_else(
        || FamilyPlan { looks: vec![candidate.config.profile.reps], family: candidate.cells.len() },
        |p| FamilyPlan { looks: p.looks.clone(), family: p.family },
    );
    let mut unmatched = Vec::new();
    let mut paired = Vec::new();
    for cell in candidate.cells.iter().filter(|c| c.status == CellStatus::Ok) {
        let Some(old) = base.cells.iter().find(|b| b.id == cell.id) else {
            unmatched.push(Unmatched { id: cell.id.clone(), reason: "not in the base build".into() });
            continue;
        };
        if old.status != CellStatus::Ok {
            unmatched.push(Unmatched { id: cell.id.clone(), reason: "failed in the base build".into() });
            continue;
        }
        let medians = (median(&old.walls()).unwrap_or(0.0), median(&cell.walls()).unwrap_or(0.0));
        let t = thresholds.for_cell(&cell.workload, cell.strategy.name());
        paired.push((cell, timing_pairs(cell, old), medians, t));
    }
    let run_rounds = paired.iter().map(|(_, rounds, _, _)| rounds.len() as u32).max().unwrap_or(0);
    let series: Vec<SeriesCell> = paired
        .iter()
        .map(|(cell, rounds, _, t)| SeriesCell {
            id: &cell.id,
            workload: &cell.workload,
            rounds,
            thresholds: t.clone(),
        })
        .collect();
    let judged = judge_family(&plan, &series, run_rounds);
    let mut compared = Vec::new();
    for (cell, _, medians, _) in &paired {
        match judged.cells.iter().find(|c| c.id == cell.id) {
            Some(comparison) => {
                let mut comparison = comparison.clone();
                (comparison.baseline_median_ns, comparison.candidate_median_ns) = *medians;
                compared.push(comparison);
            }
            None => unmatched.push(Unmatched { id: cell.id.clone(), reason: "no paired rounds".into() }),
        }
    }
    (compared, unmatched, judged.workloads)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;
    use crate::store::thresholds::Thresholds;
    use crate::verdict::compare::Change;

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

    /// The paired comparison of one cell from its pairs (in round order), those visibly preempted set aside (see
    /// [`crate::stats::preempted`]), as the one cell of its workload in a family planned as `plan`, judged after
    /// its last round.
    fn judge_pairs(
        id: &str,
        rounds: &[Tries],
        medians: (f64, f64),
        thresholds: Thresholds,
        plan: &FamilyPlan,
    ) -> Option<CellComparison> {
        let cell = SeriesCell { id, workload: id.split('/').next().unwrap_or(id), rounds, thresholds };
        let mut judged = judge_family(plan, &[cell], rounds.len() as u32).cells.pop()?;
        (judged.baseline_median_ns, judged.candidate_median_ns) = medians;
        Some(judged)
    }

    /// The verdict on `ratios` as the one cell of its workload in a `family`, judged at one look after its last
    /// pair: the whole level there.
    fn verdict(ratios: &[f64], family: usize) -> CellComparison {
        let plan = FamilyPlan { looks: vec![ratios.len() as u32], family };
        judge_pairs("w/100/rayon/2", &timed(ratios), (1.0, 1.0), thresholds(), &plan).unwrap()
    }

    #[test]
    fn a_clear_slowdown_is_regressed_once_enough_pairs_are_in() {
        let slow = pairs(1.3f64.ln(), 0.05, 20);
        assert_eq!(verdict(&slow, 72).change, Change::Regressed);
        let early = verdict(&slow[..8], 72);
        assert_eq!(early.change, Change::Inconclusive, "8 pairs cannot reach 0.01 / 144");
        assert_eq!(early.reason.as_deref(), Some("too noisy: too few samples to see any slowdown"));
    }

    #[test]
    fn quiet_equal_builds_are_unchanged_at_the_first_look() {
        let same = pairs(0.0, 0.02, 8);
        let comparison = verdict(&same, 1);
        assert_eq!(comparison.change, Change::Unchanged, "{comparison:?}");
        assert!(comparison.could_see_threshold(), "{}", comparison.min_detectable_ratio);
    }

    #[test]
    fn noisy_pairs_are_inconclusive_with_what_they_could_see() {
        let noisy = pairs(0.0, 0.3, 24);
        let comparison = verdict(&noisy, 72);
        assert_eq!(comparison.change, Change::Inconclusive);
        assert!(comparison.min_detectable_ratio > 1.1 && comparison.min_detectable_ratio.is_finite());
        assert!(comparison.reason.as_ref().unwrap().starts_with("too noisy: could see ≥"), "{comparison:?}");
    }

    #[test]
    fn a_larger_family_makes_each_cell_stricter() {
        let modest = pairs(1.15f64.ln(), 0.04, 12);
        assert_eq!(verdict(&modest, 1).change, Change::Regressed);
        let split = verdict(&modest, 72);
        assert_eq!(split.p_value, verdict(&modest, 1).p_value);
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
        let plan = FamilyPlan { looks: vec![22], family: 72 };
        let judged = judge_pairs("w/100/rayon/2", &timed, (1.0, 1.0), thresholds(), &plan).unwrap();
        assert_eq!((judged.change, judged.set_aside, judged.pairs), (Change::Regressed, 3, Some(19)), "{judged:?}");

        let unmeasured: Vec<Tries> = timed
            .iter()
            .map(|tries| tries.iter().map(|p| p.map(|t| Timing { wall_ns: t.wall_ns, cpu_ns: 0 })).collect())
            .collect();
        let blind = judge_pairs("w/100/rayon/2", &unmeasured, (1.0, 1.0), thresholds(), &plan).unwrap();
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
