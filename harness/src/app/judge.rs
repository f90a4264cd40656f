//! `ablate compare`, `ablate gate` and `ablate baseline`: judging results against baselines and thresholds.

use std::path::{Path, PathBuf};

use ablate_workloads::Registry;

use super::print_stdout;
use super::run::{check_destinations, measure, present};
use crate::cli::{BaselineAction, CompareArgs, GateArgs, VerdictArgs};
use crate::error::HarnessError;
use crate::exit;
use crate::measure::machine::Machine;
use crate::record::RunRecord;
use crate::report::judged::JudgedRun;
use crate::report::{self, verdicts};
use crate::verdict::ab::{self, AbPlan};
use crate::verdict::baseline::{BaselineStore, read_results};
use crate::verdict::compare;
use crate::verdict::gate::{BaselineChoice, BaselineSource, GateReport, nothing_compared};
use crate::verdict::paired::Looks;
use crate::verdict::thresholds::{Overrides, ThresholdSet};

/// The thresholds file used when none is named and it exists.
pub(super) const DEFAULT_THRESHOLDS: &str = "ci/thresholds.toml";

/// Thresholds, the baseline store and the chosen baseline, validated before anything runs.
pub(super) struct Judge {
    pub thresholds: ThresholdSet,
    pub store: BaselineStore,
    source: Option<BaselineSource>,
    allow_foreign: bool,
}

impl Judge {
    pub fn from_args(args: &VerdictArgs) -> Result<Self, HarnessError> {
        let default = Path::new(DEFAULT_THRESHOLDS);
        let file = args.thresholds.clone().or_else(|| default.is_file().then(|| default.to_owned()));
        let overrides = Overrides {
            regression_ratio: args.threshold,
            alpha: args.alpha,
            min_efficiency: args.min_efficiency,
            min_bandwidth_fraction: args.min_bandwidth_fraction,
        };
        let source = args.baseline.as_deref().map(BaselineSource::parse);
        if let Some(BaselineSource::Named(name)) = &source {
            crate::verdict::baseline::validate_name(name)?;
        }
        Ok(Judge {
            thresholds: ThresholdSet::load(file.as_deref(), overrides)?,
            store: BaselineStore::new(&args.baseline_dir),
            source,
            allow_foreign: args.allow_foreign_baseline,
        })
    }

    /// How reports name the chosen baseline: its name in the store or its file.
    pub fn baseline_label(&self) -> Option<String> {
        self.source.as_ref().map(|source| match source {
            BaselineSource::Named(name) => name.clone(),
            BaselineSource::File(path) => path.display().to_string(),
        })
    }

    /// An error (exit 5) saying why, when comparing `candidate` with `baseline` compared no cell.
    pub fn compared_something(
        &self,
        report: &GateReport,
        candidate: (&RunRecord, &str),
        baseline: &RunRecord,
    ) -> Result<(), HarnessError> {
        let label = self.baseline_label().unwrap_or_else(|| "given".to_owned());
        match nothing_compared(report, candidate, (baseline, &label)) {
            Some(why) => Err(HarnessError::Baseline(why)),
            None => Ok(()),
        }
    }

    /// The baseline for results measured on machine `fingerprint`, or `None` when none was asked for. A missing
    /// baseline is an error, or with `lenient` a warning and `None`.
    pub fn baseline_for(&self, fingerprint: &str, lenient: bool) -> Result<Option<RunRecord>, HarnessError> {
        let Some(source) = &self.source else { return Ok(None) };
        let choice = BaselineChoice { source: source.clone(), store: &self.store, allow_foreign: self.allow_foreign };
        match choice.load(fingerprint) {
            Ok(baseline) => Ok(Some(baseline)),
            Err(HarnessError::Baseline(message)) if lenient => {
                eprintln!("ablate: warning: {message}");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

pub(super) fn compare(args: &CompareArgs) -> anyhow::Result<u8> {
    let judge = Judge::from_args(&args.verdict)?;
    let candidate = read_results(&args.file)?;
    let Some(baseline) = judge.baseline_for(&candidate.machine.fingerprint, false)? else {
        return Err(HarnessError::Usage("compare needs --baseline NAME|FILE".to_owned()).into());
    };
    let report = GateReport::new(&candidate, Some(&baseline), &judge.thresholds, None);
    let candidate_label = args.file.display().to_string();
    judge.compared_something(&report, (&candidate, &candidate_label), &baseline)?;
    print_stdout(&verdicts::render(&report))?;
    Ok(if report.regressions().next().is_some() { exit::REGRESSION } else { exit::SUCCESS })
}

pub(super) fn gate(args: &GateArgs, registry: &Registry) -> anyhow::Result<u8> {
    let judge = Judge::from_args(&args.run.verdict)?;
    let machine = Machine::detect_with_project();
    if let Some(base) = &args.ab {
        return gate_ab(args, base, &judge, &machine);
    }
    if judge.source.is_none() && !args.lenient {
        return Err(
            HarnessError::Usage("gate needs --baseline NAME|FILE (or --lenient to check scaling only)".into()).into()
        );
    }
    let (candidate, baseline) = match &args.results {
        Some(path) => {
            let candidate = read_results(path)?;
            let baseline = judge.baseline_for(&candidate.machine.fingerprint, args.lenient)?;
            super::history::keep(&candidate, &args.run)?;
            (candidate, baseline)
        }
        None => {
            let baseline = judge.baseline_for(&machine.fingerprint, args.lenient)?;
            check_destinations(&args.run, &judge.store, &machine)?;
            (measure(&args.run, registry, &machine)?, baseline)
        }
    };
    if candidate.cancelled {
        return Ok(exit::INTERRUPTED);
    }
    let note = baseline.is_none().then(|| "no baseline (lenient mode)".to_owned());
    let mut report = GateReport::new(&candidate, baseline.as_ref(), &judge.thresholds, note);
    let label = args.results.as_ref().map_or_else(|| "this run".to_owned(), |p| p.display().to_string());
    if let Some(baseline) = baseline.as_ref().filter(|_| report.failed_cells.is_empty()) {
        judge.compared_something(&report, (&candidate, &label), baseline)?;
    }
    if let (Some(baseline), None) = (&baseline, &args.results) {
        for round in 1..=args.confirm {
            if report.regressions().next().is_none() {
                break;
            }
            eprintln!("ablate: confirming {} regressed cells, re-measurement {round}", report.regressions().count());
            let mut again = args.run.clone();
            again.out = args.run.out.with_extension(format!("confirm-{round}.json"));
            again.history = None;
            let confirmation = measure(&again, registry, &machine)?;
            report.confirm(&compare::compare(&confirmation, baseline, &judge.thresholds).0);
        }
    }
    report.require_power = args.require_power;
    let code = report.exit_code();
    let baseline_label = baseline.as_ref().and(judge.baseline_label());
    present(JudgedRun::new(label, candidate, report, baseline_label, &judge.thresholds), &args.run, true)?;
    eprintln!("ablate: gate verdict: exit {code}");
    Ok(code)
}

pub(super) fn baseline(action: &BaselineAction, dir: &Path) -> anyhow::Result<u8> {
    let store = BaselineStore::new(dir);
    let fingerprint = Machine::detect_with_project().fingerprint;
    match action {
        BaselineAction::List => {
            let listed: Vec<String> = store
                .list()?
                .iter()
                .map(|b| format!("{}  {}  {}\n", b.fingerprint, b.name, b.path.display()))
                .collect();
            if listed.is_empty() {
                eprintln!(
                    "ablate: no baselines in {} (`ablate run --save-baseline NAME` stores one for this machine, \
                     {fingerprint})",
                    dir.display()
                );
            }
            print_stdout(&listed.concat())?;
        }
        BaselineAction::Show { name } => {
            let record = store.load(name, &fingerprint, false)?;
            print_stdout(&report::table(&record))?;
        }
        BaselineAction::Delete { name } => {
            let path: PathBuf = store.delete(name, &fingerprint)?;
            eprintln!("ablate: deleted {}", path.display());
        }
    }
    Ok(exit::SUCCESS)
}

/// A/B: this binary against `base`, each cell under both back to back, rounds until decided; the base's record
/// is the baseline, paired round by round.
fn gate_ab(args: &GateArgs, base: &Path, judge: &Judge, machine: &Machine) -> anyhow::Result<u8> {
    let looks = match args.ab_rounds.as_str() {
        "auto" => None,
        text => match text.parse::<u32>() {
            Ok(rounds) if rounds >= 2 => Some(Looks::fixed(rounds)),
            _ => {
                let why = "expected auto or a whole number of at least 2";
                return Err(HarnessError::Usage(format!("invalid --ab-rounds {text}; {why}")).into());
            }
        },
    };
    let max_time = crate::cli::parse::duration(&args.max_time, "--max-time")?;
    let repetitions = [
        args.run.reps.map(|n| format!("--reps {n}")),
        args.run.warmup.map(|n| format!("--warmup {n}")),
        args.run.max_cell_time.as_ref().map(|limit| format!("--max-cell-time {limit}")),
    ];
    if let Some(flag) = repetitions.into_iter().flatten().next() {
        let why = "each A/B round runs every undecided cell once under each build; set --ab-rounds or --max-time";
        return Err(HarnessError::Usage(format!("{flag} does not apply with --ab: {why}")).into());
    }
    crate::write::check_writable(&args.run.out)?;
    check_destinations(&args.run, &judge.store, machine)?;
    let candidate_binary =
        std::env::current_exe().map_err(|e| HarnessError::io("cannot find", "the current executable", e))?;
    let scratch = tempfile::tempdir().map_err(|e| HarnessError::io("cannot create", "a temporary directory", e))?;
    let seed = args.run.order_seed.unwrap_or(args.run.seed);
    eprintln!(
        "ablate: A/B ({} rounds, at most {}): {} against {}",
        args.ab_rounds,
        args.max_time,
        candidate_binary.display(),
        base.display()
    );
    let cancel = crate::cancel::install_interrupt_handler();
    let plan = AbPlan { looks, max_time, seed, cells: None };
    let suite = args.run.suite_args();
    let outcome = ab::measure(base, &candidate_binary, &suite, &plan, &judge.thresholds, scratch.path(), &cancel)?;
    let base_path = args.run.out.with_extension("ab-base.json");
    outcome.base.write_to(&base_path)?;
    outcome.candidate.write_to(&args.run.out)?;
    eprintln!("ablate: results written to {} and {}", args.run.out.display(), base_path.display());
    super::history::keep(&outcome.candidate, &args.run)?;
    if outcome.candidate.cancelled {
        return Ok(exit::INTERRUPTED);
    }
    let report = GateReport::new(&outcome.candidate, Some(&outcome.base), &judge.thresholds, None)
        .requiring_power(args.require_power);
    let code = report.exit_code();
    let base_label = format!("base build {}", base.display());
    present(
        JudgedRun::new("this build".to_owned(), outcome.candidate, report, Some(base_label), &judge.thresholds),
        &args.run,
        true,
    )?;
    eprintln!("ablate: gate verdict (A/B): exit {code}");
    Ok(code)
}
