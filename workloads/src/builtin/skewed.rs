//! `skewed`: tasks whose costs follow a heavy-tailed (Pareto) distribution, the heaviest placed first.
//!
//! Stresses load balancing. Costs are drawn from the seed and sorted so that the first quarter of the task list
//! carries most of the work (about two thirds at the default `alpha`, and the first half about four fifths): with
//! 2 workers a static contiguous partition hands one worker most of it, so `threads` (static) should lose to
//! `rayon` and `crossbeam`, which rebalance as they go.

use serde::{Deserialize, Serialize};

use super::spin::spin;
use crate::rng::Rng;
use crate::{Description, ExpectedShortfall, Kind, Param, Workload, WorkloadConfig, WorkloadError};

const NAME: &str = "skewed";
const ALPHA: Param<f64> = Param::new("alpha", 1.2, 0.5..=10.0, "Pareto tail index (smaller: heavier tail)");
const BASE_ITERS: Param<u64> = Param::new("base_iters", 40_000, 1..=u32::MAX as u64, "iterations of the cheapest task");

pub struct Skewed {
    tasks: u64,
    alpha: f64,
    base_iters: u64,
    seed: u64,
}

#[derive(Serialize, Deserialize)]
pub struct CostlyTask {
    pub index: u64,
    pub iters: u64,
}

impl Workload for Skewed {
    type Shared = ();
    type Task = CostlyTask;
    type Output = u64;

    fn describe() -> Description {
        Description::new(
            NAME,
            Kind::Cpu,
            "heavy-tailed task costs, heaviest first; load imbalance under static partitioning",
        )
        .sizes("tasks", 400, 50)
        .params(&[&ALPHA, &BASE_ITERS])
        .expected_shortfalls(&[ExpectedShortfall {
            strategy: "threads",
            why: "heaviest tasks first under a static partition: one worker gets most of the work by design",
        }])
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        config.size_at_least(1, "tasks")?;
        Ok(Skewed {
            tasks: config.size,
            alpha: ALPHA.get(config)?,
            base_iters: BASE_ITERS.get(config)?,
            seed: config.seed,
        })
    }

    /// Pareto-distributed costs (capped at 100× the cheapest), sorted heaviest first.
    fn tasks(&self) -> Vec<CostlyTask> {
        let mut rng = Rng::new(self.seed);
        let mut costs: Vec<u64> = (0..self.tasks)
            .map(|_| {
                let multiple = (1.0 - rng.next_f64()).powf(-1.0 / self.alpha).min(100.0);
                (self.base_iters as f64 * multiple) as u64
            })
            .collect();
        costs.sort_unstable_by(|a, b| b.cmp(a));
        costs.into_iter().enumerate().map(|(index, iters)| CostlyTask { index: index as u64, iters }).collect()
    }

    fn run(&self, _shared: &(), task: &CostlyTask) -> u64 {
        spin(self.seed ^ task.index, task.iters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_quarter_carries_most_of_the_work() {
        let tasks = Skewed::build(&WorkloadConfig::new(NAME, 400, 42)).unwrap().tasks();
        let total: u64 = tasks.iter().map(|t| t.iters).sum();
        let first_quarter: u64 = tasks[..100].iter().map(|t| t.iters).sum();
        assert!(first_quarter * 2 > total, "first quarter {first_quarter} of {total}");
        let first_half: u64 = tasks[..200].iter().map(|t| t.iters).sum();
        assert!(first_half as f64 > 0.7 * total as f64, "a 2-way block split is imbalanced");
    }

    #[test]
    fn costs_depend_on_the_seed_only() {
        let build = |seed| {
            Skewed::build(&WorkloadConfig::new(NAME, 50, seed))
                .unwrap()
                .tasks()
                .iter()
                .map(|t| t.iters)
                .collect::<Vec<_>>()
        };
        assert_eq!(build(1), build(1));
        assert_ne!(build(1), build(2));
        let empty = Skewed::build(&WorkloadConfig::new(NAME, 0, 1));
        assert!(matches!(empty, Err(WorkloadError::BadSize { size: 0, .. })));
    }
}
