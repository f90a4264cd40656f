//! The ablate engine: plans cells, runs them under each strategy, measures them, and records the results.
//!
//! Data flows one way: `RunConfig → Plan → runner (events) → RunRecord → reports`. The `ablate` binary is a thin
//! shell over [`main_with`], which a user's own binary can call with its own workloads registered.

pub mod auto;
pub mod bisect;
pub mod cancel;
pub mod cell_summary;
pub mod cli;
pub mod config;
pub mod decision;
pub mod error;
pub mod events;
pub mod exit;
pub mod footprint;
pub mod history;
pub mod measure;
pub mod plan;
pub mod progress;
pub mod record;
pub mod report;
pub mod runner;
pub mod stats;
pub mod strategy;
pub mod units;
pub mod verdict;
pub mod write;

mod app;

pub use ablate_workloads as workloads;
pub use app::{main_with, main_with_own};

/// The README's code blocks, compiled as doctests, so that its workload example stays one that builds.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
