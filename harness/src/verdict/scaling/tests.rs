use ablate_workloads::Kind;

use super::*;
use crate::config::Overrides;
use crate::strategy::StrategyKind::{Rayon, Serial, Threads};
use crate::verdict::fixtures::{cell, sample, walls};

fn thresholds() -> Thresholds {
    ThresholdSet::load(None, Overrides::default()).unwrap().for_cell("w", "rayon")
}

fn serial(kind: Kind) -> CellRecord {
    cell("w", kind, Serial, 1, &walls(100e6, 0.02, 12))
}

/// A cell whose every repetition ran while other processes kept `others` cores busy.
fn busy(mut cell: CellRecord, others: f64) -> CellRecord {
    for s in &mut cell.samples {
        *s = sample(s.round, s.wall_ns as f64, Some((s.wall_ns as f64 * others) as u64));
    }
    cell
}

#[test]
fn a_cpu_cell_at_full_speed_passes_and_one_at_half_speed_fails() {
    let fast = cell("w", Kind::Cpu, Rayon, 2, &walls(51e6, 0.02, 12));
    let verdict = judge_cell(&fast, &serial(Kind::Cpu), 2, thresholds()).unwrap();
    assert_eq!(verdict.verdict, ScalingVerdict::Passed);
    let slow = cell("w", Kind::Cpu, Rayon, 2, &walls(100e6, 0.02, 12));
    let verdict = judge_cell(&slow, &serial(Kind::Cpu), 2, thresholds()).unwrap();
    assert_eq!(verdict.verdict, ScalingVerdict::Below);
    let Measure::Efficiency { value, interval } = verdict.measure else { panic!("a cpu cell") };
    assert!((value - 0.5).abs() < 0.02 && interval.high < 0.7, "{value} {interval:?}");
}

#[test]
fn a_shortfall_while_other_processes_held_the_cores_is_inconclusive() {
    let slow = busy(cell("w", Kind::Cpu, Rayon, 2, &walls(90e6, 0.02, 12)), 1.0);
    let verdict = judge_cell(&slow, &serial(Kind::Cpu), 2, thresholds()).unwrap();
    let ScalingVerdict::Inconclusive { reason } = &verdict.verdict else { panic!("{:?}", verdict.verdict) };
    assert!(reason.starts_with("machine busy") && reason.contains("1.00 of 2 cores"), "{reason}");
    let quiet = busy(cell("w", Kind::Cpu, Rayon, 2, &walls(90e6, 0.02, 12)), 0.1);
    assert_eq!(judge_cell(&quiet, &serial(Kind::Cpu), 2, thresholds()).unwrap().verdict, ScalingVerdict::Below);
    let busy_serial = busy(serial(Kind::Cpu), 1.6);
    let verdict = judge_cell(&quiet, &busy_serial, 2, thresholds()).unwrap();
    assert!(matches!(verdict.verdict, ScalingVerdict::Inconclusive { ref reason } if reason.contains("serial")));
}

#[test]
fn an_oversubscribed_cell_is_judged_on_the_cores_that_exist() {
    let four_on_two = cell("w", Kind::Cpu, Rayon, 4, &walls(51e6, 0.02, 12));
    let verdict = judge_cell(&four_on_two, &serial(Kind::Cpu), 2, thresholds()).unwrap();
    assert!(verdict.oversubscribed);
    assert_eq!(verdict.judged_workers, 2);
    assert_eq!(verdict.verdict, ScalingVerdict::Passed, "{:?}", verdict.measure);
}

#[test]
fn a_mixed_cell_that_loses_serials_throughput_fails() {
    let large_outputs = cell("w", Kind::Mixed, Rayon, 2, &walls(400e6, 0.02, 12));
    let verdict = judge_cell(&large_outputs, &serial(Kind::Mixed), 2, thresholds()).unwrap();
    assert_eq!(verdict.verdict, ScalingVerdict::Below);
    assert!(matches!(verdict.measure, Measure::Throughput { value, .. } if (value - 0.25).abs() < 0.01));
}

#[test]
fn a_noisy_memory_cell_whose_interval_reaches_the_floor_passes() {
    let noisy = cell("w", Kind::Memory, Rayon, 1, &walls(130e6, 0.4, 12));
    let verdict = judge_cell(&noisy, &serial(Kind::Memory), 2, thresholds()).unwrap();
    let interval = verdict.measure.interval();
    assert!(interval.low < 0.7 && interval.high >= 0.7, "{interval:?}");
    assert_eq!(verdict.verdict, ScalingVerdict::Passed);
}

#[test]
fn a_shortfall_whose_workers_took_long_to_start_is_too_short_to_judge() {
    let mut slow_start = cell("w", Kind::Cpu, Rayon, 2, &walls(10e6, 0.02, 12));
    for s in &mut slow_start.samples {
        s.worker_start_ns = Some(3_000_000);
    }
    let serial = cell("w", Kind::Cpu, Serial, 1, &walls(10e6, 0.02, 12));
    let verdict = judge_cell(&slow_start, &serial, 2, thresholds()).unwrap();
    let ScalingVerdict::Inconclusive { reason } = &verdict.verdict else { panic!("{:?}", verdict.verdict) };
    assert!(reason.starts_with("too short to judge: its workers took 3.00 ms"), "{reason}");
    assert!(verdict.verdict_text().ends_with("workers started within 3.00 ms"), "{}", verdict.verdict_text());
    for s in &mut slow_start.samples {
        s.worker_start_ns = Some(100_000);
    }
    assert_eq!(judge_cell(&slow_start, &serial, 2, thresholds()).unwrap().verdict, ScalingVerdict::Below);
}

#[test]
fn a_shortfall_the_workload_declares_is_expected_not_failed() {
    let mut imbalanced = cell("w", Kind::Cpu, Threads, 2, &walls(85e6, 0.02, 12));
    imbalanced.expected_shortfall = Some("static partition of heavy-first tasks".to_owned());
    let verdict = judge_cell(&imbalanced, &serial(Kind::Cpu), 2, thresholds()).unwrap();
    assert_eq!(verdict.verdict, ScalingVerdict::Expected { why: "static partition of heavy-first tasks".into() });
    assert!(!verdict.failed());
}
