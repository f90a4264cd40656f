//! `auto` on a real job: the pilot, the finalists it leaves, their race on pools launched for it, and the
//! decision that records all three.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ablate_workloads::Kind;

use ablate_workloads::runtime::Job;

use super::race::{Budget, race};
use super::{Finalist, decide, finalists, pilot};
use crate::cancel::Cancel;
use crate::config::RunConfig;
use crate::decision::Decision;
use crate::error::HarnessError;
use crate::measure::paging;
use crate::strategy::{IgnoreProgress, Launch, Pinning, Pool, StrategyKind, Transport};
use crate::units::duration_ns;

/// Chooses a configuration for `job` under `config`: the pilot's rule first, then a race of the finalists within
/// `config.auto_budget` times the cell's expected timed work: its repetitions of serial, at the pilot's estimate
/// until the race has timed serial, at serial's measured time after. Each finalist's pool gets the profile's
/// warm-up executions before its first timed one, as a cell does: a fresh pool's first executions grow its
/// threads' heaps, and a race timing those would rank finalists on their start, not on what the cell measures.
pub fn choose(job: &Arc<dyn Job>, config: &RunConfig, cancel: &Cancel) -> Result<Decision, HarnessError> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let pilot = pilot(job.as_ref())?;
    let mut decision = decide(&pilot, cores);
    let memory_bound = job.description().kind == Kind::Memory;
    let entrants = finalists(&pilot, memory_bound, cores);
    if entrants.len() < 2 {
        return Ok(decision);
    }
    let budget = Budget {
        serial_executions: config.auto_budget * f64::from(config.profile.reps),
        serial_estimate_ns: pilot.mean_task_ns * pilot.tasks as f64,
        serial: entrants.iter().position(|finalist| finalist.strategy == StrategyKind::Serial),
    };
    let mut pools: Vec<Option<Box<dyn Pool>>> = entrants.iter().map(|_| None).collect();
    let mut page_faults: Vec<Vec<u64>> = entrants.iter().map(|_| Vec::new()).collect();
    let labels: Vec<String> = entrants.iter().map(Finalist::label).collect();
    let mut outcome = race(&labels, budget, config.order_seed, |i| {
        if pools[i].is_none() {
            pools[i] = Some(launch(&entrants[i], job, config, cancel).ok()?);
            for _ in 0..config.profile.warmup {
                pools[i].as_mut()?.execute(&IgnoreProgress).failure.is_none().then_some(())?;
            }
        }
        let pool = pools[i].as_mut()?;
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
    let rule = format!("{} ×{}", decision.strategy, decision.workers);
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
    decision.race = Some(outcome);
    Ok(decision)
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
        transport: Transport::Shm,
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
    use ablate_workloads::{Params, Registry, WorkloadConfig};

    fn run_config() -> RunConfig {
        RunConfig { auto: true, profile: Profile { reps: 3, ..Profile::QUICK }, ..RunConfig::for_tests() }
    }

    #[test]
    fn a_real_job_is_decided_by_a_race_of_its_finalists_that_the_decision_keeps() {
        let config =
            WorkloadConfig { name: "spin".into(), size: 64, seed: 1, params: Params::new().with("iters", 20_000) };
        let job = Registry::builtin().prepare(config).unwrap();
        let decision = choose(&job, &run_config(), &Cancel::new()).unwrap();
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
}
