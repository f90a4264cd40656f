//! `ablate compare`, `ablate gate` and `ablate baseline`: judging results against baselines and thresholds.

use std::path::{Path, PathBuf};

use ablate_workloads::Registry;

use super::judging::{Judge, thresholds_file};
use super::predict_for::{self, Target};
use super::print_stdout;
use super::run::{check_destinations, measure, planned, present, publish};
use crate::ab::{self, AbPlan};
use crate::config::{
    AbOptions, BaselineTask, Baselines, Candidate, Format, GateOptions, Judging, Output, Overrides, RunConfig,
    clock_seed,
};
use crate::error::HarnessError;
use crate::exit;
use crate::measure::machine::Machine;
use crate::plan::Plan;
use crate::record::read_results;
use crate::report::judged::JudgedRun;
use crate::report::{self, gate_footer, verdicts};
use crate::store::baseline::BaselineStore;
use crate::store::thresholds::ThresholdSet;
use crate::terminal::say;
use crate::verdict::compare;
use crate::verdict::gate::{GateReport, nothing_compared};

pub(super) fn compare(file: &Path, judging: &Judging) -> anyhow::Result<u8> {
    let judge = Judge::new(judging)?;
    let candidate = read_results(file)?;
    let Some(baseline) = judge.baseline_for(&candidate.machine.fingerprint, false)? else {
        return Err(HarnessError::Usage("compare needs --baseline NAME|FILE".to_owned()).into());
    };
    let report = GateReport::new(&candidate, Some(&baseline), &judge.thresholds, None);
    let candidate_label = file.display().to_string();
    judge.compared_something(&report, (&candidate, &candidate_label), &baseline)?;
    print_stdout(&verdicts::render(&report))?;
    Ok(if report.regressions().next().is_some() { exit::REGRESSION } else { exit::SUCCESS })
}

/// What a gate judges when it is not an A/B gate: a results file, or a run planned now (and measured once the
/// baseline and destinations are checked).
enum Subject<'a> {
    Results(&'a Path),
    Run(&'a RunConfig, Plan),
}

/// `ablate gate`: judges the results file, or the run measured now, or this build against another (A/B).
pub(super) fn gate(
    options: &GateOptions,
    output: &Output,
    judging: &Judging,
    registry: &Registry,
    machine: &Machine,
) -> anyhow::Result<u8> {
    let subject = match &options.candidate {
        Candidate::Results(path) => Subject::Results(path),
        Candidate::Run(config) => Subject::Run(config, planned(config, registry)?),
        Candidate::Ab(ab, config) => {
            // Each build plans the run itself; planned here too, a run that does not fit is refused before either.
            planned(config, registry)?;
            return gate_ab(ab, config, output, options, &Judge::new(judging)?, registry, machine);
        }
    };
    let judge = Judge::new(judging)?;
    if judge.source.is_none() && !options.lenient {
        return Err(
            HarnessError::Usage("gate needs --baseline NAME|FILE (or --lenient to check scaling only)".into()).into()
        );
    }
    let target = Target::of(output.predict_for.as_ref(), &judge.baseline_dir)?;
    let (candidate, baseline, label) = match &subject {
        Subject::Results(path) => {
            let candidate = read_results(path)?;
            let baseline = judge.baseline_for(&candidate.machine.fingerprint, options.lenient)?;
            (candidate, baseline, path.display().to_string())
        }
        Subject::Run(config, plan) => {
            let baseline = judge.baseline_for(&machine.fingerprint, options.lenient)?;
            check_destinations(output, &judge.store, machine)?;
            (measure(config, plan, output, registry, machine)?, baseline, "this run".to_owned())
        }
    };
    if candidate.cancelled {
        return Ok(exit::INTERRUPTED);
    }
    let note = baseline.is_none().then(|| "no baseline (lenient mode)".to_owned());
    let mut report = GateReport::new(&candidate, baseline.as_ref(), &judge.thresholds, note);
    if let Some(baseline) = baseline.as_ref().filter(|_| report.failed_cells.is_empty()) {
        judge.compared_something(&report, (&candidate, &label), baseline)?;
    }
    if baseline.is_none() && report.scaling.is_empty() && report.failed_cells.is_empty() {
        return Err(HarnessError::Baseline(format!(
            "the gate judged nothing: {label} holds {} cells, none a parallel cell with its serial reference to \
             judge for scaling, and there is no baseline to compare with; a gate that judges nothing does not pass",
            candidate.cells.len()
        ))
        .into());
    }
    if let (Some(baseline), Subject::Run(config, plan)) = (&baseline, &subject) {
        for round in 1..=options.confirm {
            if report.regressions().next().is_none() {
                break;
            }
            say(format_args!("confirming {} regressed cells, re-measurement {round}", report.regressions().count()));
            let mut again = RunConfig::clone(config);
            if options.reseed_confirmations {
                again.order_seed = clock_seed();
            }
            let out = output.out.with_extension(format!("confirm-{round}.json"));
            let confirmation =
                measure(&again, plan, &Output { out, history: None, ..output.clone() }, registry, machine)?;
            report.confirm(&compare::compare(&confirmation, baseline, &judge.thresholds).0);
        }
    }
    report.require_power = options.require_power;
    let code = report.exit_code();
    let verdict = gate_footer::verdict_line(&report);
    let baseline_label = baseline.as_ref().and(judge.baseline_label());
    let judged = JudgedRun::new(label, candidate.clone(), report, baseline_label, &judge.thresholds).by_gate();
    let judged = predict_for::predicted(judged, target.as_ref(), &judge.thresholds);
    let code = predict_for::gate_code(&judged, code, options.require_predicted_scaling)?;
    let verdict = predict_for::verdict_line(&judged, code, verdict);
    let prepared = present(judged, output, true)?;
    let refusal = (code != exit::SUCCESS).then(|| gate_failed(code));
    publish(output, &judge.store, &candidate, refusal, prepared)?;
    print_verdict(&verdict, output)?;
    Ok(code)
}

/// The gate's verdict line, last on stdout; after the markdown summary, a paragraph of its own.
fn print_verdict(verdict: &str, output: &Output) -> anyhow::Result<()> {
    let gap = if output.format == Format::Md { "\n" } else { "" };
    print_stdout(&format!("{gap}{verdict}\n"))
}

/// Why a gate that exited `code` saves no baseline.
fn gate_failed(code: u8) -> String {
    format!("the gate did not pass (exit {code}; a gate that does not pass never replaces a baseline)")
}

pub(super) fn baseline(command: &Baselines) -> anyhow::Result<u8> {
    let dir = &command.dir;
    let store = BaselineStore::new(dir);
    let fingerprint = Machine::fingerprint_here();
    match &command.task {
        BaselineTask::List => {
            let listed: Vec<String> = store
                .list()?
                .iter()
                .map(|b| format!("{}  {}  {}\n", b.fingerprint, b.name, b.path.display()))
                .collect();
            if listed.is_empty() {
                say(format_args!(
                    "no baselines in {} (`ablate run --save-baseline NAME` stores one for this machine, \
                     {fingerprint})",
                    dir.display()
                ));
            }
            print_stdout(&listed.concat())?;
        }
        BaselineTask::Show(name) => {
            let record = store.load(name, &fingerprint, false)?;
            let thresholds = ThresholdSet::load(thresholds_file(None).as_deref(), Overrides::default())?;
            print_stdout(&report::table(&record, thresholds.for_cell("", "").alpha.value))?;
        }
        BaselineTask::Delete(name) => {
            let path: PathBuf = store.delete(name, &fingerprint)?;
            say(format_args!("deleted {}", path.display()));
        }
    }
    Ok(exit::SUCCESS)
}

/// Where the base build's record of an A/B gate goes: `<out>.ab-base.json` beside the results file, or nowhere
/// when the results go to a device or a FIFO (`--out /dev/null`, a pipe), beside which no file belongs.
fn base_record_path(out: &Path) -> Option<PathBuf> {
    std::fs::metadata(out).map_or(true, |m| m.is_file()).then(|| out.with_extension("ab-base.json"))
}

/// A/B: this binary against `base`, each cell under both back to back, rounds until decided; the base's record
/// is the baseline, paired round by round.
fn gate_ab(
    ab: &AbOptions,
    config: &RunConfig,
    output: &Output,
    options: &GateOptions,
    judge: &Judge,
    registry: &Registry,
    machine: &Machine,
) -> anyhow::Result<u8> {
    crate::write::check_writable(&output.out)?;
    let base_path = base_record_path(&output.out);
    if let Some(path) = &base_path {
        crate::write::check_writable(path)?;
    }
    check_destinations(output, &judge.store, machine)?;
    let target = Target::of(output.predict_for.as_ref(), &judge.baseline_dir)?;
    let candidate_binary =
        std::env::current_exe().map_err(|e| HarnessError::io("cannot find", "the current executable", e))?;
    let base = &ab.base;
    if !ab.allow_identical && ab::same_binary(base, &candidate_binary)? {
        return Err(HarnessError::Baseline(format!(
            "the base build {} is byte for byte this binary, so the gate would compare a build with itself and \
             pass any change; build the base from its own revision in its own target directory (as ci/gate.sh \
             does), or pass --allow-identical for an A/A check",
            base.display()
        ))
        .into());
    }
    // Before anything that must be cleaned up exists, so that a stop signal unwinds through its owner.
    let cancel = crate::cancel::install_interrupt_handler();
    let scratch = tempfile::tempdir().map_err(|e| HarnessError::io("cannot create", "a temporary directory", e))?;
    let rounds = ab.looks.as_ref().map_or_else(|| "auto".to_owned(), |looks| looks.last().to_string());
    say(format_args!(
        "A/B ({rounds} rounds, at most {}): {} against {}",
        humantime::format_duration(ab.max_time),
        candidate_binary.display(),
        base.display()
    ));
    let inputs = if ab.input_cache { ab::InputCache::default() } else { ab::InputCache::off() };
    let plan = AbPlan { looks: ab.looks.clone(), max_time: ab.max_time, seed: ab.seed, cells: None, inputs };
    let suite = crate::cli::to_args::to_args(config, registry);
    let outcome = ab::measure(base, &candidate_binary, &suite, &plan, &judge.thresholds, scratch.path(), &cancel)?;
    outcome.candidate.write_to(&output.out)?;
    match &base_path {
        Some(path) => {
            outcome.base.write_to(path)?;
            say(format_args!("results written to {} and {}", output.out.display(), path.display()));
        }
        None => say(format_args!(
            "results written to {}; the base build's record is not kept (--out is not a file)",
            output.out.display()
        )),
    }
    if outcome.candidate.cancelled {
        return Ok(exit::INTERRUPTED);
    }
    let report = GateReport::new(&outcome.candidate, Some(&outcome.base), &judge.thresholds, None)
        .requiring_power(options.require_power);
    let base_label = format!("base build {}", base.display());
    if report.failed_cells.is_empty() {
        let compared = nothing_compared(&report, (&outcome.candidate, "this build"), (&outcome.base, &base_label));
        if let Some(why) = compared {
            return Err(HarnessError::Baseline(why).into());
        }
    }
    let code = report.exit_code();
    let verdict = gate_footer::verdict_line(&report);
    let label = "this build".to_owned();
    let judged =
        JudgedRun::new(label, outcome.candidate.clone(), report, Some(base_label), &judge.thresholds).by_gate();
    let judged = predict_for::predicted(judged, target.as_ref(), &judge.thresholds);
    let code = predict_for::gate_code(&judged, code, options.require_predicted_scaling)?;
    let verdict = predict_for::verdict_line(&judged, code, verdict);
    let prepared = present(judged, output, true)?;
    let refusal = (code != exit::SUCCESS).then(|| gate_failed(code));
    publish(output, &judge.store, &outcome.candidate, refusal, prepared)?;
    print_verdict(&verdict, output)?;
    Ok(code)
}
