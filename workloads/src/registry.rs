//! The registry: workload names mapped to their descriptions and to the code that builds them, and what the words
//! `all` and `builtins` select on the command line.

use std::sync::Arc;

use crate::assumed::{AssumedFootprint, doubt_unless_declared};
use crate::contract::{Description, Footprint, Workload, WorkloadConfig};
use crate::error::WorkloadError;
use crate::name::{RESERVED, check_identifier};
use crate::runtime::{self, Job, RemoteError, RemoteJob, SharedSource};

type Prepare = fn(Description, WorkloadConfig) -> Result<Arc<dyn Job>, WorkloadError>;
type PrepareEncoded = fn(Description, WorkloadConfig, &[u8]) -> Result<Arc<dyn Job>, RemoteError>;
type Validate = fn(&WorkloadConfig) -> Result<(), WorkloadError>;
type Estimate = fn(&WorkloadConfig) -> Result<Footprint, WorkloadError>;
type Doubt = fn(&WorkloadConfig) -> Result<Option<AssumedFootprint>, WorkloadError>;
type BuildRemote = fn(WorkloadConfig, SharedSource<'_>) -> Result<Box<dyn RemoteJob>, RemoteError>;

struct Entry {
    description: Description,
    /// A built-in workload (from [`Registry::builtin`] or [`Registry::with_builtins_on_request`]).
    builtin: bool,
    /// Left out of `all`: run only when named, or with `builtins`.
    on_request: bool,
    prepare: Prepare,
    prepare_encoded: PrepareEncoded,
    validate: Validate,
    footprint: Estimate,
    assumed: Doubt,
    remote: BuildRemote,
}

/// The workloads a binary knows, in registration order.
#[derive(Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

impl Registry {
    /// On the command line: every workload of the binary's own (`-w all`, the default).
    pub const ALL: &str = "all";
    /// On the command line: every built-in workload (`-w builtins`), whether the binary's own or on request.
    pub const BUILTINS: &str = "builtins";

    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The built-in suite, as the binary's own workloads (the `ablate` binary: `all` runs them).
    pub fn builtin() -> Self {
        let mut registry = Self::new();
        crate::builtin::register_all(&mut registry).expect("the built-ins' names are identifiers");
        registry.entries.iter_mut().for_each(|e| e.builtin = true);
        registry
    }

    /// These workloads, and the built-ins not yet registered under their names, on request: left out of `all`,
    /// run when named or with `builtins`. A user's binary (`ablate_main!`) is made so.
    pub fn with_builtins_on_request(mut self) -> Self {
        for mut entry in Self::builtin().entries {
            if !self.entries.iter().any(|e| e.description.name == entry.description.name) {
                entry.on_request = true;
                self.entries.push(entry);
            }
        }
        self
    }

    /// Adds `W`, replacing a workload of the same name (so a user can override a built-in). Refused when its
    /// name or a parameter's is not an identifier (a lowercase ASCII letter, then lowercase letters, digits,
    /// `_` or `-`; at most 32 in all), when its name is `all` or `builtins`, or when it declares a parameter
    /// twice.
    pub fn register<W: Workload>(&mut self) -> Result<&mut Self, WorkloadError> {
        let description = W::describe();
        check_names(&description)?;
        self.entries.retain(|e| e.description.name != description.name);
        self.entries.push(Entry {
            description,
            builtin: false,
            on_request: false,
            prepare: runtime::prepare::<W>,
            prepare_encoded: runtime::prepare_encoded::<W>,
            validate: |config| W::build(config).map(drop),
            footprint: |config| {
                Ok(W::build(config)?.footprint().unwrap_or_else(|| Footprint::assumed::<W>(config.size)))
            },
            assumed: |config| Ok(doubt_unless_declared::<W>(W::build(config)?.footprint())),
            remote: runtime::build_remote::<W>,
        });
        Ok(self)
    }

    /// Every workload's description, the binary's own first, then those on request.
    pub fn descriptions(&self) -> impl Iterator<Item = &Description> {
        self.entries
            .iter()
            .filter(|e| !e.on_request)
            .chain(self.entries.iter().filter(|e| e.on_request))
            .map(|e| &e.description)
    }

    /// Every workload's name, in the order of [`Registry::descriptions`].
    pub fn names(&self) -> Vec<&'static str> {
        self.descriptions().map(|d| d.name).collect()
    }

    /// Whether `name` is left out of `all`, run only when asked for (a built-in in a user's binary).
    pub fn is_on_request(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.on_request && e.description.name == name)
    }

    /// The workloads one item of `--workloads` names: [`Registry::ALL`] (the binary's own),
    /// [`Registry::BUILTINS`], or one name.
    pub fn select(&self, item: &str) -> Result<Vec<&'static str>, WorkloadError> {
        let chosen =
            |keep: fn(&Entry) -> bool| self.entries.iter().filter(move |e| keep(e)).map(|e| e.description.name);
        match item {
            Self::ALL => Ok(chosen(|e| !e.on_request).collect()),
            Self::BUILTINS => Ok(chosen(|e| e.builtin).collect()),
            name => Ok(vec![self.describe(name)?.name]),
        }
    }

    /// The description of `name`, or an error listing the valid names.
    pub fn describe(&self, name: &str) -> Result<&Description, WorkloadError> {
        self.entry(name).map(|e| &e.description)
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

    /// Whether the workload `config` names leaves its footprint to the harness's assumption
    /// ([`Footprint::assumed`]) where the assumption is in doubt — a size that does not count tasks, data on the
    /// heap — and why; `None` when it declares its own, or when the assumption fits.
    pub fn assumed_footprint(&self, config: &WorkloadConfig) -> Result<Option<AssumedFootprint>, WorkloadError> {
        let entry = self.checked_entry(config)?;
        (entry.assumed)(config)
    }

    /// Checks the configuration, then builds the workload, makes its shared input and lists its tasks.
    pub fn prepare(&self, config: WorkloadConfig) -> Result<Arc<dyn Job>, WorkloadError> {
        let entry = self.checked_entry(&config)?;
        (entry.prepare)(entry.description.clone(), config)
    }

    /// Checks the configuration, then builds the workload and lists its tasks as [`Registry::prepare`] does, its
    /// shared input decoded from `encoded` — the bytes [`Codec::encode_shared`](runtime::Codec::encode_shared)
    /// wrote for this very configuration in a process of the same build — instead of made again.
    pub fn prepare_encoded(&self, config: WorkloadConfig, encoded: &[u8]) -> Result<Arc<dyn Job>, RemoteError> {
        let entry = self.checked_entry(&config)?;
        (entry.prepare_encoded)(entry.description.clone(), config, encoded)
    }

    /// Rebuilds a workload in a worker process, its shared input taken from `source`.
    pub fn remote(&self, config: WorkloadConfig, source: SharedSource<'_>) -> Result<Box<dyn RemoteJob>, RemoteError> {
        let entry = self.checked_entry(&config)?;
        (entry.remote)(config, source)
    }

    fn entry(&self, name: &str) -> Result<&Entry, WorkloadError> {
        self.entries
            .iter()
            .find(|e| e.description.name == name)
            .ok_or_else(|| WorkloadError::UnknownWorkload { name: name.to_owned(), valid: self.names().join(", ") })
    }

    /// The entry for `config.name`, once every parameter key is one the workload declares.
    fn checked_entry(&self, config: &WorkloadConfig) -> Result<&Entry, WorkloadError> {
        let entry = self.entry(&config.name)?;
        let declared = entry.description.params;
        if let Some(key) = config.params.keys().find(|k| !declared.iter().any(|p| p.name() == *k)) {
            let valid = declared.iter().map(|p| p.name()).collect::<Vec<_>>();
            return Err(WorkloadError::UnknownParam {
                workload: config.name.clone(),
                key: key.to_owned(),
                valid: if valid.is_empty() { "(none)".to_owned() } else { valid.join(", ") },
            });
        }
        Ok(entry)
    }
}

/// The workload's name and its parameters' names are identifiers, the name is not a reserved word, and no
/// parameter is declared twice.
fn check_names(description: &Description) -> Result<(), WorkloadError> {
    let name = description.name;
    let refuse = |what: String, bad: &str, why: String| WorkloadError::BadName { what, name: bad.to_owned(), why };
    check_identifier(name).map_err(|why| refuse("workload name".to_owned(), name, why))?;
    if RESERVED.contains(&name) {
        let why = format!("it is reserved on the command line ({})", RESERVED.join(", "));
        return Err(refuse("workload name".to_owned(), name, why));
    }
    let what = || format!("workload '{name}': parameter name");
    for (index, param) in description.params.iter().enumerate() {
        check_identifier(param.name()).map_err(|why| refuse(what(), param.name(), why))?;
        if description.params[..index].iter().any(|p| p.name() == param.name()) {
            return Err(refuse(what(), param.name(), "it is declared twice".to_owned()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
