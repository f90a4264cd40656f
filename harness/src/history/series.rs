//! The series history analyses: per machine fingerprint, cell and metric, one point per kept run in commit order,
//! each holding every sample of the run — wall time, and the scaling efficiency and bandwidth each sample gives.
//!
//! Fingerprints are never mixed: a run on other hardware starts a series of its own.

use std::collections::BTreeMap;

use super::store::{Entry, Store};
use crate::error::HarnessError;
use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::stats::median;
use crate::strategy::StrategyKind;

/// The newest runs of a series that are analysed and drawn: E-Divisive costs the square of the runs per
/// permutation, and a change older than this is history a check no longer acts on.
pub const MAX_RUNS: usize = 100;

/// What a series measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Metric {
    /// Wall time per execution, in nanoseconds; lower is better.
    Time,
    /// Serial's median wall time in the same run over this execution's, per worker; higher is better.
    Efficiency,
    /// Bytes touched per nanosecond (GB/s) of memory-bound cells; higher is better.
    Bandwidth,
}

impl Metric {
    pub const ALL: [Metric; 3] = [Metric::Time, Metric::Efficiency, Metric::Bandwidth];

    pub fn name(self) -> &'static str {
        match self {
            Metric::Time => "time",
            Metric::Efficiency => "efficiency",
            Metric::Bandwidth => "bandwidth",
        }
    }

    /// Whether a larger value is worse (time) rather than better.
    pub fn larger_is_worse(self) -> bool {
        self == Metric::Time
    }

    /// The metric of one sample of `cell`, given serial's median wall time in the same run.
    fn of(self, cell: &CellRecord, wall_ns: f64, serial_median_ns: Option<f64>) -> Option<f64> {
        match self {
            Metric::Time => Some(wall_ns),
            Metric::Efficiency => serial_median_ns
                .filter(|_| cell.strategy != StrategyKind::Serial)
                .map(|serial| serial / wall_ns / cell.workers.max(1) as f64),
            Metric::Bandwidth => cell.bytes_touched.map(|bytes| bytes as f64 / wall_ns),
        }
    }
}

/// One run's place in a series.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// The run's entry in the store.
    pub entry: Entry,
    /// Every timed sample's value, in the metric's unit.
    pub values: Vec<f64>,
}

impl Point {
    pub fn median(&self) -> f64 {
        median(&self.values).unwrap_or(f64::NAN)
    }
}

/// One cell's metric over the runs of one machine, oldest first.
#[derive(Clone, Debug)]
pub struct Series {
    pub fingerprint: String,
    pub cell: String,
    pub workload: String,
    pub strategy: String,
    pub metric: Metric,
    pub points: Vec<Point>,
}

type Key = (String, String, Metric);

/// Every series in `store`: its newest [`MAX_RUNS`] runs each, ordered by fingerprint, cell and metric.
pub fn collect(store: &Store) -> Result<Vec<Series>, HarnessError> {
    let mut series: BTreeMap<Key, Series> = BTreeMap::new();
    for entry in store.entries() {
        let record = store.load(entry)?;
        add_run(&mut series, entry, &record);
    }
    let mut all: Vec<Series> = series.into_values().collect();
    for one in &mut all {
        let excess = one.points.len().saturating_sub(MAX_RUNS);
        one.points.drain(..excess);
    }
    Ok(all)
}

fn add_run(series: &mut BTreeMap<Key, Series>, entry: &Entry, record: &RunRecord) {
    let ok = |c: &&CellRecord| c.status == CellStatus::Ok && !c.samples.is_empty();
    for cell in record.cells.iter().filter(ok) {
        let serial = record
            .cells
            .iter()
            .filter(ok)
            .find(|s| {
                s.strategy == StrategyKind::Serial
                    && s.workload == cell.workload
                    && s.size == cell.size
                    && s.params == cell.params
            })
            .and_then(|s| median(&s.walls()));
        for metric in Metric::ALL {
            let values: Vec<f64> = cell.walls().iter().filter_map(|&wall| metric.of(cell, wall, serial)).collect();
            if values.is_empty() || values.iter().any(|v| !v.is_finite() || *v <= 0.0) {
                continue;
            }
            let key = (entry.fingerprint.clone(), cell.id.clone(), metric);
            let one = series.entry(key).or_insert_with(|| Series {
                fingerprint: entry.fingerprint.clone(),
                cell: cell.id.clone(),
                workload: cell.workload.clone(),
                strategy: cell.strategy.name().to_owned(),
                metric,
                points: Vec::new(),
            });
            one.points.push(Point { entry: entry.clone(), values });
        }
    }
}
