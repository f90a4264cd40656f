//! Pairs a busy machine spoiled, tried again and set aside alike for both builds before a paired verdict.
//!
//! Beside another job, an execution now and then loses its core for a scheduler slice: its wall time grows and
//! its CPU time does not. One such execution in a pair is a log ratio far out on one side, and the signed-rank
//! test, at the level a gate of many cells needs, cannot reach significance past a single high-ranked pair of the
//! wrong sign — so a 1.15× slowdown hides behind a few preemptions. Those pairs are visible: an execution's CPU
//! share (CPU time over wall time) falls below what its build typically gets on that cell.
//!
//! The rule is the same for both builds, so it cannot lean a verdict either way: a pair is preempted when either
//! execution lost more than [`PREEMPTED_SHARE_LOST`] of its own build's median CPU share for the cell. An A/B round
//! runs a preempted pair again, up to [`ATTEMPTS`] tries, and counts its first clean try; a round with none is set
//! aside. Each build is measured against itself, so a change that makes the candidate wait more as a rule (a lock,
//! an imbalance) moves its median and is judged, not set aside. And it applies only while preemption hit both
//! builds alike — a sign test on which side alone was hit: when one build is hit far more often (p below alpha),
//! the waiting is that build's own behaviour, not the machine's, and every round's first try counts.

use crate::stats::median;

/// How much of its build's median CPU share an execution may lose before its pair counts as preempted.
pub const PREEMPTED_SHARE_LOST: f64 = 0.05;

/// How many times an A/B round runs a cell's pair when it keeps being preempted: the first try that was not
/// counts. A try costs only the two executions; a round costs both builds' start-up and warm-up, so trying again
/// is far cheaper than losing the round.
pub const ATTEMPTS: u32 = 3;

/// One execution, as pairing sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    pub wall_ns: u64,
    /// CPU time of the run's threads and worker processes; 0 when not measured.
    pub cpu_ns: u64,
}

/// One round's tries of a cell's pair (`[base, candidate]`), in the order run.
pub type Tries = Vec<[Timing; 2]>;

/// The pairs a verdict rests on, as log ratios `ln(candidate / base)`, and how many rounds were set aside.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    pub log_ratios: Vec<f64>,
    pub set_aside: usize,
}

/// Each build's median CPU share (CPU time over wall time) over every try of `rounds`; `None` when CPU time was
/// not measured for some execution, or there is none.
pub fn typical_shares(rounds: &[Tries]) -> Option<[f64; 2]> {
    let tries: Vec<&[Timing; 2]> = rounds.iter().flatten().collect();
    if tries.is_empty() || tries.iter().any(|p| p.iter().any(|t| t.cpu_ns == 0 || t.wall_ns == 0)) {
        return None;
    }
    let side = |s: usize| median(&tries.iter().map(|p| share(&p[s])).collect::<Vec<_>>());
    Some([side(0)?, side(1)?])
}

/// Whether each side of `pair` lost more than [`PREEMPTED_SHARE_LOST`] of its build's `typical` share.
pub fn preempted(pair: &[Timing; 2], typical: [f64; 2]) -> [bool; 2] {
    [0, 1].map(|s| share(&pair[s]) < typical[s] * (1.0 - PREEMPTED_SHARE_LOST))
}

/// The pair each round counts: its first try with neither side preempted (a round without one is set aside). Every
/// round's first try instead when CPU time was not measured, or when preemption hit one build significantly more
/// often than the other (at `alpha`, over the first tries).
pub fn kept_pairs(rounds: &[Tries], alpha: f64) -> Kept {
    let by_round = kept_by_round(rounds, alpha);
    Kept {
        set_aside: by_round.iter().filter(|c| c.is_none()).count(),
        log_ratios: by_round.into_iter().flatten().collect(),
    }
}

/// Each round's counted log ratio `ln(candidate / base)` as [`kept_pairs`] chooses it, `None` for a round set aside
/// (or one without a try), in round order.
pub fn kept_by_round(rounds: &[Tries], alpha: f64) -> Vec<Option<f64>> {
    let log_ratio =
        |[base, candidate]: &[Timing; 2]| (candidate.wall_ns.max(1) as f64 / base.wall_ns.max(1) as f64).ln();
    let firsts = || rounds.iter().map(|t| t.first().map(log_ratio)).collect();
    let Some(typical) = typical_shares(rounds) else { return firsts() };
    let (mut base_alone, mut candidate_alone) = (0, 0);
    for first in rounds.iter().filter_map(|t| t.first()) {
        match preempted(first, typical) {
            [true, false] => base_alone += 1,
            [false, true] => candidate_alone += 1,
            _ => {}
        }
    }
    if binomial_two_sided_p(base_alone, base_alone + candidate_alone) < alpha {
        return firsts();
    }
    rounds.iter().map(|tries| tries.iter().find(|p| preempted(p, typical) == [false, false]).map(log_ratio)).collect()
}

/// The sign test's two-sided p-value: `k` of `n` trials landing one way when each way has probability one half
/// (twice the smaller tail, at most 1); 1 when `n` is 0.
fn binomial_two_sided_p(k: usize, n: usize) -> f64 {
    let mut p = vec![0f64; n + 1];
    p[0] = 1.0;
    for trial in 1..=n {
        for j in (0..=trial).rev() {
            let with = if j > 0 { p[j - 1] } else { 0.0 };
            p[j] = (p[j] + with) / 2.0;
        }
    }
    let smaller = k.min(n.saturating_sub(k));
    let tail: f64 = p[..=smaller].iter().sum();
    (2.0 * tail).min(1.0)
}

fn share(t: &Timing) -> f64 {
    t.cpu_ns as f64 / t.wall_ns as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pair of executions of `wall` ms each side (candidate × `ratio`), both on CPU the whole time unless a side is
    /// named in `preempted`, which then waited a third of its wall time.
    fn pair(wall: f64, ratio: f64, preempted: Option<usize>) -> [Timing; 2] {
        let mut timings =
            [wall, wall * ratio].map(|ms| Timing { wall_ns: (ms * 1e6) as u64, cpu_ns: (ms * 1e6) as u64 });
        if let Some(side) = preempted {
            timings[side].wall_ns += timings[side].wall_ns / 2;
        }
        timings
    }

    fn close_to(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    /// One try a round.
    fn once(pairs: Vec<[Timing; 2]>) -> Vec<Tries> {
        pairs.into_iter().map(|p| vec![p]).collect()
    }

    #[test]
    fn the_sign_test_counts_both_tails() {
        assert!(close_to(binomial_two_sided_p(0, 8), 2.0 / 256.0, 1e-15));
        assert!(close_to(binomial_two_sided_p(8, 8), 2.0 / 256.0, 1e-15));
        // scipy.stats.binomtest(2, 10).pvalue = 0.109375: 2 × (1 + 10 + 45) / 1024.
        assert!(close_to(binomial_two_sided_p(2, 10), 0.109_375, 1e-15));
        assert_eq!(binomial_two_sided_p(5, 10), 1.0);
        assert_eq!(binomial_two_sided_p(0, 0), 1.0);
    }

    #[test]
    fn preempted_pairs_on_either_side_are_set_aside() {
        let mut pairs: Vec<[Timing; 2]> = (0..16).map(|i| pair(10.0 + f64::from(i) * 0.01, 1.15, None)).collect();
        pairs.extend([pair(10.0, 1.15, Some(0)), pair(10.0, 1.15, Some(1)), pair(10.0, 1.15, Some(0))]);
        let kept = kept_pairs(&once(pairs), 0.01);
        assert_eq!(kept.set_aside, 3);
        assert!(kept.log_ratios.iter().all(|r| (r - 1.15f64.ln()).abs() < 1e-6), "{:?}", kept.log_ratios);
    }

    #[test]
    fn a_round_counts_its_first_try_that_was_not_preempted() {
        let mut rounds: Vec<Tries> = (0..16).map(|i| vec![pair(10.0 + f64::from(i) * 0.01, 1.15, None)]).collect();
        rounds.push(vec![pair(10.0, 1.15, Some(0)), pair(10.0, 1.15, None), pair(10.0, 3.0, None)]);
        rounds.push(vec![pair(10.0, 1.15, Some(1)), pair(10.0, 1.15, Some(0)), pair(10.0, 1.15, Some(1))]);
        let kept = kept_pairs(&rounds, 0.01);
        assert_eq!((kept.log_ratios.len(), kept.set_aside), (17, 1), "the last round was preempted every try");
        assert!(kept.log_ratios.iter().all(|r| (r - 1.15f64.ln()).abs() < 1e-6), "the second try, not the third");
    }

    #[test]
    fn a_build_that_waits_as_a_rule_is_judged_not_set_aside() {
        // The candidate spends a third of every execution waiting: its own median share, so nothing is set aside.
        let pairs: Vec<[Timing; 2]> = (0..20)
            .map(|i| {
                let [base, mut candidate] = pair(10.0 + f64::from(i) * 0.01, 1.0, None);
                candidate.wall_ns += candidate.wall_ns / 2;
                [base, candidate]
            })
            .collect();
        let kept = kept_pairs(&once(pairs), 0.01);
        assert_eq!((kept.set_aside, kept.log_ratios.len()), (0, 20));
    }

    #[test]
    fn a_build_hit_far_more_often_than_the_other_keeps_every_pair() {
        // Eight of twenty candidate executions stall, the base's never: that is the candidate's behaviour (p = 2/2⁸
        // that eight one-sided hits all land on one build by chance), so every pair counts.
        let pairs: Vec<[Timing; 2]> =
            (0..20).map(|i| pair(10.0 + f64::from(i) * 0.01, 1.0, (i < 8).then_some(1))).collect();
        let kept = kept_pairs(&once(pairs), 0.01);
        assert_eq!((kept.set_aside, kept.log_ratios.len()), (0, 20));
    }

    #[test]
    fn without_cpu_times_every_pair_counts() {
        let mut pairs: Vec<[Timing; 2]> = (0..10).map(|_| pair(10.0, 1.0, Some(0))).collect();
        pairs[3][1].cpu_ns = 0;
        assert_eq!(kept_pairs(&once(pairs), 0.01).set_aside, 0);
    }
}
