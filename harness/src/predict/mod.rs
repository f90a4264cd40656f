//! Predicted scaling beyond the cores of the machine that measured: each workload's task costs (recorded at one
//! worker) replayed through each strategy's schedule on a machine profile (`ablate probe`), with an interval for
//! what the model does not know, and the worker count where it stops paying. Plain data in, plain data out: the
//! model is neither the runner nor the verdict layer. A prediction is always labelled as one.

pub mod model;
pub mod predicted_for;
pub mod probe;
pub mod profile;
pub mod schedule;
pub mod usl;

use std::time::Duration;

use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::strategy::StrategyKind;
use model::{Prediction, Strategy, Workload, serial_of};
use profile::MachineProfile;

/// One strategy of one workload, predicted at each worker count asked.
#[derive(Debug, serde::Serialize)]
pub struct Predicted {
    pub workload: String,
    pub size: u64,
    /// `rayon`, `process/shm`, `threads --chunk 4`.
    pub strategy: String,
    pub predictions: Vec<Prediction>,
    /// The target's per-core speed against the measuring machine's (its serial time over this one's), where a
    /// serial run on the target gave it: predicted times are this machine's times by it.
    pub speed: Option<f64>,
    /// The efficiency measured where the results file has the cell: (workers, efficiency).
    pub measured: Vec<(usize, f64)>,
    /// The Universal Scalability Law fitted to the measured speedups, where three or more worker counts were
    /// measured: a curve beside the model's, from the measurements alone.
    pub usl: Option<usl::Usl>,
    /// The largest worker count asked whose predicted efficiency keeps the floor, and why it stops there.
    pub stops: Stops,
}

/// Where a strategy stops paying, as predicted.
#[derive(Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "stops")]
pub enum Stops {
    /// It keeps the floor at every count asked, up to this one.
    Never { up_to: usize },
    /// It keeps the floor up to `last_paying` workers (`None`: not even at the smallest count asked), and at
    /// `first_short` the interval lies below the floor.
    At { last_paying: Option<usize>, first_short: usize, reason: String },
    /// At `workers` the interval straddles the floor: the model cannot tell.
    Inconclusive { last_paying: Option<usize>, workers: usize, reason: String },
}

/// Why a results file cannot be predicted from.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    #[error(
        "too little recorded: no serial cell of {0} has its task costs (results from before ablate kept them); run \
         again with serial and each strategy at 1 and 2 workers, e.g. `ablate run -j 1,2`"
    )]
    NoTaskCosts(String),
}

/// Predicts every parallel strategy of every workload of `record` that recorded its task costs, at each of
/// `workers`, on the machine of `profile`; `target_serial`, a run of serial cells on that machine, gives its
/// per-core speed. `chunk_target` is the run's adaptive chunk target; `floor` the efficiency that must be kept.
pub fn predict(
    record: &RunRecord,
    profile: &MachineProfile,
    target_serial: Option<&RunRecord>,
    workers: &[usize],
    floor: f64,
) -> Result<Vec<Predicted>, PredictError> {
    let chunk_target = Duration::from_nanos(record.config.chunk_target_ns);
    let mut out = Vec::new();
    let mut groups: Vec<(&str, u64)> = Vec::new();
    for cell in &record.cells {
        if !groups.contains(&(cell.workload.as_str(), cell.size)) {
            groups.push((cell.workload.as_str(), cell.size));
        }
    }
    for (name, size) in groups {
        let Some(workload) = serial_of(&record.cells, name, size).and_then(Workload::of) else { continue };
        let speed = target_serial.and_then(|target| {
            let theirs = serial_of(&target.cells, name, size)?;
            Some(crate::stats::median(&theirs.walls())? / crate::stats::median(&workload.serial.walls())?)
        });
        for (label, cells) in strategies_of(record, name, size) {
            let one_worker = cells.iter().copied().find(|c| c.workers == 1);
            let first = cells[0];
            let strategy = Strategy { kind: first.strategy, chunk: first.chunk, chunk_target, one_worker };
            let predictions: Vec<Prediction> =
                workers.iter().map(|&n| model::predict(&workload, &strategy, n, profile, speed)).collect();
            let measured =
                cells.iter().filter_map(|c| Some((c.workers, c.summary.as_ref()?.efficiency?))).collect::<Vec<_>>();
            let stops = stops(&predictions, floor);
            let strategy = label;
            let speedups: Vec<(usize, f64)> = measured.iter().map(|&(n, e)| (n, e * n as f64)).collect();
            let usl = usl::fit(&[&[(1, 1.0)], &speedups[..]].concat());
            let workload = name.to_owned();
            out.push(Predicted { workload, size, strategy, predictions, speed, measured, usl, stops });
        }
    }
    if out.is_empty() {
        return Err(PredictError::NoTaskCosts(format!("{} cells", record.cells.len())));
    }
    Ok(out)
}

/// The parallel strategies of a workload, each with its cells (fixed strategies only: `auto` chose one of them).
fn strategies_of<'a>(record: &'a RunRecord, workload: &str, size: u64) -> Vec<(String, Vec<&'a CellRecord>)> {
    let mut out: Vec<(String, Vec<&CellRecord>)> = Vec::new();
    let cells = record.cells.iter().filter(|c| {
        c.workload == workload
            && c.size == size
            && c.status == CellStatus::Ok
            && c.decision.is_none()
            && c.strategy != StrategyKind::Serial
    });
    for cell in cells {
        let label = strategy_label(cell);
        match out.iter_mut().find(|(l, _)| *l == label) {
            Some((_, list)) => list.push(cell),
            None => out.push((label, vec![cell])),
        }
    }
    out
}

/// How a prediction names a cell's strategy: `rayon`, `process/shm`, `threads --chunk 4`.
pub fn strategy_label(cell: &CellRecord) -> String {
    let mut label = match cell.transport {
        Some(transport) => format!("{}/{transport}", cell.strategy),
        None => cell.strategy.to_string(),
    };
    if let crate::strategy::Chunk::Fixed(n) = cell.chunk {
        label.push_str(&format!(" --chunk {n}"));
    }
    label
}

/// Where the predictions stop keeping `floor`.
fn stops(predictions: &[Prediction], floor: f64) -> Stops {
    let mut last_paying = None;
    for p in predictions {
        if p.low >= floor {
            last_paying = Some(p.workers);
            continue;
        }
        let reason = p.loss.describe(p.workers);
        if p.high < floor {
            return Stops::At { last_paying, first_short: p.workers, reason };
        }
        return Stops::Inconclusive { last_paying, workers: p.workers, reason };
    }
    Stops::Never { up_to: predictions.last().map_or(1, |p| p.workers) }
}

/// The default worker counts of a prediction for a machine of `logical` cores: powers of two up to it, and it.
pub fn default_workers(logical: usize) -> Vec<usize> {
    let mut counts: Vec<usize> =
        std::iter::successors(Some(2usize), |c| Some(c * 2)).take_while(|&c| c < logical.max(2)).collect();
    counts.push(logical.max(2));
    counts
}
