//! Listeners that show a run's progress on stderr: a bar on a terminal, plain lines otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::auto::Finalist;
use crate::decision::Decision;
use crate::events::{Event, Listener};
use crate::plan::Cell;
use crate::strategy::Fault;
use crate::terminal::say;
use crate::units::duration_ns;

/// Picks the bar when stderr is a terminal, plain lines when it is not.
pub fn for_stderr() -> Box<dyn Listener> {
    if std::io::stderr().is_terminal() { Box::new(Bar::new()) } else { Box::new(Lines) }
}

/// One line per prepared workload and per failed cell: fit for logs and CI.
pub struct Lines;

impl Listener for Lines {
    fn on_event(&self, event: &Event<'_>) {
        match event {
            Event::RunStarted { cells, executions } => say(format_args!("{cells} cells, {executions} executions")),
            Event::Prepared { workload, size, tasks, took } => {
                say(format_args!(
                    "{workload} at size {size}: {tasks} tasks, prepared in {}",
                    duration_ns(took.as_nanos() as f64)
                ));
            }
            Event::CellFailed { cell, reason } => say(format_args!("cell {} FAILED: {reason}", cell.id)),
            Event::AutoDecided { cell, decision } => say(format_args!("{}", describe_decision(cell, decision))),
            Event::Fault { cell, fault } => say(format_args!("cell {}: {}", cell.id, describe(fault))),
            _ => {}
        }
    }
}

/// A progress bar over all executions, with the running cell and its task count as the message.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {wide_msg}")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        Self { bar }
    }
}

impl Listener for Bar {
    fn on_event(&self, event: &Event<'_>) {
        match event {
            Event::RunStarted { executions, .. } => self.bar.set_length(*executions as u64),
            Event::Preparing { workload, size } => self.bar.set_message(format!("preparing {workload} at size {size}")),
            Event::CellStarted { cell, .. } => self.bar.set_message(cell.id.clone()),
            Event::TasksDone { cell, done, total } => self.bar.set_message(format!("{} {done}/{total} tasks", cell.id)),
            Event::CellFinished { .. } => self.bar.inc(1),
            Event::CellFailed { cell, reason } => {
                self.bar.inc(1);
                self.bar.println(format!("cell {} FAILED: {reason}", cell.id));
            }
            Event::Fault { cell, fault } => self.bar.println(format!("cell {}: {}", cell.id, describe(fault))),
            Event::AutoDecided { cell, decision } => self.bar.println(describe_decision(cell, decision)),
            Event::Prepared { .. } | Event::GroupMeasured { .. } => {}
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// One line for a worker fault.
fn describe(fault: &Fault<'_>) -> String {
    match fault {
        Fault::Timeout { task, pid } => format!("worker {pid} timed out on task {task}; killed"),
        Fault::Crash { pid, how } => format!("worker {pid} {how}"),
        Fault::Garbled { pid, reason } => format!("worker {pid} sent a malformed frame ({reason}); killed"),
        Fault::Retry { task, attempt } => format!("retrying task {task} (attempt {attempt})"),
        Fault::RespawnFailed { reason } => format!("could not replace a worker: {reason}"),
        Fault::Fallback { reason } => format!("falling back to serial in this process after {reason}"),
    }
}

/// `spin/200/auto: crossbeam ×2, chunk 4 — reason; reason`; `process/shm ×2` when it chose worker processes.
fn describe_decision(cell: &Cell, decision: &Decision) -> String {
    let chosen = Finalist::chosen_by(decision).label();
    format!("{}: {chosen}, chunk {} — {}", cell.id, decision.chunk, decision.reasons.join("; "))
}
