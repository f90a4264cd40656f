//! The built-in suite: CPU-bound, memory-bound, irregular and payload-heavy workloads, one file each.

mod backtest;
mod cache;
mod gather;
mod mandelbrot;
mod payload;
mod skewed;
mod spin;
mod triad;
mod var;

use crate::error::WorkloadError;
use crate::registry::Registry;

/// Registers every built-in workload, in the order `ablate list` shows them.
pub(crate) fn register_all(registry: &mut Registry) -> Result<(), WorkloadError> {
    registry
        .register::<spin::Spin>()?
        .register::<var::ValueAtRisk>()?
        .register::<backtest::Backtest>()?
        .register::<mandelbrot::Mandelbrot>()?
        .register::<triad::Triad>()?
        .register::<gather::Gather>()?
        .register::<skewed::Skewed>()?
        .register::<payload::Payload>()?;
    Ok(())
}
