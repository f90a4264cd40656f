//! Every task's cost in task order, averaged over a cell's timed executions: what a prediction replays through a
//! strategy's schedule on another machine (see [`crate::predict`]). Kept for cells at one worker, where a task's
//! time is its cost alone. Up to [`MAX_ENTRIES`] tasks each task is kept; beyond, consecutive tasks are summed
//! into [`MAX_ENTRIES`] blocks, in order (the distribution of single tasks stays in the cell's task-time
//! histogram).

use serde::{Deserialize, Serialize};

/// The most entries a cell's task costs keep: 20 000 (about 160 KB of JSON).
pub const MAX_ENTRIES: usize = 20_000;

/// A cell's task costs, as the record keeps them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskCosts {
    /// The timed executions averaged.
    pub executions: u32,
    /// Consecutive tasks summed into each entry of `ns` (1: every task its own).
    pub tasks_per_entry: u64,
    /// The tasks in all.
    pub tasks: u64,
    /// The mean cost of each task, or block of `tasks_per_entry` tasks, in task order (the last block may be
    /// shorter).
    pub ns: Vec<u64>,
}

/// Sums of each task's times over the executions seen so far.
#[derive(Default)]
pub struct TaskCostSums {
    sums: Vec<u64>,
    executions: u32,
}

impl TaskCostSums {
    /// Adds one execution's task times, in task order; one of another length is ignored.
    pub fn record(&mut self, task_nanos: &[u64]) {
        if self.executions == 0 {
            self.sums = vec![0; task_nanos.len()];
        }
        if task_nanos.len() != self.sums.len() {
            return;
        }
        for (sum, &ns) in self.sums.iter_mut().zip(task_nanos) {
            *sum = sum.saturating_add(ns);
        }
        self.executions += 1;
    }

    /// The costs, averaged, blocked where there are more than [`MAX_ENTRIES`] tasks; `None` before any execution.
    pub fn summary(&self) -> Option<TaskCosts> {
        let executions = self.executions;
        if executions == 0 || self.sums.is_empty() {
            return None;
        }
        let per_entry = self.sums.len().div_ceil(MAX_ENTRIES).max(1);
        let ns = self.sums.chunks(per_entry).map(|block| block.iter().sum::<u64>() / u64::from(executions)).collect();
        Some(TaskCosts { executions, tasks_per_entry: per_entry as u64, tasks: self.sums.len() as u64, ns })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_are_averaged_per_task_in_order() {
        let mut sums = TaskCostSums::default();
        assert_eq!(sums.summary(), None);
        sums.record(&[10, 20, 30]);
        sums.record(&[30, 20, 10]);
        sums.record(&[1, 2]);
        let costs = sums.summary().unwrap();
        assert_eq!((costs.executions, costs.tasks_per_entry, costs.tasks), (2, 1, 3));
        assert_eq!(costs.ns, vec![20, 20, 20]);
    }

    #[test]
    fn beyond_the_bound_blocks_are_summed_in_order() {
        let mut sums = TaskCostSums::default();
        let tasks: Vec<u64> = (0..(MAX_ENTRIES as u64 * 2 + 1)).collect();
        sums.record(&tasks);
        let costs = sums.summary().unwrap();
        assert_eq!(costs.tasks_per_entry, 3);
        assert_eq!(costs.ns.len(), (tasks.len()).div_ceil(3));
        assert_eq!(costs.ns[0], 1 + 2);
        assert_eq!(costs.ns.iter().sum::<u64>(), tasks.iter().sum::<u64>());
    }
}
