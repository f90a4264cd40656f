//! A built workload behind an object-safe interface, so strategies run any workload without knowing its types.

use std::any::Any;
use std::sync::Arc;

use crate::contract::{Description, Workload, WorkloadConfig};
use crate::digest::{Digest, Digester};
use crate::error::WorkloadError;
use crate::runtime::codec::Codec;
use crate::runtime::remote::RemoteError;

/// The output of one task, type-erased; only the job that made it can read it back.
pub type AnyOutput = Box<dyn Any + Send>;

/// Why a job could not digest, size, encode or decode its data.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// An output made by another job was handed to this one.
    #[error("workload '{workload}': the output of task {task} is not this workload's output type")]
    ForeignOutput {
        /// The workload's name.
        workload: String,
        /// The task whose output it claimed to be.
        task: usize,
    },
    /// A value could not be serialized.
    #[error("workload '{workload}': could not serialize {what}: {source}")]
    Encode {
        /// The workload's name.
        workload: String,
        /// Which value, e.g. `the input of task 3`.
        what: String,
        /// The serializer's error.
        source: postcard::Error,
    },
    /// Bytes from another process could not be read back.
    #[error("workload '{workload}': could not decode {what}: {source}")]
    Decode {
        /// The workload's name.
        workload: String,
        /// Which value, e.g. `the output of task 3`.
        what: String,
        /// The deserializer's error.
        source: postcard::Error,
    },
}

/// A workload with its shared input made and its tasks listed, ready for any strategy to run: what it is, its
/// tasks, and the digest of their outputs. What crosses a process boundary is its [`Codec`]'s business.
pub trait Job: Send + Sync {
    /// The workload's description, as registered.
    fn description(&self) -> &Description;
    /// The configuration it was built from.
    fn config(&self) -> &WorkloadConfig;
    /// How many tasks it has.
    fn task_count(&self) -> usize;
    /// Runs task `index` (which must be below `task_count`).
    fn run_task(&self, index: usize) -> AnyOutput;
    /// The digest of all outputs, which must be in task order.
    fn digest(&self, outputs: &[AnyOutput]) -> Result<Digest, JobError>;
    /// Memory traffic of one full pass, for GB/s.
    fn bytes_touched(&self) -> Option<u64>;
    /// Its tasks, outputs and shared input as the bytes another process sends or receives, and their sizes.
    fn codec(&self) -> &dyn Codec;
}

/// Builds `W` from `config`, makes its shared input and lists its tasks.
pub(crate) fn prepare<W: Workload>(
    description: Description,
    config: WorkloadConfig,
) -> Result<Arc<dyn Job>, WorkloadError> {
    let workload = W::build(&config)?;
    let shared = workload.shared_input();
    let tasks = workload.tasks();
    Ok(Arc::new(Prepared { workload, shared, tasks, description, config }))
}

/// Builds `W` from `config` as [`prepare`] does, its shared input decoded from `encoded` (what
/// [`Codec::encode_shared`] wrote for the same configuration) instead of made again.
pub(crate) fn prepare_encoded<W: Workload>(
    description: Description,
    config: WorkloadConfig,
    encoded: &[u8],
) -> Result<Arc<dyn Job>, RemoteError> {
    let workload = W::build(&config)?;
    let shared = postcard::from_bytes(encoded).map_err(|source| JobError::Decode {
        workload: config.name.clone(),
        what: "the cached shared input".to_owned(),
        source,
    })?;
    let tasks = workload.tasks();
    Ok(Arc::new(Prepared { workload, shared, tasks, description, config }))
}

/// A built workload with its shared input and tasks: both the [`Job`] and its [`Codec`].
pub(super) struct Prepared<W: Workload> {
    pub(super) workload: W,
    pub(super) shared: W::Shared,
    pub(super) tasks: Vec<W::Task>,
    pub(super) description: Description,
    pub(super) config: WorkloadConfig,
}

impl<W: Workload> Prepared<W> {
    /// `output` as this workload's output type, or an error naming the task.
    pub(super) fn output<'a>(&self, task: usize, output: &'a AnyOutput) -> Result<&'a W::Output, JobError> {
        output
            .downcast_ref::<W::Output>()
            .ok_or_else(|| JobError::ForeignOutput { workload: self.config.name.clone(), task })
    }
}

/// Postcard's output fed into a digest as it is written.
struct Feeding<'a>(&'a mut Digester);

impl postcard::ser_flavors::Flavor for Feeding<'_> {
    type Output = ();

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.feed(data);
        Ok(())
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.feed(&[data]);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
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

    /// Each output is encoded straight into the digest, its length first (a sizing pass), and never held as bytes:
    /// holding every encoding at once would need the outputs' memory twice over.
    fn digest(&self, outputs: &[AnyOutput]) -> Result<Digest, JobError> {
        let mut digester = Digester::new();
        for (task, output) in outputs.iter().enumerate() {
            let output = self.output(task, output)?;
            let what = || format!("the output of task {task}");
            digester.start_part(self.encoded_size(output, what)?);
            postcard::serialize_with_flavor(output, Feeding(&mut digester)).map_err(|source| JobError::Encode {
                workload: self.config.name.clone(),
                what: what(),
                source,
            })?;
        }
        Ok(digester.finish())
    }

    fn bytes_touched(&self) -> Option<u64> {
        self.workload.bytes_touched()
    }

    fn codec(&self) -> &dyn Codec {
        self
    }
}
