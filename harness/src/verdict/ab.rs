//! A/B mode: two builds of ablate measured alternately in one session, so that a change is judged against its
//! base under the same machine state rather than against a run from another moment.
//!
//! Each round runs both binaries once, in random order, each a full pass of the suite with one warm-up and one
//! timed repetition per cell. Every sample of either build thus comes from its own process: effects that differ
//! from process to process (memory placement, a busy moment on the machine) spread over both builds alike
//! instead of separating them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ablate_workloads::rng::Rng;

use crate::error::HarnessError;
use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::stats::median;
use crate::summary::Summary;
use crate::verdict::baseline::read_results;

/// Runs `base` and `candidate` alternately for `rounds` rounds over `suite`; returns (base, candidate) records
/// whose cells hold one timed sample per round. Intermediate files go to `dir`.
pub fn measure(
    base: &Path,
    candidate: &Path,
    suite: &[String],
    rounds: u32,
    dir: &Path,
    seed: u64,
) -> Result<(RunRecord, RunRecord), HarnessError> {
    let mut order = Rng::new(seed);
    let (mut base_runs, mut candidate_runs) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let base_first = order.below(2) == 0;
        for is_base in [base_first, !base_first] {
            let (binary, label) = if is_base { (base, "base") } else { (candidate, "candidate") };
            let out = dir.join(format!("ab-{label}-{round}.json"));
            run_once(binary, suite, &out, u64::from(round))?;
            let record = read_results(&out)?;
            if is_base { base_runs.push(record) } else { candidate_runs.push(record) }
        }
    }
    Ok((merge(base_runs), merge(candidate_runs)))
}

fn run_once(binary: &Path, suite: &[String], out: &PathBuf, order_seed: u64) -> Result<(), HarnessError> {
    let status = Command::new(binary)
        .arg("run")
        .args(suite)
        .args(["--reps", "1", "--warmup", "1", "--format", "csv", "--order-seed", &order_seed.to_string(), "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| HarnessError::io("cannot start", binary, e))?;
    match status.code() {
        Some(0 | 1) => Ok(()),
        _ => Err(HarnessError::Usage(format!("{} run {} ended with {status}", binary.display(), suite.join(" ")))),
    }
}

/// One record whose cells hold every run's samples, numbered by run; a cell failed in any run stays failed. Its
/// profile counts the merged repetitions: one warm-up and one timed execution per run.
fn merge(runs: Vec<RunRecord>) -> RunRecord {
    let count = runs.len() as u32;
    let mut runs = runs.into_iter();
    let mut merged = runs.next().expect("at least one round");
    merged.config.profile.reps = count;
    merged.config.profile.warmup = count;
    for cell in &mut merged.cells {
        renumber(cell, 0);
    }
    for (index, run) in runs.enumerate() {
        for mut cell in run.cells {
            renumber(&mut cell, index as u32 + 1);
            if let Some(target) = merged.cells.iter_mut().find(|c| c.id == cell.id) {
                target.samples.append(&mut cell.samples);
                target.warmup.append(&mut cell.warmup);
                target.faults.add(&cell.faults);
                if cell.status != CellStatus::Ok {
                    target.status = cell.status;
                }
            }
        }
    }
    resummarise(&mut merged);
    merged
}

fn renumber(cell: &mut CellRecord, run: u32) {
    cell.samples.iter_mut().chain(cell.warmup.iter_mut()).for_each(|s| s.round = run);
}

/// Recomputes every summary from the merged samples (speedup against the merged serial cell of each group).
fn resummarise(record: &mut RunRecord) {
    let serial_medians: Vec<(String, u64, Option<f64>)> = record
        .cells
        .iter()
        .filter(|c| c.strategy == crate::strategy::StrategyKind::Serial)
        .map(|c| (c.workload.clone(), c.size, median(&c.walls())))
        .collect();
    for cell in &mut record.cells {
        let serial =
            serial_medians.iter().find(|(w, s, _)| *w == cell.workload && *s == cell.size).and_then(|(_, _, m)| *m);
        cell.summary = Summary::of(&cell.samples, cell.workers, serial, cell.bytes_touched);
    }
}
