//! The engine's error type: every variant names what it is about and maps to one exit code.
//!
//! A variant's message quotes its cause, so that it reads whole wherever it is turned into text (a failed cell's
//! reason, a warning); the cause is also its `source`, and the binary prints a chain once per cause.

use std::path::PathBuf;

use ablate_workloads::WorkloadError;

use ablate_workloads::runtime::JobError;

use crate::exit;

#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Workload(#[from] WorkloadError),
    #[error(transparent)]
    Job(#[from] JobError),
    #[error("could not start the {strategy} strategy with {workers} workers: {reason}")]
    PoolStart { strategy: &'static str, workers: usize, reason: String },
    #[error("{action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error("could not encode results for {path}: {source}")]
    Encode { path: PathBuf, source: serde_json::Error },
    #[error("{path} is not a valid results file: {reason}")]
    InvalidResults { path: PathBuf, reason: String },
    #[error("{0}")]
    Baseline(String),
    /// There is no baseline for this machine: none by that name, its file is not there, or it was measured on
    /// another machine. The only baseline fault `--lenient` excuses; a broken one is a [`HarnessError::Baseline`].
    #[error("{0}")]
    NoBaseline(String),
    #[error("{0}")]
    Report(String),
    /// A build in an A/B run failed or broke the protocol.
    #[error("{0}")]
    Ab(String),
    /// `ablate bisect` could not go on: git failed, or GOOD or BAD does not build.
    #[error("{0}")]
    Bisect(String),
    /// An entry of a history store that ablate neither reads nor writes through: a symbolic link, a FIFO, a
    /// device, or a file over the store's size bound.
    #[error("{path} {reason}")]
    StoreEntry { path: PathBuf, reason: String },
    /// A history store to read (`report --history DIR`) is not there.
    #[error("no history store at {path}: {reason} (`ablate run --history {path}` makes one)")]
    MissingStore { path: PathBuf, reason: String },
}

impl HarnessError {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        HarnessError::Io { action, path: path.into(), source }
    }

    /// The documented exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            HarnessError::Usage(_) | HarnessError::Workload(_) => exit::USAGE,
            HarnessError::Baseline(_) | HarnessError::NoBaseline(_) | HarnessError::MissingStore { .. } => {
                exit::BASELINE
            }
            HarnessError::Job(_)
            | HarnessError::PoolStart { .. }
            | HarnessError::Io { .. }
            | HarnessError::Encode { .. }
            | HarnessError::InvalidResults { .. }
            | HarnessError::Report(_)
            | HarnessError::Ab(_)
            | HarnessError::Bisect(_)
            | HarnessError::StoreEntry { .. } => exit::ERROR,
        }
    }
}
