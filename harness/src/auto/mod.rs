//! `--strategies auto`: choose a strategy, worker count and chunk size for each workload from a short pilot
//! (task cost and its spread, payload bytes, shared-input size) and the machine's cores, and say why.
//!
//! Workloads here are Rust: threads share memory at no cost and nothing serializes them, so the choice is among
//! the in-process strategies; worker processes would only add start-up and copying. Serial wins when there is
//! one core or too little work to pay for waking workers.

mod pilot;

use serde::{Deserialize, Serialize};

pub use pilot::{Pilot, pilot};

use crate::report::units::{bytes, duration_ns};
use crate::strategy::{Chunk, StrategyKind};

/// Below this much work in all, starting and joining workers costs more than it saves.
const MIN_PARALLEL_WORK_NS: f64 = 2_000_000.0;
/// Tasks shorter than this are cheap to hand out in blocks and costly to hand out one by one.
const TINY_TASK_NS: f64 = 20_000.0;
/// Task costs whose coefficient of variation passes this are uneven enough to need dynamic balancing.
const UNEVEN_CV: f64 = 0.3;
/// A shared input from this size up is worth naming as a reason to stay in one process.
const LARGE_SHARED_BYTES: u64 = 1 << 20;

/// What `auto` chose for one workload and size, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub strategy: StrategyKind,
    pub workers: usize,
    pub chunk: Chunk,
    pub reasons: Vec<String>,
    pub pilot: Pilot,
}

/// Chooses for the pilot's figures on a machine with `cores` logical cores.
pub fn decide(pilot: &Pilot, cores: usize) -> Decision {
    let total = pilot.mean_task_ns * pilot.tasks as f64;
    let choose = |strategy, workers, chunk, reason: String| Decision {
        strategy,
        workers,
        chunk,
        reasons: vec![reason],
        pilot: pilot.clone(),
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
    fn workers_never_exceed_tasks_or_cores() {
        let d = decide(&pilot(3, 10_000_000.0, 0.0, 0), 16);
        assert_eq!(d.workers, 3);
    }
}
