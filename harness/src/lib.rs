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

pub mod events;
pub mod exit;
pub mod record;
pub mod strategy;

mod app;
mod auto;
mod bisect;
mod cancel;
mod cell_summary;
mod child_group;
mod cli;
mod config;
mod decision;
mod error;
mod footprint;
mod history;
mod mapping;
mod measure;
mod plan;
mod platform;
mod predict;
mod progress;
mod report;
mod runner;
mod stats;
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
