//! The files verdicts are judged against: the baseline store (`baselines/<machine>/<name>.json`) and the
//! thresholds file (`ci/thresholds.toml`) with its per-workload globs.

pub mod baseline;
mod glob;
pub mod thresholds;
