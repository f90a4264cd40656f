use ablate_workloads::Kind;

use super::*;
use crate::record::WorkerCpu;
use crate::strategy::StrategyKind::{Process, Rayon, Serial, Threads};
use crate::verdict::fixtures::{cell, walls};

/// `cell` with every sample's wall time and workers' counters (ran, waited) in milliseconds, `others` cores of
/// other processes' load meanwhile.
fn with_workers(mut cell: CellRecord, wall_ms: f64, workers: &[(f64, f64)], others: f64) -> CellRecord {
    for (i, s) in cell.samples.iter_mut().enumerate() {
        let jitter = 1.0 + 0.01 * (i % 3) as f64;
        s.wall_ns = (wall_ms * 1e6 * jitter) as u64;
        s.others_cpu_ns = Some((s.wall_ns as f64 * others) as u64);
        s.worker_cpu = workers
            .iter()
            .map(|&(ran, waited)| WorkerCpu { ran_ns: (ran * 1e6 * jitter) as u64, waited_ns: (waited * 1e6) as u64 })
            .collect();
    }
    cell
}

fn at(strategy: StrategyKind, workers: usize) -> CellRecord {
    cell("w", Kind::Cpu, strategy, workers, &walls(1e6, 0.0, 9))
}

fn wall_efficiency(cell: &CellRecord, serial: &CellRecord) -> f64 {
    median(&serial.walls()).unwrap() / median(&cell.walls()).unwrap() / cell.workers as f64
}

/// The issue's own case: one other process spinning, serial got half a core (312 ms wall for 166 ms of CPU),
/// the 2 worker processes most of theirs; the wall clock says efficiency 1.5, the load-proof figure about 0.9,
/// and the wall-clock figure is doubted with both shares named.
#[test]
fn unequal_shares_doubt_the_wall_clock_and_the_load_proof_figure_does_not_move() {
    let busy_serial = with_workers(at(Serial, 1), 312.0, &[(166.0, 146.0)], 1.0);
    let busy_cell = with_workers(at(Process, 2), 101.0, &[(88.0, 10.0), (88.0, 10.0)], 1.0);
    let wall = wall_efficiency(&busy_cell, &busy_serial);
    assert!(wall > 1.5, "{wall}");
    let doubt = wall_clock_doubt(&busy_cell, &busy_serial, 2, wall).expect("doubted").describe();
    assert!(doubt.contains("serial got 0.53 of a CPU") && doubt.contains("workers 0.90"), "{doubt}");
    assert!(doubt.contains("other processes used 1.0 of 2 cores"), "{doubt}");
    let busy = of_cell(&busy_cell, &busy_serial, 2, 0.95).unwrap();

    let quiet_serial = with_workers(at(Serial, 1), 166.0, &[(166.0, 0.0)], 0.0);
    let quiet_cell = with_workers(at(Process, 2), 91.0, &[(88.0, 0.0), (88.0, 0.0)], 0.0);
    let wall = wall_efficiency(&quiet_cell, &quiet_serial);
    assert_eq!(wall_clock_doubt(&quiet_cell, &quiet_serial, 2, wall), None);
    let quiet = of_cell(&quiet_cell, &quiet_serial, 2, 0.95).unwrap();
    assert!((busy.efficiency - quiet.efficiency).abs() < 0.01, "busy {busy:?} quiet {quiet:?}");
    assert!((quiet.efficiency - wall).abs() < 0.01, "on a quiet machine the two agree: {quiet:?} {wall}");
    assert!((busy.work_inflation - 176.0 / 166.0).abs() < 0.01, "{busy:?}");
    assert!(busy.interval.low <= busy.efficiency && busy.efficiency <= busy.interval.high, "{busy:?}");
}

/// A static split keeps its imbalance and loses the waiting: worker 2 holds 3/4 of the work, and whether it
/// waited for a CPU or not, the efficiency is 200 / (2 × 150).
#[test]
fn a_static_split_is_judged_on_its_busiest_worker_whatever_it_waited() {
    let serial = with_workers(at(Serial, 1), 200.0, &[(200.0, 0.0)], 0.0);
    let quiet = with_workers(at(Threads, 2), 150.0, &[(50.0, 0.0), (150.0, 0.0)], 0.0);
    let busy = with_workers(at(Threads, 2), 300.0, &[(50.0, 0.0), (150.0, 150.0)], 1.0);
    let (quiet, busy) = (of_cell(&quiet, &serial, 2, 0.95).unwrap(), of_cell(&busy, &serial, 2, 0.95).unwrap());
    assert!((quiet.efficiency - 200.0 / 300.0).abs() < 0.01, "{quiet:?}");
    assert!((busy.efficiency - quiet.efficiency).abs() < 0.01, "{busy:?}");
    assert!((busy.idle - 1.0 / 3.0).abs() < 0.01, "50 of 300 worker-ms of the dedicated run idle: {busy:?}");
    assert!((busy.work_inflation - 1.0).abs() < 0.01, "{busy:?}");
}

/// Under a dynamic schedule the worker that got less of a core takes fewer tasks: per-worker times move with
/// the load, the wall time scaled by the share the workers got does not.
#[test]
fn a_dynamic_schedule_is_judged_on_its_wall_time_at_the_share_it_got() {
    let serial = with_workers(at(Serial, 1), 200.0, &[(200.0, 0.0)], 0.0);
    let quiet = with_workers(at(Rayon, 2), 100.0, &[(100.0, 0.0), (100.0, 0.0)], 0.0);
    let busy = with_workers(at(Rayon, 2), 133.3, &[(133.3, 0.0), (66.7, 66.7)], 1.0);
    let (quiet, busy) = (of_cell(&quiet, &serial, 2, 0.95).unwrap(), of_cell(&busy, &serial, 2, 0.95).unwrap());
    assert!((quiet.efficiency - 1.0).abs() < 0.01, "{quiet:?}");
    assert!((busy.efficiency - 1.0).abs() < 0.01, "{busy:?}");
    assert!((busy.share - 0.75).abs() < 0.01, "{busy:?}");
}

#[test]
fn a_cpu_bound_efficiency_above_linear_is_doubted_even_when_the_shares_agree() {
    let serial = with_workers(at(Serial, 1), 200.0, &[(200.0, 0.0)], 0.0);
    let fast = with_workers(at(Rayon, 2), 80.0, &[(80.0, 0.0), (80.0, 0.0)], 0.0);
    let doubt =
        wall_clock_doubt(&fast, &serial, 2, wall_efficiency(&fast, &serial)).expect("1.25 is doubted").describe();
    assert!(doubt.contains("more than linear"), "{doubt}");
    let mut memory = fast.clone();
    memory.kind = Kind::Memory;
    assert_eq!(wall_clock_doubt(&memory, &serial, 2, 1.25), None, "memory-bound cells are judged on throughput");
}

/// A record from before the counters were kept: no load-proof figure, and the others' load still doubts it.
#[test]
fn without_counters_there_is_no_load_proof_figure_and_the_load_still_doubts() {
    let mut serial = at(Serial, 1);
    let mut parallel = at(Rayon, 2);
    for s in serial.samples.iter_mut().chain(parallel.samples.iter_mut()) {
        s.others_cpu_ns = Some(s.wall_ns);
    }
    assert_eq!(of_cell(&parallel, &serial, 2, 0.95), None);
    let doubt = wall_clock_doubt(&parallel, &serial, 2, 0.5).expect("busy").describe();
    assert!(doubt.starts_with("measured on a busy machine"), "{doubt}");
    assert_eq!(wall_clock_doubt(&at(Rayon, 2), &at(Serial, 1), 2, 0.5), None, "quiet, no counters: no doubt");
}

#[test]
fn more_workers_than_cores_have_no_load_proof_figure() {
    let serial = with_workers(at(Serial, 1), 200.0, &[(200.0, 0.0)], 0.0);
    let over = with_workers(at(Rayon, 4), 100.0, &[(50.0, 50.0); 4], 0.0);
    assert_eq!(of_cell(&over, &serial, 2, 0.95), None);
    assert!(of_cell(&over, &serial, 4, 0.95).is_some());
}
