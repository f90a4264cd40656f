//! `--strategies auto`: choose a strategy, worker count and chunk size for each workload, and say why. A short
//! pilot (task cost and its spread, payload bytes, shared-input size) and the machine's cores give a first choice
//! by rule and prune the candidates; the few finalists — serial always among them — then race on real executions
//! ([`race`]), and the measured winner is the choice.
//!
//! Workloads here are Rust: threads share memory at no cost and nothing serializes them, so the rule's choice and
//! the finalists it launches are in-process. Worker processes the group already launched for its fixed cells race
//! too, at the finalists' worker counts: each holds its own copy of the shared input, in pages the kernel placed
//! apart from the parent's, and on `gather` on a virtual machine that placement alone made `process` ×1 0.74×
//! serial's time (README, "Where the input's pages are"). Only a race can see that; no pilot rule can.

mod measured;
mod pilot;
pub mod race;

pub use measured::choose;
pub use pilot::pilot;

use ablate_workloads::Kind;

use crate::decision::{Decision, Pilot, TINY_TASK_NS};
use crate::plan::{Cell, is_naive};
use crate::strategy::{Chunk, StrategyKind, Transport};
use crate::units::{bytes, duration_ns};

/// Below this much work in all, starting and joining workers costs more than it saves.
const MIN_PARALLEL_WORK_NS: f64 = 2_000_000.0;
/// Task costs whose coefficient of variation passes this are uneven enough to need dynamic balancing.
const UNEVEN_CV: f64 = 0.3;
/// A shared input from this size up is worth naming as a reason to stay in one process.
const LARGE_SHARED_BYTES: u64 = 1 << 20;

/// One configuration `auto` may choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finalist {
    pub strategy: StrategyKind,
    pub workers: usize,
    pub chunk: Chunk,
    /// How the shared input reaches worker processes; `None` in process.
    pub transport: Option<Transport>,
}

impl Finalist {
    /// A configuration that runs in this process.
    pub fn in_process(strategy: StrategyKind, workers: usize, chunk: Chunk) -> Self {
        Finalist { strategy, workers, chunk, transport: None }
    }

    /// The configuration `decision` chose.
    pub fn chosen_by(decision: &Decision) -> Self {
        let Decision { strategy, workers, chunk, transport, .. } = *decision;
        Finalist { strategy, workers, chunk, transport }
    }

    /// `rayon ×2`, `process/shm ×2`.
    pub fn label(&self) -> String {
        match self.transport {
            Some(transport) => format!("{}/{} ×{}", self.strategy, transport.name(), self.workers),
            None => format!("{} ×{}", self.strategy, self.workers),
        }
    }

    /// The configuration a fixed cell runs, when it is one `auto` may choose: an in-process strategy, or worker
    /// processes other than the naive pool (the baseline `auto` is compared with, not a choice).
    pub fn of(cell: &Cell) -> Option<Finalist> {
        let choosable = match cell.strategy {
            StrategyKind::Serial | StrategyKind::Threads | StrategyKind::Rayon | StrategyKind::Crossbeam => {
                cell.transport.is_none()
            }
            StrategyKind::Process => !is_naive(cell.strategy, cell.chunk, cell.transport),
            StrategyKind::Mpi => false,
        };
        (choosable && !cell.auto).then_some(Finalist {
            strategy: cell.strategy,
            workers: cell.workers,
            chunk: cell.chunk,
            transport: cell.transport,
        })
    }
}

/// The configurations worth racing, by the pilot's figures on `cores` cores for work of `kind`: serial; the rule's
/// choice ([`decide`]); the other in-process strategies at every core (a static split only when task costs are
/// even); for work that is not CPU-bound the same at one worker, since a pool thread allocates apart from the
/// main thread (its own heap, trimmed or reused on its own schedule); and for memory-bound work at fewer workers
/// too — powers of two below the cores — since bandwidth may stop growing before the cores run out.
pub fn finalists(pilot: &Pilot, kind: Kind, cores: usize) -> Vec<Finalist> {
    let serial = Finalist::in_process(StrategyKind::Serial, 1, Chunk::Auto);
    let rule = decide(pilot, cores);
    let mut finalists = vec![serial, Finalist::in_process(rule.strategy, rule.workers, rule.chunk)];
    let workers = cores.min(pilot.tasks);
    if workers > 1 {
        let mut counts = vec![workers];
        if kind != Kind::Cpu {
            counts.push(1);
        }
        if kind == Kind::Memory {
            counts.extend((1..).map(|k| 1usize << k).take_while(|&w| w < workers));
        }
        for w in counts {
            let mut kinds = vec![StrategyKind::Crossbeam, StrategyKind::Rayon];
            if pilot.task_cv <= UNEVEN_CV {
                kinds.push(StrategyKind::Threads);
            }
            finalists.extend(kinds.into_iter().map(|strategy| Finalist::in_process(strategy, w, Chunk::Auto)));
        }
    }
    let mut unique = Vec::new();
    for finalist in finalists {
        if !unique.contains(&finalist) {
            unique.push(finalist);
        }
    }
    unique
}

/// Chooses for the pilot's figures on a machine with `cores` logical cores.
pub fn decide(pilot: &Pilot, cores: usize) -> Decision {
    let total = pilot.mean_task_ns * pilot.tasks as f64;
    let choose = |strategy, workers, chunk, reason: String| Decision {
        strategy,
        workers,
        chunk,
        transport: None,
        reasons: vec![reason],
        pilot: pilot.clone(),
        race: None,
    };
    let mut decision = if cores <= 1 {
        choose(StrategyKind::Serial, 1, Chunk::Auto, "one core: nothing can run beside anything else".into())
    } else if pilot.tasks <= 1 {
        choose(StrategyKind::Serial, 1, Chunk::Auto, "one task: nothing to split".into())
    } else if total < MIN_PARALLEL_WORK_NS {
        let reason = format!("{} of work in all: less than waking workers costs", duration_ns(total));
        choose(StrategyKind::Serial, 1, Chunk::Auto, reason)
    } else {
        let workers = cores.min(pilot.tasks);
        if pilot.task_cv > UNEVEN_CV {
            let reason = format!(
                "task costs vary (coefficient of variation {:.2} over {} pilot tasks): a shared queue keeps every \
                 worker busy where a static split would leave some idle",
                pilot.task_cv, pilot.sampled
            );
            choose(StrategyKind::Crossbeam, workers, Chunk::Auto, reason)
        } else if pilot.mean_task_ns < TINY_TASK_NS {
            let reason = format!(
                "tiny, even tasks ({} each): one block per worker, no per-task hand-out",
                duration_ns(pilot.mean_task_ns)
            );
            choose(StrategyKind::Threads, workers, Chunk::Auto, reason)
        } else {
            let reason = format!(
                "even tasks of {}: a shared queue with adaptive chunks, so a busy core cannot hold the others back",
                duration_ns(pilot.mean_task_ns),
            );
            choose(StrategyKind::Crossbeam, workers, Chunk::Auto, reason)
        }
    };
    if decision.strategy != StrategyKind::Serial {
        let why = if pilot.shared_bytes >= LARGE_SHARED_BYTES {
            format!(
                "threads share the {} shared input in place; worker processes would each have to map and load it",
                bytes(pilot.shared_bytes as f64)
            )
        } else {
            "nothing here needs its own address space, and every dispatch to a process is a pipe round trip".into()
        };
        decision.reasons.push(format!("threads, not processes: {why}"));
    }
    decision
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pilot(tasks: usize, mean_task_ns: f64, task_cv: f64, shared_bytes: u64) -> Pilot {
        Pilot { tasks, sampled: tasks.min(16), mean_task_ns, task_cv, task_bytes: 8.0, shared_bytes }
    }

    #[test]
    fn tiny_even_tasks_go_to_threads_in_one_block_per_worker() {
        let d = decide(&pilot(100_000, 200.0, 0.05, 0), 8);
        assert_eq!((d.strategy, d.workers, d.chunk), (StrategyKind::Threads, 8, Chunk::Auto));
        assert!(d.reasons[0].contains("tiny"), "{:?}", d.reasons);
    }

    #[test]
    fn uneven_or_longer_tasks_go_to_a_shared_queue_with_adaptive_chunks() {
        let d = decide(&pilot(400, 50_000.0, 1.2, 0), 2);
        assert_eq!((d.strategy, d.workers, d.chunk), (StrategyKind::Crossbeam, 2, Chunk::Auto));
        assert!(d.reasons[0].contains("vary"), "{:?}", d.reasons);
        let even = decide(&pilot(640, 50_000.0, 0.1, 0), 4);
        assert_eq!((even.strategy, even.chunk), (StrategyKind::Crossbeam, Chunk::Auto));
    }

    #[test]
    fn a_large_shared_input_stays_in_process() {
        let d = decide(&pilot(64, 400_000.0, 0.1, 256 << 20), 16);
        assert_ne!(d.strategy, StrategyKind::Process);
        assert_ne!(d.strategy, StrategyKind::Serial);
        assert!(d.reasons.iter().any(|r| r.contains("256.0 MiB")), "{:?}", d.reasons);
    }

    #[test]
    fn one_core_one_task_or_too_little_work_is_serial() {
        assert_eq!(decide(&pilot(1000, 50_000.0, 0.1, 0), 1).strategy, StrategyKind::Serial);
        assert_eq!(decide(&pilot(1, 9e9, 0.0, 0), 8).strategy, StrategyKind::Serial);
        let small = decide(&pilot(10, 1_000.0, 0.0, 0), 8);
        assert_eq!((small.strategy, small.workers), (StrategyKind::Serial, 1));
        assert!(small.reasons[0].contains("less than waking workers"), "{:?}", small.reasons);
    }

    #[test]
    fn the_finalists_are_serial_the_rules_choice_and_the_alternatives() {
        let even = finalists(&pilot(640, 50_000.0, 0.1, 0), Kind::Cpu, 4);
        let labels: Vec<String> = even.iter().map(Finalist::label).collect();
        assert_eq!(labels, ["serial ×1", "crossbeam ×4", "rayon ×4", "threads ×4"]);
        let uneven = finalists(&pilot(640, 50_000.0, 1.2, 0), Kind::Cpu, 4);
        assert!(uneven.iter().all(|f| f.strategy != StrategyKind::Threads), "no static split of uneven tasks");
        let memory = finalists(&pilot(640, 50_000.0, 0.1, 0), Kind::Memory, 8);
        let counts: Vec<usize> =
            memory.iter().filter(|f| f.strategy == StrategyKind::Crossbeam).map(|f| f.workers).collect();
        assert_eq!(counts, [8, 1, 2, 4], "one pool thread's heap, and bandwidth may stop growing before the cores do");
        let mixed = finalists(&pilot(640, 50_000.0, 1.2, 0), Kind::Mixed, 2);
        let labels: Vec<String> = mixed.iter().map(Finalist::label).collect();
        assert_eq!(labels, ["serial ×1", "crossbeam ×2", "rayon ×2", "crossbeam ×1", "rayon ×1"]);
        assert_eq!(finalists(&pilot(1000, 50_000.0, 0.1, 0), Kind::Cpu, 1).len(), 1, "one core: serial alone");
    }

    #[test]
    fn workers_never_exceed_tasks_or_cores() {
        let d = decide(&pilot(3, 10_000_000.0, 0.0, 0), 16);
        assert_eq!(d.workers, 3);
    }
}
