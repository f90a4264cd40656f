//! The results file: a versioned JSON schema with machine metadata, the configuration, every raw sample and the
//! summaries derived from them. Any later verdict can be recomputed from this file alone.

use std::time::SystemTime;

use ablate_workloads::{Digest, Kind, Params, WorkloadConfig};
use serde::{Deserialize, Serialize};

mod read;
pub(crate) mod summary;

use crate::stats::median;
pub use crate::strategy::mpi::{HostBytes, HostRanks, NetworkBytes, RankBytes};
use crate::strategy::{Chunk, EffectiveChunk, Faults, StrategyKind, Transport, WireBytes};

pub use crate::config::{Profile, ProfileKind, RunConfig, WorkloadChoice};
pub use crate::decision::{Decision, Entrant, Pilot, Race};
pub use crate::measure::histogram::{TaskTimeSummary, TaskTimes};
pub use crate::measure::machine::{AblateBuild, Machine};
pub use crate::measure::network::InterfaceBytes;
pub use crate::measure::schedstat::WorkerCpu;
pub use crate::measure::task_costs::TaskCosts;
pub(crate) use read::parse_results;
pub use read::read_results;
pub use summary::Summary;

/// Bumped whenever a field changes meaning or is removed; readers refuse versions they do not know.
pub const SCHEMA_VERSION: u64 = 2;

/// The oldest schema readers still accept. Version 2 spells an adaptive `effective_chunk` `"adaptive"` where
/// version 1 wrote `0`; nothing else changed, and a version 1 file reads as if it said `"adaptive"`.
pub const OLDEST_READABLE_SCHEMA: u64 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema_version: u64,
    pub ablate_version: String,
    /// The commit ablate itself was built from; absent in records from before it was kept apart from
    /// `machine.git_commit` (the measured project's), and in builds made outside a git checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ablate_commit: Option<String>,
    /// ablate's build had uncommitted changes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ablate_dirty: bool,
    /// RFC 3339, UTC.
    pub created: String,
    pub machine: Machine,
    pub config: RunConfig,
    /// Whether peak RSS is per repetition (the kernel allowed resetting it) or over the process's lifetime.
    pub rss_scope: RssScope,
    /// The run was interrupted (Ctrl-C): cells hold what was measured before it stopped.
    pub cancelled: bool,
    pub cells: Vec<CellRecord>,
    /// In A/B mode: how this record's samples pair with the other build's (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairing: Option<Pairing>,
}

/// How the samples of an A/B record pair with its partner's: timed sample `round` r of a cell here ran back to
/// back with round r of the same cell there. Enough to recompute every paired verdict from the two files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pairing {
    /// The other build, as the gate named it.
    pub partner: String,
    /// The planned looks: the round counts at which undecided cells were judged. The sequential boundaries spend
    /// alpha over them, and the `family` of cells compared shares it, workload first and then cell (the verdict
    /// module's `sequential` and `family`).
    pub looks: Vec<u32>,
    /// How many cells were compared.
    pub family: usize,
    /// Every opening of a group by this build, round by round: where its shared input came from and what the
    /// opening cost (absent from records that predate it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opens: Vec<GroupOpen>,
}

/// One opening of a group by a build in an A/B run: where the group's shared input came from, and what the
/// opening cost, so that a study can show the cost of a round's openings with the input cache and without.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupOpen {
    pub round: u32,
    pub group: usize,
    /// The group's workload as built (name, size, seed, parameters); absent where the build does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadConfig>,
    /// Where the shared input came from; absent where the build predates the input cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<InputSource>,
    /// Making or decoding the shared input and listing the tasks, on the build's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepare_ns: Option<u64>,
    /// The whole opening on the build's clock: the input, the cells' pools launched and warmed up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_ns: Option<u64>,
    /// From the driver's request until it read the build's reply, on the driver's clock. Both builds open a
    /// group at once and their replies are read in turn, so the longer of the two is what the round waited.
    pub wait_ns: u64,
}

/// Where an A/B build's group got its shared input from (see `GroupOpen`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum InputSource {
    /// Made by the workload; no cached input was offered.
    Built,
    /// Made by the workload and written, `bytes` long, into the driver's cache for the later rounds.
    Exported { bytes: u64 },
    /// Decoded from the `bytes` the driver's cache kept: not made again.
    Cached { bytes: u64 },
    /// Made by the workload: the cached input offered could not be used, for the reason given.
    Rebuilt { why: String },
    /// Made by the workload, but it could not be written into the cache, for the reason given.
    Unshared { why: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RssScope {
    PerRepetition,
    ProcessLifetime,
}

/// One cell: what ran, every sample, and the summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellRecord {
    pub id: String,
    pub workload: String,
    pub kind: Kind,
    pub size: u64,
    pub size_unit: String,
    pub params: Params,
    pub strategy: StrategyKind,
    pub workers: usize,
    pub chunk: Chunk,
    /// How the shared input reached worker processes (process strategy only).
    pub transport: Option<Transport>,
    /// Tasks per dispatch actually used, or adaptive (schema 1 wrote `0` for adaptive).
    pub effective_chunk: EffectiveChunk,
    pub tasks: usize,
    /// Time to launch the strategy's workers (e.g. build the rayon pool), once per cell.
    pub pool_start_ns: u64,
    pub status: CellStatus,
    pub digest: Option<Digest>,
    pub serial_digest: Option<Digest>,
    pub payload: Option<PayloadBytes>,
    /// Worker faults over every execution of the cell, warm-up included.
    pub faults: Faults,
    /// Memory traffic of one pass, for GB/s (memory-bound workloads).
    pub bytes_touched: Option<u64>,
    pub warmup: Vec<Sample>,
    pub samples: Vec<Sample>,
    pub task_times: Option<TaskTimeSummary>,
    /// Each task's cost in task order, averaged over the timed executions (cells at one worker; blocked beyond a
    /// bound, see [`TaskCosts`]): what `ablate predict` replays. Absent in records from before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_costs: Option<TaskCosts>,
    pub summary: Option<Summary>,
    /// Why this workload is expected to fall below the scaling floor under this strategy, as its description
    /// declares (e.g. `skewed` under static `threads`); absent for most cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_shortfall: Option<String>,
    /// What `auto` chose for this cell and why (`auto` cells only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Free memory lying in isolated single pages just before the group's workload was built and its shared input
    /// made (`/proc/buddyinfo`): an input allocated then takes those pages first, scattered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_free_page_bytes: Option<u64>,
    /// Where an `mpi` cell's ranks ran: each host and its ranks (rank 0, the coordinator, included). Empty for
    /// other strategies and in records from before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<HostRanks>,
}

/// How a cell ended. Readers judge and chart `ok` cells only; the others are shown with their reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "state")]
pub enum CellStatus {
    /// Measured: at least one timed sample, every digest equal to serial's.
    Ok,
    /// A task failed or a digest differed from serial's.
    Failed { reason: String },
    /// No timed sample: the run was interrupted before the cell's first timed repetition.
    Unmeasured { reason: String },
}

/// One execution of a cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The round it ran in (warm-up rounds first).
    pub round: u32,
    /// In an A/B run, which try of its round's pair this was: a pair visibly preempted is run again, up to
    /// `stats::preempted::ATTEMPTS` times; 0 elsewhere.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attempt: u32,
    pub wall_ns: u64,
    /// CPU time of the process and its reaped children, user + system.
    pub cpu_ns: u64,
    pub peak_rss_bytes: u64,
    /// Time each worker spent inside tasks.
    pub busy_ns: Vec<u64>,
    /// Each worker's time on a CPU and waiting, runnable, for one (its thread's, or its worker process's), in
    /// worker order: what the load-proof efficiency is made of (the verdicts' `load_proof` module). Empty where the
    /// platform does not tell, and in records from before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub worker_cpu: Vec<WorkerCpu>,
    /// The thread that handed every chunk to worker processes or ranks: its own time on and waiting for a CPU
    /// (`process` and `mpi`; absent elsewhere). What a prediction charges each chunk the parent passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver_cpu: Option<WorkerCpu>,
    /// Peak resident memory of each worker process (process strategy).
    pub worker_peak_rss_bytes: Vec<u64>,
    pub faults: Faults,
    /// Bytes of the frames that crossed process boundaries (process strategy).
    pub wire: Option<WireBytes>,
    /// CPU time other processes (and the hypervisor's steal) took on this machine meanwhile: the machine's busy
    /// time from `/proc/stat` less this execution's own `cpu_ns`. Absent where it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub others_cpu_ns: Option<u64>,
    /// How long after the execution began its last worker started its first task: the wake-up cost, counted in
    /// `wall_ns` but shown apart (in-process strategies; absent where not measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_start_ns: Option<u64>,
    /// Minor page faults this process's threads took during the execution: fresh pages the work touched, or
    /// pages the allocator had returned to the kernel and the work touched again (worker processes' are not
    /// counted). Absent where not measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minor_page_faults: Option<u64>,
    /// What an `mpi` execution sent over the network, rank by rank (the transport's count) and host by host (the
    /// interfaces' counters). Absent for other strategies and in records from before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkBytes>,
}

impl Sample {
    /// busy / (wall × workers): the fraction of the workers' time spent in tasks.
    pub fn utilisation(&self) -> f64 {
        let capacity = self.wall_ns as f64 * self.busy_ns.len().max(1) as f64;
        if capacity == 0.0 { 0.0 } else { self.busy_ns.iter().sum::<u64>() as f64 / capacity }
    }
}

/// The serialized bytes of task inputs and outputs: what a worker process must receive and send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayloadBytes {
    pub input_bytes_total: u64,
    pub output_bytes_total: u64,
    pub input_bytes_max: u64,
    pub output_bytes_max: u64,
    /// The serialized size of the shared input.
    pub shared_bytes: u64,
}

impl CellRecord {
    /// The wall times of the timed samples, in nanoseconds.
    pub fn walls(&self) -> Vec<f64> {
        self.samples.iter().map(|s| s.wall_ns as f64).collect()
    }

    /// The median minor page faults of the timed executions, where every one counted them.
    pub fn median_page_faults(&self) -> Option<f64> {
        let faults: Option<Vec<f64>> = self.samples.iter().map(|s| s.minor_page_faults.map(|f| f as f64)).collect();
        median(&faults?)
    }

    /// The average number of cores other processes kept busy while the timed samples ran, over the samples that
    /// recorded it; `None` when none did.
    pub fn others_cores(&self) -> Option<f64> {
        let recorded: Vec<(u64, u64)> =
            self.samples.iter().filter_map(|s| s.others_cpu_ns.map(|others| (others, s.wall_ns))).collect();
        let wall: u64 = recorded.iter().map(|(_, wall)| wall).sum();
        (wall > 0).then(|| recorded.iter().map(|(others, _)| *others).sum::<u64>() as f64 / wall as f64)
    }

    /// Bytes per task into and out of a worker: from the real frames where processes were crossed, else the
    /// serialized sizes of task inputs and outputs.
    pub fn bytes_per_task(&self) -> Option<(f64, f64)> {
        let tasks = self.tasks.max(1) as f64;
        match (self.samples.last().and_then(|s| s.wire), &self.payload) {
            (Some(wire), _) => Some((wire.sent as f64 / tasks, wire.received as f64 / tasks)),
            (None, Some(p)) => Some((p.input_per_task(self.tasks), p.output_per_task(self.tasks))),
            (None, None) => None,
        }
    }
}

impl PayloadBytes {
    pub fn input_per_task(&self, tasks: usize) -> f64 {
        self.input_bytes_total as f64 / tasks.max(1) as f64
    }

    pub fn output_per_task(&self, tasks: usize) -> f64 {
        self.output_bytes_total as f64 / tasks.max(1) as f64
    }
}

impl RunRecord {
    /// The record of a run on `machine` (detected once by the command, see [`Machine::detect_with_project`]).
    pub fn new(
        config: RunConfig,
        machine: Machine,
        rss_scope: RssScope,
        cells: Vec<CellRecord>,
        cancelled: bool,
    ) -> Self {
        let build = AblateBuild::current();
        RunRecord {
            schema_version: SCHEMA_VERSION,
            ablate_version: build.version.to_owned(),
            ablate_commit: build.commit.map(str::to_owned),
            ablate_dirty: build.dirty,
            created: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            machine,
            config,
            rss_scope,
            cancelled,
            cells,
            pairing: None,
        }
    }

    /// Writes the record as pretty JSON to `path`, atomically.
    pub fn write_to(&self, path: &std::path::Path) -> Result<(), crate::error::HarnessError> {
        let json = serde_json::to_vec_pretty(self)
            .map_err(|source| crate::error::HarnessError::Encode { path: path.to_owned(), source })?;
        crate::write::write_atomic(path, &json)
    }

    pub fn failed_cells(&self) -> impl Iterator<Item = (&CellRecord, &str)> {
        self.cells.iter().filter_map(|c| match &c.status {
            CellStatus::Failed { reason } => Some((c, reason.as_str())),
            CellStatus::Ok | CellStatus::Unmeasured { .. } => None,
        })
    }
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}
