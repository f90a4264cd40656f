//! The built-in suite: CPU-bound, memory-bound, irregular and payload-heavy workloads, one file each.

pub mod spin;

use crate::registry::Registry;

/// Registers every built-in workload, in the order `ablate list` shows them.
pub fn register_all(registry: &mut Registry) {
    registry.register::<spin::Spin>();
}
