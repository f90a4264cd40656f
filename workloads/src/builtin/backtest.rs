//! `backtest`: a grid search of moving-average-crossover strategies over one synthetic price series.
//!
//! CPU-bound with a shared read-only input: every task (one fast × slow window pair, 10 × 10 = 100 by default)
//! walks the whole series, so the series is read by all tasks while each returns a few numbers.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;
use crate::{Bulk, Description, Footprint, Kind, Param, Workload, WorkloadConfig, WorkloadError};

const NAME: &str = "backtest";
const FAST: Param<u64> = Param::new("fast", 10, 1..=1000, "fast windows in the grid: 5, 10, 15, …");
const SLOW: Param<u64> = Param::new("slow", 10, 1..=1000, "slow windows in the grid: 60, 120, 180, …");

pub struct Backtest {
    points: u64,
    fast: u64,
    slow: u64,
    seed: u64,
}

#[derive(Serialize, Deserialize)]
pub struct Windows {
    pub fast: u64,
    pub slow: u64,
}

#[derive(Serialize, Deserialize)]
pub struct Performance {
    /// Sum of log returns while long.
    pub log_return: f64,
    pub trades: u64,
    /// Largest fall of the equity curve's log from its running peak.
    pub max_drawdown: f64,
}

impl Workload for Backtest {
    type Shared = Bulk<f64>;
    type Task = Windows;
    type Output = Performance;

    fn describe() -> Description {
        Description::new(
            NAME,
            Kind::Cpu,
            "moving-average-crossover backtest grid (10 x 10 window pairs) over synthetic prices",
        )
        .sizes("prices", 250_000, 10_000)
        .params(&[&FAST, &SLOW])
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        let backtest =
            Backtest { points: config.size, fast: FAST.get(config)?, slow: SLOW.get(config)?, seed: config.seed };
        let longest = 60 * backtest.slow;
        if config.size <= longest {
            let expected = format!("more prices than the longest window ({longest})");
            return Err(WorkloadError::BadSize { workload: NAME.into(), size: config.size, expected });
        }
        Ok(backtest)
    }

    fn footprint(&self) -> Option<Footprint> {
        Some(Footprint {
            shared_bytes: self.points.saturating_mul(8),
            scratch_bytes: 0,
            tasks: self.fast * self.slow,
            bytes_per_task: (size_of::<Windows>() + size_of::<Performance>()) as u64,
        })
    }

    /// Geometric Brownian motion, daily steps, 20 % annual volatility.
    fn shared_input(&self) -> Bulk<f64> {
        let mut rng = Rng::new(self.seed);
        let sigma = 0.2 / 252f64.sqrt();
        let mut price = 100.0;
        (0..self.points)
            .map(|_| {
                price *= (0.0002 - 0.5 * sigma * sigma + sigma * rng.normal()).exp();
                price
            })
            .collect()
    }

    fn tasks(&self) -> Vec<Windows> {
        let pairs = (1..=self.fast).flat_map(|f| (1..=self.slow).map(move |s| (f, s)));
        pairs.map(|(f, s)| Windows { fast: 5 * f, slow: 60 * s }).collect()
    }

    fn run(&self, prices: &Bulk<f64>, windows: &Windows) -> Performance {
        let (fast, slow) = (windows.fast as usize, windows.slow as usize);
        let (mut fast_sum, mut slow_sum): (f64, f64) =
            (prices[slow - fast..slow].iter().sum(), prices[..slow].iter().sum());
        let mut result = Performance { log_return: 0.0, trades: 0, max_drawdown: 0.0 };
        let (mut long, mut peak) = (false, 0.0f64);
        for t in slow..prices.len() {
            if long {
                result.log_return += (prices[t] / prices[t - 1]).ln();
                peak = peak.max(result.log_return);
                result.max_drawdown = result.max_drawdown.max(peak - result.log_return);
            }
            fast_sum += prices[t] - prices[t - fast];
            slow_sum += prices[t] - prices[t - slow];
            let want_long = fast_sum * slow as f64 > slow_sum * fast as f64;
            result.trades += u64::from(want_long != long);
            long = want_long;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backtest(size: u64, seed: u64) -> Backtest {
        Backtest::build(&WorkloadConfig::new(NAME, size, seed)).unwrap()
    }

    #[test]
    fn one_hundred_window_pairs_by_default_and_short_series_refused() {
        let tasks = backtest(1000, 1).tasks();
        assert_eq!(tasks.len(), 100);
        assert_eq!((tasks[0].fast, tasks[0].slow), (5, 60));
        assert_eq!((tasks[99].fast, tasks[99].slow), (50, 600));
        for size in [0, 600] {
            let refused = Backtest::build(&WorkloadConfig::new(NAME, size, 1));
            assert!(matches!(refused, Err(WorkloadError::BadSize { .. })), "size {size}");
        }
    }

    #[test]
    fn results_depend_on_seed_and_windows_only() {
        let (a, b) = (backtest(5000, 3), backtest(5000, 3));
        let (pa, pb) = (a.shared_input(), b.shared_input());
        let run = |w: &Backtest, p: &Bulk<f64>, i: usize| {
            let r = w.run(p, &w.tasks()[i]);
            (r.log_return.to_bits(), r.trades, r.max_drawdown.to_bits())
        };
        assert_eq!(run(&a, &pa, 17), run(&b, &pb, 17));
        assert_ne!(run(&a, &pa, 17), run(&a, &pa, 18));
        assert!(a.run(&pa, &a.tasks()[0]).trades > 0);
        assert_ne!(pa, backtest(5000, 4).shared_input(), "another seed, another price series");
    }
}
