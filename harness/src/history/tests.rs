//! The change-point detector and `history check` on synthetic series with known truth, over many seeds: where
//! a step is, that noise alone finds none, and that creep of three small steps fails the check.
//!
//! Each run holds 5 samples (as `ci/history.sh` measures: `--quick --reps 5`), each the run's level times
//! e^(0.03·N(0,1)): 3 % noise per sample.

use ablate_workloads::rng::Rng;

use super::analysis::analyse;
use super::check::{DEFAULT_RECENT, Verdict, check};
use super::detect::{Detector, change_points};
use super::series::{Metric, Point, Series};
use super::store::Entry;
use crate::config::Overrides;
use crate::store::thresholds::ThresholdSet;

const RUNS: usize = 30;
const SAMPLES: usize = 5;
const NOISE: f64 = 0.03;
const SEEDS: u64 = 200;

/// Each run's samples at `levels[run]`, with 3 % multiplicative noise.
fn samples(levels: &[f64], seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Rng::new(seed);
    levels.iter().map(|level| (0..SAMPLES).map(|_| level * (NOISE * rng.normal()).exp()).collect()).collect()
}

fn logs(runs: &[Vec<f64>]) -> Vec<Vec<f64>> {
    runs.iter().map(|run| run.iter().map(|v| v.ln()).collect()).collect()
}

#[test]
fn one_step_of_1_15_in_30_runs_is_found_at_its_run_in_at_least_95_percent_of_200_seeds() {
    let mut exact = 0;
    for seed in 0..SEEDS {
        let step = 5 + (seed as usize * 7) % 21; // the first slower run: 5 ..= 25
        let levels: Vec<f64> = (0..RUNS).map(|run| if run < step { 1.0 } else { 1.15 }).collect();
        let found = change_points(&logs(&samples(&levels, seed)), &Detector::default(), seed);
        if found.len() == 1 && found[0].at == step {
            exact += 1;
        }
    }
    eprintln!("one 1.15x step: alone and at its run in {exact} of {SEEDS} seeds");
    assert!(exact * 100 >= 95 * SEEDS, "the one step, alone and at its run, in {exact} of {SEEDS} seeds");
}

#[test]
fn thirty_runs_of_noise_alone_give_no_change_point_in_at_least_99_percent_of_200_seeds() {
    let quiet = (0..SEEDS)
        .filter(|&seed| {
            change_points(&logs(&samples(&[1.0; RUNS], 1000 + seed)), &Detector::default(), seed).is_empty()
        })
        .count() as u64;
    eprintln!("noise alone: no change point in {quiet} of {SEEDS} seeds");
    assert!(quiet * 100 >= 99 * SEEDS, "no change point in {quiet} of {SEEDS} seeds");
}

fn entry(run: usize) -> Entry {
    Entry {
        file: format!("run-{run:02}.json"),
        commit: Some(format!("{run:040x}")),
        dirty: false,
        commit_time: None,
        created: format!("2026-11-{:02}T00:00:00Z", run + 1),
        fingerprint: "synthetic".to_owned(),
        ablate_version: "test".to_owned(),
    }
}

fn series(levels: &[f64], seed: u64) -> Series {
    let points = samples(levels, seed)
        .into_iter()
        .enumerate()
        .map(|(run, values)| Point { entry: entry(run), values: values.iter().map(|v| v * 1e6).collect() })
        .collect();
    let (fingerprint, cell) = ("synthetic".to_owned(), format!("spin/200/threads/w2/cauto#{seed}"));
    Series { fingerprint, cell, workload: "spin".into(), strategy: "threads".into(), metric: Metric::Time, points }
}

#[test]
fn three_steps_of_1_05_over_30_runs_fail_history_check_as_creep_beyond_1_10() {
    let thresholds = ThresholdSet::load(None, Overrides::default()).unwrap();
    let mut flagged = 0;
    for seed in 0..SEEDS {
        let levels: Vec<f64> =
            (0..RUNS).map(|run| 1.05f64.powi([8, 16, 24].iter().filter(|&&s| run >= s).count() as i32)).collect();
        let analysis = analyse(series(&levels, 5000 + seed), &Detector::default());
        let findings = check(&[analysis], &thresholds, DEFAULT_RECENT);
        if findings.iter().any(|f| f.verdict == Verdict::Regressed && f.ratio > 1.10) {
            flagged += 1;
        }
    }
    eprintln!("three 1.05x steps: flagged as creep beyond 1.10 in {flagged} of {SEEDS} seeds");
    assert!(flagged * 100 >= 95 * SEEDS, "creep flagged in {flagged} of {SEEDS} seeds");
}

#[test]
fn one_step_of_1_05_alone_passes_the_check_and_a_step_back_down_ends_the_creep() {
    let thresholds = ThresholdSet::load(None, Overrides::default()).unwrap();
    let small: Vec<f64> = (0..RUNS).map(|run| if run < 20 { 1.0 } else { 1.05 }).collect();
    let reverted: Vec<f64> = (0..RUNS).map(|run| if (10..22).contains(&run) { 1.2 } else { 1.0 }).collect();
    for levels in [small, reverted] {
        let findings = check(&[analyse(series(&levels, 77), &Detector::default())], &thresholds, DEFAULT_RECENT);
        assert!(findings.iter().all(|f| f.verdict != Verdict::Regressed), "{findings:?}");
    }
}
