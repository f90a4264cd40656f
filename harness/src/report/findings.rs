//! Which strategy wins for each workload at each worker count, and why: the report's first answer, read off the
//! measurements by a few rules (payload bytes, load imbalance, memory bandwidth, start cost, task size).

use serde::Serialize;

use super::judged::{JudgedRun, strategy_label};
use crate::record::CellRecord;
use crate::strategy::{StrategyKind, Transport};
use crate::units::{bytes, duration_ns};
use ablate_workloads::Kind;

/// The answer for one workload and size.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub workload: String,
    pub size: String,
    /// The fastest strategy at each worker count: (workers, strategy, speedup against serial).
    pub best: Vec<(usize, String, f64)>,
    /// Why the wall-clock speedups of this workload cannot be trusted (a busy machine), where a cell's could not.
    pub doubt: Option<String>,
    /// Up to how many workers the best strategy keeps the efficiency floor.
    pub scaling: String,
    pub reasons: Vec<String>,
}

/// One finding per workload and size of `run`, in record order.
pub fn findings(run: &JudgedRun) -> Vec<Finding> {
    run.groups().iter().filter_map(|(workload, size)| finding(run, workload, *size)).collect()
}

/// Every worker count some finding has a best strategy for, in order: the columns of a findings table.
pub fn worker_counts(found: &[Finding]) -> Vec<usize> {
    let mut counts: Vec<usize> = found.iter().flat_map(|f| f.best.iter().map(|b| b.0)).collect();
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// For the terminal at the end of a run: `spin at 2000 tasks: small tasks: 149 ns each, …; raise --chunk`, one
/// per workload and size whose tasks are too small for worker processes (the rule the findings use).
pub fn small_task_warnings(run: &JudgedRun) -> Vec<String> {
    let floor = run.min_efficiency;
    let warning = |(workload, size): &(String, u64)| {
        let cells: Vec<&CellRecord> = run.ok_cells().filter(|c| c.workload == *workload && c.size == *size).collect();
        let serial = cells.iter().find(|c| c.strategy == StrategyKind::Serial)?;
        let top = cells.iter().map(|c| c.workers).max()?;
        let at_top: Vec<&CellRecord> = cells.iter().copied().filter(|c| c.workers == top).collect();
        let reason = task_size_reason(serial, &at_top, floor, run.tiny_task_ns)?;
        Some(format!("{workload} at {} {}: {reason}", serial.size, serial.size_unit))
    };
    run.groups().iter().filter_map(warning).collect()
}

fn finding(run: &JudgedRun, workload: &str, size: u64) -> Option<Finding> {
    let cells: Vec<&CellRecord> = run.ok_cells().filter(|c| c.workload == workload && c.size == size).collect();
    let serial = cells.iter().find(|c| c.strategy == StrategyKind::Serial)?;
    let mut worker_counts: Vec<usize> = cells.iter().map(|c| c.workers).collect();
    worker_counts.sort_unstable();
    worker_counts.dedup();
    let best: Vec<(usize, &CellRecord)> = worker_counts
        .iter()
        .filter_map(|&w| Some((w, fastest(cells.iter().copied().filter(|c| c.workers == w))?)))
        .collect();
    let doubt =
        run.gate.scaling.iter().filter(|s| cells.iter().any(|c| c.id == s.id)).find_map(|s| s.wall_clock_doubt.clone());
    let floor = run.min_efficiency;
    let kept = best.iter().filter(|(_, c)| efficiency(c) >= floor).map(|(w, _)| *w).max().unwrap_or(1);
    let top = *worker_counts.last()?;
    let scaling = if let Some(doubt) = &doubt {
        format!("not read off the wall clock, which is unreliable here: {doubt}")
    } else if kept == top && top > 1 {
        format!("keeps efficiency ≥ {floor} up to {top} workers, the most measured")
    } else if kept == top {
        "measured at 1 worker only".to_owned()
    } else {
        let workers = if kept == 1 { "1 worker" } else { &format!("{kept} workers") };
        format!("stops paying after {workers}: efficiency below {floor} beyond")
    };
    let at_top: Vec<&CellRecord> = cells.iter().copied().filter(|c| c.workers == top).collect();
    let mut reasons = Vec::new();
    reasons.extend(payload_reason(&at_top));
    reasons.extend(imbalance_reason(&at_top));
    reasons.extend(bandwidth_reason(serial, &at_top));
    reasons.extend(start_reason(&at_top));
    reasons.extend(task_size_reason(serial, &at_top, floor, run.tiny_task_ns));
    reasons.extend(super::network::network_reason(&at_top));
    if reasons.is_empty() {
        if let Some((_, winner)) = best.last().filter(|(w, _)| *w > 1) {
            reasons.push(format!(
                "even, CPU-bound tasks: {} reaches efficiency {:.2} at {top} workers",
                strategy_label(winner),
                efficiency(winner)
            ));
        }
    }
    Some(Finding {
        workload: workload.to_owned(),
        size: format!("{} {}", serial.size, serial.size_unit),
        best: best.iter().map(|(w, c)| (*w, strategy_label(c), speedup(c))).collect(),
        doubt,
        scaling,
        reasons,
    })
}

fn median(cell: &CellRecord) -> f64 {
    cell.summary.as_ref().map_or(f64::INFINITY, |s| s.median_wall_ns)
}

fn speedup(cell: &CellRecord) -> f64 {
    cell.summary.as_ref().and_then(|s| s.speedup).unwrap_or(0.0)
}

fn efficiency(cell: &CellRecord) -> f64 {
    cell.summary.as_ref().and_then(|s| s.efficiency).unwrap_or(0.0)
}

fn utilisation(cell: &CellRecord) -> f64 {
    cell.summary.as_ref().map_or(0.0, |s| s.median_utilisation)
}

fn fastest<'a>(cells: impl Iterator<Item = &'a CellRecord>) -> Option<&'a CellRecord> {
    cells.min_by(|a, b| median(a).total_cmp(&median(b)))
}

/// Copying the shared input into every task costs what shared memory does not.
fn payload_reason(at_top: &[&CellRecord]) -> Option<String> {
    let by_transport = |t: Transport| at_top.iter().find(|c| c.transport == Some(t));
    let copy = by_transport(Transport::Copy)?;
    let (copy_in, _) = copy.bytes_per_task()?;
    if copy_in < 1024.0 * 1024.0 {
        return None;
    }
    let text = match by_transport(Transport::Shm).and_then(|shm| Some((shm, shm.bytes_per_task()?.0))) {
        Some((shm, shm_in)) => format!(
            "payload: process/copy moves {} into a worker per task, shm {}; copy takes {:.1}× shm's time",
            bytes(copy_in),
            bytes(shm_in),
            median(copy) / median(shm)
        ),
        None => format!("payload: process/copy moves {} into a worker per task", bytes(copy_in)),
    };
    Some(text)
}

/// A static partition leaves workers idle when task costs differ; dynamic strategies do not.
fn imbalance_reason(at_top: &[&CellRecord]) -> Option<String> {
    let fixed = at_top.iter().find(|c| c.strategy == StrategyKind::Threads && c.workers > 1)?;
    let dynamic = at_top
        .iter()
        .filter(|c| matches!(c.strategy, StrategyKind::Rayon | StrategyKind::Crossbeam))
        .max_by(|a, b| utilisation(a).total_cmp(&utilisation(b)))?;
    (utilisation(fixed) < 0.8 && utilisation(dynamic) - utilisation(fixed) >= 0.15).then(|| {
        format!(
            "load imbalance: the static partition (threads) keeps its workers busy {:.0}% of the time, {} {:.0}%",
            utilisation(fixed) * 100.0,
            strategy_label(dynamic),
            utilisation(dynamic) * 100.0
        )
    })
}

/// Memory-bound work saturates the memory bus before it runs out of cores.
fn bandwidth_reason(serial: &CellRecord, at_top: &[&CellRecord]) -> Option<String> {
    if serial.kind == Kind::Cpu {
        return None;
    }
    let serial_gbps = serial.summary.as_ref()?.gbps?;
    let best = at_top
        .iter()
        .filter(|c| c.workers > 1)
        .filter_map(|c| Some((c, c.summary.as_ref()?.gbps?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (best.1 < serial_gbps * 1.5).then(|| {
        format!(
            "memory-bound: {} workers reach {:.1} GB/s against serial's {serial_gbps:.1} ({:.2}×); the memory bus, \
             not the cores, is the limit",
            best.0.workers,
            best.1,
            best.1 / serial_gbps
        )
    })
}

/// Worker processes (or MPI ranks loading the workload) cost a start-up that a short run does not earn back.
fn start_reason(at_top: &[&CellRecord]) -> Option<String> {
    let process = at_top.iter().find(|c| c.strategy.runs_in_other_processes())?;
    let start = process.pool_start_ns as f64;
    let share = start / median(process);
    (share > 0.1).then(|| {
        let against = if share >= 2.0 { format!("{share:.0}×") } else { format!("{:.0}% of", share * 100.0) };
        format!(
            "start cost: {} workers take {} to start, {against} one {} run",
            strategy_label(process),
            duration_ns(start),
            duration_ns(median(process))
        )
    })
}

/// Tiny tasks (each under `tiny_task_ns`) are dominated by what it costs to hand them out.
fn task_size_reason(serial: &CellRecord, at_top: &[&CellRecord], floor: f64, tiny_task_ns: f64) -> Option<String> {
    let per_task = median(serial) / serial.tasks.max(1) as f64;
    let process = at_top.iter().find(|c| c.strategy.runs_in_other_processes() && c.workers > 1)?;
    (per_task < tiny_task_ns && efficiency(process) < floor).then(|| {
        format!(
            "small tasks: {} each, so dispatching to processes (efficiency {:.2}) costs more than it saves; raise \
             --chunk",
            duration_ns(per_task),
            efficiency(process)
        )
    })
}
