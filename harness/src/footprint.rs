//! Whether a run fits in memory, checked before any workload is built: each group's estimated footprint — the
//! workload's shared input, tasks and outputs, the runner's own bookkeeping per task, and the copy of the shared
//! input every worker process holds, and under an address-space limit the stack and allocator arena of every
//! thread its cells start — against the memory this process may still take. A group that does not fit
//! is refused in one line that names the largest size that would. A size the user did not ask for (the profile's
//! default, which grows with the last-level cache) is lowered to the largest that fits instead, with a notice: a
//! run with no flags on a large machine runs.

use ablate_workloads::{Registry, WorkloadConfig};

use crate::config::{ProfileKind, RunConfig};
use crate::error::HarnessError;
use crate::measure::memory::{self, Available};
use crate::plan::{Cell, Plan};
use crate::strategy::StrategyKind;
use crate::terminal::say;
use crate::units::bytes;

/// The runner's own memory per task while a cell executes: the boxed output and its slot, the task's time, and
/// the chunk logs they pass through.
const RUNNER_BYTES_PER_TASK: u64 = 64;

/// A size suggested (or a profile size lowered to) leaves this share of the available memory, one part in 64, for
/// what differs between runs: the process's own mappings, measured anew each time.
const SUGGESTION_SLACK: u64 = 64;

/// Warns, once per workload of `config`, of a workload that leaves its footprint to the assumption where the
/// assumption is in doubt (see [`Registry::assumed_footprint`]): the check below may then pass a size that does
/// not fit, or refuse one that does.
pub fn warn_assumed(config: &RunConfig, registry: &Registry) {
    for choice in &config.workloads {
        let Ok(description) = registry.describe(&choice.name) else { continue };
        let size = choice.sizes.first().copied().unwrap_or(match config.profile.kind {
            ProfileKind::Quick => description.quick_size,
            ProfileKind::Default => description.default_size,
        });
        let workload =
            WorkloadConfig { name: choice.name.clone(), size, seed: config.seed, params: choice.params.clone() };
        if let Ok(Some(doubt)) = registry.assumed_footprint(&workload) {
            say(format_args!("warning: {doubt}"));
        }
    }
}

/// The plan of `config`, refused in one line (a usage error) when a group would need more memory than this process
/// may still take: the one way from a configuration to the cells that a run or an A/B server measures, so that
/// the library's [`crate::runner::run`] refuses what the CLI refuses, before any workload is built.
pub fn plan(config: &RunConfig, registry: &Registry) -> Result<Plan, HarnessError> {
    let plan = Plan::new(config, registry)?;
    check(&plan, registry)?;
    Ok(plan)
}

/// Refuses the first group of `plan` that would need more memory than this process may still take.
fn check(plan: &Plan, registry: &Registry) -> Result<(), HarnessError> {
    match memory::available() {
        Some(available) => check_against(plan, registry, available),
        None => Ok(()),
    }
}

/// Lowers each workload's profile size (one the user did not give with `--size`) that would not fit to the
/// largest that does, and says so on stderr; sizes the user gave are left for [`plan`] to refuse.
pub fn fit_profile_sizes(config: &mut RunConfig, registry: &Registry) -> Result<(), HarnessError> {
    if let Some(available) = memory::available() {
        for notice in fit_profile_sizes_within(config, registry, available)? {
            say(format_args!("{notice}"));
        }
    }
    Ok(())
}

fn fit_profile_sizes_within(
    config: &mut RunConfig,
    registry: &Registry,
    available: Available,
) -> Result<Vec<String>, HarnessError> {
    let plan = Plan::new(config, registry)?;
    let mut notices = Vec::new();
    for choice in config.workloads.iter_mut().filter(|choice| choice.sizes.is_empty()) {
        let Some(group) = plan.groups.iter().find(|group| group.config.name == choice.name) else { continue };
        let need = group_bytes(registry, &group.config, &group.cells, available)?;
        if need <= available.bytes {
            continue;
        }
        if let Some(size) = largest_fitting_size(registry, &group.config, &group.cells, available) {
            let unit = registry.describe(&choice.name).map_or("", |d| d.size_unit);
            notices.push(format!(
                "{}'s default size {} {unit} would need about {} with these cells, more than the {} available ({}); \
                 running it at {size} {unit}, the largest that fits",
                choice.name,
                group.config.size,
                bytes(need as f64),
                bytes(available.bytes as f64),
                available.source,
            ));
            choice.sizes = vec![size];
        }
    }
    Ok(notices)
}

fn check_against(plan: &Plan, registry: &Registry, available: Available) -> Result<(), HarnessError> {
    for group in &plan.groups {
        let need = group_bytes(registry, &group.config, &group.cells, available)?;
        if need > available.bytes {
            return Err(too_large(registry, &group.config, &group.cells, need, available));
        }
    }
    Ok(())
}

/// What one group holds at its peak: the workload built in this process, and for every cell that runs in other
/// processes (all of a group's pools are started together) the shared input once more (encoded, or in its
/// memory file) and a copy of it with the scratch in each of its workers; and what every worker thread of the
/// group's pools takes of `available` besides (its stack and arena under an address-space limit).
fn group_bytes(
    registry: &Registry,
    config: &WorkloadConfig,
    cells: &[Cell],
    available: Available,
) -> Result<u64, HarnessError> {
    let footprint = registry.footprint(config)?;
    let elsewhere: Vec<&Cell> = cells.iter().filter(|c| c.strategy.runs_in_other_processes()).collect();
    let workers: u64 = elsewhere.iter().map(|c| c.workers as u64).sum();
    let pools = elsewhere.len() as u64;
    // Every parallel cell's workers are threads of this process (a pool's, or a process pool's readers).
    let threads: u64 = cells.iter().filter(|c| c.strategy != StrategyKind::Serial).map(|c| c.workers as u64).sum();
    Ok(footprint
        .in_one_process(RUNNER_BYTES_PER_TASK)
        .saturating_add(workers.saturating_mul(footprint.per_worker_process()))
        .saturating_add(pools.saturating_mul(footprint.shared_bytes))
        .saturating_add(available.threads.of(threads)))
}

/// The one-line refusal: the size, what it would need, what is available, and the largest size that fits.
fn too_large(
    registry: &Registry,
    config: &WorkloadConfig,
    cells: &[Cell],
    need: u64,
    available: Available,
) -> HarnessError {
    let params: Vec<String> = config.params.iter().map(|(key, value)| format!("{key}={value}")).collect();
    let with = if params.is_empty() { String::new() } else { format!(" with {}", params.join(", ")) };
    let unit = registry.describe(&config.name).map_or("", |d| d.size_unit);
    let fits = match largest_fitting_size(registry, config, cells, available) {
        Some(size) => format!("sizes up to --size {}={size} fit", config.name),
        None if params.is_empty() => "no size fits".to_owned(),
        None => format!("no size fits{with}: lower the parameters"),
    };
    HarnessError::Usage(format!(
        "workload '{}' at size {} {unit}{with} would need about {}, more than the {} available ({}); {fits}",
        config.name,
        config.size,
        bytes(need as f64),
        bytes(available.bytes as f64),
        available.source,
    ))
}

/// The largest size below `config.size` whose group fits in `available` bytes less a slack of one part in
/// [`SUGGESTION_SLACK`], by bisection (a footprint grows with the size); `None` when not even the smallest does,
/// because the parameters alone are too large.
fn largest_fitting_size(
    registry: &Registry,
    config: &WorkloadConfig,
    cells: &[Cell],
    available: Available,
) -> Option<u64> {
    let need = |size: u64| group_bytes(registry, &WorkloadConfig { size, ..config.clone() }, cells, available);
    // A size suggested is one a rerun, whose own use of memory differs a little, still finds fitting.
    let room = available.bytes - available.bytes / SUGGESTION_SLACK;
    // A size the workload refuses to build (too small for it) is no reason to look lower.
    let fits = |size: u64| need(size).map_or(true, |bytes| bytes <= room);
    let (mut low, mut high) = (0, config.size);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if fits(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    (low > 0 && need(low).is_ok_and(|bytes| bytes <= room)).then_some(low)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Profile, WorkloadChoice};
    use crate::measure::memory::ThreadCost;
    use ablate_workloads::Params;

    fn plan(workload: &str, size: u64, params: Params, strategies: Vec<StrategyKind>) -> Plan {
        let config = RunConfig {
            workloads: vec![WorkloadChoice { name: workload.into(), sizes: vec![size], params }],
            strategies,
            ..RunConfig::for_tests()
        };
        Plan::new(&config, &Registry::builtin()).unwrap()
    }

    const ONE_GIB: Available = Available { bytes: 1 << 30, source: "MemAvailable", threads: ThreadCost::NONE };

    #[test]
    fn a_group_that_fits_passes_and_one_that_does_not_names_the_size_that_would() {
        let registry = Registry::builtin();
        let small = plan("payload", 64 << 20, Params::new(), vec![StrategyKind::Serial]);
        check_against(&small, &registry, ONE_GIB).unwrap();
        let large = plan("payload", 4 << 30, Params::new(), vec![StrategyKind::Serial]);
        let err = check_against(&large, &registry, ONE_GIB).unwrap_err();
        assert_eq!(err.exit_code(), crate::exit::USAGE);
        let text = err.to_string();
        assert!(text.contains("'payload' at size 4294967296 bytes") && text.contains("(MemAvailable)"), "{text}");
        let fitting: u64 = text.rsplit_once("payload=").unwrap().1.split(' ').next().unwrap().parse().unwrap();
        assert!(fitting > 1 << 29 && fitting <= 1 << 30, "{text}");
        check_against(&plan("payload", fitting, Params::new(), vec![StrategyKind::Serial]), &registry, ONE_GIB)
            .unwrap();
    }

    #[test]
    fn worker_processes_count_a_copy_of_the_shared_input_each() {
        let registry = Registry::builtin();
        let in_process = plan("payload", 256 << 20, Params::new(), vec![StrategyKind::Threads]);
        check_against(&in_process, &registry, ONE_GIB).unwrap();
        let processes = plan("payload", 256 << 20, Params::new(), vec![StrategyKind::Process]);
        let err = check_against(&processes, &registry, ONE_GIB).unwrap_err().to_string();
        assert!(err.contains("would need about 1.50 GiB"), "1 + (1 + 2 workers) + 2 pools of 256 MiB: {err}");
    }

    #[test]
    fn a_profile_size_that_does_not_fit_is_lowered_and_a_given_size_is_left_to_be_refused() {
        let registry = Registry::builtin();
        let choice = |sizes: Vec<u64>| WorkloadChoice { name: "payload".into(), sizes, params: Params::new() };
        let mut config = RunConfig {
            workloads: vec![choice(Vec::new())],
            strategies: vec![StrategyKind::Serial, StrategyKind::Process],
            workers: vec![1, 2, 4, 8, 16],
            profile: Profile::DEFAULT,
            ..RunConfig::for_tests()
        };
        let tight = Available { bytes: 64 << 20, source: "MemAvailable", threads: ThreadCost::NONE };
        let notices = fit_profile_sizes_within(&mut config, &registry, tight).unwrap();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].contains("payload's default size") && notices[0].contains("largest that fits"),
            "{notices:?}"
        );
        let lowered = config.workloads[0].sizes[0];
        let default = registry.describe("payload").unwrap().default_size;
        assert!(lowered > 0 && lowered < default, "lowered to {lowered} from {default}");
        check_against(&Plan::new(&config, &registry).unwrap(), &registry, tight).unwrap();
        let too_large =
            Plan::new(&RunConfig { workloads: vec![choice(vec![lowered * 2])], ..config.clone() }, &registry);
        check_against(&too_large.unwrap(), &registry, tight).unwrap_err();

        let mut given = RunConfig { workloads: vec![choice(vec![default])], ..config };
        assert!(fit_profile_sizes_within(&mut given, &registry, tight).unwrap().is_empty());
        assert_eq!(given.workloads[0].sizes, vec![default], "a size the user gave is never changed");
    }

    #[test]
    fn item_27_7_under_an_address_space_limit_every_worker_thread_counts_its_stack_and_arena() {
        let registry = Registry::builtin();
        let limit = Available {
            bytes: 4_050_000_000,
            source: "the address-space limit (ulimit -v)",
            threads: ThreadCost { stack: 2 << 20, arena: 64 << 20, arenas: 127 },
        };
        let in_threads = || {
            let config = RunConfig {
                workloads: vec![WorkloadChoice {
                    name: "triad".into(),
                    sizes: vec![166_324_766],
                    params: Params::new(),
                }],
                strategies: vec![StrategyKind::Threads, StrategyKind::Rayon, StrategyKind::Crossbeam],
                workers: vec![16],
                ..RunConfig::for_tests()
            };
            Plan::new(&config, &registry).unwrap()
        };
        let err = check_against(&in_threads(), &registry, limit).unwrap_err().to_string();
        assert!(err.contains("(the address-space limit (ulimit -v))"), "{err}");
        let fitting: u64 = err.rsplit_once("triad=").unwrap().1.split(' ').next().unwrap().parse().unwrap();
        let threads_bytes = 48 * ((2 << 20) + (64 << 20));
        assert!(fitting * 24 <= limit.bytes - threads_bytes, "48 threads' stacks and arenas left out: {err}");
        check_against(&in_threads(), &registry, Available { threads: ThreadCost::NONE, ..limit }).unwrap();
    }

    #[test]
    fn parameters_too_large_at_any_size_are_named() {
        let lookups = Params::new().with("lookups", 99_999_999_999_999u64);
        let err =
            check_against(&plan("gather", 1024, lookups, vec![StrategyKind::Serial]), &Registry::builtin(), ONE_GIB)
                .unwrap_err()
                .to_string();
        assert!(err.contains("with lookups=99999999999999") && err.contains("no size fits"), "{err}");
    }
}
