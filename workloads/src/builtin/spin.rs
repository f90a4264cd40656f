//! `spin`: independent tasks of a fixed, tunable amount of pure arithmetic.
//!
//! Stresses nothing but the cores and the harness itself: with `iters` small it measures dispatch overhead, and
//! `cost` scales every task's work, which is how a regression is injected on purpose. `panic_on` makes one task
//! panic, to exercise the harness's failure handling.

use serde::{Deserialize, Serialize};

use crate::{Description, Kind, Param, Workload, WorkloadConfig, WorkloadError};

pub struct Spin {
    tasks: u64,
    iters: u64,
    seed: u64,
    panic_on: Option<u64>,
}

#[derive(Serialize, Deserialize)]
pub struct SpinTask {
    pub index: u64,
    pub iters: u64,
}

const NAME: &str = "spin";
const ITERS: Param<u64> =
    Param::new("iters", 50_000, 0..=u32::MAX as u64, "loop iterations per task (about 1.5 ns each)");
const COST: Param<f64> = Param::new("cost", 1.0, 0.0..=1000.0, "multiplier on every task's iterations");
const PANIC_ON: Param<i64> = Param::at_least("panic_on", -1, -1, "index of a task that panics (-1: none)");

impl Workload for Spin {
    type Shared = ();
    type Task = SpinTask;
    type Output = u64;

    fn describe() -> Description {
        Description::new(
            NAME,
            Kind::Cpu,
            "independent tasks of tunable pure arithmetic; measures dispatch overhead and injects slowdowns",
        )
        .sizes("tasks", 2_000, 100)
        .params(&[&ITERS, &COST, &PANIC_ON])
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        config.size_at_least(1, "task")?;
        Ok(Spin {
            tasks: config.size,
            iters: (ITERS.get(config)? as f64 * COST.get(config)?).round() as u64,
            seed: config.seed,
            panic_on: u64::try_from(PANIC_ON.get(config)?).ok(),
        })
    }

    fn tasks(&self) -> Vec<SpinTask> {
        (0..self.tasks).map(|index| SpinTask { index, iters: self.iters }).collect()
    }

    fn run(&self, _shared: &(), task: &SpinTask) -> u64 {
        if self.panic_on == Some(task.index) {
            panic!("spin: task {} panicked on purpose (panic_on={})", task.index, task.index);
        }
        spin(self.seed ^ task.index, task.iters)
    }
}

/// A dependent chain of multiply-xorshift steps the compiler cannot shorten.
pub fn spin(start: u64, iters: u64) -> u64 {
    let mut x = start | 1;
    for _ in 0..iters {
        x = x.wrapping_mul(0x5851_F42D_4C95_7F2D).wrapping_add(0x1405_7B7E_F767_814F);
        x ^= x >> 29;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    fn spin_with(params: Params) -> Spin {
        Spin::build(&WorkloadConfig { params, ..WorkloadConfig::new(NAME, 10, 3) }).unwrap()
    }

    #[test]
    fn cost_scales_every_task_and_outputs_are_deterministic() {
        let tasks = spin_with(Params::new().with("iters", 1000).with("cost", 1.5)).tasks();
        assert_eq!(tasks.len(), 10);
        assert!(tasks.iter().all(|t| t.iters == 1500));
        let workload = spin_with(Params::new());
        assert_eq!(workload.run(&(), &tasks[4]), spin(3 ^ 4, 1500));
        assert_ne!(spin(1, 10), spin(2, 10));
    }

    #[test]
    fn panic_on_makes_exactly_that_task_panic() {
        let workload = spin_with(Params::new().with("panic_on", 2).with("iters", 10));
        let tasks = workload.tasks();
        workload.run(&(), &tasks[1]);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| workload.run(&(), &tasks[2])));
        assert!(panicked.is_err());
        assert!(Spin::build(&WorkloadConfig::new(NAME, 1, 0).with_param("panic_on", -5)).is_err());
    }
}
