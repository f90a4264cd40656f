//! Change points in a series of runs: E-Divisive with means (Matteson & James, "A Nonparametric Approach for
//! Multiple Change Point Analysis of Multivariate Data", JASA 2014), as MongoDB's CI uses it (Daly et al., "The
//! Use of Change Point Detection to Identify Software Performance Regressions in a Continuous Integration System",
//! ICPE 2020), with its seeded permutation test — not Hunter's t-test variant, which treats samples as
//! independent and so calls a run that was slow as a whole a change.
//!
//! The unit is the run, not the sample: the distance between runs i and j is the mean |a − b| over all pairs of
//! their samples (log values, so a ratio is a distance), the energy statistic of a split compares the runs before
//! with the runs after, and the permutation test shuffles whole runs. Every sample counts, and a run whose
//! samples all moved together (a busy CI machine) is one unit of evidence, never many. The price: a step is
//! found only once about four runs follow it (with 30 runs, two runs after a step can at best reach p ≈ 0.005).
//!
//! Splits are found by binary segmentation: the best split of the whole series is tested against the best
//! splits of permutations of its runs; when significant, each side is searched the same way, until no segment
//! holds a significant split.

use ablate_workloads::rng::Rng;

/// The detector's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detector {
    /// A split is kept when its permutation p-value is at most this.
    pub significance: f64,
    /// Permutations per test; the p-value is (1 + exceedances) / (1 + permutations).
    pub permutations: usize,
    /// The fewest runs a segment may hold.
    pub min_runs: usize,
    /// E-Divisive's exponent: distances are |a − b|^exponent, in (0, 2).
    pub exponent: f64,
}

impl Default for Detector {
    /// 0.005 per segment tested, with 199 permutations (the least that can reach it): a false change point in a
    /// quiet series is rare, and alone it cannot fail `history check`, which also asks for the threshold's ratio.
    fn default() -> Self {
        Detector { significance: 0.005, permutations: 199, min_runs: 2, exponent: 1.0 }
    }
}

/// A change point: the first run of the new segment, and the permutation p-value of the split.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Split {
    pub at: usize,
    pub p_value: f64,
}

/// The change points of `runs` (each run's samples, on a log scale), in run order, found with `seed`.
pub fn change_points(runs: &[Vec<f64>], detector: &Detector, seed: u64) -> Vec<Split> {
    let distances = Distances::between(runs, detector.exponent);
    let mut rng = Rng::new(seed);
    let mut found = Vec::new();
    let mut pending = vec![(0, runs.len())];
    while let Some((start, end)) = pending.pop() {
        let order: Vec<usize> = (start..end).collect();
        let Some((offset, observed)) = distances.best_split(&order, detector.min_runs) else { continue };
        let p_value = permutation_p(&distances, order, observed, detector, &mut rng);
        if p_value <= detector.significance {
            let at = start + offset;
            found.push(Split { at, p_value });
            pending.extend([(at, end), (start, at)]);
        }
    }
    found.sort_by_key(|split| split.at);
    found
}

/// The share of permutations of the runs `order` whose best split reaches `observed`, stopping as soon as the
/// split can no longer be significant.
fn permutation_p(
    distances: &Distances,
    mut order: Vec<usize>,
    observed: f64,
    detector: &Detector,
    rng: &mut Rng,
) -> f64 {
    let allowed = detector.significance * (detector.permutations + 1) as f64;
    let mut exceed = 0usize;
    for done in 1..=detector.permutations {
        shuffle(&mut order, rng);
        if distances.best_split(&order, detector.min_runs).is_some_and(|(_, q)| q >= observed) {
            exceed += 1;
            if (exceed + 1) as f64 > allowed {
                return (exceed + 1) as f64 / (done + 1) as f64;
            }
        }
    }
    (exceed + 1) as f64 / (detector.permutations + 1) as f64
}

fn shuffle(order: &mut [usize], rng: &mut Rng) {
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
}

/// Mean distances between the samples of every two runs (a run with itself included: the V-statistic, so a
/// run of one sample is 0 from itself).
struct Distances {
    n: usize,
    d: Vec<f64>,
}

impl Distances {
    fn between(runs: &[Vec<f64>], exponent: f64) -> Self {
        let n = runs.len();
        let mut d = vec![0.0; n * n];
        for i in 0..n {
            for j in i..n {
                let (a, b) = (&runs[i], &runs[j]);
                let sum: f64 = a.iter().flat_map(|x| b.iter().map(move |y| (x - y).abs().powf(exponent))).sum();
                let mean = sum / (a.len() * b.len()).max(1) as f64;
                d[i * n + j] = mean;
                d[j * n + i] = mean;
            }
        }
        Distances { n, d }
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        self.d[i * self.n + j]
    }

    /// The split of the runs `order` (a segment, in some order) with the largest scaled energy statistic
    /// Q = m·k/(m+k) · (2·mean D(A,B) − mean D(A,A) − mean D(B,B)), as (runs before it, Q); `None` when the
    /// segment is too short to split into two of `min_runs`.
    fn best_split(&self, order: &[usize], min_runs: usize) -> Option<(usize, f64)> {
        let n = order.len();
        let min_runs = min_runs.max(1);
        if n < 2 * min_runs {
            return None;
        }
        let rows: Vec<f64> = order.iter().map(|&i| order.iter().map(|&j| self.at(i, j)).sum()).collect();
        let (mut within_a, mut across) = (0.0, 0.0);
        let mut within_b: f64 = rows.iter().sum();
        let mut best: Option<(usize, f64)> = None;
        for tau in 1..=n - min_runs {
            let moving = order[tau - 1];
            let row = &self.d[moving * self.n..(moving + 1) * self.n];
            let to_a: f64 = order[..tau - 1].iter().map(|&i| row[i]).sum();
            let own = row[moving];
            let to_b = rows[tau - 1] - to_a - own;
            within_a += 2.0 * to_a + own;
            within_b -= 2.0 * to_b + own;
            across += to_b - to_a;
            if tau < min_runs {
                continue;
            }
            let (m, k) = (tau as f64, (n - tau) as f64);
            let energy = 2.0 * across / (m * k) - within_a / (m * m) - within_b / (k * k);
            let q = m * k / (m + k) * energy;
            if best.is_none_or(|(_, top)| q > top) {
                best = Some((tau, q));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(levels: &[f64], per_run: usize, noise: f64, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = Rng::new(seed);
        levels.iter().map(|level| (0..per_run).map(|_| level.ln() + noise * rng.normal()).collect()).collect()
    }

    #[test]
    fn a_clear_step_is_found_where_it_is_and_a_flat_series_has_none() {
        let mut levels = vec![1.0; 12];
        levels.extend([1.3; 8]);
        let found = change_points(&series(&levels, 3, 0.02, 1), &Detector::default(), 7);
        assert_eq!(found.iter().map(|s| s.at).collect::<Vec<_>>(), vec![12]);
        assert!(found[0].p_value <= 0.005);
        assert!(change_points(&series(&[1.0; 20], 3, 0.02, 2), &Detector::default(), 7).is_empty());
    }

    #[test]
    fn the_same_seed_gives_the_same_answer() {
        let mut levels = vec![1.0; 10];
        levels.extend([1.08; 10]);
        let runs = series(&levels, 5, 0.03, 3);
        assert_eq!(change_points(&runs, &Detector::default(), 9), change_points(&runs, &Detector::default(), 9));
    }

    #[test]
    fn best_split_matches_the_energy_statistic_computed_directly() {
        let runs = series(&[1.0, 1.1, 0.9, 1.4, 1.5], 2, 0.05, 4);
        let distances = Distances::between(&runs, 1.0);
        let order: Vec<usize> = (0..5).collect();
        let (tau, q) = distances.best_split(&order, 1).unwrap();
        let direct = |tau: usize| {
            let mean = |a: &[usize], b: &[usize]| {
                a.iter().flat_map(|&i| b.iter().map(move |&j| (i, j))).map(|(i, j)| distances.at(i, j)).sum::<f64>()
                    / (a.len() * b.len()) as f64
            };
            let (a, b) = order.split_at(tau);
            let (m, k) = (a.len() as f64, b.len() as f64);
            m * k / (m + k) * (2.0 * mean(a, b) - mean(a, a) - mean(b, b))
        };
        let top = (1..5).map(direct).fold(f64::NEG_INFINITY, f64::max);
        assert!((q - top).abs() < 1e-12 && (direct(tau) - q).abs() < 1e-12, "{q} {top}");
        assert_eq!(tau, 3);
    }
}
