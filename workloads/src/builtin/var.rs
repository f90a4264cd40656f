//! `var`: Monte Carlo value-at-risk of a correlated portfolio, a batch of simulated paths per task.
//!
//! CPU-bound floating point (normal draws, a Cholesky-factor product per day) with equal, independent tasks:
//! the case every strategy should scale on. Each task has its own random stream, so a batch's losses are the
//! same whichever worker simulates it; it returns only its worst 1 % of losses and their total.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;
use crate::{Description, Footprint, Kind, Param, Workload, WorkloadConfig, WorkloadError};

const NAME: &str = "var";
const ASSETS: usize = 16;
const BATCH: Param<u64> = Param::new("batch", 500, 1..=u32::MAX as u64, "simulated paths per task");
const HORIZON_DAYS: Param<u32> = Param::new("horizon_days", 10, 1..=10_000, "days simulated per path");

pub struct ValueAtRisk {
    paths: u64,
    batch: u64,
    horizon_days: u32,
    seed: u64,
}

/// Position sizes, daily volatilities and the Cholesky factor of the assets' correlation matrix.
#[derive(Serialize, Deserialize)]
pub struct Portfolio {
    pub weights: Vec<f64>,
    pub daily_vols: Vec<f64>,
    /// Lower-triangular, row-major, `ASSETS × ASSETS`.
    pub cholesky: Vec<f64>,
}

#[derive(Serialize, Deserialize)]
pub struct PathBatch {
    pub stream: u64,
    pub paths: u64,
}

#[derive(Serialize, Deserialize)]
pub struct TailLosses {
    /// The batch's largest losses, largest first (1 % of its paths, at least one).
    pub worst: Vec<f64>,
    pub total_loss: f64,
}

impl Workload for ValueAtRisk {
    type Shared = Portfolio;
    type Task = PathBatch;
    type Output = TailLosses;

    fn describe() -> Description {
        Description::new(
            NAME,
            Kind::Cpu,
            "Monte Carlo value-at-risk of a 16-asset correlated portfolio; equal floating-point tasks",
        )
        .sizes("paths", 60_000, 1_500)
        .params(&[&BATCH, &HORIZON_DAYS])
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        config.size_at_least(1, "paths")?;
        Ok(ValueAtRisk {
            paths: config.size,
            batch: BATCH.get(config)?,
            horizon_days: HORIZON_DAYS.get(config)?,
            seed: config.seed,
        })
    }

    fn shared_input(&self) -> Portfolio {
        let mut rng = Rng::new(self.seed);
        let weights = (0..ASSETS).map(|_| 1e6 * (0.5 + rng.next_f64())).collect();
        let daily_vols = (0..ASSETS).map(|_| 0.005 + 0.02 * rng.next_f64()).collect();
        let loadings: Vec<f64> = (0..ASSETS).map(|_| 0.2 + 0.6 * rng.next_f64()).collect();
        Portfolio { weights, daily_vols, cholesky: cholesky(&one_factor_correlation(&loadings)) }
    }

    /// Each output keeps its batch's worst 1 %; each running task sorts its batch's losses.
    fn footprint(&self) -> Option<Footprint> {
        let tail = (self.batch / 100).max(1) * 8;
        Some(Footprint {
            shared_bytes: (size_of::<Portfolio>() + (2 + ASSETS) * ASSETS * 8) as u64,
            scratch_bytes: self.batch * 8,
            tasks: self.paths.div_ceil(self.batch),
            bytes_per_task: (size_of::<PathBatch>() + size_of::<TailLosses>()) as u64 + tail,
        })
    }

    fn tasks(&self) -> Vec<PathBatch> {
        (0..self.paths)
            .step_by(self.batch as usize)
            .enumerate()
            .map(|(stream, start)| PathBatch { stream: stream as u64, paths: self.batch.min(self.paths - start) })
            .collect()
    }

    fn run(&self, portfolio: &Portfolio, batch: &PathBatch) -> TailLosses {
        let mut rng = Rng::for_stream(self.seed, batch.stream);
        let mut losses: Vec<f64> = (0..batch.paths).map(|_| self.path_loss(portfolio, &mut rng)).collect();
        losses.sort_unstable_by(|a, b| b.total_cmp(a));
        let tail = (losses.len() / 100).max(1);
        TailLosses { total_loss: losses.iter().sum(), worst: losses[..tail].to_vec() }
    }
}

impl ValueAtRisk {
    /// The portfolio's loss over the horizon on one simulated path of correlated daily returns.
    fn path_loss(&self, portfolio: &Portfolio, rng: &mut Rng) -> f64 {
        let mut log_returns = [0.0f64; ASSETS];
        let mut shocks = [0.0f64; ASSETS];
        for _ in 0..self.horizon_days {
            shocks.iter_mut().for_each(|z| *z = rng.normal());
            for (i, total) in log_returns.iter_mut().enumerate() {
                let row = &portfolio.cholesky[i * ASSETS..i * ASSETS + i + 1];
                let correlated: f64 = row.iter().zip(&shocks).map(|(l, z)| l * z).sum();
                *total += portfolio.daily_vols[i] * correlated;
            }
        }
        portfolio.weights.iter().zip(log_returns).map(|(w, r)| -w * r.exp_m1()).sum()
    }
}

/// Correlation ρᵢⱼ = βᵢβⱼ off the diagonal, 1 on it: positive definite for |β| < 1.
fn one_factor_correlation(loadings: &[f64]) -> Vec<f64> {
    let n = loadings.len();
    (0..n * n).map(|k| if k / n == k % n { 1.0 } else { loadings[k / n] * loadings[k % n] }).collect()
}

/// The lower-triangular L with L·Lᵀ = `matrix` (row-major, positive definite).
fn cholesky(matrix: &[f64]) -> Vec<f64> {
    let n = (matrix.len() as f64).sqrt() as usize;
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            l[i * n + j] =
                if i == j { (matrix[i * n + i] - dot).sqrt() } else { (matrix[i * n + j] - dot) / l[j * n + j] };
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(size: u64, batch: u64, seed: u64) -> ValueAtRisk {
        ValueAtRisk::build(&WorkloadConfig::new(NAME, size, seed).with_param("batch", batch)).unwrap()
    }

    #[test]
    fn batches_cover_every_path_and_the_last_is_partial() {
        let tasks = var(10_000, 3_000, 1).tasks();
        assert_eq!(tasks.iter().map(|t| t.paths).collect::<Vec<_>>(), vec![3000, 3000, 3000, 1000]);
        let empty = ValueAtRisk::build(&WorkloadConfig::new(NAME, 0, 1));
        assert!(matches!(empty, Err(WorkloadError::BadSize { size: 0, .. })));
    }

    #[test]
    fn cholesky_factor_reproduces_the_correlation() {
        let corr = one_factor_correlation(&[0.3, 0.5, 0.7]);
        let l = cholesky(&corr);
        for i in 0..3 {
            for j in 0..3 {
                let product: f64 = (0..3).map(|k| l[i * 3 + k] * l[j * 3 + k]).sum();
                assert!((product - corr[i * 3 + j]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn a_batch_is_deterministic_and_its_tail_is_sorted() {
        let (a, b) = (var(1000, 200, 7), var(1000, 200, 7));
        let out_a = a.run(&a.shared_input(), &a.tasks()[2]);
        let out_b = b.run(&b.shared_input(), &b.tasks()[2]);
        assert_eq!(out_a.worst, out_b.worst);
        assert_eq!(out_a.worst.len(), 2);
        assert!(out_a.worst[0] >= out_a.worst[1]);
        let other = var(1000, 200, 8);
        assert_ne!(other.shared_input().weights, a.shared_input().weights);
        assert_ne!(other.run(&other.shared_input(), &other.tasks()[2]).worst, out_a.worst);
    }
}
