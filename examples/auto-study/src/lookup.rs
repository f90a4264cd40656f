//! `lookup`: many tiny tasks, each a few probes into a large shared table: the work per task is microseconds,
//! while a worker process must first receive the table (32 MiB at the default size).

use ablate_workloads::rng::Rng;
use ablate_workloads::{Bulk, Description, Footprint, Kind, Workload, WorkloadConfig, WorkloadError};

/// Probes per task.
const PROBES: u64 = 64;
/// Tasks at every size: the table grows, the work does not.
const TASKS: u64 = 20_000;

pub struct Lookup {
    entries: u64,
    seed: u64,
}

impl Workload for Lookup {
    type Shared = Bulk<u64>;
    type Task = u64;
    type Output = u64;

    fn describe() -> Description {
        Description::new(
            "lookup",
            Kind::Cpu,
            "20000 tiny tasks, each 64 probes into a large shared table: little work, a large input",
        )
        .sizes("entries", 4 << 20, 1 << 16)
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(Lookup { entries: config.size_at_least(1, "entries")?, seed: config.seed })
    }

    fn shared_input(&self) -> Bulk<u64> {
        let mut rng = Rng::new(self.seed);
        Bulk((0..self.entries).map(|_| rng.next_u64()).collect())
    }

    fn tasks(&self) -> Vec<u64> {
        (0..TASKS).collect()
    }

    /// Follows `PROBES` links through the table from a start of the task's own.
    fn run(&self, table: &Bulk<u64>, &task: &u64) -> u64 {
        let mut rng = Rng::for_stream(self.seed, task);
        let mut at = rng.below(self.entries);
        let mut sum = 0u64;
        for _ in 0..PROBES {
            let value = table[at as usize];
            sum = sum.wrapping_add(value);
            at = value % self.entries;
        }
        sum
    }

    fn footprint(&self) -> Option<Footprint> {
        Some(Footprint { shared_bytes: self.entries * 8, scratch_bytes: 0, tasks: TASKS, bytes_per_task: 16 })
    }
}
