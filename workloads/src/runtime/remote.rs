//! The worker side of a job: a workload rebuilt in another process from its configuration, running tasks that
//! arrive as bytes and answering with bytes. Only plain data crosses the process boundary.

use crate::contract::{Workload, WorkloadConfig};
use crate::error::WorkloadError;
use crate::runtime::job::JobError;

/// Where a worker gets the shared input from: the transports of the process strategy.
pub enum SharedSource<'a> {
    /// Rebuilt from the seed by the worker itself.
    Regenerate,
    /// Decoded once from bytes the parent wrote (e.g. a mapped shared-memory file).
    Bytes(&'a [u8]),
    /// Sent inside every dispatch, decoded each time: the naive pool.
    PerDispatch,
}

/// A workload in a worker process.
pub trait RemoteJob: Send {
    /// Runs one encoded task; `shared` carries the shared input when it travels with the dispatch.
    fn run_encoded(&self, task: &[u8], shared: Option<&[u8]>) -> Result<Vec<u8>, JobError>;
}

struct Remote<W: Workload> {
    workload: W,
    /// Present unless the shared input travels with each dispatch.
    shared: Option<W::Shared>,
    name: String,
}

/// Builds `W` from `config` and obtains its shared input from `source`.
pub(crate) fn build_remote<W: Workload>(
    config: WorkloadConfig,
    source: SharedSource<'_>,
) -> Result<Box<dyn RemoteJob>, RemoteError> {
    let workload = W::build(&config)?;
    let shared = match source {
        SharedSource::Regenerate => Some(workload.shared_input()),
        SharedSource::Bytes(bytes) => Some(decode(&config.name, "the shared input", bytes)?),
        SharedSource::PerDispatch => None,
    };
    Ok(Box::new(Remote { workload, shared, name: config.name }))
}

/// Why a worker could not rebuild a workload.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The configuration did not build.
    #[error(transparent)]
    Workload(#[from] WorkloadError),
    /// The shared input's bytes did not decode.
    #[error(transparent)]
    Job(#[from] JobError),
}

fn decode<T: serde::de::DeserializeOwned>(workload: &str, what: &str, bytes: &[u8]) -> Result<T, JobError> {
    postcard::from_bytes(bytes).map_err(|source| JobError::Decode {
        workload: workload.to_owned(),
        what: what.to_owned(),
        source,
    })
}

impl<W: Workload> RemoteJob for Remote<W> {
    fn run_encoded(&self, task: &[u8], shared: Option<&[u8]>) -> Result<Vec<u8>, JobError> {
        let task: W::Task = decode(&self.name, "a task input", task)?;
        let output = match (&self.shared, shared) {
            (Some(resident), _) => self.workload.run(resident, &task),
            (None, Some(bytes)) => self.workload.run(&decode(&self.name, "the shared input", bytes)?, &task),
            (None, None) => {
                let source = postcard::Error::DeserializeUnexpectedEnd;
                return Err(JobError::Decode {
                    workload: self.name.clone(),
                    what: "a missing shared input".into(),
                    source,
                });
            }
        };
        postcard::to_allocvec(&output).map_err(|source| JobError::Encode {
            workload: self.name.clone(),
            what: "a task output".into(),
            source,
        })
    }
}
