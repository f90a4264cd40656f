//! The machinery that runs a registered workload, for the harness: a prepared [`Job`] with its [`Codec`] in the
//! measuring process, a [`RemoteJob`] in a worker process. A workload author needs none of it, and the crate's
//! root does not show it:
//!
//! ```compile_fail,E0432
//! use ablate_workloads::Job;
//! ```

mod codec;
mod job;
mod remote;

pub use codec::Codec;
pub use job::{AnyOutput, Job, JobError};
pub(crate) use job::{prepare, prepare_encoded};
pub(crate) use remote::build_remote;
pub use remote::{RemoteError, RemoteJob, SharedSource};
