//! Verdicts: everything that turns measured records into pass, fail or inconclusive — the baseline store, the
//! statistics (rank tests, bootstrap intervals, what a gate could have seen), regression and scaling judgements,
//! thresholds, A/B runs of two builds, and the gate that reduces them to one exit code.

pub mod ab;
pub mod baseline;
pub mod compare;
pub mod family;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod gate;
mod glob;
#[cfg(test)]
mod hostile_files;
pub mod inference;
pub mod load_proof;
pub mod paired;
pub mod preempted;
pub mod pseudo_median;
pub mod reference;
pub mod scaling;
pub mod sequential;
pub mod thresholds;
pub mod too_noisy;
