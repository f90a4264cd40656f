//! `ablate bisect`: checks the arguments, bisects from the current directory, prints each step's evidence as it
//! is found and then the conclusion, and maps the conclusion to an exit code.

use super::judge::Judge;
use super::print_stdout;
use crate::bisect::{self, Conclusion, Settings, report};
use crate::cli::bisect::BisectArgs;
use crate::cli::parse::duration;
use crate::error::HarnessError;
use crate::exit;

pub(super) fn bisect(args: &BisectArgs) -> anyhow::Result<u8> {
    if let Some(flag) = args.inapplicable() {
        let why = "a bisection prints its steps and the first bad commit; the suite is set by -w, -s, -j, --size, \
                   --quick and the like, the budget by --max-time and --step-time";
        return Err(HarnessError::Usage(format!("{flag} does not apply to ablate bisect: {why}")).into());
    }
    let judge = Judge::from_args(&args.run.verdict)?;
    let settings = Settings {
        dir: std::env::current_dir().map_err(|e| HarnessError::io("cannot read", "the current directory", e))?,
        good: args.good.clone(),
        bad: args.bad.clone(),
        package: args.package.clone(),
        bin: args.bin.clone().unwrap_or_else(|| bisect::default_bin(&args.package).to_owned()),
        suite: args.run.suite_args(),
        thresholds: judge.thresholds,
        max_time: duration(&args.max_time, "--max-time")?,
        step_time: duration(&args.step_time, "--step-time")?,
        target_dir: args.target_dir.clone(),
        seed: args.run.order_seed.unwrap_or(args.run.seed),
        cancel: crate::cancel::install_interrupt_handler(),
    };
    let bisection = bisect::bisect(&settings, &mut |step| {
        let _ = print_stdout(&report::step(step));
    })?;
    print_stdout(&report::conclusion(&bisection))?;
    Ok(match bisection.conclusion {
        Conclusion::FirstBad(_) => exit::SUCCESS,
        Conclusion::OneOf { .. } | Conclusion::NoRegression { undecided: 1.. } => exit::INCONCLUSIVE,
        Conclusion::NoRegression { undecided: 0 } => exit::NOTHING_TO_BISECT,
        Conclusion::Interrupted => exit::INTERRUPTED,
    })
}
