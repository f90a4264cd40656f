//! History: every run kept per commit of the measured project, and the change points found over it.
//!
//! [`store`] keeps the results files; [`series`] reads them into one series per machine, cell and metric;
//! [`detect`] finds change points (E-Divisive means with a seeded permutation test over runs); [`analysis`]
//! describes them; [`check`] is the gate over history; [`text`] prints the store and a cell's series.

pub mod analysis;
pub mod check;
pub mod detect;
mod files;
pub mod series;
pub mod store;
#[cfg(test)]
mod store_tests;
#[cfg(test)]
mod tests;
pub mod text;

use analysis::Analysis;
use detect::Detector;
use store::Store;

use crate::error::HarnessError;

/// Every series of the store at `store`, analysed with the default detector.
pub fn analyse_store(store: &Store) -> Result<Vec<Analysis>, HarnessError> {
    Ok(analysis::analyse_all(series::collect(store)?, &Detector::default()))
}
