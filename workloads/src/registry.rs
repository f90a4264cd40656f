//! The registry: workload names mapped to their descriptions and to the code that builds them.

use std::sync::Arc;

use crate::contract::{Description, Footprint, Workload, WorkloadConfig, WorkloadError};
use crate::job::{self, Job};
use crate::remote::{self, RemoteError, RemoteJob, SharedSource};

type Prepare = fn(Description, WorkloadConfig) -> Result<Arc<dyn Job>, WorkloadError>;
type Validate = fn(&WorkloadConfig) -> Result<(), WorkloadError>;
type Estimate = fn(&WorkloadConfig) -> Result<Footprint, WorkloadError>;
type BuildRemote = fn(WorkloadConfig, SharedSource<'_>) -> Result<Box<dyn RemoteJob>, RemoteError>;

struct Entry {
    description: Description,
    prepare: Prepare,
    validate: Validate,
    footprint: Estimate,
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
            footprint: |config| {
                Ok(W::build(config)?.footprint().unwrap_or_else(|| Footprint::assumed::<W>(config.size)))
            },
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

    /// What the workload will hold once built (see [`Footprint`]), estimated without making its shared input.
    pub fn footprint(&self, config: &WorkloadConfig) -> Result<Footprint, WorkloadError> {
        let entry = self.checked_entry(config)?;
        (entry.footprint)(config)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    fn config(name: &str, size: u64, params: Params) -> WorkloadConfig {
        WorkloadConfig { name: name.into(), size, seed: 1, params }
    }

    #[test]
    fn footprints_are_estimated_without_making_anything() {
        let registry = Registry::builtin();
        let gather = registry.footprint(&config("gather", 64 << 30, Params::new())).unwrap();
        assert_eq!(gather.shared_bytes, 8 * (64 << 30), "512 GiB estimated, not allocated");
        assert_eq!(gather.tasks, (32u64 << 30).div_ceil(65_536));
        let triad = registry.footprint(&config("triad", 1 << 20, Params::new())).unwrap();
        assert_eq!((triad.shared_bytes, triad.tasks), (16 << 20, 4));
        assert!(triad.per_worker_process() >= 24 << 20, "b and c, and a of its own");
        let spin = registry.footprint(&config("spin", 1_000_000_000, Params::new())).unwrap();
        assert_eq!(spin.tasks, 1_000_000_000, "the default: one task per unit of size");
        assert!(spin.in_one_process(0) >= 24_000_000_000);
        let absurd = Params::new().with("lookups", u64::MAX);
        assert!(registry.footprint(&config("gather", 1, absurd)).unwrap().in_one_process(64) > 1 << 50);
        let overflowing = Footprint { shared_bytes: u64::MAX, scratch_bytes: 1, tasks: 2, bytes_per_task: u64::MAX };
        assert_eq!(overflowing.in_one_process(64), u64::MAX, "saturates instead of wrapping to a small number");
    }
}
