//! A built workload behind an object-safe interface, so strategies run any workload without knowing its types.

use std::any::Any;
use std::sync::Arc;

use serde::Serialize;

use crate::contract::{Description, Workload, WorkloadConfig, WorkloadError};
use crate::digest::Digest;

/// The output of one task, type-erased; only the job that made it can read it back.
pub type AnyOutput = Box<dyn Any + Send>;

/// Why a job could not digest or size its data.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("workload '{workload}': the output of task {task} is not this workload's output type")]
    ForeignOutput { workload: String, task: usize },
    #[error("workload '{workload}': could not serialize {what}: {source}")]
    Encode { workload: String, what: String, source: postcard::Error },
    #[error("workload '{workload}': could not decode {what}: {source}")]
    Decode { workload: String, what: String, source: postcard::Error },
}

/// A workload with its shared input made and its tasks listed, ready for any strategy to run.
pub trait Job: Send + Sync {
    fn description(&self) -> &Description;
    fn config(&self) -> &WorkloadConfig;
    fn task_count(&self) -> usize;
    /// Runs task `index` (which must be below `task_count`).
    fn run_task(&self, index: usize) -> AnyOutput;
    /// The digest of all outputs, which must be in task order.
    fn digest(&self, outputs: &[AnyOutput]) -> Result<Digest, JobError>;
    /// Serialized size of task `index`'s input: the bytes a worker process must receive for it.
    fn task_bytes(&self, index: usize) -> Result<u64, JobError>;
    /// Serialized size of one output: the bytes a worker process must send back.
    fn output_bytes(&self, task: usize, output: &AnyOutput) -> Result<u64, JobError>;
    /// Serialized size of the shared input.
    fn shared_bytes(&self) -> Result<u64, JobError>;
    /// Memory traffic of one full pass, for GB/s.
    fn bytes_touched(&self) -> Option<u64>;
    /// Task `index`'s input as the bytes a worker process receives.
    fn encode_task(&self, index: usize) -> Result<Vec<u8>, JobError>;
    /// The shared input as bytes, for transports that move or map it.
    fn encode_shared(&self) -> Result<Vec<u8>, JobError>;
    /// The shared input encoded into `out`, which must be exactly `shared_bytes` long (e.g. a mapped file).
    fn encode_shared_into(&self, out: &mut [u8]) -> Result<(), JobError>;
    /// An output a worker process sent back, as if this process had computed it.
    fn decode_output(&self, task: usize, bytes: &[u8]) -> Result<AnyOutput, JobError>;
}

/// Builds `W` from `config`, makes its shared input and lists its tasks.
pub fn prepare<W: Workload>(description: Description, config: WorkloadConfig) -> Result<Arc<dyn Job>, WorkloadError> {
    let workload = W::build(&config)?;
    let shared = workload.shared_input();
    let tasks = workload.tasks();
    Ok(Arc::new(Prepared { workload, shared, tasks, description, config }))
}

struct Prepared<W: Workload> {
    workload: W,
    shared: W::Shared,
    tasks: Vec<W::Task>,
    description: Description,
    config: WorkloadConfig,
}

impl<W: Workload> Prepared<W> {
    fn encoded_size<T: Serialize + ?Sized>(&self, value: &T, what: impl FnOnce() -> String) -> Result<u64, JobError> {
        postcard::serialize_with_flavor(value, postcard::ser_flavors::Size::default())
            .map(|n| n as u64)
            .map_err(|source| self.encode_error(what(), source))
    }

    fn encode_error(&self, what: String, source: postcard::Error) -> JobError {
        JobError::Encode { workload: self.config.name.clone(), what, source }
    }

    fn output<'a>(&self, task: usize, output: &'a AnyOutput) -> Result<&'a W::Output, JobError> {
        output
            .downcast_ref::<W::Output>()
            .ok_or_else(|| JobError::ForeignOutput { workload: self.config.name.clone(), task })
    }
}

impl<W: Workload> Job for Prepared<W> {
    fn description(&self) -> &Description {
        &self.description
    }

    fn config(&self) -> &WorkloadConfig {
        &self.config
    }

    fn task_count(&self) -> usize {
        self.tasks.len()
    }

    fn run_task(&self, index: usize) -> AnyOutput {
        Box::new(self.workload.run(&self.shared, &self.tasks[index]))
    }

    fn digest(&self, outputs: &[AnyOutput]) -> Result<Digest, JobError> {
        let mut encoded = Vec::with_capacity(outputs.len());
        for (task, output) in outputs.iter().enumerate() {
            let bytes = postcard::to_allocvec(self.output(task, output)?)
                .map_err(|source| self.encode_error(format!("the output of task {task}"), source))?;
            encoded.push(bytes);
        }
        Ok(Digest::of_parts(encoded.iter().map(Vec::as_slice)))
    }

    fn task_bytes(&self, index: usize) -> Result<u64, JobError> {
        self.encoded_size(&self.tasks[index], || format!("the input of task {index}"))
    }

    fn output_bytes(&self, task: usize, output: &AnyOutput) -> Result<u64, JobError> {
        self.encoded_size(self.output(task, output)?, || format!("the output of task {task}"))
    }

    fn shared_bytes(&self) -> Result<u64, JobError> {
        self.encoded_size(&self.shared, || "the shared input".to_owned())
    }

    fn bytes_touched(&self) -> Option<u64> {
        self.workload.bytes_touched()
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
