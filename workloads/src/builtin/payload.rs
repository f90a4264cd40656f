//! `payload`: every task reads the whole of a large shared input (16 MiB by default) and returns one number.
//!
//! Stresses what crosses process boundaries: threads share the input for free, while a process pool that copies
//! it into every task pays for 16 MiB per task, and one that maps it once from shared memory pays almost
//! nothing. The tasks themselves are light: one weighted pass over the input each.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;
use crate::{Bulk, Description, Footprint, Kind, Param, Workload, WorkloadConfig, WorkloadError};

const NAME: &str = "payload";
const TASKS: Param<u64> = Param::new("tasks", 64, 1..=1_000_000, "number of tasks, each reading the whole input");

pub struct Payload {
    values: u64,
    tasks: u64,
    seed: u64,
}

#[derive(Serialize, Deserialize)]
pub struct Weighting {
    pub index: u64,
    pub weight: f64,
}

impl Workload for Payload {
    type Shared = Bulk<f64>;
    type Task = Weighting;
    type Output = f64;

    fn describe() -> Description {
        Description::new(
            NAME,
            Kind::Mixed,
            "every task reads a large shared input (16 MiB) and returns one number; payload cost",
        )
        .sizes("bytes", 16 << 20, 4 << 20)
        .params(&[&TASKS])
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        config.size_at_least(8, "bytes (one f64)")?;
        Ok(Payload { values: config.size / 8, tasks: TASKS.get(config)?, seed: config.seed })
    }

    fn footprint(&self) -> Option<Footprint> {
        Some(Footprint {
            shared_bytes: self.values.saturating_mul(8),
            scratch_bytes: 0,
            tasks: self.tasks,
            bytes_per_task: (size_of::<Weighting>() + size_of::<f64>()) as u64,
        })
    }

    fn shared_input(&self) -> Bulk<f64> {
        let mut rng = Rng::new(self.seed);
        (0..self.values).map(|_| rng.next_f64()).collect()
    }

    fn tasks(&self) -> Vec<Weighting> {
        (0..self.tasks).map(|index| Weighting { index, weight: 1.0 + index as f64 / self.tasks as f64 }).collect()
    }

    /// Σ v·w^(i mod 4) over the whole input, in four independent lanes so the pass runs at memory speed.
    fn run(&self, values: &Bulk<f64>, task: &Weighting) -> f64 {
        let w = task.weight;
        let powers = [1.0, w, w * w, w * w * w];
        let mut lanes = [0.0f64; 4];
        for chunk in values.chunks(4) {
            for (lane, (v, p)) in lanes.iter_mut().zip(chunk.iter().zip(powers)) {
                *lane += v * p;
            }
        }
        lanes.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(size: u64, seed: u64) -> Payload {
        Payload::build(&WorkloadConfig::new(NAME, size, seed).with_param("tasks", 8)).unwrap()
    }

    #[test]
    fn default_shared_input_is_at_least_16_mib() {
        assert!(Payload::describe().default_size >= 16 << 20);
        assert_eq!(payload(1 << 20, 9).shared_input().len(), (1 << 20) / 8);
    }

    #[test]
    fn every_task_reads_the_whole_input() {
        let workload = payload(64, 9);
        let mut values = workload.shared_input();
        let tasks = workload.tasks();
        let before = workload.run(&values, &tasks[3]);
        *values.0.last_mut().unwrap() += 1.0;
        assert_ne!(workload.run(&values, &tasks[3]), before, "the last value counts");
    }

    #[test]
    fn outputs_depend_on_seed_and_task_only() {
        let (a, b) = (payload(4096, 9), payload(4096, 9));
        let (input_a, input_b) = (a.shared_input(), b.shared_input());
        let tasks = a.tasks();
        assert_eq!(a.run(&input_a, &tasks[5]).to_bits(), b.run(&input_b, &b.tasks()[5]).to_bits());
        assert_ne!(a.run(&input_a, &tasks[5]), a.run(&input_a, &tasks[6]));
        assert_ne!(input_a, payload(4096, 10).shared_input());
    }

    #[test]
    fn less_than_one_value_is_refused() {
        for size in [0, 4] {
            let refused = Payload::build(&WorkloadConfig::new(NAME, size, 1));
            assert!(matches!(refused, Err(WorkloadError::BadSize { .. })), "size {size}");
        }
    }
}
