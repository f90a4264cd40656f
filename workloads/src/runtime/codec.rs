//! What crosses a process boundary for a prepared job: its task inputs, outputs and shared input as bytes, and
//! how many bytes each is. Sizing and encoding live together so that the payload a record reports is measured by
//! the very encoding the process and MPI strategies send.

use serde::Serialize;

use crate::contract::Workload;
use crate::runtime::job::{AnyOutput, JobError, Prepared};

/// A job's data as bytes for other processes (postcard), and the sizes of those bytes.
pub trait Codec: Sync {
    /// Serialized size of task `index`'s input: the bytes a worker process must receive for it.
    fn task_bytes(&self, index: usize) -> Result<u64, JobError>;
    /// Serialized size of one output: the bytes a worker process must send back.
    fn output_bytes(&self, task: usize, output: &AnyOutput) -> Result<u64, JobError>;
    /// Serialized size of the shared input.
    fn shared_bytes(&self) -> Result<u64, JobError>;
    /// Task `index`'s input as the bytes a worker process receives.
    fn encode_task(&self, index: usize) -> Result<Vec<u8>, JobError>;
    /// The shared input as bytes, for transports that move or map it.
    fn encode_shared(&self) -> Result<Vec<u8>, JobError>;
    /// The shared input encoded into `out`, which must be exactly `shared_bytes` long (e.g. a mapped file).
    fn encode_shared_into(&self, out: &mut [u8]) -> Result<(), JobError>;
    /// An output a worker process sent back, as if this process had computed it.
    fn decode_output(&self, task: usize, bytes: &[u8]) -> Result<AnyOutput, JobError>;
}

impl<W: Workload> Prepared<W> {
    pub(super) fn encoded_size<T: Serialize + ?Sized>(
        &self,
        value: &T,
        what: impl FnOnce() -> String,
    ) -> Result<u64, JobError> {
        postcard::serialize_with_flavor(value, postcard::ser_flavors::Size::default())
            .map(|n| n as u64)
            .map_err(|source| self.encode_error(what(), source))
    }

    fn encode_error(&self, what: String, source: postcard::Error) -> JobError {
        JobError::Encode { workload: self.config.name.clone(), what, source }
    }
}

impl<W: Workload> Codec for Prepared<W> {
    fn task_bytes(&self, index: usize) -> Result<u64, JobError> {
        self.encoded_size(&self.tasks[index], || format!("the input of task {index}"))
    }

    fn output_bytes(&self, task: usize, output: &AnyOutput) -> Result<u64, JobError> {
        self.encoded_size(self.output(task, output)?, || format!("the output of task {task}"))
    }

    fn shared_bytes(&self) -> Result<u64, JobError> {
        self.encoded_size(&self.shared, || "the shared input".to_owned())
    }

    fn encode_task(&self, index: usize) -> Result<Vec<u8>, JobError> {
        postcard::to_allocvec(&self.tasks[index])
            .map_err(|e| self.encode_error(format!("the input of task {index}"), e))
    }

    fn encode_shared(&self) -> Result<Vec<u8>, JobError> {
        // Sized first: growing a buffer of hundreds of MiB by doubling costs more in fresh pages than a sizing pass.
        let exact = Vec::with_capacity(self.shared_bytes()? as usize);
        postcard::to_extend(&self.shared, exact).map_err(|e| self.encode_error("the shared input".to_owned(), e))
    }

    fn encode_shared_into(&self, out: &mut [u8]) -> Result<(), JobError> {
        let written = postcard::to_slice(&self.shared, out)
            .map_err(|e| self.encode_error("the shared input".to_owned(), e))?
            .len();
        if written != out.len() {
            let short = postcard::Error::SerializeBufferFull;
            return Err(self.encode_error(format!("the shared input ({written} bytes into {})", out.len()), short));
        }
        Ok(())
    }

    fn decode_output(&self, task: usize, bytes: &[u8]) -> Result<AnyOutput, JobError> {
        let output: W::Output = postcard::from_bytes(bytes).map_err(|source| JobError::Decode {
            workload: self.config.name.clone(),
            what: format!("the output of task {task}"),
            source,
        })?;
        Ok(Box::new(output))
    }
}
