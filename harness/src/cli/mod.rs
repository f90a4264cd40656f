//! Command-line types (clap) and their conversion into the engine's plain configuration.
//!
//! Arguments pass two stages: clap reads strings, then [`parse`] validates them into a [`crate::config::RunConfig`]
//! and [`plain`] into the plain options of output, judging and the gate, with one-line errors that name the bad
//! value and the valid choices; [`to_args`] writes a configuration back as the arguments that parse into it. The
//! clap types stay here; the commands get the plain values.

pub mod bisect;
pub mod bounds;
mod exit_codes;
pub mod history;
pub mod parse;
pub mod plain;
pub mod predict;
pub mod to_args;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use self::history::HistoryArgs;
use crate::config::DEFAULT_AUTO_BUDGET;

#[derive(Debug, Parser)]
#[command(
    name = "ablate",
    version,
    about = "Measure work serially, on threads and in worker processes, across core counts",
    after_help = "`ablate [OPTIONS]` is shorthand for `ablate run [OPTIONS]`, and plain `ablate` runs this binary's \
                  own workloads with every default (`ablate run`): the built-in suite in `ablate`, the user's in a \
                  binary made with `ablate_main!`, whose built-ins run on request (`-w builtins`). `ablate run \
                  --help` lists the options; `ablate list` the workloads, strategies and transports."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run workloads under strategies and worker counts, print a table and write the results file.
    Run(Box<RunArgs>),
    /// List the workloads (with kind, size unit and parameters) and the strategies.
    List,
    /// Compare a results file with a baseline: a regression fails it.
    #[command(mut_arg("baseline", |a| a.required(true)))]
    Compare(CompareArgs),
    /// Run the suite (or read a results file), compare with the baseline and check scaling; the last line says
    /// PASS or FAIL, with the exit code and why.
    #[command(mut_arg("out", |a| {
        a.default_value(GATE_RESULTS).help(
            "Where the results JSON is written (atomically); a file of the gate's own, so that a gate never replaces \
             the results of `run` (reports/results.json) that a report was made from",
        )
    }))]
    #[command(mut_arg("baseline", |a| {
        a.required_unless_present_any(["ab", "lenient"]).help(
            "The baseline to compare with: a name in the store or a results file; required unless --ab (the base \
             build is the baseline) or --lenient (scaling only)",
        )
    }))]
    Gate(Box<GateArgs>),
    /// Write the HTML report (SVG charts inline and as files, markdown summary, CSV and Bencher JSON) from
    /// results files; several runs or machines go into one report.
    Report(ReportArgs),
    /// Find the commit between --good and --bad that made cells slower: each commit is built in a scratch git
    /// worktree and run against GOOD in paired A/B rounds.
    #[command(mut_args(bisect::hide_inapplicable))]
    Bisect(Box<bisect::BisectArgs>),
    /// Serve one build's measurements to an A/B gate (`gate --ab`) over stdin and stdout; not for direct use.
    #[command(hide = true)]
    AbServe(Box<RunArgs>),
    /// Runs kept per commit (`run --history`), their change points, and the gate over them.
    History(HistoryArgs),
    /// Predict how each strategy of a results file scales on another machine (default: at powers of two up to its
    /// cores), from the task costs its cells recorded at 1 worker and that machine's profile (`ablate probe`):
    /// every figure is a prediction with an interval, and where each strategy stops paying.
    Predict(predict::PredictArgs),
    /// Measure this machine for predictions — cores, SMT yield, bandwidth at 1..N threads, wake-up, spawn and pipe
    /// costs — and write its profile (default: baselines/profiles/<fingerprint>.json).
    Probe(predict::ProbeArgs),
    /// List, show or delete stored baselines.
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
        #[arg(long, default_value = "baselines", global = true)]
        baseline_dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum BaselineAction {
    /// Every stored baseline, by machine fingerprint.
    List,
    /// One baseline of this machine, as a table.
    Show { name: String },
    /// Deletes one baseline of this machine.
    Delete { name: String },
}

/// How verdicts are reached: where baselines live and which thresholds apply.
#[derive(Clone, Debug, Args)]
#[command(next_help_heading = "Judging against a baseline")]
pub struct VerdictArgs {
    /// The baseline to compare with: a name in the store or a results file.
    #[arg(long, value_name = "NAME|FILE")]
    pub baseline: Option<String>,
    /// The baseline store.
    #[arg(long, default_value = "baselines")]
    pub baseline_dir: PathBuf,
    /// Compare with a baseline measured on another machine (or schema-compatible file from one).
    #[arg(long)]
    pub allow_foreign_baseline: bool,
    /// Thresholds file (TOML); without one the built-in thresholds apply [default: ci/thresholds.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub thresholds: Option<PathBuf>,
    /// Regression threshold: candidate/baseline median ratio [default: 1.10]
    #[arg(long, value_name = "RATIO")]
    pub threshold: Option<f64>,
    /// Significance level of the one-sided rank tests: the chance of any false regression in a comparison
    /// [default: 0.01]
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Minimum scaling efficiency of CPU-bound cells [default: 0.7]
    #[arg(long)]
    pub min_efficiency: Option<f64>,
    /// Minimum fraction of the best bandwidth for memory-bound cells [default: 0.7]
    #[arg(long)]
    pub min_bandwidth_fraction: Option<f64>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The results file to judge.
    pub file: PathBuf,
    #[command(flatten)]
    pub verdict: VerdictArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Results files to report on [default: reports/results.json]
    pub files: Vec<PathBuf>,
    /// The directory the report is written to: index.html, charts/*.svg, summary.md, results.csv, bmf.json.
    #[arg(long, default_value = "reports", value_name = "DIR")]
    pub out_dir: PathBuf,
    /// `-o`, which names the results FILE of `run` and `gate`: taken here only to answer with `--out-dir` (see
    /// `plain::report_dir`), so that `-o` never names a directory.
    #[arg(short = 'o', hide = true, value_name = "DIR")]
    pub mistaken_out: Option<PathBuf>,
    #[command(flatten)]
    pub verdict: VerdictArgs,
    /// Also write `history.html`: each cell's runs and change points from the history store DIR (with no results
    /// file named, the history page alone).
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    #[command(flatten)]
    pub predict: predict::PredictForArgs,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// Judge this results file instead of running the suite.
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// A missing baseline is a warning (scaling is still checked) rather than an error.
    #[arg(long)]
    pub lenient: bool,
    /// Re-measure the suite up to N times when cells regress; a regression stands only if every
    /// re-measurement confirms it (ignored with --results, which cannot be re-measured); at most 20.
    #[arg(long, default_value_t = 0, value_name = "N", value_parser = clap::value_parser!(u32).range(bounds::CONFIRM))]
    pub confirm: u32,
    /// A/B mode: judge this binary against BASE (another build of ablate, e.g. of the merge base), both run
    /// alternately in one session, so neither is compared with numbers from another machine or moment.
    #[arg(long, value_name = "BASE")]
    pub ab: Option<PathBuf>,
    /// Let --ab compare a base that is byte for byte this binary (an A/A check of the gate itself); without it such
    /// a gate is refused (exit 5), since it would pass any change.
    #[arg(long, requires = "ab")]
    pub allow_identical: bool,
    /// Make every group's shared input afresh in every A/B round, as gates did before the input cache (each
    /// build's inputs are otherwise made once, by its first round, and decoded by every later round's fresh
    /// processes): to measure what the cache saves, or to rule it out.
    #[arg(long, requires = "ab")]
    pub no_input_cache: bool,
    /// A/B rounds: `auto` adds rounds only for cells still undecided, judging them at five looks (boundaries
    /// calibrated exactly over the looks, workload first and then cell; for 72 cells at 15, 20, 26, 34 and 44
    /// rounds) until each is decided, dropped as too noisy to be decided in time, or --max-time is spent; N (2 to
    /// 10000) runs N rounds and judges once. Each round runs every undecided cell once under each
    /// build, back to back, in random order.
    #[arg(long, default_value = "auto", value_name = "auto|N")]
    pub ab_rounds: String,
    /// The time budget of an A/B gate (`auto` rounds stop adding rounds once it is spent), e.g. 120s, 5m; at most
    /// 1 day.
    #[arg(long, default_value = "120s", value_name = "DURATION")]
    pub max_time: String,
    /// Fail (exit 6) when a cell's verdict is inconclusive: too noisy to see a slowdown of the threshold's size,
    /// too near the threshold to call, or scaling judged on a busy machine.
    #[arg(long)]
    pub require_power: bool,
    /// Fail (exit 8) when a strategy's scaling predicted at --predict-for N lies below the efficiency floor with
    /// its whole interval; an interval that straddles the floor is inconclusive and never fails. Without it a
    /// predicted shortfall is reported and the exit code is the measured verdict's.
    #[arg(long, requires = "predict_for")]
    pub require_predicted_scaling: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    /// Workloads to run, a comma-separated list of names and of `all` (this binary's own workloads: the built-in
    /// suite in `ablate`, the user's in a binary made with `ablate_main!`) and `builtins` (the built-in suite,
    /// which a user's binary runs only on request, this way or by name). See `ablate list`.
    #[arg(long, short = 'w', default_value = "all", value_name = "all|builtins|NAME,...")]
    pub workloads: String,
    /// Strategies to run: `all` (every fixed strategy this run can use: serial, threads, rayon, crossbeam,
    /// process; mpi under mpirun) or a comma-separated list of those and `auto` (chosen per workload by a pilot)
    /// and `naive` (processes at the most workers, one task per dispatch, input copied); serial always runs as the
    /// reference. See `ablate list`.
    #[arg(long, short = 's', default_value = "all", value_name = "all|NAME,...")]
    pub strategies: String,
    /// Worker counts: a comma-separated list of whole numbers and `max` (this machine's logical cores), each at
    /// most 64 per logical core (and never fewer than 256) [default: powers of two up to `max`, and `max`]
    #[arg(long, short = 'j', value_name = "N,...|max")]
    pub workers: Option<String>,
    /// How long `auto`'s race of finalists may run, as a share of the auto cell's expected timed work (its
    /// repetitions at serial's time, measured in the race's first rung); the race's first rung always completes
    #[arg(long, default_value_t = DEFAULT_AUTO_BUDGET, value_name = "SHARE")]
    pub auto_budget: f64,
    /// Tasks per dispatch: `auto` (each strategy's own choice) or whole numbers, comma-separated.
    #[arg(long, short = 'c', default_value = "auto", value_name = "auto|N,...")]
    pub chunk: String,
    /// How long an adaptive chunk should take (`crossbeam`, `process` and `mpi` with `--chunk auto`), e.g. 200us;
    /// at most 1 day.
    #[arg(long, default_value = "200us", value_name = "DURATION")]
    pub chunk_target: String,
    /// How worker processes get the shared input: copy (inside every dispatch), shm (one mapped memory file),
    /// regen (rebuilt by each worker from the seed); `all` or a comma-separated list.
    #[arg(
        help_heading = "Process strategy",
        long,
        short = 't',
        default_value = "shm",
        value_name = "all|copy,shm,regen"
    )]
    pub transport: String,
    /// A task running longer than this is abandoned: its worker is killed and the task retried (e.g. 300s, 2m);
    /// at most 1 day.
    #[arg(help_heading = "Process strategy", long, default_value = "300s", value_name = "DURATION")]
    pub task_timeout: String,
    /// A worker process that has not loaded the workload within this is killed (e.g. 300s, 2m); at most 1 day.
    #[arg(long, default_value = DEFAULT_LOAD_TIMEOUT, value_name = "DURATION")]
    pub load_timeout: String,
    /// Retries of a task whose worker timed out, crashed or sent garbage; at most 100.
    #[arg(help_heading = "Process strategy", long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(bounds::RETRIES))]
    pub retries: u32,
    /// Worker failures in one execution after which the rest runs serially in this process; at most 10000.
    #[arg(
        help_heading = "Process strategy",
        long,
        default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(bounds::POOL_FAILURES)
    )]
    pub max_pool_failures: u32,
    /// Sizes in each workload's unit: `N` for every workload or `NAME=N` for one; suffixes k, M, G (×1000)
    /// and Ki, Mi, Gi (×1024) [default: the profile's size for each workload]
    #[arg(long, value_name = "[NAME=]N,...")]
    pub size: Option<String>,
    /// A workload parameter, e.g. `-p spin.iters=1000`; repeatable (see `ablate list`).
    #[arg(long = "param", short = 'p', value_name = "NAME.KEY=VALUE")]
    pub params: Vec<String>,
    /// Quick profile: small sizes, 1 warm-up and 3 timed repetitions (for CI).
    #[arg(long)]
    pub quick: bool,
    /// Timed repetitions per cell, 1 to 100000 [default: 10; 3 with --quick]
    #[arg(long, value_parser = clap::value_parser!(u32).range(bounds::REPS))]
    pub reps: Option<u32>,
    /// Untimed warm-up executions per cell, at most 1000 [default: 1]
    #[arg(long, value_parser = clap::value_parser!(u32).range(bounds::WARMUP))]
    pub warmup: Option<u32>,
    /// Stop repeating a cell once its timed repetitions have taken this long in all (it always gets 3), so that
    /// slow cells do not hold up many repetitions of fast ones, e.g. 10s, at most 1 day [default: no limit]
    #[arg(long, value_name = "DURATION")]
    pub max_cell_time: Option<String>,
    /// Leave workers where the scheduler puts them. Without it, worker i of every strategy is pinned to the i-th
    /// CPU the run may use, so that a woken worker starts on its own core (see the README).
    #[arg(long)]
    pub no_pin: bool,
    /// Where the results JSON is written (atomically).
    #[arg(help_heading = "Output", long, short = 'o', default_value = "reports/results.json", value_name = "FILE")]
    pub out: PathBuf,
    /// What to print on stdout: the results table, the JSON record, CSV, a markdown summary for a pull
    /// request, or Bencher Metric Format JSON.
    #[arg(help_heading = "Output", long, default_value = "table", value_name = "table|json|csv|md|bmf")]
    pub format: String,
    /// After the run, write the HTML report into DIR (see `ablate report`) [default when given alone: reports]
    #[arg(help_heading = "Output", long, value_name = "DIR", num_args = 0..=1, default_missing_value = "reports")]
    pub report: Option<PathBuf>,
    /// Keep the results in the history store DIR, keyed by the commit of the git repository this runs in (see
    /// `ablate history`) [default when given alone: history/ beside --out]
    #[arg(help_heading = "Output", long, value_name = "DIR", num_args = 0..=1)]
    pub history: Option<Option<PathBuf>>,
    /// The seed workloads are built from.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The seed of the shuffled repetition order, recorded either way [default: from the clock]
    #[arg(long)]
    pub order_seed: Option<u64>,
    /// After a run with no failed cell (with `gate`: a gate that passed), store its results as this baseline for
    /// this machine.
    #[arg(help_heading = "Output", long, value_name = "NAME")]
    pub save_baseline: Option<String>,
    #[command(flatten)]
    pub verdict: VerdictArgs,
    #[command(flatten)]
    pub predict: predict::PredictForArgs,
}

/// Where `gate` writes its results unless `--out` says otherwise: not `run`'s file.
const GATE_RESULTS: &str = "reports/gate-results.json";

/// How long a worker process may take to load the workload, unless `--load-timeout` says otherwise.
const DEFAULT_LOAD_TIMEOUT: &str = "300s";

/// The command line's definition, every command's exit codes written under its help.
pub fn command() -> clap::Command {
    exit_codes::add_to(<Cli as clap::CommandFactory>::command())
}

/// Parses `args` (the program's name first) by [`command`].
pub fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let matches = command().try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches).map_err(|err| err.format(&mut command()))
}

/// `ablate --strategies all …` is shorthand for `ablate run --strategies all …`, and plain `ablate` for `ablate
/// run`: inserts `run` when there is no argument, or the first is an option other than help or version.
pub fn with_default_command(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    let first = args.get(1).map(|a| a.to_str().unwrap_or("-"));
    let is_global = matches!(first, Some("-h" | "--help" | "-V" | "--version"));
    if first.is_none_or(|first| first.starts_with('-') && !is_global) {
        args.insert(1.min(args.len()), OsString::from("run"));
    }
    args
}

/// `ablate run ARGS` as clap reads them, for the tests of their conversion.
#[cfg(test)]
pub(crate) fn run_args(args: &[&str]) -> RunArgs {
    let argv = ["ablate", "run"].iter().copied().chain(args.iter().copied());
    match Cli::try_parse_from(argv).expect("parses").command {
        Command::Run(args) => *args,
        other => panic!("parsed as {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_first_means_run_but_help_and_subcommands_are_left_alone() {
        assert_eq!(with_default_command(strings(&["ablate", "--quick"])), strings(&["ablate", "run", "--quick"]));
        assert_eq!(with_default_command(strings(&["ablate", "--help"])), strings(&["ablate", "--help"]));
        assert_eq!(with_default_command(strings(&["ablate", "list"])), strings(&["ablate", "list"]));
        assert_eq!(with_default_command(strings(&["ablate"])), strings(&["ablate", "run"]));
    }

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }
}
