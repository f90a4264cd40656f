//! The arguments of `ablate bisect`: the two ends, the binary under test, the time budgets, and the suite's flags
//! (those of `ablate run` that choose what is measured; the ones about output and baselines do not apply and are
//! hidden, and refused when given).

use std::path::{Path, PathBuf};

use clap::{Arg, Args};

use super::parse::duration;
use super::{DEFAULT_LOAD_TIMEOUT, RunArgs};
use crate::bisect::{Settings, default_bin};
use crate::config::{DEFAULT_AUTO_BUDGET, Judging};
use crate::error::HarnessError;
use crate::store::thresholds::ThresholdSet;

#[derive(Debug, Args)]
pub struct BisectArgs {
    /// A revision where the cells were fast: a commit, branch, tag or HEAD~N.
    #[arg(long, value_name = "REV")]
    pub good: String,
    /// A later revision where they are slow; --good must be on its first-parent history.
    #[arg(long, value_name = "REV")]
    pub bad: String,
    /// The package whose binary is under test, built at each commit with `cargo build --release`.
    #[arg(long, default_value = "ablate-harness", value_name = "NAME")]
    pub package: String,
    /// The binary under test: `ablate`, or a user's binary over `ablate_main!` [default: ablate for
    /// ablate-harness, else the package's name]
    #[arg(long, value_name = "NAME")]
    pub bin: Option<String>,
    /// The time budget of the whole bisection, builds included: no step starts once it is spent, e.g. 30m.
    #[arg(long, default_value = "30m", value_name = "DURATION")]
    pub max_time: String,
    /// The time budget of each step's paired A/B rounds (a commit still undecided after it is skipped), e.g. 2m.
    #[arg(long, default_value = "120s", value_name = "DURATION")]
    pub step_time: String,
    /// The cargo target directory every build of the bisection shares; keep one between bisections to build
    /// less [default: one in the bisection's temporary directory, removed with it]
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Make every group's shared input afresh in every round of every step, as bisections did before the input
    /// cache (GOOD's inputs are otherwise made once for the whole bisection, each step's build's once per step):
    /// to measure what the cache saves, or to rule it out.
    #[arg(long)]
    pub no_input_cache: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

/// The flags of `ablate run` that do not apply to a bisection (by clap id).
const INAPPLICABLE: [&str; 13] = [
    "reps",
    "warmup",
    "max_cell_time",
    "out",
    "format",
    "report",
    "save_baseline",
    "history",
    "baseline",
    "baseline_dir",
    "allow_foreign_baseline",
    "min_efficiency",
    "min_bandwidth_fraction",
];

/// Hides the flags that do not apply from `ablate bisect --help`.
pub fn hide_inapplicable(arg: Arg) -> Arg {
    let hidden = INAPPLICABLE.contains(&arg.get_id().as_str());
    arg.hide(hidden)
}

impl BisectArgs {
    /// How the bisection judges, once no flag that does not apply was given.
    pub fn judging(&self) -> Result<Judging, HarnessError> {
        if let Some(flag) = self.inapplicable() {
            let why = "a bisection prints its steps and the first bad commit; the suite is set by -w, -s, -j, --size, \
                       --quick and the like, the budget by --max-time and --step-time";
            return Err(HarnessError::Usage(format!("{flag} does not apply to ablate bisect: {why}")));
        }
        super::plain::judging(&self.run.verdict)
    }

    /// The bisection asked for, from the current directory, judged by `thresholds`.
    pub fn settings(&self, thresholds: ThresholdSet) -> Result<Settings, HarnessError> {
        Ok(Settings {
            dir: std::env::current_dir().map_err(|e| HarnessError::io("cannot read", "the current directory", e))?,
            good: self.good.clone(),
            bad: self.bad.clone(),
            package: self.package.clone(),
            bin: self.bin.clone().unwrap_or_else(|| default_bin(&self.package).to_owned()),
            suite: self.suite(),
            thresholds,
            max_time: duration(&self.max_time, "--max-time")?,
            step_time: duration(&self.step_time, "--step-time")?,
            target_dir: self.target_dir.clone(),
            seed: self.run.order_seed.unwrap_or(self.run.seed),
            input_cache: !self.no_input_cache,
            cancel: crate::cancel::install_interrupt_handler(),
        })
    }

    /// The suite's flags (those that choose what is measured), as given, for `ablate ab-serve` of the binary under
    /// test. Unlike `gate --ab`, which hands its builds [`super::to_args`], the suite is not
    /// resolved here: the binary under test may be a user's, with workloads this binary does not register, so each
    /// build resolves `all`, `max` and the profile's sizes itself.
    fn suite(&self) -> Vec<String> {
        let run = &self.run;
        let mut args: Vec<String> = [
            ("--workloads", &run.workloads),
            ("--strategies", &run.strategies),
            ("--chunk", &run.chunk),
            ("--chunk-target", &run.chunk_target),
            ("--transport", &run.transport),
            ("--task-timeout", &run.task_timeout),
        ]
        .iter()
        .flat_map(|(flag, value)| [(*flag).to_owned(), (*value).clone()])
        .collect();
        // Passed only when changed, so that builds from before the flag still accept the suite.
        if run.auto_budget != DEFAULT_AUTO_BUDGET {
            args.extend(["--auto-budget".to_owned(), run.auto_budget.to_string()]);
        }
        if run.load_timeout != DEFAULT_LOAD_TIMEOUT {
            args.extend(["--load-timeout".to_owned(), run.load_timeout.clone()]);
        }
        let optional = [("--workers", &run.workers), ("--size", &run.size)];
        args.extend(optional.iter().filter_map(|(f, v)| v.as_ref().map(|v| [(*f).to_owned(), v.clone()])).flatten());
        args.extend(run.params.iter().flat_map(|p| ["--param".to_owned(), p.clone()]));
        args.extend([
            "--retries".into(),
            run.retries.to_string(),
            "--max-pool-failures".into(),
            run.max_pool_failures.to_string(),
        ]);
        args.extend(["--seed".into(), run.seed.to_string()]);
        if run.no_pin {
            args.push("--no-pin".into());
        }
        if run.quick {
            args.push("--quick".into());
        }
        args
    }

    /// The first flag given that does not apply to a bisection, as typed.
    fn inapplicable(&self) -> Option<&'static str> {
        let run = &self.run;
        let verdict = &run.verdict;
        let given = [
            ("--reps", run.reps.is_some()),
            ("--warmup", run.warmup.is_some()),
            ("--max-cell-time", run.max_cell_time.is_some()),
            ("--out", run.out != Path::new("reports/results.json")),
            ("--format", run.format != "table"),
            ("--report", run.report.is_some()),
            ("--save-baseline", run.save_baseline.is_some()),
            ("--history", run.history.is_some()),
            ("--baseline", verdict.baseline.is_some()),
            ("--baseline-dir", verdict.baseline_dir != Path::new("baselines")),
            ("--allow-foreign-baseline", verdict.allow_foreign_baseline),
            ("--min-efficiency", verdict.min_efficiency.is_some()),
            ("--min-bandwidth-fraction", verdict.min_bandwidth_fraction.is_some()),
        ];
        given.into_iter().find(|(_, given)| *given).map(|(flag, _)| flag)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    fn inapplicable(extra: &[&str]) -> Option<&'static str> {
        let args = ["ablate", "bisect", "--good", "HEAD~3", "--bad", "HEAD"].iter().chain(extra);
        match Cli::try_parse_from(args).expect("parses").command {
            Command::Bisect(args) => args.inapplicable(),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn only_flags_given_that_do_not_apply_are_refused() {
        assert_eq!(inapplicable(&["-w", "spin", "-s", "serial", "-j", "1", "--quick"]), None, "the defaults apply");
        assert_eq!(inapplicable(&["--out", "x.json"]), Some("--out"));
        assert_eq!(inapplicable(&["--format", "json"]), Some("--format"));
        assert_eq!(inapplicable(&["--baseline-dir", "elsewhere"]), Some("--baseline-dir"));
        assert_eq!(inapplicable(&["--reps", "5"]), Some("--reps"));
        assert_eq!(inapplicable(&["--history"]), Some("--history"));
    }

    #[test]
    fn the_flags_that_do_not_apply_are_hidden_from_help() {
        use clap::CommandFactory;
        let mut command = Cli::command();
        let help = command.find_subcommand_mut("bisect").expect("bisect").render_long_help().to_string();
        assert!(help.contains("--good <REV>") && help.contains("--workloads"), "{help}");
        for hidden in ["--save-baseline", "--reps", "--out", "--report", "--min-efficiency", "--history"] {
            assert!(!help.contains(hidden), "{hidden} shown:\n{help}");
        }
    }
}
