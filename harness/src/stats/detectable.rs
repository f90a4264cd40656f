//! What a cell's paired log ratios could have seen: the smallest ratio the signed-rank test would call
//! significant at their measured spread, now (exactly) or after more pairs (projected).

use super::inference::{erfc, signed_rank, smallest_detectable_shift};
use super::median_abs_deviation;
use super::pseudo_median::pseudo_median;

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

/// The ratio a cell of these kept log ratios could see after `pairs` pairs at `level`, were its spread to stay
/// what it is: the signed-rank test's smallest significant shift in the normal approximation, `z · σ · √(π/3) /
/// √pairs` (the test's efficiency against the t-test is 3/π at normal noise), σ the median absolute deviation
/// around the centre scaled to a standard deviation. Infinite when `pairs` cannot reach `level` at all.
pub fn projected_min_detectable_ratio(log_ratios: &[f64], pairs: usize, level: f64) -> f64 {
    let (Some(center), true) = (pseudo_median(log_ratios), pairs > 0) else { return f64::INFINITY };
    if 0.5f64.powi(pairs.min(1024) as i32) > level {
        return f64::INFINITY;
    }
    let centred: Vec<f64> = log_ratios.iter().map(|d| d - center).collect();
    let sigma = 1.4826 * median_abs_deviation(&centred).unwrap_or(0.0);
    (upper_normal_quantile(level) * sigma * (std::f64::consts::PI / 3.0).sqrt() / (pairs as f64).sqrt()).exp()
}

/// z with `P(Z > z) = p` for a standard normal Z, by bisection on the complementary error function.
fn upper_normal_quantile(p: f64) -> f64 {
    let (mut low, mut high) = (-10.0, 40.0);
    for _ in 0..100 {
        let middle: f64 = (low + high) / 2.0;
        if 0.5 * erfc(middle / std::f64::consts::SQRT_2) > p { low = middle } else { high = middle }
    }
    high
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` log ratios of `shift` plus deterministic, tie-free noise of amplitude `noise`.
    fn spread(shift: f64, noise: f64, n: usize) -> Vec<f64> {
        (1..=n).map(|i| shift + noise * ((i as f64 * 0.618_034).fract() * 2.0 - 1.0)).collect()
    }

    #[test]
    fn what_a_cell_could_see_grows_with_its_spread_and_shrinks_with_its_pairs() {
        let level = 0.01 / 144.0;
        let quiet = projected_min_detectable_ratio(&spread(0.0, 0.02, 10), 44, level);
        assert!(projected_min_detectable_ratio(&spread(0.0, 0.02, 10), 44, level * 2.0) < quiet, "a laxer level");
        let noisy = projected_min_detectable_ratio(&spread(0.0, 0.2, 10), 44, level);
        let sooner = projected_min_detectable_ratio(&spread(0.0, 0.2, 10), 20, level);
        assert!(1.0 < quiet && quiet < 1.02 && quiet < noisy && noisy < sooner, "{quiet} {noisy} {sooner}");
        assert_eq!(projected_min_detectable_ratio(&spread(0.0, 0.02, 10), 13, level), f64::INFINITY, "2⁻¹³ > level");
        let shifted = projected_min_detectable_ratio(&spread(0.5, 0.2, 10), 44, level);
        assert!((shifted - noisy).abs() < 1e-12, "measured around its centre, whatever the shift");
    }
}
