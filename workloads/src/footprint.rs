//! What a built workload will hold in memory, estimated before anything is made.

use crate::contract::Workload;

/// What a built workload holds in memory, estimated from its configuration alone (nothing is made), so that the
/// harness can refuse, before building, a size the machine cannot hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// The shared input once made; every worker process holds a copy of its own.
    pub shared_bytes: u64,
    /// Memory `run` keeps besides (e.g. output buffers), in every process that runs tasks.
    pub scratch_bytes: u64,
    /// How many tasks `tasks` lists.
    pub tasks: u64,
    /// One task's input and one output together, heap included.
    pub bytes_per_task: u64,
}

impl Footprint {
    /// What the harness assumes of a workload that gives no estimate: one task per unit of size, whose input,
    /// output and shared input hold nothing beyond their inline bytes.
    pub fn assumed<W: Workload>(size: u64) -> Self {
        Footprint {
            shared_bytes: std::mem::size_of::<W::Shared>() as u64,
            scratch_bytes: 0,
            tasks: size,
            bytes_per_task: (std::mem::size_of::<W::Task>() + std::mem::size_of::<W::Output>()) as u64,
        }
    }

    /// The bytes of one process that builds the workload and runs every task, keeping `runner_bytes_per_task`
    /// of its own per task (saturating: an absurd size is simply too large).
    pub fn in_one_process(&self, runner_bytes_per_task: u64) -> u64 {
        let per_task = self.bytes_per_task.saturating_add(runner_bytes_per_task);
        self.shared_bytes.saturating_add(self.scratch_bytes).saturating_add(self.tasks.saturating_mul(per_task))
    }

    /// What every worker process adds: its own copy of the shared input, and its scratch.
    pub fn per_worker_process(&self) -> u64 {
        self.shared_bytes.saturating_add(self.scratch_bytes)
    }
}
