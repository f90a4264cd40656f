//! Every task's cost in task order, the median over a cell's timed executions: what a prediction replays through a
//! strategy's schedule on another machine (see [`crate::predict`]). Kept for cells at one worker, where a task's
//! time is its cost alone. Up to [`MAX_ENTRIES`] tasks each task is kept; beyond, consecutive tasks are summed
//! into [`MAX_ENTRIES`] blocks, in order (the distribution of single tasks stays in the cell's task-time
//! histogram). The median, not the mean: on a busy machine one execution's task can be preempted for tens of
//! milliseconds, and a mean would make it a heavy task that no schedule has. The last [`MAX_EXECUTIONS`]
//! executions are kept for it.

use serde::{Deserialize, Serialize};

/// The most entries a cell's task costs keep: 20 000 (about 160 KB of JSON).
pub const MAX_ENTRIES: usize = 20_000;

/// The executions whose task times are kept for the median: the last 15 (at most 2.4 MB a cell).
pub const MAX_EXECUTIONS: usize = 15;

/// A cell's task costs, as the record keeps them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskCosts {
    /// The timed executions the median is over.
    pub executions: u32,
    /// Consecutive tasks summed into each entry of `ns` (1: every task its own).
    pub tasks_per_entry: u64,
    /// The tasks in all.
    pub tasks: u64,
    /// The median cost of each task, or block of `tasks_per_entry` tasks, in task order (the last block may be
    /// shorter).
    pub ns: Vec<u64>,
}

/// The task times of the last [`MAX_EXECUTIONS`] executions, blocked as they will be kept.
#[derive(Default)]
pub struct TaskCostSamples {
    tasks: usize,
    executions: Vec<Vec<u64>>,
    seen: usize,
}

impl TaskCostSamples {
    /// Adds one execution's task times, in task order; one of another length than the first is ignored.
    pub fn record(&mut self, task_nanos: &[u64]) {
        if self.seen == 0 {
            self.tasks = task_nanos.len();
        }
        if task_nanos.len() != self.tasks || self.tasks == 0 {
            return;
        }
        let per_entry = self.tasks.div_ceil(MAX_ENTRIES).max(1);
        let blocked: Vec<u64> = task_nanos.chunks(per_entry).map(|block| block.iter().sum()).collect();
        if self.executions.len() < MAX_EXECUTIONS {
            self.executions.push(blocked);
        } else {
            self.executions[self.seen % MAX_EXECUTIONS] = blocked;
        }
        self.seen += 1;
    }

    /// Each entry's median over the kept executions, blocked where there are more than [`MAX_ENTRIES`] tasks;
    /// `None` before any execution.
    pub fn summary(&self) -> Option<TaskCosts> {
        let first = self.executions.first()?;
        let per_entry = self.tasks.div_ceil(MAX_ENTRIES).max(1);
        let ns = (0..first.len())
            .map(|entry| {
                let mut values: Vec<u64> = self.executions.iter().map(|e| e[entry]).collect();
                values.sort_unstable();
                let mid = values.len() / 2;
                if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2 }
            })
            .collect();
        let executions = self.executions.len() as u32;
        Some(TaskCosts { executions, tasks_per_entry: per_entry as u64, tasks: self.tasks as u64, ns })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_are_each_tasks_median_in_order_and_a_preempted_execution_does_not_move_them() {
        let mut sums = TaskCostSamples::default();
        assert_eq!(sums.summary(), None);
        sums.record(&[10, 20, 30]);
        sums.record(&[30, 20, 10]);
        sums.record(&[1, 2]);
        let costs = sums.summary().unwrap();
        assert_eq!((costs.executions, costs.tasks_per_entry, costs.tasks), (2, 1, 3));
        assert_eq!(costs.ns, vec![20, 20, 20]);
        sums.record(&[20, 20_000_000, 20]);
        assert_eq!(sums.summary().unwrap().ns, vec![20, 20, 20], "one preempted task is not a heavy task");
    }

    #[test]
    fn only_the_last_executions_are_kept() {
        let mut sums = TaskCostSamples::default();
        for _ in 0..MAX_EXECUTIONS {
            sums.record(&[1]);
        }
        for _ in 0..MAX_EXECUTIONS {
            sums.record(&[9]);
        }
        let costs = sums.summary().unwrap();
        assert_eq!((costs.executions as usize, costs.ns[0]), (MAX_EXECUTIONS, 9));
    }

    #[test]
    fn beyond_the_bound_blocks_are_summed_in_order() {
        let mut sums = TaskCostSamples::default();
        let tasks: Vec<u64> = (0..(MAX_ENTRIES as u64 * 2 + 1)).collect();
        sums.record(&tasks);
        let costs = sums.summary().unwrap();
        assert_eq!(costs.tasks_per_entry, 3);
        assert_eq!(costs.ns.len(), (tasks.len()).div_ceil(3));
        assert_eq!(costs.ns[0], 1 + 2);
        assert_eq!(costs.ns.iter().sum::<u64>(), tasks.iter().sum::<u64>());
    }
}
