//! The registry: workload names mapped to their descriptions and to the code that builds them.

use std::sync::Arc;

use crate::contract::{Description, Workload, WorkloadConfig, WorkloadError};
use crate::job::{self, Job};
use crate::remote::{self, RemoteError, RemoteJob, SharedSource};

type Prepare = fn(Description, WorkloadConfig) -> Result<Arc<dyn Job>, WorkloadError>;
type Validate = fn(&WorkloadConfig) -> Result<(), WorkloadError>;
type BuildRemote = fn(WorkloadConfig, SharedSource<'_>) -> Result<Box<dyn RemoteJob>, RemoteError>;

struct Entry {
    description: Description,
    prepare: Prepare,
    validate: Validate,
    remote: BuildRemote,
}

/// The workloads a binary knows, in registration order.
#[derive(Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The built-in suite.
    pub fn builtin() -> Self {
        let mut registry = Self::new();
        crate::builtin::register_all(&mut registry);
        registry
    }

    /// Adds `W`, replacing a workload of the same name (so a user can override a built-in).
    pub fn register<W: Workload>(&mut self) -> &mut Self {
        let description = W::describe();
        self.entries.retain(|e| e.description.name != description.name);
        self.entries.push(Entry {
            description,
            prepare: job::prepare::<W>,
            validate: |config| W::build(config).map(drop),
            remote: remote::build_remote::<W>,
        });
        self
    }

    pub fn descriptions(&self) -> impl Iterator<Item = &Description> {
        self.entries.iter().map(|e| &e.description)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.descriptions().map(|d| d.name).collect()
    }

    /// The description of `name`, or an error listing the valid names.
    pub fn describe(&self, name: &str) -> Result<&Description, WorkloadError> {
        self.entries
            .iter()
            .map(|e| &e.description)
            .find(|d| d.name == name)
            .ok_or_else(|| WorkloadError::UnknownWorkload { name: name.to_owned(), valid: self.names().join(", ") })
    }

    /// Checks the name, the parameter keys and values and the size, without making the shared input.
    pub fn validate(&self, config: &WorkloadConfig) -> Result<(), WorkloadError> {
        let entry = self.checked_entry(config)?;
        (entry.validate)(config)
    }

    /// Checks the configuration, then builds the workload, makes its shared input and lists its tasks.
    pub fn prepare(&self, config: WorkloadConfig) -> Result<Arc<dyn Job>, WorkloadError> {
        let entry = self.checked_entry(&config)?;
        (entry.prepare)(entry.description.clone(), config)
    }

    /// Rebuilds a workload in a worker process, its shared input taken from `source`.
    pub fn remote(&self, config: WorkloadConfig, source: SharedSource<'_>) -> Result<Box<dyn RemoteJob>, RemoteError> {
        let entry = self.checked_entry(&config)?;
        (entry.remote)(config, source)
    }

    /// The entry for `config.name`, once every parameter key is one the workload declares.
    fn checked_entry(&self, config: &WorkloadConfig) -> Result<&Entry, WorkloadError> {
        let entry = self.entries.iter().find(|e| e.description.name == config.name).ok_or_else(|| {
            WorkloadError::UnknownWorkload { name: config.name.clone(), valid: self.names().join(", ") }
        })?;
        let declared = entry.description.params;
        if let Some(key) = config.params.keys().find(|k| !declared.iter().any(|p| p.name == *k)) {
            let valid = declared.iter().map(|p| p.name).collect::<Vec<_>>();
            return Err(WorkloadError::UnknownParam {
                workload: config.name.clone(),
                key: key.to_owned(),
                valid: if valid.is_empty() { "(none)".to_owned() } else { valid.join(", ") },
            });
        }
        Ok(entry)
    }
}
