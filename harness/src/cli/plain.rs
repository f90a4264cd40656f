//! The edge's second stage for everything besides the run itself: the clap arguments of `run`, `compare` and
//! `gate` turned into plain, validated [`Output`], [`Judging`] and [`GateOptions`] (the run's own arguments become
//! a [`crate::config::RunConfig`] in [`super::parse`]). `app/` runs those commands on these values alone.

use std::path::Path;

use ablate_workloads::Registry;

use super::bounds::AB_ROUNDS;
use super::parse::{duration, format, run_config};
use super::predict::PredictForArgs;
use super::{GateArgs, ReportArgs, RunArgs, VerdictArgs};
use crate::config::{AbOptions, Candidate, GateOptions, Judging, Output, PredictFor};
use crate::error::HarnessError;
use crate::verdict::baseline::validate_name;
use crate::verdict::gate::BaselineSource;
use crate::verdict::paired::Looks;
use crate::verdict::thresholds::Overrides;

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
    use crate::cli::{Cli, Command};
    use crate::config::RunConfig;

    /// The logical cores the configurations are built for: fixed, so that `max` and the default workers do not
    /// depend on the machine the tests run on.
    const CORES: usize = 8;

    fn run_args(args: &[&str]) -> RunArgs {
        let argv = ["ablate", "run"].iter().copied().chain(args.iter().copied());
        match Cli::try_parse_from(argv).expect("parses").command {
            Command::Run(args) => *args,
            other => panic!("parsed as {other:?}"),
        }
    }

    fn config(args: &[&str]) -> RunConfig {
        run_config(&run_args(args), &Registry::builtin(), CORES).expect("a valid run")
    }

    /// Every field the command line sets is away from its default in at least one of these.
    const COMMAND_LINES: [&[&str]; 6] = [
        &["-w", "spin", "-s", "serial", "-j", "1", "--quick", "--order-seed", "5"],
        &["-s", "crossbeam,all", "--quick"],
        &["-w", "spin,var", "-s", "all,auto,naive", "-j", "1,max,3", "--size", "300", "--no-pin"],
        &[
            "-w",
            "skewed,spin",
            "-s",
            "auto,threads",
            "--auto-budget",
            "0.25",
            "-c",
            "auto,4,1",
            "--chunk-target",
            "150us",
            "-t",
            "regen,copy",
            "--task-timeout",
            "90s",
            "--load-timeout",
            "1m 30s",
            "--retries",
            "5",
            "--max-pool-failures",
            "3",
            "--size",
            "spin=1k,spin=2Ki,skewed=40",
            "-p",
            "spin.iters=7",
            "-p",
            "skewed.alpha=2.5",
            "-p",
            "spin.cost=3",
            "--reps",
            "4",
            "--warmup",
            "0",
            "--max-cell-time",
            "2s",
            "--seed",
            "9",
            "--order-seed",
            "18446744073709551615",
        ],
        &["-w", "builtins", "-s", "naive", "-t", "all", "--quick", "--reps", "3", "--warmup", "2"],
        &["-w", "mandelbrot", "-s", "rayon,process", "-c", "16", "--quick", "--max-cell-time", "750ms"],
    ];

    #[test]
    fn a_configuration_parses_back_from_its_command_line() {
        for line in COMMAND_LINES {
            let config = config(line);
            let args = config.to_args(&Registry::builtin());
            let again = config_from(&args);
            assert_eq!(again, config, "ablate run {line:?}\nwrote {args:?}");
            assert_eq!(again.to_args(&Registry::builtin()), args, "the command line is canonical");
        }
    }

    #[test]
    fn the_command_line_carries_what_the_defaults_would_not() {
        let config = config(COMMAND_LINES[3]);
        let args = config.to_args(&Registry::builtin()).join(" ");
        for flag in ["--workloads skewed,spin", "--strategies threads,auto", "--load-timeout 90000000000ns"] {
            assert!(args.contains(flag), "{flag} missing from {args}");
        }
        let plain = self::config(&[]).to_args(&Registry::builtin()).join(" ");
        assert!(plain.starts_with("--workloads all --strategies all "), "the whole selection as `all`: {plain}");
        for absent in ["--auto-budget", "--load-timeout", "--reps", "--warmup", "--max-cell-time", "--quick", "--size"]
        {
            assert!(!plain.contains(absent), "{absent} written for the defaults: {plain}");
        }
    }

    #[test]
    fn a_run_records_pinning_only_where_the_platform_pins() {
        let pins = crate::strategy::Pinning::allowed_cpus().is_on();
        assert_eq!(config(&["--quick"]).pin, pins);
        assert!(!config(&["--quick", "--no-pin"]).pin);
        if crate::platform::NAME == "portable" {
            assert!(!pins, "the portable platform cannot pin: a run records that nothing was pinned");
        }
    }

    fn config_from(args: &[String]) -> RunConfig {
        config(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    #[test]
    fn history_alone_is_beside_the_results_file_and_bad_names_are_refused() {
        let beside = output(&run_args(&["--out", "x/r.json", "--history"])).unwrap();
        assert_eq!(beside.history.as_deref(), Some(Path::new("x/history")));
        assert!(output(&run_args(&["--format", "yaml"])).unwrap_err().to_string().contains("'yaml'"));
        assert!(super::judging(&run_args(&["--baseline", "a b"]).verdict).is_err());
    }
}
