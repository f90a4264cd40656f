//! The ablate workload contract, the registry that names workloads, and the built-in suite.
//!
//! A workload is built from a name and parameters alone, deterministically from a seed, so that any thread,
//! process or MPI rank can rebuild it. This crate depends on nothing of the harness: a user's crate can depend
//! on it alone to define workloads, and hand them to `ablate_harness::main_with` to get the whole CLI.

pub mod builtin;
mod bulk;
mod contract;
mod digest;
mod job;
mod params;
mod registry;
mod remote;
pub mod rng;

pub use bulk::{Bulk, Word};
pub use contract::{
    Description, ExpectedShortfall, Footprint, Kind, ParamDoc, Workload, WorkloadConfig, WorkloadError,
};
pub use digest::Digest;
pub use job::{AnyOutput, Job, JobError};
pub use params::Params;
pub use registry::Registry;
pub use remote::{RemoteError, RemoteJob, SharedSource};
