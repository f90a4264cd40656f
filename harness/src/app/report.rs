//! `ablate report`: the HTML report, its charts and exports, from results files already written; and the history
//! page from a history store.

use std::path::{Path, PathBuf};

use super::judging::Judge;
use super::predict_for::{self, Target};
use super::print_stdout;
use crate::config::Judging;
use crate::config::PredictFor;
use crate::exit;
use crate::history::store::Store;
use crate::record::read_results;
use crate::report::judged::JudgedRun;
use crate::report::site;
use crate::terminal::say;
use crate::verdict::gate::GateReport;

/// Where `ablate run` writes its results unless told otherwise.
const DEFAULT_RESULTS: &str = "reports/results.json";

/// Writes the report on `files` into `out_dir`, each judged as `judging` says (and with `predict_for`, its
/// scaling predicted, printed on stdout too); with `history`, the history page of that store too.
pub(super) fn report(
    files: &[PathBuf],
    out_dir: &Path,
    history: Option<&Path>,
    judging: &Judging,
    predict_for: Option<&PredictFor>,
) -> anyhow::Result<u8> {
    let judge = Judge::new(judging)?;
    let target = Target::of(predict_for, &judge.baseline_dir)?;
    if let Some(store_dir) = history {
        let store = Store::open_existing(store_dir)?;
        let analyses = crate::history::analyse_store(&store)?;
        let label = store_dir.display().to_string();
        let page = site::write_history(out_dir, &analyses, &label, store.entries().len())?;
        say(format_args!("history page written to {}", page.display()));
        if files.is_empty() {
            return Ok(exit::SUCCESS);
        }
    }
    let files = if files.is_empty() { vec![PathBuf::from(DEFAULT_RESULTS)] } else { files.to_vec() };
    let mut runs = Vec::new();
    for path in &files {
        let record = read_results(path)?;
        let baseline = judge.baseline_for(&record.machine.fingerprint, false)?;
        let gate = GateReport::new(&record, baseline.as_ref(), &judge.thresholds, None);
        let run = JudgedRun::new(path.display().to_string(), record, gate, judge.baseline_label(), &judge.thresholds);
        let run = predict_for::predicted(run, target.as_ref(), &judge.thresholds);
        print_stdout(&crate::report::predicted_text(&run).unwrap_or_default())?;
        runs.push(run);
    }
    let index = site::write(out_dir, runs)?;
    say(format_args!("report written to {}", index.display()));
    Ok(exit::SUCCESS)
}
