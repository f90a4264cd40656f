//! The machinery that runs a registered workload, for the harness: a prepared [`Job`] with its [`Codec`] in the
//! measuring process, a [`RemoteJob`] in a worker process. A workload author needs none of it.

mod codec;
mod job;
mod remote;

pub use codec::Codec;
pub(crate) use job::prepare;
pub use job::{AnyOutput, Job, JobError};
pub(crate) use remote::build_remote;
pub use remote::{RemoteError, RemoteJob, SharedSource};
