//! Sequential boundaries for paired series judged at several looks, calibrated exactly on the sign-flip null.
//!
//! Under "no change" each pair's sign is a fair coin given the magnitudes (which build ran first is random, and the
//! two builds are exchangeable). The statistic is the *sequential* signed-rank statistic of Reynolds (1975, "A
//! sequential signed-rank test for symmetry", *Ann. Statist.* 3, 382–400): each pair's weight is the rank of its
//! magnitude among the pairs before it and itself, fixed when it arrives, so the statistic at every look is a sum
//! of independent ±weight terms given the magnitudes — a random walk whose law, and the chance that it crosses a
//! boundary at any look, a dynamic programme computes exactly. (The classical signed-rank statistic re-ranks old
//! pairs at every look, so its joint law over looks depends on the order the magnitudes came in.) Asymptotically
//! the two are equivalent: both weigh a pair by the share of magnitudes below its own.
//!
//! The boundaries spend alpha over the looks as Lan & DeMets' Pocock-type spending function, `α(t) = level ·
//! ln(1 + (e − 1) t)` at information fraction `t` (Lan & DeMets, "Discrete sequential boundaries for clinical
//! trials", *Biometrika* 70, 1983, 659–663; Jennison & Turnbull, *Group Sequential Methods with Applications to
//! Clinical Trials*, 2000, ch. 7): at look k the boundary is the lowest whose chance of having been crossed at any
//! look so far, on this series' own magnitudes, is at most `α(t_k)`. So the chance of any false crossing over all
//! looks is at most `level` given the magnitudes, hence unconditionally too — exactly, with no simulation and no
//! union bound. Looks may be fewer or later than planned (the time ran out): the last one spends what is left.
//! Stopping a series for another reason (unchanged, too noisy) only removes chances to cross.

/// One side's verdict of a series at its latest look.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    /// The statistic as `T = Σ weight` over the positive pairs (the sequential W+), and its largest value.
    pub statistic: u64,
    pub total_weight: u64,
    /// The boundary on `T` at this look for a regression (`T ≥ upper`); a false improvement mirrors it
    /// (`T ≤ total_weight − upper`). Above `total_weight` when no sign pattern can reach it yet.
    pub upper: u64,
    /// The exact one-sided p-values of `T` at this look alone, as a fixed-sample test: `[greater, less]`.
    pub p_values: [f64; 2],
    /// This look's boundary as a fixed-sample level: `P(T ≥ upper)` at this look alone. The series crosses in a
    /// direction exactly when that side's p-value is at most this; 0 when the boundary is out of reach.
    pub nominal_level: f64,
}

impl Look {
    /// Whether the series crossed the boundary toward "slower" (`larger`) or toward "faster".
    pub fn crossed(&self, larger: bool) -> bool {
        if larger { self.statistic >= self.upper } else { self.statistic + self.upper <= self.total_weight }
    }
}

/// Lan & DeMets' Pocock-type spending function: the share of `level` spent by information fraction `t`.
pub fn spent(level: f64, fraction: f64) -> f64 {
    level * (1.0 + (std::f64::consts::E - 1.0) * fraction.clamp(0.0, 1.0)).ln()
}

/// Each value's sequential rank: 1 + how many earlier values are smaller in magnitude (ties count as smaller, so
/// the weight never depends on the order of equal magnitudes); 0 for a zero or a non-finite value, which carries
/// no sign.
pub fn sequential_weights(values: &[f64]) -> Vec<u64> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if *v == 0.0 || !v.is_finite() {
                return 0;
            }
            1 + values[..i].iter().filter(|u| u.is_finite() && *u != &0.0 && u.abs() <= v.abs()).count() as u64
        })
        .collect()
}

/// The series `values` (in arrival order) judged at its latest look: `looks` holds how many values each look so far
/// had (ascending, the last the whole series) and `fractions` their information fractions; each side's chance of a
/// false crossing at any of them is at most `level`. `None` when there are no looks.
pub fn judge_series(values: &[f64], looks: &[usize], fractions: &[f64], level: f64) -> Option<Look> {
    let (&last, _) = looks.split_last()?;
    let values = &values[..last.min(values.len())];
    let weights = sequential_weights(values);
    let total_weight: u64 = weights.iter().sum();
    let statistic: u64 = weights.iter().zip(values).filter(|(_, v)| **v > 0.0).map(|(w, _)| w).sum();
    let upper = boundaries(&weights, looks, fractions, level).last().copied().unwrap_or(total_weight + 1);
    let marginal = distribution(&weights);
    let tail = |from: u64| marginal.iter().skip(from as usize).sum::<f64>();
    let p_values = [tail(statistic), tail(total_weight - statistic)];
    Some(Look { statistic, total_weight, upper, p_values, nominal_level: tail(upper) })
}

/// The boundary on `T` at each look: the lowest whose chance of a crossing at this look or before (earlier
/// crossings absorbed) is at most the level spent by then.
pub fn boundaries(weights: &[u64], looks: &[usize], fractions: &[f64], level: f64) -> Vec<u64> {
    let total: u64 = weights.iter().sum();
    let mut mass = vec![0f64; total as usize + 1];
    mass[0] = 1.0;
    let (mut reach, mut added, mut crossed) = (0usize, 0usize, 0.0);
    let mut uppers = Vec::with_capacity(looks.len());
    for (&count, &fraction) in looks.iter().zip(fractions) {
        for &w in &weights[added..count.min(weights.len())] {
            add_pair(&mut mass, &mut reach, w as usize);
        }
        added = added.max(count.min(weights.len()));
        let allowed = spent(level, fraction);
        let mut upper = reach + 1;
        let mut tail = 0.0;
        while upper > 0 && crossed + tail + mass[upper - 1] <= allowed {
            upper -= 1;
            tail += mass[upper];
        }
        crossed += tail;
        mass[upper..=reach].iter_mut().for_each(|m| *m = 0.0);
        uppers.push(upper as u64);
    }
    uppers
}

/// The exact law of `T` for these weights, each sign a fair coin.
pub fn distribution(weights: &[u64]) -> Vec<f64> {
    let total: u64 = weights.iter().sum();
    let mut mass = vec![0f64; total as usize + 1];
    mass[0] = 1.0;
    let mut reach = 0;
    for &w in weights {
        add_pair(&mut mass, &mut reach, w as usize);
    }
    mass
}

/// Adds one pair of weight `w` to the law of `T` over `0..=reach`: half the mass stays, half moves up by `w`.
fn add_pair(mass: &mut [f64], reach: &mut usize, w: usize) {
    if w == 0 {
        return;
    }
    for t in (0..=*reach).rev() {
        let m = mass[t] / 2.0;
        mass[t] = m;
        mass[t + w] += m;
    }
    *reach += w;
}

#[cfg(test)]
mod tests {
    use super::*;
    use ablate_workloads::rng::Rng;

    const LOOKS: [usize; 4] = [6, 8, 10, 13];

    fn fractions() -> Vec<f64> {
        LOOKS.iter().map(|&n| n as f64 / 13.0).collect()
    }

    /// A series of 13 values: `shift` plus heavy-tailed noise (a normal scaled by 0.5 + |normal|).
    fn series(rng: &mut Rng, shift: f64) -> Vec<f64> {
        (0..13).map(|_| shift + rng.normal() * (0.5 + rng.normal().abs())).collect()
    }

    /// Whether `values` cross toward "slower" at any of [`LOOKS`] at `level`.
    fn crosses(values: &[f64], level: f64) -> bool {
        let f = fractions();
        (1..=LOOKS.len()).any(|k| judge_series(values, &LOOKS[..k], &f[..k], level).unwrap().crossed(true))
    }

    /// What the union bound did instead: the fixed-sample signed-rank test at each look, at level / looks.
    fn union_bound_crosses(values: &[f64], level: f64) -> bool {
        let each = level / LOOKS.len() as f64;
        LOOKS.iter().any(|&n| crate::stats::inference::signed_rank(&values[..n]).unwrap().sides.greater <= each)
    }

    #[test]
    fn the_exact_law_sums_to_one_and_all_positive_is_its_rarest_top() {
        let weights = sequential_weights(&[0.3, -0.1, 0.2, 0.5, -0.4]);
        assert_eq!(weights, [1, 1, 2, 4, 4]);
        let law = distribution(&weights);
        assert!((law.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(law[12], 1.0 / 32.0, "only the all-positive pattern reaches the total");
        assert_eq!(sequential_weights(&[0.0, 0.1, f64::NAN]), [0, 1, 0]);
    }

    #[test]
    fn the_boundaries_spend_at_most_the_level_over_all_looks() {
        let weights: Vec<u64> = (1..=30).map(|i| (i * 7 % 11 + 1) as u64).collect();
        let looks = [10, 15, 20, 30];
        let fractions: Vec<f64> = looks.iter().map(|&n| n as f64 / 30.0).collect();
        let uppers = boundaries(&weights, &looks, &fractions, 0.01);
        // The chance of crossing at any look, by enumerating the walk exactly with the boundaries absorbing.
        let mut mass = vec![0f64; weights.iter().sum::<u64>() as usize + 1];
        mass[0] = 1.0;
        let (mut reach, mut added, mut crossed) = (0, 0, 0.0);
        for (k, &count) in looks.iter().enumerate() {
            weights[added..count].iter().for_each(|&w| add_pair(&mut mass, &mut reach, w as usize));
            added = count;
            let upper = uppers[k] as usize;
            crossed += mass.iter().skip(upper).sum::<f64>();
            mass.iter_mut().skip(upper).for_each(|m| *m = 0.0);
            assert!(crossed <= spent(0.01, fractions[k]) + 1e-15, "look {k}: {crossed}");
        }
        assert!(crossed > 0.005, "a Pocock-type plan spends most of its level: {crossed}");
        assert!(uppers.windows(2).all(|w| w[0] <= w[1]), "{uppers:?}");
    }

    #[test]
    fn an_out_of_reach_boundary_is_above_the_total_and_never_crossed() {
        let look = judge_series(&[0.1, 0.2, 0.3], &[3], &[1.0], 0.01).unwrap();
        assert_eq!((look.total_weight, look.upper, look.nominal_level), (6, 7, 0.0));
        assert!(!look.crossed(true) && !look.crossed(false));
        let enough = judge_series(&[0.1; 8], &[8], &[1.0], 0.01).unwrap();
        assert!(enough.crossed(true) && enough.p_values[0] == 1.0 / 256.0, "{enough:?}");
    }

    #[test]
    fn false_alarms_on_simulated_null_series_stay_within_the_level() {
        // 20000 null series over as many seeds, four looks, level 0.05 (a level a simulation can check): the
        // observed rate must lie within 3 Monte-Carlo standard errors (σ = √(0.05·0.95/20000) = 0.0015) of at most
        // 0.05; and it must not be far below it either (the calibration spends its level).
        let trials = 20_000;
        let false_alarms = (0..trials).filter(|&seed| crosses(&series(&mut Rng::new(seed), 0.0), 0.05)).count();
        let rate = false_alarms as f64 / trials as f64;
        assert!(rate <= 0.05 + 3.0 * 0.0015, "false-alarm rate {rate}");
        assert!(rate >= 0.025, "so conservative it wastes its level: {rate}");
    }

    #[test]
    fn a_shift_is_caught_more_often_than_the_union_bound_caught_it() {
        let trials = 2000;
        let (mut calibrated, mut union_bound) = (0, 0);
        for seed in 0..trials {
            let values = series(&mut Rng::new(seed + 1_000_000), 0.8);
            calibrated += usize::from(crosses(&values, 0.05));
            union_bound += usize::from(union_bound_crosses(&values, 0.05));
        }
        assert!(calibrated > trials as usize / 2, "power at a shift of 0.8: {calibrated} of {trials}");
        assert!(calibrated > union_bound, "calibrated {calibrated}, union bound {union_bound}");
    }
}
