//! The runner: turns a plan into measured cells, emitting events as it goes and knowing nothing of output.
//!
//! Groups (one workload at one size) run one after another, so only one workload's data is resident at a time and
//! peak RSS means something. Within a group, after warm-up, every round runs each cell once in a freshly shuffled
//! order, so slow drift of the machine hits every cell alike. The serial cell goes first in the very first round
//! (warm-up included), so every other execution can be checked against its digest as soon as it finishes. A
//! [`GroupSession`] is one group held open: a run drives its rounds, and `serve` lets an A/B gate drive it. Under a time limit per cell,
//! a cell that has used it sits out the rounds that are left.

mod cell_run;
pub mod group_input;
pub mod input_file;
pub mod serve;
mod task_events;

use std::sync::Arc;
use std::time::Instant;

use ablate_workloads::rng::Rng;
use ablate_workloads::runtime::Job;
use ablate_workloads::{Digest, Registry, WorkloadConfig};

use crate::auto::{self, Finalist};
use crate::cancel::Cancel;
use crate::config::RunConfig;
use crate::error::HarnessError;
use crate::events::{Event, Listener, Round};
use crate::footprint;
use crate::measure::machine::Machine;
use crate::measure::{free_pages, rss};
use crate::plan::{Cell, Group, Plan};
use crate::record::{CellRecord, RssScope, RunRecord};
use crate::stats::preempted::Timing;
use crate::strategy::SharedPool;
use cell_run::CellRun;

/// Runs every cell of `config` and returns the record; cells that fail are recorded as failed, not returned as
/// errors. Errors are for what stops the whole run: a workload that cannot be built, a pool that cannot start.
/// A cancellation (Ctrl-C) ends the run early with what was measured so far, and the record says so. The record
/// names `machine`, which the command detected once: the runner never reads the machine itself. Cancelling
/// `cancel` (Ctrl-C does) is the cancellation.
///
/// A size that does not fit in memory is refused before anything is built or started, with the error the CLI
/// gives: a [`HarnessError::Usage`] that names the size, what it would need, what is available, and the sizes
/// that fit.
pub fn run(
    config: &RunConfig,
    registry: &Registry,
    machine: &Machine,
    cancel: &Cancel,
    listener: &dyn Listener,
) -> Result<RunRecord, HarnessError> {
    run_plan(&footprint::plan(config, registry)?, config, registry, machine, cancel, listener)
}

/// Runs `plan`, which [`footprint::plan`] made of `config`, as [`run`] does: for a command that planned the
/// configuration (and so refused what does not fit) before its other checks.
pub(crate) fn run_plan(
    plan: &Plan,
    config: &RunConfig,
    registry: &Registry,
    machine: &Machine,
    cancel: &Cancel,
    listener: &dyn Listener,
) -> Result<RunRecord, HarnessError> {
    let rounds = config.profile.warmup + config.profile.reps;
    listener.on_event(&Event::RunStarted { cells: plan.cell_count(), executions: plan.cell_count() * rounds as usize });
    let rss_scope = if rss::reset_peak() { RssScope::PerRepetition } else { RssScope::ProcessLifetime };
    let mut order = Rng::new(config.order_seed);
    let mut cells = Vec::with_capacity(plan.cell_count());
    for group in &plan.groups {
        if cancel.is_cancelled() {
            break;
        }
        let measured = run_group(group, config, registry, cancel, listener, &mut order)?;
        listener.on_event(&Event::GroupMeasured { cells: &measured });
        cells.extend(measured);
    }
    Ok(RunRecord::new(config.clone(), machine.clone(), rss_scope, cells, cancel.is_cancelled()))
}

fn run_group(
    group: &Group,
    config: &RunConfig,
    registry: &Registry,
    cancel: &Cancel,
    listener: &dyn Listener,
    order: &mut Rng,
) -> Result<Vec<CellRecord>, HarnessError> {
    let mut session = GroupSession::open(group, config, registry, cancel, listener)?;
    let warmup = config.profile.warmup;
    for round in 0..config.profile.reps {
        for index in round_order(session.runs.len(), round == 0 && warmup == 0, order) {
            if cancel.is_cancelled() {
                break;
            }
            if session.runs[index].has_enough(&config.profile) {
                continue;
            }
            session.execute(index, (warmup + round, 0), Round::Timed(round), listener);
        }
    }
    Ok(session.close())
}

/// One group's cells, launched and warmed up, executed one at a time on request: what a run's rounds and an A/B
/// run's paired rounds both drive.
pub struct GroupSession {
    runs: Vec<CellRun>,
    reference: Option<Digest>,
    /// Free memory in single pages as the workload was built: see [`CellRecord::single_free_page_bytes`].
    single_free_page_bytes: Option<u64>,
}

impl GroupSession {
    /// Builds the group's workload, launches every cell's strategy, and runs the profile's warm-up rounds (serial
    /// first, so every later execution is checked against its digest). A strategy that cannot start its workers
    /// (the system refused a thread or process) fails its cell, not the run. Every pool gets `cancel`.
    ///
    /// The `auto` cell (always the group's last) is decided only once the fixed cells are launched and warmed up,
    /// so its race runs in the process state the cells are timed in: the same pools resident, the allocator's
    /// heaps already grown by every strategy's first executions. Raced earlier, in a fresh process, a workload
    /// that allocates its outputs can fault every page afresh in the race and reuse them in the cells, and the
    /// race then chooses on times the cells never see.
    ///
    /// The race times the fixed cells' own pools where it can, and the `auto` cell then runs on the pool of the
    /// fixed cell it chose, so the two are the same pool in the same state: a second `rayon` pool of the same
    /// configuration starts its threads on whatever heaps the allocator hands it, and on `blobs` ran 1.5× slower
    /// than the cell's, a difference of heaps that no choice can foresee.
    pub fn open(
        group: &Group,
        config: &RunConfig,
        registry: &Registry,
        cancel: &Cancel,
        listener: &dyn Listener,
    ) -> Result<Self, HarnessError> {
        let prepare = |workload: &WorkloadConfig| registry.prepare(workload.clone()).map_err(HarnessError::from);
        Self::open_with(group, config, prepare, cancel, listener)
    }

    /// Opens the group as [`GroupSession::open`] does, its workload prepared by `prepare` (an A/B server's may
    /// decode a cached shared input instead of making it).
    pub fn open_with(
        group: &Group,
        config: &RunConfig,
        prepare: impl FnOnce(&WorkloadConfig) -> Result<Arc<dyn Job>, HarnessError>,
        cancel: &Cancel,
        listener: &dyn Listener,
    ) -> Result<Self, HarnessError> {
        let (workload, size) = (group.config.name.as_str(), group.config.size);
        listener.on_event(&Event::Preparing { workload, size });
        let single_free_page_bytes = free_pages::single_free_page_bytes();
        let started = Instant::now();
        let job = prepare(&group.config)?;
        listener.on_event(&Event::Prepared { workload, size, tasks: job.task_count(), took: started.elapsed() });
        let (fixed, auto_cell) = match group.cells.split_last() {
            Some((last, fixed)) if last.auto => (fixed, Some(last)),
            _ => (group.cells.as_slice(), None),
        };
        let mut session =
            GroupSession { runs: Vec::with_capacity(group.cells.len()), reference: None, single_free_page_bytes };
        for cell in fixed {
            session.runs.push(launch(cell, &job, config, cancel, listener)?);
        }
        session.warm_up(0..session.runs.len(), config, cancel, listener);
        if let Some(cell) = auto_cell {
            let launched: Vec<(Finalist, SharedPool)> =
                session.runs.iter().filter_map(|run| Some((Finalist::of(run.cell())?, run.pool()?))).collect();
            let mut decision = auto::choose(&job, config, cancel, &launched)?;
            let decided = cell.decided(&decision);
            let chosen = Finalist::chosen_by(&decision);
            let twin = session.runs.iter().find(|run| Finalist::of(run.cell()) == Some(chosen) && run.pool().is_some());
            let run = match twin {
                Some(twin) => {
                    let why = match (decision.race.is_some(), decision.transport.is_some()) {
                        (false, _) => "",
                        (true, false) => {
                            ", the one the race timed: a second pool of it in this process would start from another heap"
                        }
                        (true, true) => {
                            ", the one the race timed: other workers would hold other copies of the shared input"
                        }
                    };
                    decision.reasons.push(format!("the cell runs on the pool of {}{why}", twin.id()));
                    CellRun::on_the_pool_of(&decided, twin)
                }
                None => launch(&decided, &job, config, cancel, listener)?,
            };
            listener.on_event(&Event::AutoDecided { cell: &decided, decision: &decision });
            session.runs.push(run.with_decision(Some(decision)));
            session.warm_up(session.runs.len() - 1..session.runs.len(), config, cancel, listener);
        }
        Ok(session)
    }

    /// The profile's warm-up rounds for the cells at `indices`.
    fn warm_up(
        &mut self,
        indices: std::ops::Range<usize>,
        config: &RunConfig,
        cancel: &Cancel,
        listener: &dyn Listener,
    ) {
        for round in 0..config.profile.warmup {
            for index in indices.clone() {
                if !cancel.is_cancelled() {
                    self.execute(index, (round, 0), Round::Warmup(round), listener);
                }
            }
        }
    }

    /// The ids of the group's cells, in plan order (serial first).
    pub fn cell_ids(&self) -> Vec<String> {
        self.runs.iter().map(CellRun::id).collect()
    }

    /// How many cells the session holds.
    pub fn cell_count(&self) -> usize {
        self.runs.len()
    }

    /// Executes cell `index` once as round `at.0` (try `at.1` of an A/B pair), checking its digest against
    /// serial's once that is known.
    pub fn execute(&mut self, index: usize, at: (u32, u32), label: Round, listener: &dyn Listener) {
        self.runs[index].execute(at, label, self.reference, listener);
        if index == 0 {
            self.reference = self.reference.or(self.runs[0].digest());
        }
    }

    /// The wall and CPU time of cell `index`'s last timed execution, or why it failed.
    pub fn last_timing(&self, index: usize) -> Result<Option<Timing>, String> {
        self.runs[index].last_timing()
    }

    /// The group's records, summarised against serial's median.
    pub fn close(self) -> Vec<CellRecord> {
        let serial_median = self.runs[0].median_wall_ns();
        let free = self.single_free_page_bytes;
        self.runs.into_iter().map(|run| run.into_record(serial_median, free)).collect()
    }
}

/// Launches `cell`'s strategy; a pool the system refused fails the cell, not the run.
fn launch(
    cell: &Cell,
    job: &Arc<dyn Job>,
    config: &RunConfig,
    cancel: &Cancel,
    listener: &dyn Listener,
) -> Result<CellRun, HarnessError> {
    match CellRun::launch(cell, job.clone(), config, cancel) {
        Ok(run) => Ok(run),
        Err(refused @ HarnessError::PoolStart { .. }) => {
            let reason = refused.to_string();
            listener.on_event(&Event::CellFailed { cell, reason: &reason });
            Ok(CellRun::unlaunched(cell, job.clone(), cancel, reason))
        }
        Err(e) => Err(e),
    }
}

/// A random permutation of the cells; in the first round the serial cell (index 0) leads.
pub fn round_order(cells: usize, serial_first: bool, rng: &mut Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cells).collect();
    for i in (1..cells).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    if serial_first && let Some(position) = order.iter().position(|&i| i == 0) {
        order.swap(0, position);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WorkloadChoice;
    use crate::events::Silent;
    use crate::record::CellStatus;
    use crate::strategy::StrategyKind;
    use ablate_workloads::Params;

    /// A run of `spin` at 20 tasks under serial and threads ×1 and ×2: one warm-up and two timed rounds.
    fn tiny_config() -> RunConfig {
        let mut config = RunConfig::for_tests();
        config.workloads = vec![WorkloadChoice { name: "spin".into(), sizes: vec![20], params: Params::new() }];
        config.strategies = vec![StrategyKind::Serial, StrategyKind::Threads];
        config.profile.warmup = 1;
        config.profile.reps = 2;
        config
    }

    #[test]
    fn the_record_names_the_machine_the_command_detected() {
        let machine = Machine::for_tests();
        let record = run(&tiny_config(), &Registry::builtin(), &machine, &Cancel::new(), &Silent).unwrap();
        assert_eq!(record.machine, machine, "the runner reads no machine of its own");
        assert!(record.cells.iter().all(|c| c.samples.len() == 2), "{:?}", record.failed_cells().collect::<Vec<_>>());
        assert!(!record.cancelled);
    }

    /// Cancels its token once the first timed execution has finished.
    struct CancelAfterFirstTimed(Cancel);

    impl Listener for CancelAfterFirstTimed {
        fn on_event(&self, event: &Event<'_>) {
            if let Event::CellFinished { round: Round::Timed(_), .. } = event {
                self.0.cancel();
            }
        }
    }

    #[test]
    fn cancelling_a_runs_token_stops_that_run_and_keeps_what_it_measured() {
        let cancel = Cancel::new();
        let listener = CancelAfterFirstTimed(cancel.clone());
        let record = run(&tiny_config(), &Registry::builtin(), &Machine::for_tests(), &cancel, &listener).unwrap();
        assert!(record.cancelled, "the record says the run was stopped");
        let measured: usize = record.cells.iter().map(|c| c.samples.len()).sum();
        assert_eq!(measured, 1, "the first timed execution kept, nothing after it ran");
        assert!(record.cells.iter().all(|c| c.samples.len() == 1 || c.status != CellStatus::Ok), "{record:?}");

        let untouched = run(&tiny_config(), &Registry::builtin(), &Machine::for_tests(), &Cancel::new(), &Silent);
        assert!(!untouched.unwrap().cancelled, "another run's token is its own");
    }

    /// Writes down, in order, which cells finished a warm-up and when `auto` decided.
    #[derive(Default)]
    struct Order(std::sync::Mutex<Vec<String>>);

    impl Listener for Order {
        fn on_event(&self, event: &Event<'_>) {
            let line = match event {
                Event::CellFinished { cell, round: Round::Warmup(_), .. } => format!("warm-up {}", cell.id),
                Event::AutoDecided { cell, .. } => format!("decided {}", cell.id),
                _ => return,
            };
            self.0.lock().unwrap().push(line);
        }
    }

    #[test]
    fn auto_races_after_the_fixed_cells_are_warmed_up_and_is_warmed_up_itself() {
        let config = RunConfig { auto: true, ..tiny_config() };
        let order = Order::default();
        let record = run(&config, &Registry::builtin(), &Machine::for_tests(), &Cancel::new(), &order).unwrap();
        let lines = order.0.into_inner().unwrap();
        let decided = lines.iter().position(|l| l.starts_with("decided")).expect("auto decided");
        let fixed = record.cells.iter().filter(|c| !c.id.ends_with("/auto")).count();
        assert_eq!(decided, fixed, "every fixed cell warmed up before the race: {lines:?}");
        assert!(lines[decided + 1..].iter().all(|l| l.starts_with("warm-up spin/20/auto")), "{lines:?}");
        assert_eq!(lines.len(), decided + 2, "the auto cell warmed up once, as the profile says: {lines:?}");
        assert_eq!(record.cells.last().map(|c| c.id.as_str()), Some("spin/20/auto"), "auto stays last");
    }

    #[test]
    fn auto_runs_on_the_pool_of_the_fixed_cell_it_chose() {
        let mut config = RunConfig { auto: true, ..tiny_config() };
        config.strategies =
            vec![StrategyKind::Serial, StrategyKind::Threads, StrategyKind::Rayon, StrategyKind::Crossbeam];
        let registry = Registry::builtin();
        let plan = Plan::new(&config, &registry).unwrap();
        let session = GroupSession::open(&plan.groups[0], &config, &registry, &Cancel::new(), &Silent).unwrap();
        let (auto_run, fixed) = session.runs.split_last().expect("cells");
        let chosen = auto_run.cell();
        let twin = fixed
            .iter()
            .find(|run| {
                (run.cell().strategy, run.cell().workers, run.cell().chunk)
                    == (chosen.strategy, chosen.workers, chosen.chunk)
            })
            .expect("every finalist of a CPU-bound workload is a fixed cell here");
        assert!(Arc::ptr_eq(&auto_run.pool().unwrap(), &twin.pool().unwrap()), "{} has a pool of its own", chosen.id);
        let shared = format!("runs on the pool of {}", twin.id());
        let records = session.close();
        let reasons = &records.last().and_then(|c| c.decision.as_ref()).expect("auto's decision").reasons;
        assert!(reasons.iter().any(|r| r.contains(&shared)), "{reasons:?}");
    }

    #[test]
    fn round_order_is_a_permutation_with_serial_first_when_asked() {
        let mut rng = Rng::new(3);
        for round in 0..50 {
            let order = round_order(7, round == 0, &mut rng);
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(sorted, (0..7).collect::<Vec<_>>());
            if round == 0 {
                assert_eq!(order[0], 0);
            }
        }
    }

    #[test]
    fn round_orders_vary_between_rounds() {
        let mut rng = Rng::new(3);
        let orders: std::collections::HashSet<Vec<usize>> = (0..20).map(|_| round_order(6, false, &mut rng)).collect();
        assert!(orders.len() > 10, "{orders:?}");
    }
}
