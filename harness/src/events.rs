//! Events the runner emits while it works; progress bars, logs and counters are listeners.

use std::time::Duration;

use crate::decision::Decision;
use crate::record::CellRecord;
use crate::strategy::Fault;

/// The cell an event is about, so that a listener can name it.
pub use crate::plan::Cell;

/// Which execution of a cell this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Round {
    Warmup(u32),
    Timed(u32),
}

#[derive(Debug)]
pub enum Event<'a> {
    /// The run begins: this many executions (warm-up and timed, over all cells) are planned.
    RunStarted {
        cells: usize,
        executions: usize,
    },
    /// A workload's shared input and tasks are being built.
    Preparing {
        workload: &'a str,
        size: u64,
    },
    Prepared {
        workload: &'a str,
        size: u64,
        tasks: usize,
        took: Duration,
    },
    /// `auto` chose for the group's `auto` cell.
    AutoDecided {
        cell: &'a Cell,
        decision: &'a Decision,
    },
    CellStarted {
        cell: &'a Cell,
        round: Round,
    },
    /// Some tasks of the current execution are done (sent in steps, not for every task).
    TasksDone {
        cell: &'a Cell,
        done: usize,
        total: usize,
    },
    CellFinished {
        cell: &'a Cell,
        round: Round,
        wall: Duration,
    },
    /// A worker fault was met and handled (timeout, crash, garbage, retry, fallback).
    Fault {
        cell: &'a Cell,
        fault: &'a Fault<'a>,
    },
    /// The cell stopped for good: a task failed or its digest differs from serial's.
    CellFailed {
        cell: &'a Cell,
        reason: &'a str,
    },
    /// A workload at one size is measured: its cells' records, summarised against its serial cell (what a
    /// results table shows of them), before the next workload or size begins.
    GroupMeasured {
        cells: &'a [CellRecord],
    },
}

/// Receives events; may be called from worker threads.
pub trait Listener: Sync {
    fn on_event(&self, event: &Event<'_>);
}

/// A listener that ignores everything.
pub struct Silent;

impl Listener for Silent {
    fn on_event(&self, _event: &Event<'_>) {}
}
