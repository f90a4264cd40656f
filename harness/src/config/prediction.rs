//! The plain values of `ablate predict` and `ablate probe`.

use std::path::PathBuf;

/// What `ablate predict` predicts, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// The results file to predict from.
    pub file: PathBuf,
    /// The profile of the machine to predict for; `None` for this machine's.
    pub machine: Option<PathBuf>,
    /// The worker counts, increasing; `None` for powers of two up to the machine's logical cores.
    pub workers: Option<Vec<usize>>,
    /// A results file of serial cells run on the target machine, for predicted times.
    pub target_serial: Option<PathBuf>,
    /// The efficiency a strategy must keep to pay for its workers, in [0, 1].
    pub min_efficiency: f64,
    /// The baseline store, whose profiles/ holds machine profiles.
    pub baseline_dir: PathBuf,
    /// JSON instead of the table.
    pub json: bool,
}

/// Where `ablate probe` writes the profile it measures.
#[derive(Clone, Debug, PartialEq)]
pub struct Probing {
    /// The profile's file; `None` for `baselines/profiles/<fingerprint>.json`.
    pub out: Option<PathBuf>,
    pub baseline_dir: PathBuf,
}
