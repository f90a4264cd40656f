//! The built-in suite: CPU-bound, memory-bound, irregular and payload-heavy workloads, one file each.

pub mod backtest;
mod cache;
pub mod gather;
pub mod mandelbrot;
pub mod payload;
pub mod skewed;
pub mod spin;
pub mod triad;
pub mod var;

use crate::registry::Registry;

/// Registers every built-in workload, in the order `ablate list` shows them.
pub fn register_all(registry: &mut Registry) {
    registry
        .register::<spin::Spin>()
        .register::<var::ValueAtRisk>()
        .register::<backtest::Backtest>()
        .register::<mandelbrot::Mandelbrot>()
        .register::<triad::Triad>()
        .register::<gather::Gather>()
        .register::<skewed::Skewed>()
        .register::<payload::Payload>();
}
