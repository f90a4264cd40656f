//! Efficiency that a busy machine cannot fake, and when the wall-clock one is not to be trusted.
//!
//! A wall-clock speedup compares two cells that each got some share of the machine. When another process takes
//! a core, serial's one thread may get half a core while the two workers of a parallel cell get most of two, and
//! the speedup, 4× "on 2 cores", measures the shares, not the strategy. What load cannot change is recorded per
//! worker from the scheduler ([`crate::measure::schedstat`]): the CPU time it ran, and the time it waited,
//! runnable, for a CPU someone else held. From them each execution's time on a machine with nothing else running
//! is estimated:
//! - under a static partition (`serial`, `threads`) each worker's tasks are fixed before any runs, so the
//!   execution takes as long as its busiest worker's CPU time: the imbalance is kept, the waiting is not;
//! - under a dynamic one (`rayon`, `crossbeam`, `process`) a worker that got less of a core takes fewer tasks, so
//!   per-worker times reflect the load; the wall time is scaled instead by the share of a CPU the workers got
//!   while they wanted one (ran ÷ (ran + waited)), which keeps idling and blocking and removes only the waiting.
//!
//! The load-proof efficiency is serial's estimate over the cell's, per worker, and it factors into *work
//! inflation* (the workers' CPU time over serial's) and *idle* (the part of the workers' dedicated time with no
//! CPU work: imbalance, a drained queue, waiting on a pipe).

use ablate_workloads::{Digest, Kind};
use serde::Serialize;

use crate::record::{CellRecord, Sample};
use crate::stats::inference::{Interval, RESAMPLES, ratio_of_medians_interval};
use crate::stats::median;
use crate::strategy::StrategyKind;

/// How far the share of a CPU a parallel cell's workers got may differ from serial's, as a ratio, before its
/// wall-clock speedup is marked unreliable: the speedup is off by that ratio, and 1.10 is the gate's own
/// regression threshold, the smallest difference any verdict is asked to see.
pub const SHARE_RATIO_TOLERANCE: f64 = 1.10;

/// A CPU-bound efficiency above this is more than linear: never shown as scaling without a mark.
pub const MAX_PLAUSIBLE_EFFICIENCY: f64 = 1.05;

/// A parallel cell's efficiency as on a dedicated machine, and what it is made of.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadProof {
    /// Serial's dedicated time over the cell's, per worker.
    pub efficiency: f64,
    pub interval: Interval,
    /// The workers' CPU time over serial's (1.0: no work added by the strategy).
    pub work_inflation: f64,
    /// The share of the workers' dedicated time with no CPU work.
    pub idle: f64,
    /// The share of a CPU the cell's workers got while they wanted one.
    pub share: f64,
    /// The same for serial, the reference.
    pub serial_share: f64,
}

/// Whether `strategy` fixes each worker's tasks before any runs.
fn static_partition(strategy: StrategyKind) -> bool {
    matches!(strategy, StrategyKind::Serial | StrategyKind::Threads)
}

/// The execution's estimated time on a machine with nothing else running; `None` where its workers' counters
/// were not recorded.
pub fn dedicated_ns(sample: &Sample, strategy: StrategyKind) -> Option<f64> {
    let most = sample.worker_cpu.iter().map(|w| w.ran_ns).max()?;
    if static_partition(strategy) { Some(most as f64) } else { Some(sample.wall_ns as f64 * share(sample)?) }
}

/// The share of a CPU the execution's workers got while they wanted one.
pub fn share(sample: &Sample) -> Option<f64> {
    let ran: u64 = sample.worker_cpu.iter().map(|w| w.ran_ns).sum();
    let wanted: u64 = sample.worker_cpu.iter().map(|w| w.ran_ns + w.waited_ns).sum();
    (wanted > 0).then(|| ran as f64 / wanted as f64)
}

/// The median of `f` over the samples where it is known, if it is known for every one.
fn median_of(samples: &[Sample], f: impl Fn(&Sample) -> Option<f64>) -> Option<f64> {
    let values: Option<Vec<f64>> = samples.iter().map(f).collect();
    median(&values?)
}

/// The load-proof figures of `cell` against `serial`, on a machine of `cores` logical cores; `None` where the
/// workers' counters were not recorded, or where the cell has more workers than cores (its workers then wait for
/// each other, which no estimate of a dedicated machine can undo).
pub fn of_cell(cell: &CellRecord, serial: &CellRecord, cores: usize, confidence: f64) -> Option<LoadProof> {
    let (serial_times, cell_times) = dedicated_times(cell, serial, cores)?;
    let workers = cell.workers.max(1) as f64;
    let cell_time = median(&cell_times)?;
    let efficiency = median(&serial_times)? / cell_time / workers;
    let seed = Digest::of_parts([cell.id.as_bytes(), b"load-proof"]).0;
    let speedup = ratio_of_medians_interval(&serial_times, &cell_times, confidence, RESAMPLES, seed)?;
    let ran = |s: &Sample| Some(s.worker_cpu.iter().map(|w| w.ran_ns).sum::<u64>() as f64);
    let cell_ran = median_of(&cell.samples, ran)?;
    Some(LoadProof {
        efficiency,
        interval: Interval { low: speedup.low / workers, high: speedup.high / workers },
        work_inflation: cell_ran / median_of(&serial.samples, ran)?.max(1.0),
        idle: (1.0 - cell_ran / (workers * cell_time).max(1.0)).max(0.0),
        share: median_of(&cell.samples, share)?,
        serial_share: median_of(&serial.samples, share)?,
    })
}

/// Why a wall-clock speedup cannot be trusted.
#[derive(Clone, Debug, PartialEq)]
pub enum Doubt {
    /// The cell's workers and serial got unequal shares of a CPU; other processes' load where recorded.
    UnequalShares { serial_share: f64, cell_share: f64, others_cores: Option<f64>, cores: usize },
    /// No shares recorded, and other processes kept busy cores the cell or serial needed.
    Busy { others_cores: f64, cores: usize },
    /// A CPU-bound efficiency above [`MAX_PLAUSIBLE_EFFICIENCY`].
    MoreThanLinear { efficiency: f64 },
}

impl Doubt {
    /// `measured on a busy machine: serial got 0.53 of a CPU, this cell's workers 0.90 (other processes used 1.0
    /// of 2 cores)`.
    pub fn describe(&self) -> String {
        let others = |o: Option<f64>, cores: usize| {
            o.map(|o| format!(" (other processes used {o:.1} of {cores} cores)")).unwrap_or_default()
        };
        match *self {
            Doubt::UnequalShares { serial_share, cell_share, others_cores, cores } => format!(
                "measured on a busy machine: serial got {serial_share:.2} of a CPU, this cell's workers \
                 {cell_share:.2}{}",
                others(others_cores, cores)
            ),
            Doubt::Busy { others_cores, cores } => {
                format!("measured on a busy machine{}", others(Some(others_cores), cores))
            }
            Doubt::MoreThanLinear { efficiency } => format!(
                "efficiency {efficiency:.2} is more than linear, which CPU-bound work cannot be: the reference or \
                 the machine's state moved between the cells"
            ),
        }
    }

    /// Other processes' load, in cores, where the doubt is about a busy machine.
    pub fn others_cores(&self) -> Option<f64> {
        match *self {
            Doubt::UnequalShares { others_cores, .. } => others_cores,
            Doubt::Busy { others_cores, .. } => Some(others_cores),
            Doubt::MoreThanLinear { .. } => None,
        }
    }
}

/// The load-proof efficiency alone, without its interval's resampling: what a table shows.
pub fn efficiency(cell: &CellRecord, serial: &CellRecord, cores: usize) -> Option<f64> {
    let (serial_times, cell_times) = dedicated_times(cell, serial, cores)?;
    Some(median(&serial_times)? / median(&cell_times)? / cell.workers.max(1) as f64)
}

/// Serial's and the cell's executions as on a dedicated machine, where every one recorded its workers' counters
/// and the cell has no more workers than cores.
fn dedicated_times(cell: &CellRecord, serial: &CellRecord, cores: usize) -> Option<(Vec<f64>, Vec<f64>)> {
    if cell.workers > cores {
        return None;
    }
    let dedicated =
        |c: &CellRecord| -> Option<Vec<f64>> { c.samples.iter().map(|s| dedicated_ns(s, c.strategy)).collect() };
    Some((dedicated(serial)?, dedicated(cell)?))
}

/// Why `cell`'s wall-clock speedup against `serial` cannot be trusted, on a machine of `cores` logical cores:
/// the two got unequal shares of a CPU (or, where shares were not recorded, other processes kept busy cores one
/// of them needed), or a CPU-bound cell's efficiency `wall_efficiency` is more than linear. `None` when it can.
pub fn wall_clock_doubt(cell: &CellRecord, serial: &CellRecord, cores: usize, wall_efficiency: f64) -> Option<Doubt> {
    let others_cores = cell.others_cores().into_iter().chain(serial.others_cores()).reduce(f64::max);
    let shares = median_of(&cell.samples, share).zip(median_of(&serial.samples, share));
    if let Some((cell_share, serial_share)) = shares {
        let apart =
            (cell_share / serial_share.max(f64::MIN_POSITIVE)).max(serial_share / cell_share.max(f64::MIN_POSITIVE));
        if apart > SHARE_RATIO_TOLERANCE {
            return Some(Doubt::UnequalShares { serial_share, cell_share, others_cores, cores });
        }
    } else {
        let busy = busy_reason(cell.others_cores(), serial.others_cores(), cell.workers, cores).is_some();
        if let Some(others_cores) = others_cores.filter(|_| busy) {
            return Some(Doubt::Busy { others_cores, cores });
        }
    }
    (cell.kind == Kind::Cpu && wall_efficiency > MAX_PLAUSIBLE_EFFICIENCY)
        .then_some(Doubt::MoreThanLinear { efficiency: wall_efficiency })
}

/// Cores other processes may keep busy, beyond those a cell leaves free, before its shortfall is put down to
/// them: background daemons, and the coarseness of `/proc/stat`'s 10 ms ticks over short repetitions.
pub const BUSY_TOLERANCE_CORES: f64 = 0.25;

/// Why the machine was too busy to judge: other processes took cores the cell's workers (or serial's one
/// thread) needed. `None` when they had them, or when the load was not recorded.
pub fn busy_reason(
    cell_others: Option<f64>,
    serial_others: Option<f64>,
    workers: usize,
    cores: usize,
) -> Option<String> {
    let spare = |needed: usize| cores.saturating_sub(needed) as f64 + BUSY_TOLERANCE_CORES;
    if let Some(others) = cell_others.filter(|&o| o > spare(workers)) {
        return Some(format!(
            "machine busy: other processes kept {others:.2} of {cores} cores busy during its repetitions; its \
             {workers} workers needed {workers} free"
        ));
    }
    serial_others.filter(|&o| o > spare(1)).map(|others| {
        format!("machine busy: other processes kept {others:.2} of {cores} cores busy while serial, the reference, ran")
    })
}

#[cfg(test)]
mod tests;
