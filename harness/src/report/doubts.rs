//! Which cells' wall-clock speedups cannot be trusted and why, and every parallel cell's load-proof efficiency
//! (see [`crate::verdict::load_proof`]): read off the record alone, so a table without a gate marks them too.

use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::strategy::StrategyKind;
use crate::verdict::load_proof::{self, Doubt};

/// What a table says of one cell beside its wall-clock figures.
#[derive(Clone, Debug, Default)]
pub(super) struct CellDoubt {
    /// Why its wall-clock speedup and efficiency are unreliable.
    pub doubt: Option<Doubt>,
    /// Its efficiency as on a dedicated machine.
    pub load_proof: Option<f64>,
}

/// One entry per cell of `record`, in record order; serial and failed cells have nothing to say.
pub(super) fn per_cell(record: &RunRecord) -> Vec<CellDoubt> {
    let cores = record.machine.logical_cores.max(1);
    record.cells.iter().map(|cell| of(&record.cells, cell, cores).unwrap_or_default()).collect()
}

/// Why `cell`'s wall-clock figures are unreliable, judged beside its serial cell among `cells`, if they are.
pub(crate) fn doubt_of(cells: &[CellRecord], cell: &CellRecord, cores: usize) -> Option<Doubt> {
    of(cells, cell, cores)?.doubt
}

fn of(cells: &[CellRecord], cell: &CellRecord, cores: usize) -> Option<CellDoubt> {
    let ok = |c: &CellRecord| c.status == CellStatus::Ok && c.summary.is_some();
    if cell.strategy == StrategyKind::Serial || !ok(cell) {
        return None;
    }
    let serial = cells
        .iter()
        .find(|c| c.workload == cell.workload && c.size == cell.size && c.strategy == StrategyKind::Serial && ok(c))?;
    let wall_efficiency = cell.summary.as_ref()?.speedup? / cell.workers.clamp(1, cores) as f64;
    Some(CellDoubt {
        doubt: load_proof::wall_clock_doubt(cell, serial, cores, wall_efficiency),
        load_proof: load_proof::efficiency(cell, serial, cores),
    })
}

/// What to say under a table of `record` with these doubts: one line for the cells measured on a busy machine
/// (the most load seen, the range of shares), one per more than linear efficiency.
pub(super) fn lines(record: &RunRecord, doubts: &[CellDoubt]) -> Vec<String> {
    let cores = record.machine.logical_cores.max(1);
    let mut busy: Vec<&Doubt> = Vec::new();
    let mut lines = Vec::new();
    for (cell, doubt) in record.cells.iter().zip(doubts) {
        match &doubt.doubt {
            Some(d @ Doubt::MoreThanLinear { .. }) => {
                lines.push(format!("{}: wall-clock figures unreliable: {}", cell.id, d.describe()));
            }
            Some(d) => busy.push(d),
            None => {}
        }
    }
    if !busy.is_empty() {
        lines.insert(0, busy_line(&busy, cores));
    }
    lines
}

/// `measured on a busy machine: other processes used up to 1.0 of 2 cores; …`.
fn busy_line(busy: &[&Doubt], cores: usize) -> String {
    let others = busy.iter().filter_map(|d| d.others_cores()).reduce(f64::max);
    let load = others.map(|o| format!(": other processes used up to {o:.1} of {cores} cores")).unwrap_or_default();
    let shares: Vec<(f64, f64)> = busy
        .iter()
        .filter_map(|d| match **d {
            Doubt::UnequalShares { serial_share, cell_share, .. } => Some((serial_share, cell_share)),
            _ => None,
        })
        .collect();
    let spread = |values: Vec<f64>| {
        let (low, high) = values.iter().fold((f64::INFINITY, 0.0f64), |(l, h), &v| (l.min(v), h.max(v)));
        let (low, high) = (format!("{low:.2}"), format!("{high:.2}"));
        if low == high { low } else { format!("{low}–{high}") }
    };
    let got = if shares.is_empty() {
        String::new()
    } else {
        format!(
            "; serial got {} of a CPU, the parallel cells' workers {}",
            spread(shares.iter().map(|s| s.0).collect()),
            spread(shares.iter().map(|s| s.1).collect())
        )
    };
    format!(
        "measured on a busy machine{load}{got}: the wall-clock speedups and efficiencies of {} cell{} are unreliable \
         (marked); the load-proof efficiency is what the load cannot change",
        busy.len(),
        if busy.len() == 1 { "" } else { "s" }
    )
}
