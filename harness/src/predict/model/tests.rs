use std::time::Duration;

use ablate_workloads::Kind;

use super::*;
use crate::measure::task_costs::TaskCosts;
use crate::predict::profile::{PROFILE_VERSION, ThreadsGbps, ThreadsSpeed};
use crate::strategy::StrategyKind::{Crossbeam, Process, Serial, Threads};
use crate::verdict::fixtures::cell;

fn machine(logical: usize, physical: Option<usize>, smt_yield: Option<f64>, stream: &[(usize, f64)]) -> MachineProfile {
    MachineProfile {
        profile_version: PROFILE_VERSION,
        fingerprint: "target".into(),
        cpu_model: "cpu".into(),
        logical_cores: logical,
        physical_cores: physical,
        numa_nodes: None,
        last_level_cache_bytes: None,
        stream_gbps: stream.iter().map(|&(threads, gbps)| ThreadsGbps { threads, gbps }).collect(),
        random_gbps: Vec::new(),
        smt_yield,
        cpu_kernel_ns: None,
        core_speed: vec![ThreadsSpeed { threads: 1, relative: 1.0 }, ThreadsSpeed { threads: 64, relative: 1.0 }],
        thread_wake_ns: None,
        process_spawn_ns: None,
        pipe_round_trip_ns: None,
        source: "crafted".into(),
    }
}

/// A serial cell whose tasks cost `costs` ns, its wall time their sum.
fn serial(kind: Kind, costs: &[u64]) -> CellRecord {
    let total: u64 = costs.iter().sum();
    let mut serial = cell("w", kind, Serial, 1, &[total as f64; 5]);
    serial.task_costs =
        Some(TaskCosts { executions: 5, tasks_per_entry: 1, tasks: costs.len() as u64, ns: costs.to_vec() });
    serial
}

fn strategy(kind: StrategyKind, one_worker: Option<&CellRecord>) -> Strategy<'_> {
    Strategy { kind, chunk: Chunk::Auto, chunk_target: Duration::from_micros(200), one_worker }
}

#[test]
fn even_cpu_tasks_on_cores_of_their_own_scale_and_lose_nothing() {
    let serial = serial(Kind::Cpu, &[100_000; 2000]);
    let workload = Workload::of(&serial).unwrap();
    let p = predict(&workload, &strategy(Crossbeam, None), 16, &machine(16, Some(16), None, &[]), Some(1.0));
    assert!((p.efficiency - 1.0).abs() < 0.01, "{p:?}");
    assert!(p.low <= p.efficiency && p.efficiency <= p.high && p.high - p.low < 0.15, "{p:?}");
    assert_eq!(p.loss, Loss::None);
}

/// Tasks that grow along the index: the last of 16 static blocks holds far more than 1/16 of the work.
#[test]
fn a_sorted_heavy_tail_collapses_a_static_split_and_not_a_queue() {
    let costs: Vec<u64> = (0..1600).map(|i| if i >= 1400 { 400_000 } else { 10_000 }).collect();
    let serial = serial(Kind::Cpu, &costs);
    let workload = Workload::of(&serial).unwrap();
    let target = machine(16, Some(16), None, &[]);
    let blocks = predict(&workload, &strategy(Threads, None), 16, &target, Some(1.0));
    assert!(blocks.high < 0.7, "{blocks:?}");
    let Loss::Imbalance { busiest_share, static_split: true } = blocks.loss else { panic!("{:?}", blocks.loss) };
    assert!((busiest_share - 100.0 * 400_000.0 / 94_000_000.0).abs() < 0.01, "{busiest_share}");
    assert!(
        blocks.loss.describe(16).starts_with("static split: the heaviest block holds"),
        "{}",
        blocks.loss.describe(16)
    );
    let queue = predict(&workload, &strategy(Crossbeam, None), 16, &target, Some(1.0));
    assert!(queue.efficiency > 0.75 && queue.low > blocks.high, "a queue evens the tail out: {queue:?}");
}

/// A triad-like kernel: all of serial's time is memory traffic; 10 GB/s on one thread, 40 at 8 and beyond, so
/// 16 workers are at most 4 times faster: efficiency 0.25.
#[test]
fn a_bandwidth_bound_kernel_is_held_to_the_bandwidth_at_n() {
    let mut serial = serial(Kind::Memory, &[1_000_000; 100]);
    serial.bytes_touched = Some(1_000_000_000);
    let workload = Workload::of(&serial).unwrap();
    let target = machine(16, Some(16), None, &[(1, 10.0), (8, 40.0), (16, 40.0)]);
    let p = predict(&workload, &strategy(Crossbeam, None), 16, &target, Some(1.0));
    assert!((p.efficiency - 0.25).abs() < 0.01, "{p:?}");
    assert!(matches!(p.loss, Loss::Bandwidth { .. }), "{:?}", p.loss);
    assert!(p.low < 0.25 && p.high > 0.25, "the bandwidth share widens it: {p:?}");
}

/// 16 workers on 8 cores whose two siblings yield 1.2 of one thread: each worker runs at 0.6.
#[test]
fn smt_siblings_share_a_core_beyond_the_physical_cores() {
    let serial = serial(Kind::Cpu, &[100_000; 3200]);
    let workload = Workload::of(&serial).unwrap();
    let target = machine(16, Some(8), Some(1.2), &[]);
    let at_8 = predict(&workload, &strategy(Crossbeam, None), 8, &target, Some(1.0));
    assert!((at_8.efficiency - 1.0).abs() < 0.01, "{at_8:?}");
    let at_16 = predict(&workload, &strategy(Crossbeam, None), 16, &target, Some(1.0));
    assert!((at_16.efficiency - 0.6).abs() < 0.01, "{at_16:?}");
    assert_eq!(at_16.loss, Loss::Smt { physical: 8, smt_yield: 1.2 });
    let unknown = predict(&workload, &strategy(Crossbeam, None), 16, &machine(16, None, None, &[]), Some(1.0));
    assert!(unknown.low <= 0.5 + 1e-9 && unknown.high >= 0.95, "unknown cores and yield widen it: {unknown:?}");
}

/// A process cell at one worker that took 20 µs per task more than serial: 1 µs tasks drown in round trips.
#[test]
fn a_round_trip_per_chunk_is_measured_at_one_worker_and_charged_at_n() {
    let serial = serial(Kind::Cpu, &[1_000; 1000]);
    let mut one = cell("w", Kind::Cpu, Process, 1, &[1_000_000.0 + 1000.0 * 20_000.0; 5]);
    one.chunk = Chunk::Fixed(1);
    let workload = Workload::of(&serial).unwrap();
    let process =
        Strategy { kind: Process, chunk: Chunk::Fixed(1), chunk_target: Duration::ZERO, one_worker: Some(&one) };
    let p = predict(&workload, &process, 8, &machine(8, Some(8), None, &[]), Some(1.0));
    assert!((p.efficiency - 1.0 / 21.0).abs() < 0.01, "{p:?}");
    assert!(p.loss.describe(8).starts_with("a pipe round trip of 20.0 µs per 1.0 µs chunk"), "{}", p.loss.describe(8));
}

#[test]
fn workers_fill_cores_before_siblings_and_crowd_beyond_the_logical_cores() {
    assert_eq!(worker_speeds(4, 8, 16, 1.2), vec![1.0; 4]);
    assert_eq!(worker_speeds(10, 8, 16, 1.2), [vec![0.6, 0.6], vec![1.0; 6], vec![0.6, 0.6]].concat());
    assert_eq!(worker_speeds(4, 2, 2, 1.0), vec![0.5; 4]);
}

#[test]
fn blocked_costs_are_spread_over_their_tasks() {
    let mut serial = serial(Kind::Cpu, &[]);
    serial.task_costs = Some(TaskCosts { executions: 1, tasks_per_entry: 3, tasks: 7, ns: vec![30, 30, 10] });
    let workload = Workload::of(&serial).unwrap();
    assert_eq!(workload.costs, vec![10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]);
    let mut old = serial.clone();
    old.task_costs = None;
    assert!(Workload::of(&old).is_none());
}

/// Worker processes whose parent spends 50 µs of its own on each of 100 one-task chunks: 8 workers cannot go
/// faster than the parent's 5 ms, whatever their tasks' 10 ms divide into.
#[test]
fn every_chunk_passing_through_the_parent_bounds_worker_processes() {
    use crate::record::WorkerCpu;
    let serial = serial(Kind::Cpu, &[100_000; 100]);
    let mut one = cell("w", Kind::Cpu, Process, 1, &[10_000_000.0 + 100.0 * 50_000.0; 5]);
    one.chunk = Chunk::Fixed(1);
    for s in &mut one.samples {
        s.worker_cpu = vec![WorkerCpu { ran_ns: 10_000_000, waited_ns: 0 }];
        s.driver_cpu = Some(WorkerCpu { ran_ns: 100 * 50_000, waited_ns: 0 });
    }
    let workload = Workload::of(&serial).unwrap();
    let process =
        Strategy { kind: Process, chunk: Chunk::Fixed(1), chunk_target: Duration::ZERO, one_worker: Some(&one) };
    let p = predict(&workload, &process, 8, &machine(8, Some(8), None, &[]), Some(1.0));
    assert!((p.efficiency - 10.0 / (8.0 * 5.0)).abs() < 0.01, "{p:?}");
    assert_eq!(p.loss, Loss::Parent { chunks: 100, per_chunk_ns: 50_000.0 });
}
