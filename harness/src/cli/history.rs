//! `ablate history` arguments: the store's place and its four actions.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::history::check::DEFAULT_RECENT;

/// Where `ablate history` looks for the store unless told otherwise: `history/` beside the default results file.
pub const DEFAULT_HISTORY: &str = "reports/history";

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub action: HistoryAction,
    /// The history store: `index.json` and one results file per run under `runs/`.
    #[arg(long, default_value = DEFAULT_HISTORY, global = true, value_name = "DIR")]
    pub history: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum HistoryAction {
    /// Every kept run, in commit order: commit, when it ran, machine fingerprint, file.
    List,
    /// Keep earlier results files in the store (each is checked first; one kept already is skipped).
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// One cell's runs and its change points in time, efficiency and bandwidth, per machine (a cell id as the
    /// results table and `gate` name it, e.g. spin/200/threads/w2/cauto).
    Show { cell: String },
    /// The gate over history: a cell fails when its newest runs begin a change point that leaves it slower than
    /// before its run of slowdowns by more than its regression threshold (creep included).
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Thresholds file (TOML), as `gate` reads it [default: ci/thresholds.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub thresholds: Option<PathBuf>,
    /// Regression threshold: the newest segment's median over the reference segment's [default: 1.10]
    #[arg(long, value_name = "RATIO")]
    pub threshold: Option<f64>,
    /// A change point fails the check while it lies among this many newest runs of its series; older ones
    /// were reported when they were new.
    #[arg(long, default_value_t = DEFAULT_RECENT, value_name = "N")]
    pub recent: usize,
}
