//! Verdicts: what turns measured records into pass, fail or inconclusive — regressions against a baseline
//! (compare, paired A/B with its family of workloads and cells, cells too noisy to decide), scaling and the
//! efficiency load cannot fake, the serial reference, and the gate that reduces them to one exit code. The
//! statistics they rest on are in [`crate::stats`]; the baselines and thresholds files in [`crate::store`].

pub mod compare;
pub mod family;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod gate;
#[cfg(test)]
mod hostile_files;
pub mod load_proof;
pub mod paired;
pub mod reference;
pub mod scaling;
pub mod too_noisy;
