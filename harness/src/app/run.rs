//! `ablate run`: measure, write the results file, print it, optionally save or compare a baseline, and write the
//! HTML report.

use std::path::PathBuf;

use ablate_workloads::Registry;

use super::judging::Judge;
use super::predict_for::{self, Target};
use super::print_stdout;
use crate::config::Format;
use crate::config::{Judging, Output, RunConfig};
use crate::error::HarnessError;
use crate::exit;
use crate::measure::machine::Machine;
use crate::plan::Plan;
use crate::record::RunRecord;
use crate::report::judged::JudgedRun;
use crate::report::{self, findings, verdicts};
use crate::store::baseline::BaselineStore;
use crate::terminal::say;
use crate::verdict::gate::GateReport;
use crate::write::Staged;
use crate::{cancel, footprint, progress, runner, streamed, write};

pub(super) fn run(
    config: &RunConfig,
    output: &Output,
    judging: &Judging,
    registry: &Registry,
    machine: &Machine,
) -> anyhow::Result<u8> {
    let plan = planned(config, registry)?;
    let judge = Judge::new(judging)?;
    // Read before measuring: a missing baseline fails at once, and `--save-baseline X --baseline X` compares with
    // the old X before the new one replaces it.
    let baseline = judge.baseline_for(&machine.fingerprint, false)?;
    check_destinations(output, &judge.store, machine)?;
    let target = Target::of(output.predict_for.as_ref(), &judge.baseline_dir)?;
    let record = measure(config, &plan, output, registry, machine)?;
    let failed = record.failed_cells().count();
    let cancelled = record.cancelled;
    let gate = GateReport::new(&record, baseline.as_ref(), &judge.thresholds, None);
    if let Some(baseline) = baseline.as_ref().filter(|_| !cancelled && failed == 0) {
        judge.compared_something(&gate, (&record, "this run"), baseline)?;
    }
    let regressed = gate.regressions().next().is_some();
    let label = judge.baseline_label();
    let judged = JudgedRun::new("this run".to_owned(), record.clone(), gate, label, &judge.thresholds);
    let judged = predict_for::predicted(judged, target.as_ref(), &judge.thresholds);
    let report = present(judged, output, baseline.is_some())?;
    publish(output, &judge.store, &record, None, report)?;
    Ok(match (cancelled, failed, regressed) {
        (true, _, _) => exit::INTERRUPTED,
        (false, 0, true) => exit::REGRESSION,
        (false, 0, false) => exit::SUCCESS,
        (false, _, _) => exit::ERROR,
    })
}

/// The plan of `config`, first of all a command's checks: refused when a group would not fit in memory (see
/// [`footprint::plan`]), and with a warning for each workload whose footprint is only assumed.
pub(super) fn planned(config: &RunConfig, registry: &Registry) -> Result<Plan, HarnessError> {
    let plan = footprint::plan(config, registry)?;
    footprint::warn_assumed(config, registry);
    Ok(plan)
}

/// Publishes what a command prepared, once everything is prepared, so that a command failing on the way (a full
/// disk halfway through its report) replaces no baseline, keeps no run and leaves the old report whole: the
/// baseline `--save-baseline` names (see [`save_baseline`]; `refusal` says why not), then `record` in the history
/// store, then the report's files. The results file is written as soon as the run is measured: it is what was
/// promised, and what a failure later must not lose.
pub(super) fn publish(
    output: &Output,
    store: &BaselineStore,
    record: &RunRecord,
    refusal: Option<String>,
    report: Option<(Staged, PathBuf)>,
) -> Result<(), HarnessError> {
    save_baseline(output, store, record, refusal)?;
    super::history::keep(record, output.history.as_deref())?;
    if let Some((files, index)) = report {
        files.publish()?;
        say(format_args!("report written to {}", index.display()));
    }
    Ok(())
}

/// Stores `record` as the baseline `--save-baseline` names, if it names one, unless the run was interrupted, a cell
/// failed, or `refusal` gives another reason not to; says on stderr which it was.
fn save_baseline(
    output: &Output,
    store: &BaselineStore,
    record: &RunRecord,
    refusal: Option<String>,
) -> Result<(), HarnessError> {
    let Some(name) = output.save_baseline.as_ref().filter(|_| !record.cancelled) else { return Ok(()) };
    let failed = record.failed_cells().count();
    let refusal = refusal
        .or_else(|| (failed > 0).then(|| format!("{failed} cells failed (a failed run never replaces a baseline)")));
    match refusal {
        Some(why) => say(format_args!("not saving baseline '{name}': {why}")),
        None => {
            let saved = store.save(record, name)?;
            let replacing = saved.replaced.map(|old| format!(", replacing {old}")).unwrap_or_default();
            say(format_args!("baseline '{name}' saved to {}{replacing}", saved.path.display()));
        }
    }
    Ok(())
}

/// Checks, before anything runs, every place the command will write besides the results file (which [`measure`]
/// checks): the report directory, the baseline to save (in `machine`'s folder) and the history store.
pub(super) fn check_destinations(
    output: &Output,
    store: &BaselineStore,
    machine: &Machine,
) -> Result<(), HarnessError> {
    super::history::check_store(output.history.as_deref())?;
    if let Some(dir) = &output.report {
        write::check_directory(dir)?;
    }
    if let Some(name) = &output.save_baseline {
        write::check_writable(&store.path(&machine.fingerprint, name)?)?;
    }
    Ok(())
}

/// Runs the cells of `plan` (of `config`) on `machine` (detected once by the command) and writes the results file
/// atomically; reports failed cells and an interruption on stderr. Printing is left to [`present`], once the run
/// has been judged, and the history to [`publish`].
pub(super) fn measure(
    config: &RunConfig,
    plan: &Plan,
    output: &Output,
    registry: &Registry,
    machine: &Machine,
) -> anyhow::Result<RunRecord> {
    write::check_writable(&output.out)?;
    let cancel = cancel::install_interrupt_handler();
    let listener =
        streamed::with_rows(progress::for_stderr(), streamed::wanted(output.format == Format::Table, &output.out));
    let record = runner::run_plan(plan, config, registry, machine, &cancel, listener.as_ref())?;
    record.write_to(&output.out)?;
    say(format_args!("results written to {}", output.out.display()));
    for (cell, reason) in record.failed_cells() {
        say(format_args!("cell {} failed: {reason}", cell.id));
    }
    if record.cancelled {
        say(format_args!("interrupted; the results file holds what was measured before"));
    }
    Ok(record)
}

/// `ablate ab-serve`: one build's side of a paired A/B gate (see `runner::serve`).
pub(super) fn serve(config: &RunConfig, registry: &Registry, machine: &Machine) -> anyhow::Result<u8> {
    let cancel = cancel::install_interrupt_handler();
    runner::serve::serve(config, registry, machine, &cancel)?;
    Ok(exit::SUCCESS)
}

/// Prints the run in the chosen format — followed by the verdict table when `verdicts` and the format is not
/// the markdown summary, which holds the verdicts itself — and prepares the HTML report when asked, for
/// [`publish`] to put in place. Each suspect reference is warned of once: under the table, in the summary, or on
/// stderr for the formats that carry no prose; tasks too small for worker processes are warned of on stderr.
pub(super) fn present(run: JudgedRun, output: &Output, verdicts: bool) -> anyhow::Result<Option<(Staged, PathBuf)>> {
    let format = output.format;
    if !matches!(format, Format::Table | Format::Md) {
        for warning in run.gate.reference_warnings() {
            say(format_args!("warning: {warning}"));
        }
    }
    print_stdout(&report::render(&run, format))?;
    if verdicts && format != Format::Md {
        print_stdout(&verdicts::render_after_table(&run.gate))?;
    }
    for warning in findings::small_task_warnings(&run) {
        say(format_args!("warning: {warning}"));
    }
    Ok(match &output.report {
        Some(dir) => Some(report::site::prepare(dir, vec![run])?),
        None => None,
    })
}
