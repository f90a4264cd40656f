//! `auto` on a real job: the pilot, the finalists it leaves, their race — on the group's own pools where its
//! fixed cells launched them, on pools launched for it otherwise — and the decision that records all three.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use ablate_workloads::runtime::Job;

use super::race::{Budget, race};
use super::{Finalist, decide, finalists, pilot};
use crate::cancel::Cancel;
use crate::config::RunConfig;
use crate::decision::Decision;
use crate::error::HarnessError;
use crate::measure::paging;
use crate::strategy::{IgnoreProgress, Launch, Pinning, Pool, SharedPool, StrategyKind, Transport};
use crate::units::duration_ns;

/// Chooses a configuration for `job` under `config`: the pilot's rule first, then a race of the finalists within
/// `config.auto_budget` times the cell's expected timed work: its repetitions of serial, at the pilot's estimate
/// until the race has timed serial, at serial's measured time after. Each finalist's pool gets the profile's
/// warm-up executions before its first timed one, as a cell does: a fresh pool's first executions grow its
/// threads' heaps, and a race timing those would rank finalists on their start, not on what the cell measures.
///
/// A finalist that is in `launched` (the group's fixed cells, launched and warmed up) is timed on that pool: a
/// second pool of the same configuration in the same process is not the same thing to time — a new pool thread
/// takes whatever heap the allocator hands it (on `blobs`, a second `rayon` ×2 pool ran 1.5× slower than the
/// cell's) — and the cell is what the choice is compared with.
pub fn choose(
    job: &Arc<dyn Job>,
    config: &RunConfig,
    cancel: &Cancel,
    launched: &[(Finalist, SharedPool)],
) -> Result<Decision, HarnessError> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let pilot = pilot(job.as_ref())?;
    let mut decision = decide(&pilot, cores);
    let started: Vec<Finalist> = launched.iter().map(|(finalist, _)| *finalist).collect();
    let entrants = with_launched_processes(finalists(&pilot, job.description().kind, cores), &started);
    if entrants.len() < 2 {
        return Ok(decision);
    }
    let budget = Budget {
        serial_executions: config.auto_budget * f64::from(config.profile.reps),
        serial_estimate_ns: pilot.mean_task_ns * pilot.tasks as f64,
        serial: entrants.iter().position(|finalist| finalist.strategy == StrategyKind::Serial),
    };
    let mut pools: Vec<Option<SharedPool>> = entrants
        .iter()
        .map(|entrant| launched.iter().find(|(finalist, _)| finalist == entrant).map(|(_, pool)| pool.clone()))
        .collect();
    let mut page_faults: Vec<Vec<u64>> = entrants.iter().map(|_| Vec::new()).collect();
    let labels: Vec<String> = entrants.iter().map(Finalist::label).collect();
    let mut outcome = race(&labels, budget, config.order_seed, |i| {
        if pools[i].is_none() {
            let mut pool = launch(&entrants[i], job, config, cancel).ok()?;
            for _ in 0..config.profile.warmup {
                pool.execute(&IgnoreProgress).failure.is_none().then_some(())?;
            }
            pools[i] = Some(Arc::new(Mutex::new(pool)));
        }
        let mut pool = pools[i].as_ref()?.lock().unwrap_or_else(PoisonError::into_inner);
        let faults_before = paging::minor_faults();
        let started = Instant::now();
        let execution = pool.execute(&IgnoreProgress);
        let wall = started.elapsed().as_nanos() as f64;
        let faults = paging::minor_faults_since(faults_before);
        execution.failure.is_none().then(|| {
            page_faults[i].extend(faults);
            wall
        })
    });
    for (entrant, faults) in outcome.entrants.iter_mut().zip(page_faults) {
        if faults.len() == entrant.times_ns.len() {
            entrant.minor_page_faults = faults;
        }
    }
    let winner = entrants[outcome.winner];
    let rule = Finalist::chosen_by(&decision).label();
    let rule_reasons = std::mem::take(&mut decision.reasons);
    let spent = format!("{} finalists raced for {}", entrants.len(), duration_ns(outcome.spent_ns));
    if rule == winner.label() {
        decision.reasons.push(format!("the race confirmed the pilot's rule: {}", outcome.why));
        decision.reasons.extend(rule_reasons);
    } else {
        decision.reasons.push(format!("the race overruled the pilot's rule: {}", outcome.why));
        decision.reasons.push(format!("the rule would have chosen {rule}: {}", rule_reasons.join("; ")));
    }
    decision.reasons.push(spent);
    decision.strategy = winner.strategy;
    decision.workers = winner.workers;
    decision.chunk = winner.chunk;
    decision.transport = winner.transport;
    decision.race = Some(outcome);
    Ok(decision)
}

/// `entrants` and the worker-process pools of `launched` at the entrants' worker counts: started already, they
/// cost the race their executions only, and a worker's own copy of the shared input can read faster than the
/// parent's (module docs). `auto` launches no worker processes of its own.
fn with_launched_processes(mut entrants: Vec<Finalist>, launched: &[Finalist]) -> Vec<Finalist> {
    let counts: Vec<usize> = entrants.iter().map(|entrant| entrant.workers).collect();
    for finalist in launched {
        let raced = finalist.strategy == StrategyKind::Process && counts.contains(&finalist.workers);
        if raced && !entrants.contains(finalist) {
            entrants.push(*finalist);
        }
    }
    entrants
}

/// A pool for one finalist, launched as the run launches its cells.
fn launch(
    finalist: &Finalist,
    job: &Arc<dyn Job>,
    config: &RunConfig,
    cancel: &Cancel,
) -> Result<Box<dyn Pool>, HarnessError> {
    let pinning = if config.pin { Pinning::allowed_cpus() } else { Pinning::off() };
    finalist.strategy.launch(&Launch {
        job,
        workers: finalist.workers,
        chunk: finalist.chunk,
        transport: finalist.transport.unwrap_or(Transport::Shm),
        process: &config.process,
        chunk_target: Duration::from_nanos(config.chunk_target_ns),
        pinning: &pinning,
        cancel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Profile;
    use crate::strategy::{Chunk, Execution, TaskProgress};
    use ablate_workloads::{Params, Registry, WorkloadConfig};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn run_config() -> RunConfig {
        RunConfig { auto: true, profile: Profile { reps: 3, ..Profile::QUICK }, ..RunConfig::for_tests() }
    }

    #[test]
    fn a_real_job_is_decided_by_a_race_of_its_finalists_that_the_decision_keeps() {
        let config =
            WorkloadConfig { name: "spin".into(), size: 64, seed: 1, params: Params::new().with("iters", 20_000) };
        let job = Registry::builtin().prepare(config).unwrap();
        let decision = choose(&job, &run_config(), &Cancel::new(), &[]).unwrap();
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if cores < 2 {
            assert!(decision.race.is_none(), "one core: serial alone, nothing to race");
            return;
        }
        let race = decision.race.as_ref().expect("raced");
        let winner = &race.entrants[race.winner];
        assert_eq!(winner.label, format!("{} ×{}", decision.strategy, decision.workers));
        assert!(race.entrants.iter().any(|e| e.label == "serial ×1"), "serial is always a finalist");
        assert!(race.entrants.iter().all(|e| e.times_ns.len() >= 3), "the first rung completes: {race:?}");
        assert!(decision.reasons[0].starts_with("the race"), "{:?}", decision.reasons);
    }

    #[test]
    fn worker_processes_the_group_launched_race_at_the_finalists_worker_counts_only() {
        let entrants = vec![
            Finalist::in_process(StrategyKind::Serial, 1, Chunk::Auto),
            Finalist::in_process(StrategyKind::Crossbeam, 4, Chunk::Auto),
        ];
        let process = |workers, transport| Finalist {
            strategy: StrategyKind::Process,
            workers,
            chunk: Chunk::Auto,
            transport: Some(transport),
        };
        let launched = [
            Finalist::in_process(StrategyKind::Rayon, 4, Chunk::Auto),
            process(1, Transport::Shm),
            process(2, Transport::Shm),
            process(4, Transport::Regen),
            process(4, Transport::Regen),
        ];
        let labels: Vec<String> = with_launched_processes(entrants, &launched).iter().map(Finalist::label).collect();
        assert_eq!(
            labels,
            ["serial ×1", "crossbeam ×4", "process/shm ×1", "process/regen ×4"],
            "no in-process pool the pilot pruned, no worker count it left out, each configuration once"
        );
    }

    /// A pool that counts its executions.
    struct Counted {
        pool: Box<dyn Pool>,
        executions: Arc<AtomicUsize>,
    }

    impl Pool for Counted {
        fn execute(&mut self, progress: &dyn TaskProgress) -> Execution {
            self.executions.fetch_add(1, Ordering::SeqCst);
            self.pool.execute(progress)
        }
    }

    #[test]
    fn a_finalist_the_group_launched_is_timed_on_that_pool_and_not_warmed_up_again() {
        let config =
            WorkloadConfig { name: "spin".into(), size: 64, seed: 1, params: Params::new().with("iters", 20_000) };
        let job = Registry::builtin().prepare(config).unwrap();
        let serial = Finalist::in_process(StrategyKind::Serial, 1, Chunk::Auto);
        let executions = Arc::new(AtomicUsize::new(0));
        let pool = launch(&serial, &job, &run_config(), &Cancel::new()).unwrap();
        let counted: Box<dyn Pool> = Box::new(Counted { pool, executions: executions.clone() });
        let launched = [(serial, Arc::new(Mutex::new(counted)))];
        let decision = choose(&job, &run_config(), &Cancel::new(), &launched).unwrap();
        let Some(race) = decision.race else {
            assert_eq!(std::thread::available_parallelism().map_or(1, usize::from), 1, "only one core goes unraced");
            return;
        };
        let timed = race.entrants.iter().find(|e| e.label == "serial ×1").expect("serial races").times_ns.len();
        assert!(timed >= 3, "the first rung completes: {race:?}");
        assert_eq!(executions.load(Ordering::SeqCst), timed, "every timed run of serial was on the group's pool");
    }
}
