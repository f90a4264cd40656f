//! Inference for verdicts: the Mann–Whitney U rank test for two independent samples, the Wilcoxon signed-rank
//! test for paired differences, bootstrap confidence intervals, and the smallest shift a test could
//! have seen. The estimate and interval that go with the signed-rank test are in [`super::pseudo_median`].
//!
//! All are distribution-free, which suits timing samples: skewed, heavy-tailed, and few.

use ablate_workloads::rng::Rng;

use crate::stats::{median, quantile};

/// The outcome of a Mann–Whitney U test of `x` against `y`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankTest {
    /// U of the first sample: how many (x, y) pairs have x > y, ties counting one half.
    pub u: f64,
    /// Two-sided p-value: exact for small samples without ties, else the normal approximation with tie
    /// correction and continuity correction.
    pub p_value: f64,
    /// One-sided p-values, computed alike: that the first sample is larger, and that it is smaller.
    pub sides: Sides,
}

/// A test's two one-sided p-values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sides {
    /// That the first sample (or the differences) lean larger: in a verdict, slower.
    pub greater: f64,
    /// That they lean smaller: faster.
    pub less: f64,
}

impl Sides {
    /// The two-sided p-value: twice the smaller side.
    fn both(self) -> f64 {
        (2.0 * self.greater.min(self.less)).min(1.0)
    }

    /// The one-sided p-value in the direction the figures lean: `greater` when `larger`, else `less`.
    pub fn toward(self, larger: bool) -> f64 {
        if larger { self.greater } else { self.less }
    }
}

/// Largest total sample count for which the exact distribution of U is computed.
const EXACT_LIMIT: usize = 40;

/// The Mann–Whitney U test; `None` when either sample is empty.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Option<RankTest> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (rank_sum_x, tie_term) = rank_sum_of_first(x, y);
    let u = rank_sum_x - (n1 * (n1 + 1)) as f64 / 2.0;
    let sides = if tie_term == 0.0 && n1 + n2 <= EXACT_LIMIT {
        exact_sides(u, n1, n2)
    } else {
        normal_sides(u, n1, n2, tie_term)
    };
    Some(RankTest { u, p_value: sides.both(), sides })
}

/// The sum of the first sample's ranks (ties take the mean rank) and Σ(t³ − t) over tie groups.
fn rank_sum_of_first(x: &[f64], y: &[f64]) -> (f64, f64) {
    let mut all: Vec<(f64, bool)> = x.iter().map(|&v| (v, true)).chain(y.iter().map(|&v| (v, false))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut tie_term, mut i) = (0.0, 0.0, 0);
    while i < all.len() {
        let j = (i..all.len()).find(|&j| all[j].0 != all[i].0).unwrap_or(all.len());
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        let firsts = all[i..j].iter().filter(|(_, first)| *first).count();
        rank_sum += mean_rank * firsts as f64;
        let t = (j - i) as f64;
        tie_term += t * t * t - t;
        i = j;
    }
    (rank_sum, tie_term)
}

/// Exact one-sided p-values: the tails of U's null distribution at and beyond `u`, by counting arrangements.
fn exact_sides(u: f64, n1: usize, n2: usize) -> Sides {
    // ways[k][s]: arrangements of k first-sample items among the ranks seen so far with U = s.
    let max_u = n1 * n2;
    let mut ways = vec![vec![0f64; max_u + 1]; n1 + 1];
    ways[0][0] = 1.0;
    for placed in 0..n1 + n2 {
        let mut next = vec![vec![0f64; max_u + 1]; n1 + 1];
        for k in 0..=n1.min(placed) {
            let seconds_before = placed - k;
            if seconds_before > n2 {
                continue;
            }
            for s in 0..=max_u {
                let w = ways[k][s];
                if w == 0.0 {
                    continue;
                }
                if seconds_before < n2 {
                    next[k][s] += w;
                }
                if k < n1 && s + seconds_before <= max_u {
                    next[k + 1][s + seconds_before] += w;
                }
            }
        }
        ways = next;
    }
    let counts = &ways[n1];
    let total: f64 = counts.iter().sum();
    let u = u.round() as usize;
    let lower: f64 = counts[..=u].iter().sum();
    let upper: f64 = counts[u..].iter().sum();
    Sides { greater: upper / total, less: lower / total }
}

fn normal_sides(u: f64, n1: usize, n2: usize, tie_term: f64) -> Sides {
    let (n1, n2) = (n1 as f64, n2 as f64);
    let n = n1 + n2;
    let mean = n1 * n2 / 2.0;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    normal_tails(u, mean, variance)
}

/// The normal approximation's one-sided tails at `statistic`, with a continuity correction of one half; both 1
/// when the variance is nil.
fn normal_tails(statistic: f64, mean: f64, variance: f64) -> Sides {
    if variance <= 0.0 {
        return Sides { greater: 1.0, less: 1.0 };
    }
    let tail = |excess: f64| (0.5 * erfc((excess - 0.5) / (variance.sqrt() * std::f64::consts::SQRT_2))).min(1.0);
    Sides { greater: tail(statistic - mean), less: tail(mean - statistic) }
}

/// The complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7).
pub(crate) fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The outcome of a Wilcoxon signed-rank test of paired differences against a median of zero.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SignedRankTest {
    /// W+: the sum of the ranks of |d| over the positive differences (zeros dropped, ties at their mean rank).
    pub w_plus: f64,
    /// Non-zero differences ranked.
    pub n: usize,
    /// Two-sided p-value: exact for up to [`SIGNED_RANK_EXACT_LIMIT`] differences without ties, else the normal
    /// approximation with tie and continuity corrections.
    pub p_value: f64,
    /// One-sided p-values, computed alike: that the differences lean positive, and that they lean negative.
    pub sides: Sides,
}

/// Largest count of differences for which the exact null distribution of W+ is used.
pub const SIGNED_RANK_EXACT_LIMIT: usize = 50;

/// The Wilcoxon signed-rank test (Wilcoxon's zero handling: zero differences are dropped); `None` when no
/// difference is non-zero.
pub fn signed_rank(differences: &[f64]) -> Option<SignedRankTest> {
    let mut nonzero: Vec<f64> = differences.iter().copied().filter(|d| *d != 0.0 && d.is_finite()).collect();
    let n = nonzero.len();
    if n == 0 {
        return None;
    }
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let (mut w_plus, mut tie_term, mut i) = (0.0, 0.0, 0);
    while i < n {
        let j = (i..n).find(|&j| nonzero[j].abs() != nonzero[i].abs()).unwrap_or(n);
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        w_plus += mean_rank * nonzero[i..j].iter().filter(|d| **d > 0.0).count() as f64;
        let t = (j - i) as f64;
        tie_term += t * t * t - t;
        i = j;
    }
    let sides = if tie_term == 0.0 && n <= SIGNED_RANK_EXACT_LIMIT {
        signed_rank_exact_sides(w_plus, n)
    } else {
        signed_rank_normal_sides(w_plus, n, tie_term)
    };
    Some(SignedRankTest { w_plus, n, p_value: sides.both(), sides })
}

/// Exact one-sided p-values: the tails of W+'s null distribution at and beyond `w_plus`, counting the 2ⁿ sign
/// patterns.
fn signed_rank_exact_sides(w_plus: f64, n: usize) -> Sides {
    let null = signed_rank_null(n);
    let w = w_plus.round() as usize;
    Sides { greater: null[w..].iter().sum(), less: null[..=w].iter().sum() }
}

fn signed_rank_normal_sides(w_plus: f64, n: usize, tie_term: f64) -> Sides {
    let n = n as f64;
    let mean = n * (n + 1.0) / 4.0;
    let variance = n * (n + 1.0) * (2.0 * n + 1.0) / 24.0 - tie_term / 48.0;
    normal_tails(w_plus, mean, variance)
}

/// The exact null distribution of W+ for `n` differences: entry s is P(W+ = s). Kept as probabilities (each
/// rank halves them), so it never overflows however many differences.
pub(super) fn signed_rank_null(n: usize) -> Vec<f64> {
    let max = n * (n + 1) / 2;
    let mut p = vec![0f64; max + 1];
    p[0] = 1.0;
    for rank in 1..=n {
        for s in (0..=max).rev() {
            let with = if s >= rank { p[s - rank] } else { 0.0 };
            p[s] = (p[s] + with) / 2.0;
        }
    }
    p
}

/// The smallest shift `δ ≥ 0` at which `p_at(δ)` falls to `alpha` or below, to a relative precision of 1e-4 of
/// `scale`; infinite when no shift up to `scale` does. `p_at` must fall as `δ` grows, and `scale` must be a
/// shift large enough to separate the samples completely.
pub fn smallest_detectable_shift(p_at: impl Fn(f64) -> f64, alpha: f64, scale: f64) -> f64 {
    let scale = scale.max(1e-9);
    if p_at(scale) > alpha {
        return f64::INFINITY;
    }
    let (mut low, mut high) = (0.0, scale);
    if p_at(low) <= alpha {
        return 0.0;
    }
    while high - low > scale * 1e-4 {
        let middle = (low + high) / 2.0;
        if p_at(middle) <= alpha { high = middle } else { low = middle }
    }
    high
}

/// A two-sided confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Bootstrap resamples per interval: enough for the 0.5 % tails of a 99 % interval to rest on 10 resamples each.
pub const RESAMPLES: usize = 2000;

/// Percentile-bootstrap interval, at `confidence`, for median(numerator) / median(denominator), resampling each
/// sample independently `resamples` times from a fixed seed (so a verdict is reproducible from the file).
pub fn ratio_of_medians_interval(
    numerator: &[f64],
    denominator: &[f64],
    confidence: f64,
    resamples: usize,
    seed: u64,
) -> Option<Interval> {
    if numerator.is_empty() || denominator.is_empty() {
        return None;
    }
    let mut rng = Rng::new(seed);
    let mut draw = |sample: &[f64]| -> f64 {
        let resample: Vec<f64> = (0..sample.len()).map(|_| sample[rng.below(sample.len() as u64) as usize]).collect();
        median(&resample).expect("a non-empty resample")
    };
    let ratios: Vec<f64> = (0..resamples)
        .map(|_| {
            let top = draw(numerator);
            top / draw(denominator).max(f64::MIN_POSITIVE)
        })
        .collect();
    let tail = (1.0 - confidence) / 2.0;
    Some(Interval { low: quantile(&ratios, tail)?, high: quantile(&ratios, 1.0 - tail)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn complete_separation_of_three_against_three_gives_the_exact_minimum() {
        let test = mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
        assert_eq!(test.u, 0.0);
        assert!(close(test.p_value, 0.1, 1e-12), "2 of C(6,3)=20 arrangements: {}", test.p_value);
    }

    #[test]
    fn textbook_example_matches_published_values() {
        // Two groups of 8 without ties: 10 pairs with x > y, and 133 of the C(16,8) = 12870 arrangements have
        // U ≤ 10, so the exact two-sided p is 2 × 133 / 12870 = 0.020668 (checked by enumeration).
        let x = [19.0, 22.0, 16.0, 29.0, 24.0, 20.0, 17.0, 21.0];
        let y = [20.5, 26.0, 25.0, 27.0, 28.0, 30.0, 23.0, 31.0];
        let test = mann_whitney(&x, &y).unwrap();
        assert_eq!(test.u, 10.0);
        assert!(close(test.p_value, 2.0 * 133.0 / 12870.0, 1e-12), "{}", test.p_value);
        assert!(close(test.sides.less, 133.0 / 12870.0, 1e-12), "x leans smaller: {:?}", test.sides);
        assert!(test.sides.greater > 0.95, "{:?}", test.sides);
    }

    #[test]
    fn ties_use_the_normal_approximation_and_identical_samples_are_not_significant() {
        let same = [5.0; 10];
        assert_eq!(mann_whitney(&same, &same).unwrap().p_value, 1.0);
        let test = mann_whitney(&[1.0, 2.0, 2.0, 3.0], &[2.0, 3.0, 3.0, 4.0]).unwrap();
        assert_eq!(test.u, 3.0, "1 beats none, each 2 ties one 2, each 3 beats a 2 and ties two 3s");
        assert!(test.p_value > 0.1 && test.p_value < 0.5, "{}", test.p_value);
        assert!(mann_whitney(&[], &[1.0]).is_none());
    }

    #[test]
    fn large_separated_samples_are_highly_significant() {
        let x: Vec<f64> = (0..30).map(f64::from).collect();
        let y: Vec<f64> = (100..130).map(f64::from).collect();
        assert!(mann_whitney(&x, &y).unwrap().p_value < 1e-9);
    }

    #[test]
    #[allow(clippy::approx_constant, reason = "3.14 is a measured score in the data set, not pi")]
    fn signed_rank_matches_the_textbook_example_exactly() {
        // Hollander & Wolfe's depression scores (as in SciPy's documentation of `wilcoxon`): nine pairs, W+ = 40,
        // W− = 5; exact two-sided p = 2 × 10 / 2⁹ = 0.0390625.
        let x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
        let y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
        let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
        let test = signed_rank(&d).unwrap();
        assert_eq!((test.w_plus, test.n), (40.0, 9));
        assert!(close(test.p_value, 0.0390625, 1e-12), "{}", test.p_value);
        // One-sided, as R's wilcox.test(x, y, paired = TRUE, alternative = "greater") prints: p = 10 / 2⁹.
        assert!(close(test.sides.greater, 0.01953125, 1e-12), "{:?}", test.sides);
        assert!(close(test.sides.less, 1.0 - 7.0 / 512.0, 1e-12), "all but the 7 patterns with W+ ≥ 41 (W− ≤ 4)");
        assert_eq!(test.sides.toward(true), test.sides.greater);
    }

    #[test]
    fn signed_rank_agrees_with_scipy_exact_and_approximate() {
        let d = [
            0.5, -0.2, 1.1, 0.8, 0.3, -0.6, 0.9, 1.4, 0.7, 0.05, 0.45, -0.35, 1.25, 0.62, 0.15, 0.85, -0.1, 0.95, 1.05,
            0.33, 0.58, -0.45, 0.72, 0.27, 0.81, 0.12, 1.15, 0.4, -0.05, 0.66, 0.9, 0.2, 0.31, -0.22, 0.77, 0.51, 0.14,
            0.6, 0.35, 0.08,
        ];
        // scipy.stats.wilcoxon(d[:20], method="exact"): W− = 23, p = 0.001209259033203125.
        let exact = signed_rank(&d[..20]).unwrap();
        assert_eq!(exact.w_plus, 210.0 - 23.0);
        assert!(close(exact.p_value, 0.001_209_259_033_203_125, 1e-15), "{}", exact.p_value);
        // All 40, with a tie (0.9 twice): scipy's normal approximation with continuity correction, p = 1.0383e-5.
        let approximate = signed_rank(&d).unwrap();
        assert!(close(approximate.p_value, 1.038_278_143_75e-5, 1e-9), "{}", approximate.p_value);
        assert!(close(approximate.sides.greater, 1.038_278_143_75e-5 / 2.0, 1e-9), "{:?}", approximate.sides);
    }

    #[test]
    fn signed_rank_of_all_positive_differences_is_the_smallest_exact_p() {
        let test = signed_rank(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]).unwrap();
        assert!(close(test.p_value, 2.0 / 256.0, 1e-15));
        assert!(close(test.sides.greater, 1.0 / 256.0, 1e-15), "one pattern of 2⁸ is as high");
        assert_eq!(test.sides.less, 1.0);
        assert!(signed_rank(&[0.0, 0.0]).is_none(), "zeros are dropped");
    }

    #[test]
    fn the_smallest_detectable_shift_is_where_the_test_turns_significant() {
        let noise = [-0.03, -0.02, -0.01, 0.0, 0.01, 0.02, 0.03, -0.015, 0.015, 0.025, -0.025, 0.005];
        let p_at = |shift: f64| signed_rank(&noise.map(|d| d + shift)).unwrap().p_value;
        let shift = smallest_detectable_shift(p_at, 0.01, 1.0);
        assert!(p_at(shift) < 0.01 && p_at(shift * 0.99) >= 0.01, "{shift}");
        assert!(shift > 0.0 && shift < 0.03, "{shift}");
        let too_few = |shift: f64| signed_rank(&[0.01 + shift, -0.01 + shift]).unwrap().p_value;
        assert_eq!(smallest_detectable_shift(too_few, 0.01, 1.0), f64::INFINITY, "2 pairs never reach p < 0.01");
    }

    #[test]
    fn erfc_known_values() {
        assert!(close(erfc(0.0), 1.0, 1e-7));
        assert!(close(erfc(1.0), 0.157_299_2, 1e-7));
        assert!(close(erfc(-1.0), 1.842_700_8, 1e-7));
    }

    #[test]
    fn the_exact_null_distribution_sums_to_one_even_for_many_differences() {
        let null = signed_rank_null(400);
        assert!(close(null.iter().sum::<f64>(), 1.0, 1e-9));
        assert!(null.iter().all(|p| p.is_finite()));
    }

    #[test]
    fn bootstrap_interval_brackets_the_true_ratio_and_is_reproducible() {
        let base: Vec<f64> = (0..20).map(|i| 100.0 + f64::from(i % 5)).collect();
        let slow: Vec<f64> = base.iter().map(|v| v * 1.5).collect();
        let interval = ratio_of_medians_interval(&slow, &base, 0.99, RESAMPLES, 7).unwrap();
        assert!(interval.low <= 1.5 && 1.5 <= interval.high, "{interval:?}");
        assert!(interval.high - interval.low < 0.1, "{interval:?}");
        assert_eq!(interval, ratio_of_medians_interval(&slow, &base, 0.99, RESAMPLES, 7).unwrap());
    }
}
