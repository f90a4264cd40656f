//! The ablate engine: plans cells, runs them under each strategy, measures them, and records the results.
//!
//! Data flows one way: `RunConfig → Plan → runner (events) → RunRecord → reports`. The `ablate` binary is a thin
//! shell over [`main_with`], which a user's own binary can call with its own workloads registered.
//!
//! The public surface is kept small on purpose; everything else is private to the crate, and its tests live
//! beside it. The public modules, each for a reason (`tests/public_api.rs` holds this list to `pub mod` lines):
//!
//! - [`events`]: what [`run`] reports while it works, for a caller's own listener.
//! - [`exit`]: the exit codes that [`main_with`] returns, the CLI's contract with scripts.
//! - [`record`]: the results file, [`record::RunRecord`] and every type it holds, and
//!   [`record::read_results`], so that a user can read results files.
//! - [`strategy`]: the strategies as a bench drives them: [`strategy::StrategyKind::launch`] into a
//!   [`strategy::Pool`], and the process strategy's worker entry point and wire format, which the benches
//!   time and the fault tests play a misbehaving worker with.
//!
//! At the root: [`main_with`] and [`main_with_own`] (and the [`ablate_main!`] macro over them), [`run`] for a
//! run without the CLI, [`HarnessError`], the [`workloads`] crate, and [`criterion_main_serving_workers!`] for
//! bench binaries that run the process strategy.
//!
//! ## Layers
//!
//! Each module imports only from its own layer and the layers below it, and no imports among modules go round in
//! a circle; `tests/layers.rs` checks both on the sources (test code aside), and that every module has a layer.
//! From the bottom:
//!
//! 1. `platform`, `exit`, `error`, `units`, `terminal`, `write`, `child_group`, `cancel`, `stats`: the
//!    operating system's facilities behind one facade, exit codes and errors, words for figures, atomic writes,
//!    signals and child groups, and statistics (pure functions on samples, no I/O).
//! 2. `measure`: what is read off the machine and the process: CPU time, memory, load, schedstat, the machine.
//! 3. `strategy`: the pools that run a job, and the plain values that name and describe them.
//! 4. `config`, `decision`, `record`, `store`: the plain values of a run, the results file, and the files judged
//!    against (baselines, thresholds).
//! 5. `plan`, `events`, `footprint`: the cells a configuration plans, what a run reports, whether it fits.
//! 6. `auto`: the pilot and race that choose a configuration.
//! 7. `runner`, `progress`: the run itself, and its progress bars.
//! 8. `verdict`: regressions, scaling and the gate, judged from records.
//! 9. `ab`, `bisect`, `history`, `predict`: what drives builds, commits, stored runs and models over verdicts.
//! 10. `report`, `streamed`: output in every format, and rows printed as cells finish.
//! 11. `cli`: the command line, converted into the plain values above.
//! 12. `app`: the commands, run on those plain values.

pub mod events;
pub mod exit;
pub mod record;
pub mod strategy;

mod ab;
mod app;
mod auto;
mod bisect;
mod cancel;
mod child_group;
mod cli;
mod config;
mod decision;
mod error;
mod footprint;
mod history;
mod measure;
mod plan;
mod platform;
mod predict;
mod progress;
mod report;
mod runner;
mod stats;
mod store;
mod streamed;
mod terminal;
mod units;
mod verdict;
mod write;

pub use ablate_workloads as workloads;
pub use app::{main_with, main_with_own};
pub use error::HarnessError;
pub use runner::run;

/// The README's code blocks, compiled as doctests, so that its workload example stays one that builds.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
