//! The largest value of every number a user can type, in one place: durations and counts past these are absurd on
//! their face (a run that would outlast any machine, a timeout no deadline can hold), and are refused at parse time
//! in one line naming the flag, the value and the maximum, before anything is added to a clock or a counter.

use std::ops::RangeInclusive;
use std::time::Duration;

/// The longest duration any flag takes (`--task-timeout`, `--load-timeout`, `--max-time`, `--step-time`,
/// `--max-cell-time`, `--chunk-target`): one day.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// `--reps`: timed repetitions per cell.
pub const REPS: RangeInclusive<i64> = 1..=100_000;
/// `--warmup`: untimed executions per cell before the timed ones.
pub const WARMUP: RangeInclusive<i64> = 0..=1_000;
/// `--confirm`: re-measurements of a suite whose cells regressed.
pub const CONFIRM: RangeInclusive<i64> = 0..=20;
/// `--ab-rounds N`: paired rounds of an A/B gate.
pub const AB_ROUNDS: RangeInclusive<u32> = 2..=10_000;
/// `--retries`: retries of a task whose worker failed.
pub const RETRIES: RangeInclusive<i64> = 0..=100;
/// `--max-pool-failures`: worker failures in one execution before the rest runs serially.
pub const POOL_FAILURES: RangeInclusive<i64> = 0..=10_000;
/// `--predict-for N`: the worker count outputs predict scaling at.
pub const PREDICT_FOR: RangeInclusive<i64> = 1..=4_096;
/// `--auto-budget`: the largest share of a cell's timed work `auto`'s race may take.
pub const MAX_AUTO_BUDGET: f64 = 1_000.0;

/// `1day`, as the duration flags write it.
pub fn max_duration_text() -> String {
    humantime::format_duration(MAX_DURATION).to_string()
}
