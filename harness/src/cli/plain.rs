//! The edge's second stage for everything besides the run itself: the clap arguments of `run`, `compare`, `gate`,
//! `history` and `baseline` turned into plain, validated [`Output`], [`Judging`], [`GateOptions`], [`History`] and
//! [`Baselines`] (the run's own arguments become a [`crate::config::RunConfig`] in [`super::parse`]). `app/` runs
//! those commands on these values alone.

use std::path::Path;

use ablate_workloads::Registry;

use super::bounds::AB_ROUNDS;
use super::history::{HistoryAction, HistoryArgs};
use super::parse::{duration, format, run_config};
use super::predict::PredictForArgs;
use super::{BaselineAction, GateArgs, ReportArgs, RunArgs, VerdictArgs};
use crate::config::{
    AbOptions, BaselineTask, Baselines, Candidate, GateOptions, History, HistoryCheck, HistoryTask, Judging, Output,
    PredictFor,
};
use crate::config::{BaselineSource, Overrides};
use crate::error::HarnessError;
use crate::stats::looks::Looks;
use crate::store::baseline::validate_name;

type Result<T> = std::result::Result<T, HarnessError>;

/// The directory `report` writes to. `-o DIR` is refused with the flag that was meant: `-o` names a results FILE
/// in `run` and `gate`, and one flag does not name a file in some commands and a directory in others.
pub fn report_dir(args: &ReportArgs) -> Result<&Path> {
    match &args.mistaken_out {
        Some(dir) => Err(HarnessError::Usage(format!(
            "report -o {0}: did you mean `--out-dir {0}`? (the report is a directory; -o names the results file \
             of run and gate)",
            dir.display()
        ))),
        None => Ok(&args.out_dir),
    }
}

/// Where `args` sends its results: `--history` given alone names `history/` beside the results file.
pub fn output(args: &RunArgs) -> Result<Output> {
    if let Some(name) = &args.save_baseline {
        validate_name(name)?;
    }
    let beside = || args.out.parent().unwrap_or(Path::new("")).join("history");
    let out_is_file = std::fs::metadata(&args.out).map_or(true, |m| m.is_file());
    if matches!(args.history, Some(None)) && !out_is_file {
        return Err(HarnessError::Usage(format!(
            "--history needs a DIR here: --out {} is not a file, so history/ beside it is no place for a store",
            args.out.display()
        )));
    }
    Ok(Output {
        out: args.out.clone(),
        format: format(&args.format)?,
        report: args.report.clone(),
        history: args.history.as_ref().map(|dir| dir.clone().unwrap_or_else(beside)),
        save_baseline: args.save_baseline.clone(),
        predict_for: predict_for(&args.predict),
    })
}

/// `--predict-for N [--machine FILE]`, if given (clap has bounded N).
pub fn predict_for(args: &PredictForArgs) -> Option<PredictFor> {
    let workers = args.predict_for? as usize;
    Some(PredictFor { workers, machine: args.machine.clone() })
}

/// How `args` judges results; a baseline named (rather than a file) must be a valid name.
pub fn judging(args: &VerdictArgs) -> Result<Judging> {
    let baseline = args.baseline.as_deref().map(BaselineSource::parse);
    if let Some(BaselineSource::Named(name)) = &baseline {
        validate_name(name)?;
    }
    Ok(Judging {
        baseline,
        baseline_dir: args.baseline_dir.clone(),
        allow_foreign_baseline: args.allow_foreign_baseline,
        thresholds: args.thresholds.clone(),
        overrides: Overrides {
            regression_ratio: args.threshold,
            alpha: args.alpha,
            min_efficiency: args.min_efficiency,
            min_bandwidth_fraction: args.min_bandwidth_fraction,
        },
    })
}

/// How the gate proceeds. The run is validated only when it is measured (with `--results` it is not; `--ab`
/// measures it, and only then are the A/B options read and checked), against `registry` on a machine of
/// `logical_cores`.
pub fn gate(args: &GateArgs, registry: &Registry, logical_cores: usize) -> Result<GateOptions> {
    let candidate = match (&args.ab, &args.results) {
        (Some(base), _) => Candidate::Ab(ab(args, base)?, run_config(&args.run, registry, logical_cores)?),
        (None, Some(path)) => Candidate::Results(path.clone()),
        (None, None) => Candidate::Run(run_config(&args.run, registry, logical_cores)?),
    };
    Ok(GateOptions {
        candidate,
        lenient: args.lenient,
        confirm: args.confirm,
        require_power: args.require_power,
        require_predicted_scaling: args.require_predicted_scaling,
        reseed_confirmations: args.run.order_seed.is_none(),
    })
}

/// What `ablate history` does; `check --recent` must count at least one run.
pub fn history(args: &HistoryArgs) -> Result<History> {
    let task = match &args.action {
        HistoryAction::List => HistoryTask::List,
        HistoryAction::Import { files } => HistoryTask::Import(files.clone()),
        HistoryAction::Show { cell } => HistoryTask::Show(cell.clone()),
        HistoryAction::Check(check) => {
            if check.recent == 0 {
                return Err(HarnessError::Usage("invalid --recent 0; expected a whole number of runs ≥ 1".to_owned()));
            }
            HistoryTask::Check(HistoryCheck {
                thresholds: check.thresholds.clone(),
                overrides: Overrides { regression_ratio: check.threshold, ..Overrides::default() },
                recent: check.recent,
            })
        }
    };
    Ok(History { store: args.history.clone(), task })
}

/// What `ablate baseline` does, in the store at `dir`.
pub fn baselines(action: &BaselineAction, dir: &Path) -> Baselines {
    let task = match action {
        BaselineAction::List => BaselineTask::List,
        BaselineAction::Show { name } => BaselineTask::Show(name.clone()),
        BaselineAction::Delete { name } => BaselineTask::Delete(name.clone()),
    };
    Baselines { dir: dir.to_owned(), task }
}

/// The A/B options: the rounds and the time budget; the repetition flags are refused, since each round runs
/// every undecided cell once under each build.
fn ab(args: &GateArgs, base: &Path) -> Result<AbOptions> {
    let looks = match args.ab_rounds.as_str() {
        "auto" => None,
        text => match text.parse::<u32>() {
            Ok(rounds) if AB_ROUNDS.contains(&rounds) => Some(Looks::fixed(rounds)),
            _ => {
                let why = format!("expected auto or a whole number from {} to {}", AB_ROUNDS.start(), AB_ROUNDS.end());
                return Err(HarnessError::Usage(format!("invalid --ab-rounds {text}; {why}")));
            }
        },
    };
    let max_time = duration(&args.max_time, "--max-time")?;
    let run = &args.run;
    let repetitions = [
        run.reps.map(|n| format!("--reps {n}")),
        run.warmup.map(|n| format!("--warmup {n}")),
        run.max_cell_time.as_ref().map(|limit| format!("--max-cell-time {limit}")),
    ];
    if let Some(flag) = repetitions.into_iter().flatten().next() {
        let why = "each A/B round runs every undecided cell once under each build; set --ab-rounds or --max-time";
        return Err(HarnessError::Usage(format!("{flag} does not apply with --ab: {why}")));
    }
    let seed = run.order_seed.unwrap_or(run.seed);
    let (allow_identical, input_cache) = (args.allow_identical, !args.no_input_cache);
    Ok(AbOptions { base: base.to_owned(), looks, max_time, seed, allow_identical, input_cache })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command, run_args};

    #[test]
    fn history_alone_is_beside_the_results_file_and_bad_names_are_refused() {
        let beside = output(&run_args(&["--out", "x/r.json", "--history"])).unwrap();
        assert_eq!(beside.history.as_deref(), Some(Path::new("x/history")));
        assert!(output(&run_args(&["--format", "yaml"])).unwrap_err().to_string().contains("'yaml'"));
        assert!(super::judging(&run_args(&["--baseline", "a b"]).verdict).is_err());
    }

    fn history_of(args: &[&str]) -> Result<History> {
        let argv = ["ablate", "history"].iter().copied().chain(args.iter().copied());
        match Cli::try_parse_from(argv).expect("parses").command {
            Command::History(args) => history(&args),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn history_check_carries_its_threshold_and_refuses_no_recent_runs() {
        let checked = history_of(&["check", "--threshold", "1.2", "--recent", "3", "--history", "h"]).unwrap();
        assert_eq!(checked.store, Path::new("h"));
        let HistoryTask::Check(how) = checked.task else { panic!("{checked:?}") };
        assert_eq!((how.overrides.regression_ratio, how.recent), (Some(1.2), 3));
        let err = history_of(&["check", "--recent", "0"]).unwrap_err();
        assert_eq!(err.exit_code(), crate::exit::USAGE);
        assert!(err.to_string().contains("--recent 0"), "{err}");
        assert!(
            matches!(history_of(&["show", "spin/8/serial/w1/cauto"]).unwrap().task, HistoryTask::Show(cell) if cell.starts_with("spin/"))
        );
    }
}
