//! The model: a workload's task costs (from its serial cell), a strategy's own overhead per chunk (from its cell at
//! one worker), replayed through the strategy's schedule on the workers a target machine offers (SMT siblings
//! sharing a core), bounded below by the memory traffic over the target's bandwidth at that many threads. Each
//! prediction carries an interval from what the model does not know: the overhead (half to twice what was
//! measured), the SMT yield (±0.05 when probed, 1.0–1.4 when not; the physical cores, when unknown, anywhere from
//! half the logical ones to all), each thread's speed with that many busy (±0.03 when probed; when not, 5 % lost
//! and up to 15 %, in proportion to the cores busy), the bandwidth share (±10 %), and a floor of ±5 % for the model
//! itself.

use std::time::Duration;

use ablate_workloads::Kind;

use super::profile::MachineProfile;
use super::schedule::{Split, chunk_count, makespan};
use crate::record::{CellRecord, CellStatus};
use crate::stats::median;
use crate::strategy::{Chunk, StrategyKind};
use crate::verdict::load_proof;

/// The relative error the model allows itself in every prediction, whatever else it knows.
pub const MODEL_ERROR: f64 = 0.05;

/// What a thread loses with every core busy, where the profile did not measure it: from a little (the central
/// guess) to as much as all-core clocks commonly fall below one-core ones; scaled by the share of cores busy.
pub const UNKNOWN_CORE_SLOWDOWN: (f64, f64) = (0.05, 0.15);

/// The error allowed a measured per-thread speed with N threads busy.
pub const CORE_SPEED_ERROR: f64 = 0.03;

/// SMT yield assumed when the profile has none but the machine may have siblings: two siblings give from nothing
/// (1.0) to 1.4 times one thread's throughput.
pub const UNKNOWN_SMT_YIELD: (f64, f64) = (1.0, 1.4);

/// What a workload's cells tell a prediction, read off one results file.
pub struct Workload<'a> {
    pub serial: &'a CellRecord,
    /// The task costs, one per task, in task order, ns.
    pub costs: Vec<f64>,
}

impl<'a> Workload<'a> {
    /// The workload of `serial`, whose task costs were recorded; `None` where they were not.
    pub fn of(serial: &'a CellRecord) -> Option<Self> {
        let recorded = serial.task_costs.as_ref()?;
        let per = recorded.tasks_per_entry.max(1);
        let mut costs = Vec::with_capacity(recorded.tasks as usize);
        for (i, &ns) in recorded.ns.iter().enumerate() {
            let tasks = per.min(recorded.tasks.saturating_sub(i as u64 * per)).max(1);
            costs.extend(std::iter::repeat_n(ns as f64 / tasks as f64, tasks as usize));
        }
        Some(Workload { serial, costs })
    }

    fn total(&self) -> f64 {
        self.costs.iter().sum()
    }
}

/// The parameters one prediction is made at: the central guess, or an end of the interval.
#[derive(Clone, Copy, Debug)]
struct Guess {
    overhead_scale: f64,
    smt_yield: f64,
    /// Each worker's speed with this many busy, relative to one alone (all-core clocks, shared caches).
    core_speed: f64,
    physical: usize,
    bandwidth_scale: f64,
    model_scale: f64,
}

/// Why efficiency is lost at a worker count, as the model sees it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "loss")]
pub enum Loss {
    /// The memory traffic over the bandwidth at this many threads outlasts the work.
    Bandwidth { gbps_needed: f64, gbps_at_n: f64 },
    /// The busiest worker holds this share of the work (static split, or one long task).
    Imbalance { busiest_share: f64, static_split: bool },
    /// The strategy's own work per chunk against the chunk's tasks.
    Overhead { per_chunk_ns: f64, chunk_ns: f64, pipe: bool },
    /// Workers share cores with SMT siblings.
    Smt { physical: usize, smt_yield: f64 },
    /// More workers than logical cores: they take turns.
    Oversubscribed { logical: usize },
    /// Every chunk passes through the parent's one thread (worker processes), which cannot keep up.
    Parent { chunks: usize, per_chunk_ns: f64 },
    /// Nothing the model sees: the work divides.
    None,
}

/// A prediction of one strategy at one worker count.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Prediction {
    pub workers: usize,
    pub time_ns: f64,
    pub efficiency: f64,
    pub low: f64,
    pub high: f64,
    pub loss: Loss,
}

/// A strategy's cells of one workload, as the model needs them.
pub struct Strategy<'a> {
    pub kind: StrategyKind,
    pub chunk: Chunk,
    pub chunk_target: Duration,
    /// Its cell at one worker, whose time over serial's gives the strategy's overhead per chunk.
    pub one_worker: Option<&'a CellRecord>,
}

impl Strategy<'_> {
    fn split(&self, tasks: usize, workers: usize) -> Split {
        match (self.kind, self.chunk) {
            (StrategyKind::Serial | StrategyKind::Threads, Chunk::Auto) => Split::Blocks,
            (StrategyKind::Serial | StrategyKind::Threads, Chunk::Fixed(n)) => Split::RoundRobin(n),
            (_, Chunk::Fixed(n)) => Split::Queue(n),
            (StrategyKind::Rayon, Chunk::Auto) => Split::Queue(1),
            (_, Chunk::Auto) if tasks > 0 && workers > 0 => Split::Adaptive { target: self.chunk_target },
            (_, Chunk::Auto) => Split::Queue(1),
        }
    }

    /// The work the thread that hands chunks to worker processes does per chunk, ns: its own CPU time at one
    /// worker (`driver_cpu`), over the chunks; 0 for in-process strategies, or where it was not recorded. Every
    /// chunk passes through that one thread, so no number of workers runs faster than the chunks times this.
    /// (The parent's reader threads, which decode the answers, run beside it and are not counted.)
    fn parent_per_chunk_ns(&self, workload: &Workload) -> f64 {
        let Some(cell) = self.one_worker.filter(|c| c.strategy.runs_in_other_processes()) else { return 0.0 };
        let chunks = chunk_count(&workload.costs, self.split(workload.costs.len(), 1), 1).max(1) as f64;
        let parents: Option<Vec<f64>> =
            cell.samples.iter().map(|s| s.driver_cpu.map(|d| d.ran_ns as f64 / chunks)).collect();
        parents.and_then(|p| median(&p)).unwrap_or(0.0)
    }

    /// The strategy's own work per chunk, ns: what its cell at one worker took beyond its own tasks (its task
    /// costs, recorded in the same executions; serial's where it has none), over the chunks it ran; 0 where it has
    /// no such cell. Taken from one cell's own executions, a busy moment between two cells is not overhead.
    ///
    /// On a busy machine a wall time is stretched by the waiting for a CPU, which is not the strategy's own work:
    /// each execution's time is taken as on a dedicated machine (see [`load_proof::dedicated_ns`]) where its
    /// worker's counters were recorded.
    fn per_chunk_ns(&self, workload: &Workload) -> f64 {
        let Some(cell) = self.one_worker else { return 0.0 };
        let times: Vec<f64> = cell
            .samples
            .iter()
            .map(|s| load_proof::dedicated_ns(s, cell.strategy).unwrap_or(s.wall_ns as f64))
            .collect();
        let Some(measured) = median(&times) else { return 0.0 };
        let own_tasks = cell.task_costs.as_ref().map(|c| c.ns.iter().sum::<u64>() as f64);
        let chunks = chunk_count(&workload.costs, self.split(workload.costs.len(), 1), 1).max(1) as f64;
        ((measured - own_tasks.unwrap_or_else(|| workload.total())) / chunks).max(0.0)
    }
}

/// The speed of each of `workers` workers on a machine of `logical` cores of which `physical` are cores of their
/// own, two siblings yielding `smt_yield` of one thread: workers fill distinct cores first, as pinning places
/// them; more workers than logical cores share them evenly.
pub fn worker_speeds(workers: usize, physical: usize, logical: usize, smt_yield: f64) -> Vec<f64> {
    let physical = physical.clamp(1, logical.max(1));
    let placed = workers.min(logical.max(1));
    let shared = placed.saturating_sub(physical).min(physical);
    let crowd = if workers > logical { logical as f64 / workers as f64 } else { 1.0 };
    (0..workers)
        .map(|w| {
            let slot = w % placed.max(1);
            let sibling = slot < shared || (slot >= physical && slot < physical + shared);
            crowd * if sibling { smt_yield / 2.0 } else { 1.0 }
        })
        .collect()
}

/// Predicts `strategy` on `workload` at `workers` on the machine of `profile`, its per-core speed `speed` times
/// this machine's (`None`: unknown, taken as the same and widened for it).
pub fn predict(
    workload: &Workload,
    strategy: &Strategy,
    workers: usize,
    profile: &MachineProfile,
    speed: Option<f64>,
) -> Prediction {
    let per_chunk = strategy.per_chunk_ns(workload);
    let logical = profile.logical_cores.max(1);
    let (yield_low, yield_mid, yield_high) = match profile.smt_yield {
        Some(y) => (y - 0.05, y, y + 0.05),
        None => (UNKNOWN_SMT_YIELD.0, (UNKNOWN_SMT_YIELD.0 + UNKNOWN_SMT_YIELD.1) / 2.0, UNKNOWN_SMT_YIELD.1),
    };
    let (phys_low, phys_mid, phys_high) = match profile.physical_cores {
        Some(p) => (p, p, p),
        None => (logical.div_ceil(2), logical, logical),
    };
    let speed_spread = if speed.is_some() { 0.0 } else { 0.15 };
    let busy_share = (workers as f64 / logical as f64).min(1.0);
    let (core_low, core_mid, core_high) = match profile.core_speed_at(workers) {
        Some(s) => ((s - CORE_SPEED_ERROR).max(0.1), s, (s + CORE_SPEED_ERROR).min(1.0)),
        None => (1.0 - UNKNOWN_CORE_SLOWDOWN.1 * busy_share, 1.0 - UNKNOWN_CORE_SLOWDOWN.0 * busy_share, 1.0),
    };
    let guess = |pessimistic: Option<bool>| -> Guess {
        match pessimistic {
            None => Guess {
                overhead_scale: 1.0,
                smt_yield: yield_mid,
                core_speed: core_mid,
                physical: phys_mid,
                bandwidth_scale: 1.0,
                model_scale: 1.0,
            },
            Some(true) => Guess {
                overhead_scale: 2.0,
                smt_yield: yield_low,
                core_speed: core_low,
                physical: phys_low,
                bandwidth_scale: 0.9 * (1.0 - speed_spread),
                model_scale: 1.0 + MODEL_ERROR,
            },
            Some(false) => Guess {
                overhead_scale: 0.5,
                smt_yield: yield_high,
                core_speed: core_high,
                physical: phys_high,
                bandwidth_scale: 1.1 * (1.0 + speed_spread),
                model_scale: 1.0 - MODEL_ERROR,
            },
        }
    };
    let parent = strategy.parent_per_chunk_ns(workload);
    let case = Case { workload, strategy, workers, profile, per_chunk, parent };
    let at = |g: Guess| case.time(g);
    // Serial's measured time, its own loop around the tasks included, as a measured efficiency has it: as on a
    // dedicated machine where its worker's counters were recorded, since the task costs are too.
    let serial_times: Vec<f64> = workload
        .serial
        .samples
        .iter()
        .map(|s| load_proof::dedicated_ns(s, StrategyKind::Serial).unwrap_or(s.wall_ns as f64))
        .collect();
    let serial = median(&serial_times).unwrap_or_else(|| workload.total()).max(1.0);
    let efficiency = |time: f64| serial / (workers.max(1) as f64 * time.max(1.0));
    let (mid, worst, best) = (at(guess(None)), at(guess(Some(true))), at(guess(Some(false))));
    Prediction {
        workers,
        time_ns: mid,
        efficiency: efficiency(mid),
        low: efficiency(worst).min(efficiency(mid)),
        high: efficiency(best).max(efficiency(mid)),
        loss: loss(&case, guess(None)),
    }
}

/// One strategy of one workload at one worker count on one machine, `per_chunk` the strategy's own work.
struct Case<'a> {
    workload: &'a Workload<'a>,
    strategy: &'a Strategy<'a>,
    workers: usize,
    profile: &'a MachineProfile,
    per_chunk: f64,
    /// The parent's own work per chunk (worker processes), serialized through its one thread.
    parent: f64,
}

impl Case<'_> {
    /// The predicted time at `g`, in this machine's nanoseconds (per-core speed cancels out of efficiency).
    fn time(&self, g: Guess) -> f64 {
        let scheduled = self.on_target(g, self.per_chunk * g.overhead_scale).max(self.parent_bound(g));
        let memory = memory_bound(self.workload, self.workers, self.profile, g.bandwidth_scale);
        memory.map_or(scheduled, |m| m.max(scheduled)) * g.model_scale
    }

    /// The time the parent takes to pass every chunk at this many workers, one after another.
    fn parent_bound(&self, g: Guess) -> f64 {
        if self.parent == 0.0 {
            return 0.0;
        }
        let split = self.strategy.split(self.workload.costs.len(), self.workers);
        chunk_count(&self.workload.costs, split, self.workers) as f64 * self.parent * g.overhead_scale
    }

    /// The schedule's makespan on the target's workers as `g` places them, each chunk costing `per_chunk` more.
    fn on_target(&self, g: Guess, per_chunk: f64) -> f64 {
        let speeds: Vec<f64> = worker_speeds(self.workers, g.physical, self.profile.logical_cores, g.smt_yield)
            .into_iter()
            .map(|s| s * g.core_speed)
            .collect();
        makespan(&self.workload.costs, self.strategy.split(self.workload.costs.len(), self.workers), &speeds, per_chunk)
    }
}

/// The time the workload's memory traffic takes at `workers` threads, where it is memory-bound: serial's time
/// scaled by the bandwidth at one thread over the bandwidth at `workers` (times `scale`), for the share of
/// serial's time the traffic accounts for at the target's one-thread bandwidth.
fn memory_bound(workload: &Workload, workers: usize, profile: &MachineProfile, scale: f64) -> Option<f64> {
    let serial = workload.serial;
    if serial.kind == Kind::Cpu {
        return None;
    }
    let bytes = serial.bytes_touched? as f64;
    let (one, at_n) = (profile.stream_gbps_at(1)?, profile.stream_gbps_at(workers)? * scale);
    let total = workload.total();
    let memory_share = (bytes / one / total).min(1.0);
    Some(total * memory_share * one / at_n.max(1e-9))
}

/// What costs the most efficiency at the case's worker count, at the central guess.
fn loss(case: &Case, g: Guess) -> Loss {
    let Case { workload, strategy, workers, profile, per_chunk, .. } = *case;
    let total = workload.total();
    let ideal = total / workers.max(1) as f64;
    let split = strategy.split(workload.costs.len(), workers);
    let even = vec![1.0; workers];
    let balanced = makespan(&workload.costs, split, &even, 0.0);
    let with_overhead = makespan(&workload.costs, split, &even, per_chunk);
    let with_smt = case.on_target(g, per_chunk);
    let memory = memory_bound(workload, workers, profile, 1.0).unwrap_or(0.0);
    let parent = case.parent_bound(g);
    let losses = [
        (memory - with_smt, 0),
        (balanced - ideal, 1),
        (with_overhead - balanced, 2),
        (with_smt - with_overhead, 3),
        (parent - with_smt.max(memory), 4),
    ];
    let (amount, which) = losses.iter().copied().fold((0.0, usize::MAX), |a, b| if b.0 > a.0 { b } else { a });
    if amount <= 0.02 * ideal {
        return Loss::None;
    }
    match which {
        0 => {
            let bytes = workload.serial.bytes_touched.unwrap_or(0) as f64;
            Loss::Bandwidth {
                gbps_needed: bytes / with_smt.max(1.0),
                gbps_at_n: profile.stream_gbps_at(workers).unwrap_or(0.0),
            }
        }
        1 => Loss::Imbalance { busiest_share: balanced / total, static_split: matches!(split, Split::Blocks) },
        2 => {
            let chunks = (makespan(&workload.costs, split, &[1.0], 1.0) - total).max(1.0);
            Loss::Overhead {
                per_chunk_ns: per_chunk,
                chunk_ns: total / chunks,
                pipe: matches!(strategy.kind, StrategyKind::Process | StrategyKind::Mpi),
            }
        }
        4 => Loss::Parent { chunks: chunk_count(&workload.costs, split, workers), per_chunk_ns: case.parent },
        _ if workers > profile.logical_cores => Loss::Oversubscribed { logical: profile.logical_cores },
        _ => Loss::Smt { physical: g.physical, smt_yield: g.smt_yield },
    }
}

impl Loss {
    /// The reason in one line: `static split: the heaviest block holds 31 % of the work at 16`.
    pub fn describe(&self, workers: usize) -> String {
        match *self {
            Loss::Bandwidth { gbps_needed, gbps_at_n } => {
                format!("bandwidth: {gbps_needed:.1} GB/s wanted, {gbps_at_n:.1} GB/s to be had at {workers}")
            }
            Loss::Imbalance { busiest_share, static_split: true } => format!(
                "static split: the heaviest block holds {:.0} % of the work at {workers}",
                busiest_share * 100.0
            ),
            Loss::Imbalance { busiest_share, static_split: false } => {
                format!("the longest chain of tasks holds {:.0} % of the work at {workers}", busiest_share * 100.0)
            }
            Loss::Overhead { per_chunk_ns, chunk_ns, pipe } => format!(
                "{} of {:.1} µs per {:.1} µs chunk at {workers}",
                if pipe { "a pipe round trip" } else { "dispatch work" },
                per_chunk_ns / 1e3,
                chunk_ns / 1e3
            ),
            Loss::Smt { physical, smt_yield } => {
                format!("SMT: {workers} workers on {physical} cores, two siblings yielding {smt_yield:.2} of one")
            }
            Loss::Parent { chunks, per_chunk_ns } => format!(
                "the parent: {chunks} chunks at {:.1} µs of its own work each pass through its one thread at {workers}",
                per_chunk_ns / 1e3
            ),
            Loss::Oversubscribed { logical } => {
                format!("oversubscribed: {workers} workers take turns on {logical} logical cores")
            }
            Loss::None => "the work divides evenly".to_owned(),
        }
    }
}

/// The serial cell of `cell`'s workload and size in `cells`.
pub fn serial_of<'a>(cells: &'a [CellRecord], workload: &str, size: u64) -> Option<&'a CellRecord> {
    cells.iter().find(|c| {
        c.workload == workload && c.size == size && c.strategy == StrategyKind::Serial && c.status == CellStatus::Ok
    })
}

#[cfg(test)]
mod tests;
