//! `gather`: random reads from a table larger than the last-level cache, summed.
//!
//! Stresses memory latency and the memory system's parallelism: every lookup misses the caches. Each task draws
//! its own indices from its own random stream, and the loads are independent so many can be in flight. GB/s
//! counts one 64-byte cache line per lookup, the traffic a miss really causes.

use serde::{Deserialize, Serialize};

use super::cache::last_level_cache_bytes;
use crate::rng::Rng;
use crate::{Bulk, Description, Footprint, Kind, Param, Workload, WorkloadConfig, WorkloadError};

const NAME: &str = "gather";
const LINE_BYTES: u64 = 64;
const LOOKUPS: Param<u64> =
    Param::from_size("lookups", "size/2", |size| (size / 2).max(1), 1, "random lookups per pass");
const PER_TASK: Param<u64> = Param::at_least("per_task", 65_536, 1, "lookups per task");

pub struct Gather {
    entries: u64,
    lookups: u64,
    per_task: u64,
    seed: u64,
}

#[derive(Serialize, Deserialize)]
pub struct Lookups {
    pub stream: u64,
    pub count: u64,
}

impl Workload for Gather {
    type Shared = Bulk<u64>;
    type Task = Lookups;
    type Output = u64;

    fn describe() -> Description {
        Description::new(
            NAME,
            Kind::Memory,
            "random gather from a table >= 4x the last-level cache; memory latency, 64 B per lookup",
        )
        .sizes("entries", (32u64 << 20).max(4 * last_level_cache_bytes() / 8), 2 << 20)
        .params(&[&LOOKUPS, &PER_TASK])
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        config.size_at_least(1, "entries")?;
        Ok(Gather {
            entries: config.size,
            lookups: LOOKUPS.get(config)?,
            per_task: PER_TASK.get(config)?,
            seed: config.seed,
        })
    }

    fn shared_input(&self) -> Bulk<u64> {
        let mut rng = Rng::new(self.seed);
        (0..self.entries).map(|_| rng.next_u64() >> 8).collect()
    }

    fn tasks(&self) -> Vec<Lookups> {
        (0..self.lookups)
            .step_by(self.per_task as usize)
            .enumerate()
            .map(|(stream, start)| Lookups { stream: stream as u64, count: self.per_task.min(self.lookups - start) })
            .collect()
    }

    fn run(&self, table: &Bulk<u64>, task: &Lookups) -> u64 {
        let mut rng = Rng::for_stream(self.seed, task.stream);
        (0..task.count).fold(0u64, |sum, _| sum.wrapping_add(table[rng.below(self.entries) as usize]))
    }

    fn footprint(&self) -> Option<Footprint> {
        Some(Footprint {
            shared_bytes: self.entries.saturating_mul(8),
            scratch_bytes: 0,
            tasks: self.lookups.div_ceil(self.per_task),
            bytes_per_task: (size_of::<Lookups>() + size_of::<u64>()) as u64,
        })
    }

    fn bytes_touched(&self) -> Option<u64> {
        Some(LINE_BYTES.saturating_mul(self.lookups))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gather(size: u64) -> Gather {
        Gather::build(&WorkloadConfig::new(NAME, size, 5).with_param("lookups", 1000).with_param("per_task", 300))
            .unwrap()
    }

    #[test]
    fn tasks_split_the_lookups_and_outputs_are_deterministic() {
        let workload = gather(4096);
        let tasks = workload.tasks();
        assert_eq!(tasks.iter().map(|t| t.count).collect::<Vec<_>>(), vec![300, 300, 300, 100]);
        let table = workload.shared_input();
        let again = gather(4096);
        assert_eq!(workload.run(&table, &tasks[2]), again.run(&again.shared_input(), &tasks[2]));
        assert_ne!(workload.run(&table, &tasks[0]), workload.run(&table, &tasks[1]));
        assert_eq!(workload.bytes_touched(), Some(64_000));
    }

    #[test]
    fn the_table_depends_on_the_seed_and_size_0_is_refused() {
        let config = |size, seed| WorkloadConfig::new(NAME, size, seed);
        let table = |seed| Gather::build(&config(512, seed)).unwrap().shared_input();
        assert_eq!(table(5), table(5));
        assert_ne!(table(5), table(6));
        assert!(matches!(Gather::build(&config(0, 5)), Err(WorkloadError::BadSize { size: 0, .. })));
    }
}
