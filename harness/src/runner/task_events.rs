//! Adapts a strategy's task completions into `TasksDone` events, about a hundred per execution at most.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::events::{Event, Listener};
use crate::plan::Cell;
use crate::strategy::{Fault, TaskProgress};

pub(super) struct TaskCounter<'a> {
    cell: &'a Cell,
    listener: &'a dyn Listener,
    done: AtomicUsize,
    total: usize,
    step: usize,
}

impl<'a> TaskCounter<'a> {
    pub(super) fn new(cell: &'a Cell, listener: &'a dyn Listener, total: usize) -> Self {
        Self { cell, listener, done: AtomicUsize::new(0), total, step: (total / 100).max(1) }
    }
}

impl TaskProgress for TaskCounter<'_> {
    fn tasks_done(&self, count: usize) {
        let before = self.done.fetch_add(count, Ordering::Relaxed);
        let after = before + count;
        if after / self.step != before / self.step || after == self.total {
            self.listener.on_event(&Event::TasksDone { cell: self.cell, done: after, total: self.total });
        }
    }

    fn fault(&self, fault: &Fault<'_>) {
        self.listener.on_event(&Event::Fault { cell: self.cell, fault });
    }
}
