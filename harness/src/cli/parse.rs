//! Validation of `ablate run` arguments into a [`RunConfig`]: every error is one line naming the bad value and
//! what would be valid.

use std::collections::BTreeMap;

use ablate_workloads::{Params, Registry, WorkloadConfig};

use super::RunArgs;
use super::bounds::{MAX_AUTO_BUDGET, MAX_DURATION, max_duration_text};
use crate::config::Format;
use crate::config::{Profile, ProfileKind, RunConfig, WorkloadChoice, clock_seed};
use crate::error::HarnessError;
use crate::strategy::{Chunk, ProcessOptions, StrategyKind, Transport};

type Result<T> = std::result::Result<T, HarnessError>;

fn usage(message: String) -> HarnessError {
    HarnessError::Usage(message)
}

/// Validates `args` against the registry and this machine's core count, lowering a profile size that would not fit
/// in memory; whether the sizes given fit is [`crate::footprint::plan`]'s to say, as the configuration is planned.
pub fn run_config(args: &RunArgs, registry: &Registry, logical_cores: usize) -> Result<RunConfig> {
    format(&args.format)?;
    let names = workload_names(&args.workloads, registry)?;
    let mut sizes = sizes(args.size.as_deref(), &names)?;
    let mut params = params(&args.params, &names)?;
    let mut profile = if args.quick { Profile::QUICK } else { Profile::DEFAULT };
    profile.reps = args.reps.unwrap_or(profile.reps);
    profile.warmup = args.warmup.unwrap_or(profile.warmup);
    if let Some(limit) = &args.max_cell_time {
        profile.max_cell_time_ns = Some(duration(limit, "--max-cell-time")?.as_nanos() as u64);
    }
    let workloads: Vec<WorkloadChoice> = names
        .iter()
        .map(|name| WorkloadChoice {
            name: name.clone(),
            sizes: sizes.remove(name).unwrap_or_default(),
            params: params.remove(name).unwrap_or_default(),
        })
        .collect();
    let choice = strategies(&args.strategies)?;
    let workers = workers(args.workers.as_deref(), logical_cores)?;
    mpi_ranks_suffice(&choice.fixed, &workers)?;
    let mut config = RunConfig {
        workloads,
        strategies: choice.fixed,
        auto: choice.auto,
        auto_budget: auto_budget(args.auto_budget)?,
        naive: choice.naive,
        workers,
        chunks: chunks(&args.chunk)?,
        transports: transports(&args.transport)?,
        process: ProcessOptions {
            task_timeout: duration(&args.task_timeout, "--task-timeout")?,
            load_timeout: duration(&args.load_timeout, "--load-timeout")?,
            retries: args.retries,
            max_pool_failures: args.max_pool_failures,
            ..ProcessOptions::default()
        },
        chunk_target_ns: duration(&args.chunk_target, "--chunk-target")?.as_nanos() as u64,
        profile,
        // Recorded as pinned only where the platform can pin (not under the portable one).
        pin: !args.no_pin && crate::strategy::Pinning::allowed_cpus().is_on(),
        seed: args.seed,
        order_seed: args.order_seed.unwrap_or_else(clock_seed),
    };
    validate_workloads(&config, registry)?;
    crate::footprint::fit_profile_sizes(&mut config, registry)?;
    Ok(config)
}

/// The `--auto-budget` share: above 0 and at most [`MAX_AUTO_BUDGET`].
fn auto_budget(share: f64) -> Result<f64> {
    if share > 0.0 && share <= MAX_AUTO_BUDGET {
        Ok(share)
    } else {
        let share = if share.abs() < 1e6 { share.to_string() } else { format!("{share:e}") };
        Err(usage(format!(
            "invalid --auto-budget {share}; expected a share above 0 and at most {MAX_AUTO_BUDGET}, e.g. 0.5 or 2"
        )))
    }
}

/// The `--format` value.
pub fn format(text: &str) -> Result<Format> {
    text.parse::<Format>().map_err(|_| {
        let valid: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        usage(format!("unknown format '{text}'; valid formats: {}", valid.join(", ")))
    })
}

/// Builds every workload configuration once (cheaply) so that a bad parameter fails before anything runs.
fn validate_workloads(config: &RunConfig, registry: &Registry) -> Result<()> {
    for choice in &config.workloads {
        let description = registry.describe(&choice.name)?;
        let profile_size = match config.profile.kind {
            ProfileKind::Quick => description.quick_size,
            ProfileKind::Default => description.default_size,
        };
        let sizes = if choice.sizes.is_empty() { vec![profile_size] } else { choice.sizes.clone() };
        for size in sizes {
            let workload =
                WorkloadConfig { name: choice.name.clone(), size, seed: config.seed, params: choice.params.clone() };
            registry.validate(&workload)?;
        }
    }
    Ok(())
}

/// Splits a comma-separated list, refusing empty items.
fn list<'a>(spec: &'a str, what: &str) -> Result<Vec<&'a str>> {
    let items: Vec<&str> = spec.split(',').map(str::trim).collect();
    if items.iter().any(|i| i.is_empty()) {
        return Err(usage(format!("invalid {what} list '{spec}': empty item; expected comma-separated values")));
    }
    Ok(items)
}

/// The workloads `--workloads` names: `all` (the binary's own), `builtins`, and names, in order, each once.
fn workload_names(spec: &str, registry: &Registry) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for item in list(spec, "workload")? {
        let selected = registry.select(item)?;
        if selected.is_empty() {
            return Err(usage(format!(
                "--workloads {item} selects nothing: this binary registers no workloads of its own; name one, or \
                 use `builtins` (see `list`)"
            )));
        }
        for name in selected {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    Ok(names)
}

/// Parses each item of a comma-separated list, keeping the first of any repeats, in order.
fn parse_list<T: PartialEq>(spec: &str, what: &str, parse: impl Fn(&str) -> Result<T>) -> Result<Vec<T>> {
    let mut values = Vec::new();
    for item in list(spec, what)? {
        let value = parse(item)?;
        if !values.contains(&value) {
            values.push(value);
        }
    }
    Ok(values)
}

/// What `--strategies` names: fixed strategies (`all` for every one), and the `auto` and `naive` cells.
#[derive(Debug, PartialEq)]
struct StrategyChoice {
    fixed: Vec<StrategyKind>,
    auto: bool,
    naive: bool,
}

fn strategies(spec: &str) -> Result<StrategyChoice> {
    let mut choice = StrategyChoice { fixed: Vec::new(), auto: false, naive: false };
    let names = parse_list(spec, "strategy", |name| Ok(name.to_owned()))?;
    for name in names {
        let kinds = match name.as_str() {
            "all" => StrategyKind::usable(),
            "auto" => {
                choice.auto = true;
                continue;
            }
            "naive" => {
                choice.naive = true;
                continue;
            }
            other => vec![other.parse().map_err(|_| {
                usage(format!(
                    "unknown strategy '{other}'; valid strategies: all, auto, naive, {}",
                    StrategyKind::valid_names()
                ))
            })?],
        };
        for kind in kinds {
            if let Err(reason) = kind.available() {
                return Err(usage(format!("--strategies {kind}: {reason}")));
            }
            if !choice.fixed.contains(&kind) {
                choice.fixed.push(kind);
            }
        }
    }
    Ok(choice)
}

/// Under `mpi`, every worker count needs a worker rank of its own.
fn mpi_ranks_suffice(strategies: &[StrategyKind], workers: &[usize]) -> Result<()> {
    let (Some(most), Ok(ranks)) = (workers.iter().max(), crate::strategy::mpi::worker_ranks()) else { return Ok(()) };
    if strategies.contains(&StrategyKind::Mpi) && *most > ranks {
        return Err(usage(format!(
            "--workers {most}: the mpi strategy has {ranks} worker ranks under this mpirun; use --workers up to \
             {ranks}, or start mpirun with -np {}",
            most + 1
        )));
    }
    Ok(())
}

/// Workers per logical core beyond which a count is absurd on its face: the threads or processes could only take
/// turns, and the system may refuse them. Oversubscription experiments stay far inside it.
const MAX_WORKERS_PER_CORE: usize = 64;

/// The least worker cap, so that a small machine can still be oversubscribed generously.
const MIN_WORKER_CAP: usize = 256;

/// The most workers a cell may ask for on a machine of `logical_cores`.
pub fn max_workers(logical_cores: usize) -> usize {
    logical_cores.saturating_mul(MAX_WORKERS_PER_CORE).max(MIN_WORKER_CAP)
}

fn workers(spec: Option<&str>, logical_cores: usize) -> Result<Vec<usize>> {
    let Some(spec) = spec else {
        let mut counts: Vec<usize> =
            std::iter::successors(Some(1usize), |n| Some(n * 2)).take_while(|&n| n < logical_cores).collect();
        counts.push(logical_cores.max(1));
        return Ok(counts);
    };
    let most = max_workers(logical_cores);
    parse_list(spec, "worker", |item| match item {
        "max" => Ok(logical_cores.max(1)),
        _ => match item.parse::<usize>().ok().filter(|&n| n >= 1) {
            None => Err(usage(format!(
                "invalid worker count '{item}' in --workers {spec}; expected whole numbers ≥ 1 or 'max'"
            ))),
            Some(n) if n > most => Err(usage(format!(
                "invalid worker count '{item}' in --workers {spec}; expected at most {most} on this machine \
                 ({logical_cores} logical cores, {MAX_WORKERS_PER_CORE} workers per core, never fewer than \
                 {MIN_WORKER_CAP})"
            ))),
            Some(n) => Ok(n),
        },
    })
}

fn chunks(spec: &str) -> Result<Vec<Chunk>> {
    parse_list(spec, "chunk", |item| match item {
        "auto" => Ok(Chunk::Auto),
        _ => item.parse::<usize>().ok().filter(|&n| n >= 1).map(Chunk::Fixed).ok_or_else(|| {
            usage(format!("invalid chunk '{item}' in --chunk {spec}; expected 'auto' or whole numbers ≥ 1"))
        }),
    })
}

fn transports(spec: &str) -> Result<Vec<Transport>> {
    if spec == "all" {
        return Ok(Transport::ALL.to_vec());
    }
    parse_list(spec, "transport", |name| {
        name.parse().map_err(|_| usage(format!("unknown transport '{name}'; valid transports: all, copy, shm, regen")))
    })
}

/// A duration flag's value: positive and at most [`MAX_DURATION`], so that any deadline it sets is one a clock
/// can hold.
pub fn duration(text: &str, flag: &str) -> Result<std::time::Duration> {
    let parsed = humantime::parse_duration(text).ok().filter(|d| !d.is_zero()).ok_or_else(|| {
        usage(format!("invalid {flag} '{text}'; expected a positive duration such as 300s, 2m or 500ms"))
    })?;
    if parsed > MAX_DURATION {
        return Err(usage(format!("invalid {flag} '{text}'; expected at most {}", max_duration_text())));
    }
    Ok(parsed)
}

/// A count with an optional decimal (k, M, G) or binary (Ki, Mi, Gi) suffix.
pub fn parse_count(text: &str) -> Option<u64> {
    const SUFFIXES: [(&str, u64); 6] =
        [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000)];
    let (digits, scale) =
        SUFFIXES.iter().find_map(|(s, scale)| text.strip_suffix(s).map(|d| (d, *scale))).unwrap_or((text, 1));
    digits.parse::<u64>().ok()?.checked_mul(scale)
}

/// `N` items apply to every workload; `NAME=N` items to one, replacing the `N` items for it.
fn sizes(spec: Option<&str>, names: &[String]) -> Result<BTreeMap<String, Vec<u64>>> {
    let Some(spec) = spec else { return Ok(BTreeMap::new()) };
    let mut everyone = Vec::new();
    let mut specific: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for item in list(spec, "size")? {
        let (target, count) = match item.split_once('=') {
            Some((name, count)) => (Some(name), count),
            None => (None, item),
        };
        let size = parse_count(count).filter(|&n| n > 0).ok_or_else(|| {
            usage(format!("invalid size '{count}' in --size {spec}; expected a whole number ≥ 1, optionally with k, M, G, Ki, Mi or Gi"))
        })?;
        match target {
            None => everyone.push(size),
            Some(name) if names.iter().any(|n| n == name) => specific.entry(name.to_owned()).or_default().push(size),
            Some(name) => {
                return Err(usage(format!(
                    "--size names workload '{name}', which is not selected; selected: {}",
                    names.join(", ")
                )));
            }
        }
    }
    Ok(names.iter().map(|n| (n.clone(), specific.remove(n).unwrap_or_else(|| everyone.clone()))).collect())
}

/// `NAME.KEY=VALUE` items, grouped by workload.
fn params(items: &[String], names: &[String]) -> Result<BTreeMap<String, Params>> {
    let mut by_workload: BTreeMap<String, Params> = BTreeMap::new();
    for item in items {
        let parsed = item.split_once('=').and_then(|(path, value)| Some((path.split_once('.')?, value)));
        let Some(((name, key), value)) = parsed.filter(|((n, k), _)| !n.is_empty() && !k.is_empty()) else {
            return Err(usage(format!("invalid parameter '{item}'; expected NAME.KEY=VALUE, e.g. spin.iters=1000")));
        };
        if !names.iter().any(|n| n == name) {
            return Err(usage(format!(
                "parameter '{item}' names workload '{name}', which is not selected; selected: {}",
                names.join(", ")
            )));
        }
        by_workload.entry(name.to_owned()).or_default().insert(key, value);
    }
    Ok(by_workload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_run_records_pinning_only_where_the_platform_pins() {
        let config = |args: &[&str]| run_config(&crate::cli::run_args(args), &Registry::builtin(), 8).unwrap();
        let pins = crate::strategy::Pinning::allowed_cpus().is_on();
        assert_eq!(config(&["--quick"]).pin, pins);
        assert!(!config(&["--quick", "--no-pin"]).pin);
        if crate::platform::NAME == "portable" {
            assert!(!pins, "the portable platform cannot pin: a run records that nothing was pinned");
        }
    }
    #[test]
    fn counts_accept_decimal_and_binary_suffixes() {
        assert_eq!(parse_count("1500"), Some(1500));
        assert_eq!(parse_count("16Mi"), Some(16 << 20));
        assert_eq!(parse_count("2k"), Some(2000));
        assert_eq!(parse_count("3G"), Some(3_000_000_000));
        assert_eq!(parse_count("12x"), None);
        assert_eq!(parse_count("99999999999Gi"), None);
    }

    #[test]
    fn sizes_apply_to_all_or_to_one_workload() {
        let sizes = sizes(Some("100,spin=5,spin=6"), &names(&["spin", "triad"])).unwrap();
        assert_eq!(sizes["spin"], vec![5, 6]);
        assert_eq!(sizes["triad"], vec![100]);
        let err = super::sizes(Some("nope=5"), &names(&["spin"])).unwrap_err().to_string();
        assert!(err.contains("'nope'") && err.contains("selected: spin"), "{err}");
        let err = super::sizes(Some("0"), &names(&["spin"])).unwrap_err().to_string();
        assert!(err.contains("invalid size '0'"), "{err}");
    }

    #[test]
    fn workers_default_to_powers_of_two_up_to_max() {
        assert_eq!(workers(None, 2).unwrap(), vec![1, 2]);
        assert_eq!(workers(None, 12).unwrap(), vec![1, 2, 4, 8, 12]);
        assert_eq!(workers(None, 1).unwrap(), vec![1]);
        assert_eq!(workers(Some("1,max,2"), 2).unwrap(), vec![1, 2]);
        let err = workers(Some("1,0"), 2).unwrap_err().to_string();
        assert!(err.contains("'0'") && err.contains("'max'"), "{err}");
        assert!(workers(Some("1,,2"), 2).unwrap_err().to_string().contains("empty item"));
        assert_eq!(workers(Some("256"), 2).unwrap(), vec![256], "oversubscription within the cap");
        let err = workers(Some("1,257"), 2).unwrap_err().to_string();
        assert!(err.contains("'257'") && err.contains("at most 256"), "{err}");
        assert_eq!(max_workers(128), 8192);
    }

    #[test]
    fn mpi_outside_mpirun_says_how_to_launch_it() {
        let err = strategies("serial,mpi").unwrap_err().to_string();
        assert!(err.starts_with("--strategies mpi: "), "{err}");
        assert!(err.contains("mpirun -np") || err.contains("--features ablate-harness/mpi"), "{err}");
        assert_eq!(mpi_ranks_suffice(&[StrategyKind::Mpi], &[64]).ok(), Some(()), "not under mpirun: nothing to check");
    }

    #[test]
    fn unknown_strategy_lists_the_valid_ones() {
        let err = strategies("serial,fibers").unwrap_err().to_string();
        assert!(err.contains("'fibers'") && err.contains("crossbeam") && err.contains("auto"), "{err}");
        let local = StrategyKind::ALL[..5].to_vec();
        assert_eq!(strategies("all").unwrap(), StrategyChoice { fixed: local, auto: false, naive: false });
        let every = strategies("rayon,all,auto,naive").unwrap();
        assert_eq!(every.fixed.len(), 5, "no strategy twice, and no mpi outside mpirun: {every:?}");
        assert!(every.auto && every.naive && every.fixed[0] == StrategyKind::Rayon);
        assert_eq!(strategies("auto").unwrap(), StrategyChoice { fixed: vec![], auto: true, naive: false });
    }

    #[test]
    fn params_group_by_workload_and_reject_malformed_items() {
        let grouped = params(&names(&["spin.iters=10", "spin.cost=2"]), &names(&["spin"])).unwrap();
        assert_eq!(grouped["spin"], Params::new().with("iters", "10").with("cost", "2"));
        for bad in ["iters=10", "spin.=1", ".x=1", "spin.iters"] {
            assert!(params(&names(&[bad]), &names(&["spin"])).is_err(), "{bad}");
        }
    }

    #[test]
    fn transports_and_durations_parse_or_name_the_bad_value() {
        assert_eq!(transports("all").unwrap(), Transport::ALL.to_vec());
        assert_eq!(transports("shm,copy,shm").unwrap(), vec![Transport::Shm, Transport::Copy]);
        assert!(transports("pigeon").unwrap_err().to_string().contains("'pigeon'"));
        assert_eq!(duration("2m", "--task-timeout").unwrap(), std::time::Duration::from_secs(120));
        assert!(duration("0s", "--task-timeout").unwrap_err().to_string().contains("'0s'"));
    }

    #[test]
    fn item_27_7_a_huge_task_timeout_is_a_usage_error() {
        for flag in ["--task-timeout", "--load-timeout", "--max-time", "--chunk-target"] {
            let err = duration("9223372036854775807s", flag).unwrap_err();
            assert_eq!(err.exit_code(), crate::exit::USAGE);
            let text = err.to_string();
            assert!(text.contains(flag) && text.contains("'9223372036854775807s'") && text.contains("1day"), "{text}");
        }
        assert_eq!(duration("1day", "--task-timeout").unwrap(), std::time::Duration::from_secs(86_400));
        assert!(duration("1day 1s", "--task-timeout").is_err());
    }

    #[test]
    fn chunks_accept_auto_and_positive_counts() {
        assert_eq!(chunks("auto,4").unwrap(), vec![Chunk::Auto, Chunk::Fixed(4)]);
        assert!(chunks("0").unwrap_err().to_string().contains("'0'"));
    }
}
