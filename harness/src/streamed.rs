//! A row per cell on stdout as soon as its workload and size are measured, when stdout is not a terminal (a log,
//! a CI job, a pipe): the first figures come when the first workload is done, not with the whole table at the
//! end, which still follows. On a terminal the progress bar shows the run instead.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::events::{Event, Listener};
use crate::record::{CellRecord, CellStatus};
use crate::report::doubts;
use crate::terminal::printable;
use crate::units::{duration_ns, ratio};

/// `progress`, with a row per measured cell on stdout when `rows` (the format is the table and stdout is not a
/// terminal: see [`wanted`]).
pub fn with_rows(progress: Box<dyn Listener>, rows: bool) -> Box<dyn Listener> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if rows { Box::new(Rows { progress, cores }) } else { progress }
}

/// Whether to stream rows: the results table is what stdout carries (never JSON, CSV or BMF, which a row would
/// corrupt, nor the markdown summary), no one watches a progress bar there, and the results file `out` is not
/// written through it (`--out /dev/stdout`, whose JSON a row would corrupt too).
pub fn wanted(table: bool, out: &Path) -> bool {
    table && !std::io::stdout().is_terminal() && !is_stdout(out)
}

/// Whether `out` is the file stdout writes to (the same device and inode).
fn is_stdout(out: &Path) -> bool {
    crate::platform::same_file(out, Path::new("/dev/stdout"))
}

struct Rows {
    progress: Box<dyn Listener>,
    /// This machine's logical cores, as the record's machine says.
    cores: usize,
}

impl Listener for Rows {
    fn on_event(&self, event: &Event<'_>) {
        self.progress.on_event(event);
        if let Event::GroupMeasured { cells } = event {
            let text = printable(&rows(cells, self.cores)).into_owned();
            // A closed pipe stops the rows, not the run: the results file is still written.
            let _ = std::io::stdout().lock().write_all(text.as_bytes()).and_then(|()| std::io::stdout().flush());
        }
    }
}

/// `measured spin/2000/threads/w2/cauto  12.3 ms  ±1.2%  speedup 1.93  efficiency 0.97  ok`, one line per cell,
/// the ids padded alike, a `?` after the wall-clock figures the machine's load (or a more than linear efficiency)
/// makes unreliable, with a line saying so, and a blank line after the group.
pub(crate) fn rows(cells: &[CellRecord], cores: usize) -> String {
    let width = cells.iter().map(|c| c.id.chars().count()).max().unwrap_or(0);
    let doubted: Vec<bool> = cells.iter().map(|cell| doubts::doubt_of(cells, cell, cores).is_some()).collect();
    let mut text: String = cells
        .iter()
        .zip(&doubted)
        .map(|(cell, &doubted)| format!("measured {:<width$}  {}\n", cell.id, figures(cell, doubted)))
        .collect();
    if doubted.contains(&true) {
        text.push_str(
            "? wall-clock speedup and efficiency unreliable (a busy machine, or more than linear): the table at the \
             end says why and shows the load-proof efficiency\n",
        );
    }
    text.push('\n');
    text
}

fn figures(cell: &CellRecord, doubted: bool) -> String {
    let mark = if doubted { "?" } else { "" };
    let status = match &cell.status {
        CellStatus::Ok => "ok".to_owned(),
        CellStatus::Failed { reason } => format!("FAILED: {reason}"),
        CellStatus::Unmeasured { reason } => format!("not measured: {reason}"),
    };
    match &cell.summary {
        Some(s) => format!(
            "{:>9} {:>7}  speedup {}{mark}  efficiency {}{mark}  {status}",
            duration_ns(s.median_wall_ns),
            format!("±{:.1}%", s.relative_spread * 100.0),
            ratio(s.speedup),
            ratio(s.efficiency)
        ),
        None => status,
    }
}
