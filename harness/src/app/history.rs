//! `ablate history` and `run|gate --history`: keeping runs in the history store, listing them, showing a cell's
//! series, and the gate over history.

use std::path::Path;

use super::judging::thresholds_file;
use super::print_stdout;
use crate::config::{History, HistoryCheck, HistoryTask};
use crate::error::HarnessError;
use crate::exit;
use crate::history::store::{Added, Store};
use crate::history::{self, check, text};
use crate::record::RunRecord;
use crate::store::thresholds::ThresholdSet;
use crate::terminal::say;

/// Fails early, before a long run, when the run could not be kept in the history store `dir`: it could not be
/// written, or a run already there is unreadable or no results file (see [`Store::prepare`]).
pub(super) fn check_store(dir: Option<&Path>) -> Result<(), HarnessError> {
    dir.map_or(Ok(()), |dir| Store::prepare(dir).map(drop))
}

/// Keeps `record` in the history store `dir`, if there is one; an interrupted run is not kept.
pub(super) fn keep(record: &RunRecord, dir: Option<&Path>) -> Result<(), HarnessError> {
    let Some(dir) = dir else { return Ok(()) };
    if record.cancelled {
        say(format_args!("not keeping an interrupted run in the history at {}", dir.display()));
        return Ok(());
    }
    let bytes =
        serde_json::to_vec_pretty(record).map_err(|source| HarnessError::Encode { path: dir.join("runs"), source })?;
    report_added(Store::open(dir)?.add(record, &bytes)?);
    Ok(())
}

fn report_added(added: Added) {
    match added {
        Added::Kept(path) => say(format_args!("kept in the history as {}", path.display())),
        Added::AlreadyKept(path) => say(format_args!("already in the history as {}", path.display())),
    }
}

pub(super) fn history(command: &History) -> anyhow::Result<u8> {
    let dir = &command.store;
    match &command.task {
        HistoryTask::List => {
            let store = open(dir)?;
            if store.entries().is_empty() {
                say(format_args!("no runs in the history at {} (`ablate run --history` keeps one)", dir.display()));
            }
            print_stdout(&text::list(store.entries()))?;
        }
        HistoryTask::Import(files) => {
            let mut store = open(dir)?;
            for file in files {
                let record = crate::record::read_results(file)?;
                let bytes = std::fs::read(file).map_err(|e| HarnessError::io("cannot read", file, e))?;
                report_added(store.add(&record, &bytes)?);
            }
        }
        HistoryTask::Show(cell) => {
            let store = open(dir)?;
            let analyses = history::analyse_store(&store)?;
            let mut fingerprints: Vec<&str> =
                analyses.iter().filter(|a| &a.series.cell == cell).map(|a| a.series.fingerprint.as_str()).collect();
            fingerprints.dedup();
            if fingerprints.is_empty() {
                return Err(unknown_cell(cell, &analyses, dir).into());
            }
            for fingerprint in fingerprints {
                let mine: Vec<_> =
                    analyses.iter().filter(|a| &a.series.cell == cell && a.series.fingerprint == fingerprint).collect();
                print_stdout(&(text::show(&mine) + "\n"))?;
            }
        }
        HistoryTask::Check(how) => return check(dir, how),
    }
    Ok(exit::SUCCESS)
}

fn open(dir: &Path) -> Result<Store, HarnessError> {
    let store = Store::open(dir)?;
    if store.rebuilt {
        say(format_args!(
            "{} did not list every run in runs/; read the runs themselves (the next import rewrites it)",
            dir.join("index.json").display()
        ));
    }
    Ok(store)
}

fn unknown_cell(cell: &str, analyses: &[history::analysis::Analysis], dir: &Path) -> HarnessError {
    let mut cells: Vec<&str> = analyses.iter().map(|a| a.series.cell.as_str()).collect();
    cells.sort_unstable();
    cells.dedup();
    let listed = cells.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    let more = if cells.len() > 5 { format!(" … ({} in all)", cells.len()) } else { String::new() };
    let kept = if cells.is_empty() { "none".to_owned() } else { format!("{listed}{more}") };
    HarnessError::Usage(format!("no cell '{cell}' in the history at {}; cells kept: {kept}", dir.display()))
}

fn check(dir: &Path, how: &HistoryCheck) -> anyhow::Result<u8> {
    let file = thresholds_file(how.thresholds.as_deref());
    let thresholds = ThresholdSet::load(file.as_deref(), how.overrides.clone())?;
    let store = open(dir)?;
    if store.entries().is_empty() {
        let why =
            format!("no runs in the history at {}; nothing to check (`ablate run --history` keeps one)", dir.display());
        return Err(HarnessError::Baseline(why).into());
    }
    let analyses = history::analyse_store(&store)?;
    let checked = analyses.iter().filter(|a| a.series.metric == history::series::Metric::Time).count();
    let findings = check::check(&analyses, &thresholds, how.recent);
    print_stdout(&check::render(&findings, checked, how.recent))?;
    let regressed = findings.iter().filter(|f| f.verdict == check::Verdict::Regressed).count();
    let code = if regressed > 0 { exit::REGRESSION } else { exit::SUCCESS };
    say(format_args!("history check: {regressed} cells regressed; exit {code}"));
    Ok(code)
}
