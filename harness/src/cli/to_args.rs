//! The inverse of [`super::parse`]: a [`RunConfig`] written back as the `ablate run` arguments that parse into it,
//! the command line an A/B gate starts each build's `ablate ab-serve` with.

use std::time::Duration;

use ablate_workloads::Registry;

use crate::config::{DEFAULT_AUTO_BUDGET, Profile, ProfileKind, RunConfig, WorkloadChoice};
use crate::strategy::{ProcessOptions, StrategyKind};

/// The command line that makes another `ablate` build `config` again over `registry` (`ablate run`
/// and `ablate ab-serve` accept it): the canonical flag of every field, each value as parsed, so that a child
/// measures exactly this run. The whole selection is written `all` (of workloads in `registry`, of the
/// strategies this run can use), so that a build with one more or one fewer runs its own and the cells both
/// plan are paired. Flags a build from before them would refuse (`--auto-budget`, `--load-timeout`) are
/// written only when they differ from the default; so are the repetition counts, which `--quick` implies.
/// Every field is named here, so that a new one cannot be left out of the child's command line unnoticed.
pub fn to_args(config: &RunConfig, registry: &Registry) -> Vec<String> {
    let RunConfig {
        workloads,
        strategies,
        auto,
        auto_budget,
        naive,
        workers,
        chunks,
        transports,
        process,
        chunk_target_ns,
        profile: Profile { kind, warmup, reps, max_cell_time_ns },
        pin,
        seed,
        order_seed,
    } = config;
    let mut args = workload_args(workloads, registry);
    let mut flag = |name: &str, value: String| args.extend([name.to_owned(), value]);
    let cells = [("auto", *auto), ("naive", *naive)];
    let every = *strategies == StrategyKind::usable();
    let mut names: Vec<&str> = if every { vec!["all"] } else { strategies.iter().map(|s| s.name()).collect() };
    names.extend(cells.iter().filter(|(_, on)| *on).map(|(name, _)| *name));
    flag("--strategies", names.join(","));
    if *auto_budget != DEFAULT_AUTO_BUDGET {
        flag("--auto-budget", auto_budget.to_string());
    }
    flag("--workers", joined(workers));
    flag("--chunk", joined(chunks));
    flag("--chunk-target", format!("{chunk_target_ns}ns"));
    flag("--transport", joined(transports));
    flag("--task-timeout", nanos(process.task_timeout));
    if process.load_timeout != ProcessOptions::default().load_timeout {
        flag("--load-timeout", nanos(process.load_timeout));
    }
    flag("--retries", process.retries.to_string());
    flag("--max-pool-failures", process.max_pool_failures.to_string());
    let implied = if *kind == ProfileKind::Quick { Profile::QUICK } else { Profile::DEFAULT };
    if *reps != implied.reps {
        flag("--reps", reps.to_string());
    }
    if *warmup != implied.warmup {
        flag("--warmup", warmup.to_string());
    }
    if let Some(limit) = max_cell_time_ns {
        flag("--max-cell-time", format!("{limit}ns"));
    }
    flag("--seed", seed.to_string());
    flag("--order-seed", order_seed.to_string());
    args.extend((*kind == ProfileKind::Quick).then(|| "--quick".to_owned()));
    args.extend((!pin).then(|| "--no-pin".to_owned()));
    args
}

/// The flags of the workloads: their names (`all` for all of `registry`'s), and each one's sizes and parameters by
/// name.
fn workload_args(workloads: &[WorkloadChoice], registry: &Registry) -> Vec<String> {
    let names: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
    let every = registry.select(Registry::ALL).is_ok_and(|all| all == names);
    let mut args = vec!["--workloads".to_owned(), if every { Registry::ALL.to_owned() } else { names.join(",") }];
    let sizes: Vec<String> =
        workloads.iter().flat_map(|w| w.sizes.iter().map(move |size| format!("{}={size}", w.name))).collect();
    if !sizes.is_empty() {
        args.extend(["--size".to_owned(), sizes.join(",")]);
    }
    for workload in workloads {
        for (key, value) in workload.params.iter() {
            args.extend(["--param".to_owned(), format!("{}.{key}={value}", workload.name)]);
        }
    }
    args
}

/// Items as a comma-separated list.
fn joined<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

/// A duration as whole nanoseconds, which every duration flag reads back exactly.
fn nanos(duration: Duration) -> String {
    format!("{}ns", duration.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::parse::run_config;
    use crate::cli::run_args;

    /// The logical cores the configurations are built for: fixed, so that `max` and the default workers do not
    /// depend on the machine the tests run on.
    const CORES: usize = 8;

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
            let args = to_args(&config, &Registry::builtin());
            let again = config_from(&args);
            assert_eq!(again, config, "ablate run {line:?}\nwrote {args:?}");
            assert_eq!(to_args(&again, &Registry::builtin()), args, "the command line is canonical");
        }
    }

    #[test]
    fn the_command_line_carries_what_the_defaults_would_not() {
        let config = config(COMMAND_LINES[3]);
        let args = to_args(&config, &Registry::builtin()).join(" ");
        for flag in ["--workloads skewed,spin", "--strategies threads,auto", "--load-timeout 90000000000ns"] {
            assert!(args.contains(flag), "{flag} missing from {args}");
        }
        let plain = to_args(&self::config(&[]), &Registry::builtin()).join(" ");
        assert!(plain.starts_with("--workloads all --strategies all "), "the whole selection as `all`: {plain}");
        for absent in ["--auto-budget", "--load-timeout", "--reps", "--warmup", "--max-cell-time", "--quick", "--size"]
        {
            assert!(!plain.contains(absent), "{absent} written for the defaults: {plain}");
        }
    }

    fn config_from(args: &[String]) -> RunConfig {
        config(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }
}
