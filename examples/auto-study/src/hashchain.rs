//! `hashchain`: tasks whose costs follow a heavy tail (Pareto, shape 1.2): most tasks are short, a few are a
//! hundred times longer, in random places, so a static split leaves workers idle and one long task can decide the
//! wall time.

use ablate_workloads::rng::Rng;
use ablate_workloads::{Description, Footprint, Kind, Workload, WorkloadConfig, WorkloadError};

/// Hash rounds of the shortest task.
const SHORTEST: f64 = 2_000.0;
/// The longest task is capped at this many times the shortest.
const CAP: f64 = 500.0;
/// The Pareto shape: below 2 the variance is infinite; 1.2 gives a few very long tasks among many short ones.
const SHAPE: f64 = 1.2;

pub struct HashChain {
    tasks: u64,
    seed: u64,
}

impl Workload for HashChain {
    type Shared = ();
    type Task = (u64, u64);
    type Output = u64;

    fn describe() -> Description {
        Description::new(
            "hashchain",
            Kind::Cpu,
            "hash chains of heavy-tailed lengths (Pareto 1.2): a few tasks far longer than the rest",
        )
        .sizes("tasks", 4_000, 400)
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(HashChain { tasks: config.size_at_least(1, "tasks")?, seed: config.seed })
    }

    /// (task index, its number of hash rounds), drawn from the seed.
    fn tasks(&self) -> Vec<(u64, u64)> {
        let mut rng = Rng::new(self.seed);
        (0..self.tasks)
            .map(|index| {
                let tail = (1.0 - rng.next_f64()).powf(-1.0 / SHAPE).min(CAP);
                (index, (SHORTEST * tail) as u64)
            })
            .collect()
    }

    fn run(&self, _: &(), &(index, rounds): &(u64, u64)) -> u64 {
        (0..rounds).fold(index ^ self.seed, |h, _| (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9).rotate_left(17))
    }

    fn footprint(&self) -> Option<Footprint> {
        Some(Footprint { shared_bytes: 0, scratch_bytes: 0, tasks: self.tasks, bytes_per_task: 24 })
    }
}
