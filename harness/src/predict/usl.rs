//! The Universal Scalability Law (Gunther) fitted to measured speedups: C(N) = N / (1 + σ(N−1) + κN(N−1)), σ the
//! contention and κ the coherency cost, from three or more worker counts. Linear in σ and κ once rearranged
//! (N/C − 1 = σ(N−1) + κN(N−1)), so it is fitted by least squares through the origin, with 95 % intervals from
//! Student's t on the fit's degrees of freedom; the peak is where adding workers stops adding speed,
//! N* = √((1−σ)/κ).

use serde::Serialize;

/// A fit, where the measurements allow one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Usl {
    pub sigma: f64,
    pub sigma_interval: (f64, f64),
    pub kappa: f64,
    pub kappa_interval: (f64, f64),
    /// The worker count of the highest speedup, where κ > 0.
    pub peak: Option<f64>,
}

/// Fits `(workers, speedup)` points; `None` with fewer than three distinct counts above one worker's, or a
/// degenerate system.
pub fn fit(points: &[(usize, f64)]) -> Option<Usl> {
    let rows: Vec<(f64, f64, f64)> = points
        .iter()
        .filter(|(n, s)| *n > 1 && *s > 0.0)
        .map(|&(n, s)| {
            let n = n as f64;
            (n - 1.0, n * (n - 1.0), n / s - 1.0)
        })
        .collect();
    let mut counts: Vec<usize> = points.iter().map(|p| p.0).collect();
    counts.sort_unstable();
    counts.dedup();
    if counts.len() < 3 || rows.len() < 2 {
        return None;
    }
    let (a, b, c) = rows.iter().fold((0.0, 0.0, 0.0), |(a, b, c), (x1, x2, _)| (a + x1 * x1, b + x1 * x2, c + x2 * x2));
    let (d, e) = rows.iter().fold((0.0, 0.0), |(d, e), (x1, x2, y)| (d + x1 * y, e + x2 * y));
    let det = a * c - b * b;
    if det.abs() < 1e-12 {
        return None;
    }
    let sigma = (c * d - b * e) / det;
    let kappa = (a * e - b * d) / det;
    let dof = (rows.len() as f64 - 2.0).max(1.0);
    let residual = rows.iter().map(|(x1, x2, y)| (y - sigma * x1 - kappa * x2).powi(2)).sum::<f64>() / dof;
    let t = student_t_975(rows.len().saturating_sub(2).max(1));
    let (se_sigma, se_kappa) = (t * (residual * c / det).sqrt(), t * (residual * a / det).sqrt());
    let peak = (kappa > 0.0 && sigma < 1.0).then(|| ((1.0 - sigma) / kappa).sqrt());
    Some(Usl {
        sigma,
        sigma_interval: (sigma - se_sigma, sigma + se_sigma),
        kappa,
        kappa_interval: (kappa - se_kappa, kappa + se_kappa),
        peak,
    })
}

/// Student's t at 0.975 for `dof` degrees of freedom (the normal's 1.96 beyond 30).
fn student_t_975(dof: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    TABLE.get(dof.max(1) - 1).copied().unwrap_or(1.96)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn law(sigma: f64, kappa: f64, n: usize) -> f64 {
        let n = n as f64;
        n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
    }

    #[test]
    fn exact_points_give_back_their_sigma_kappa_and_peak() {
        let points: Vec<(usize, f64)> = [1, 2, 4, 8, 16, 32].iter().map(|&n| (n, law(0.05, 0.001, n))).collect();
        let usl = fit(&points).unwrap();
        assert!((usl.sigma - 0.05).abs() < 1e-9 && (usl.kappa - 0.001).abs() < 1e-9, "{usl:?}");
        assert!((usl.peak.unwrap() - (0.95f64 / 0.001).sqrt()).abs() < 1e-6);
    }

    /// Speedups with ±2 % noise over 1000 seeds: the 95 % intervals hold the true σ and κ in at least 85 %.
    #[test]
    fn noisy_points_keep_the_true_values_inside_their_intervals_most_of_the_time() {
        let mut state = 7u64;
        let mut noise = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.04
        };
        let (mut covered, mut kappa_covered) = (0, 0);
        for _ in 0..1000 {
            let points: Vec<(usize, f64)> =
                [1, 2, 4, 6, 8, 12, 16].iter().map(|&n| (n, law(0.03, 0.002, n) * (1.0 + noise()))).collect();
            let usl = fit(&points).unwrap();
            covered += usize::from(usl.sigma_interval.0 <= 0.03 && 0.03 <= usl.sigma_interval.1);
            kappa_covered += usize::from(usl.kappa_interval.0 <= 0.002 && 0.002 <= usl.kappa_interval.1);
        }
        assert!(covered >= 850 && kappa_covered >= 850, "σ {covered}, κ {kappa_covered} of 1000");
    }

    #[test]
    fn two_counts_are_too_few() {
        assert_eq!(fit(&[(1, 1.0), (2, 1.9)]), None);
    }
}
