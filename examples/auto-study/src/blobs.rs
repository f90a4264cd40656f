//! `blobs`: every task returns a large output (1 MiB by default) made by cheap arithmetic, so moving the result
//! costs more than computing it: what a worker process sends back dominates.

use ablate_workloads::{Bulk, Description, Footprint, Kind, Workload, WorkloadConfig, WorkloadError};

/// Words of output per task (8 bytes each): 1 MiB.
const WORDS: u64 = 1 << 17;

pub struct Blobs {
    tasks: u64,
    seed: u64,
}

impl Workload for Blobs {
    type Shared = ();
    type Task = u64;
    type Output = Bulk<u64>;

    fn describe() -> Description {
        Description::new(
            "blobs",
            Kind::Mixed,
            "every task returns 1 MiB made by cheap arithmetic: the output costs more to move than to make",
        )
        .sizes("tasks", 256, 32)
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(Blobs { tasks: config.size_at_least(1, "tasks")?, seed: config.seed })
    }

    fn tasks(&self) -> Vec<u64> {
        (0..self.tasks).collect()
    }

    fn run(&self, _: &(), &task: &u64) -> Bulk<u64> {
        let base = task.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.seed;
        Bulk((0..WORDS).map(|i| base.wrapping_add(i.wrapping_mul(0xD1B5_4A32_D192_ED03)).rotate_left(7)).collect())
    }

    fn footprint(&self) -> Option<Footprint> {
        Some(Footprint { shared_bytes: 0, scratch_bytes: 0, tasks: self.tasks, bytes_per_task: 8 + WORDS * 8 })
    }

    /// Each output written once.
    fn bytes_touched(&self) -> Option<u64> {
        Some(self.tasks * WORDS * 8)
    }
}
