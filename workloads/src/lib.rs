//! The ablate workload contract: what a piece of parallel work must offer so that `ablate` can run it serially,
//! on threads, in worker processes and over MPI ranks, and check every run against serial.
//!
//! A [`Workload`] is built from a [`WorkloadConfig`] (name, size, seed, [`Params`]) alone, deterministically, so
//! that any thread, process or rank can rebuild it. It describes itself ([`Description`], with its [`Kind`] and
//! its [`Param`]s), makes a read-only shared input, lists its tasks and runs one task at a time; task inputs,
//! outputs and the shared input are serde data, large arrays of numbers best as a [`Bulk`]. The [`Digest`] of
//! all outputs in task order checks every strategy against serial. A [`Registry`] names the workloads a binary
//! knows; the harness's machinery that runs them lives in [`runtime`], which a workload author never needs.
//!
//! ```
//! use ablate_workloads::{Description, Kind, Param, Registry, Workload, WorkloadConfig, WorkloadError};
//!
//! /// Sums the squares below `size`, a block of numbers per task.
//! struct Squares {
//!     size: u64,
//!     block: u64,
//! }
//!
//! const BLOCK: Param<u64> = Param::new("block", 1000, 1..=1_000_000, "numbers per task");
//!
//! impl Workload for Squares {
//!     type Shared = (); // no shared input: `shared_input` may be left out
//!     type Task = (u64, u64);
//!     type Output = u64;
//!
//!     fn describe() -> Description {
//!         // `const`: a name that breaks the naming rule is a compile error, not a refusal at run time.
//!         const {
//!             Description::new("squares", Kind::Cpu, "sums of squares, a block of numbers per task")
//!                 .sizes("numbers", 1_000_000, 10_000)
//!                 .params(&[&BLOCK])
//!         }
//!     }
//!
//!     fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
//!         Ok(Squares { size: config.size, block: BLOCK.get(config)? })
//!     }
//!
//!     fn tasks(&self) -> Vec<(u64, u64)> {
//!         (0..self.size).step_by(self.block as usize).map(|s| (s, (s + self.block).min(self.size))).collect()
//!     }
//!
//!     fn run(&self, _shared: &(), &(start, end): &(u64, u64)) -> u64 {
//!         (start..end).map(|i| i * i).sum()
//!     }
//! }
//!
//! let mut registry = Registry::new();
//! registry.register::<Squares>()?;
//! let job = registry.prepare(WorkloadConfig::new("squares", 2500, 1).with_param("block", 1000))?;
//! assert_eq!(job.task_count(), 3);
//! # Ok::<(), WorkloadError>(())
//! ```
//!
//! A binary of its own gets the whole `ablate` CLI over its workloads with `ablate_harness::ablate_main!(Squares)`.

#![warn(missing_docs)]

mod assumed;
mod builtin;
mod bulk;
mod contract;
mod digest;
mod error;
mod name;
mod param;
mod params;
mod registry;
pub mod rng;
pub mod runtime;

pub use assumed::AssumedFootprint;
pub use bulk::{Bulk, Word};
pub use contract::{Description, ExpectedShortfall, Footprint, Kind, Workload, WorkloadConfig};
pub use digest::Digest;
pub use error::WorkloadError;
pub use param::{Param, ParamListing, ParamSpec, ParamValue};
pub use params::Params;
pub use registry::Registry;
