//! How a fresh A/B server gets the shared input of a group it opens: made by the workload as any run makes it,
//! or — when the driver offers its cache — decoded from the bytes an earlier server of the same build wrote, so
//! that a round pays for its warm-up and timed executions, not for making every input again.
//!
//! The workload contract already makes this possible without asking anything of a workload: a shared input is
//! plain serde data, built deterministically from its configuration (the process strategy's `shm` transport
//! sends it as bytes the same way). The first server of a build is offered an empty memory file
//! ([`InputOffer::Fill`]): it makes the input and writes its encoding there. The driver seals the file and offers
//! it to every later server of that build ([`InputOffer::Read`]), which maps it read-only and decodes its own copy
//! into its own heap. A server checks that the offer was made for its group's very configuration (name, size,
//! seed, parameters) and makes the input itself whenever the offer does not fit or cannot be read, saying why;
//! a workload whose input does not encode is simply made again each round. The build's identity is the driver's
//! business: it keeps one cache per build (see `ab`).

use std::io;
use std::sync::Arc;
use std::time::Instant;

use ablate_workloads::runtime::Job;
use ablate_workloads::{Registry, WorkloadConfig};
use serde::{Deserialize, Serialize};

use super::input_file;
use crate::error::HarnessError;
use crate::record::InputSource;

/// What the driver offers with a request to open a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "offer", rename_all = "lowercase")]
pub enum InputOffer {
    /// Make the input and write its encoding into the empty memory file at `path`, for the group of `key`.
    Fill { path: String, key: WorkloadConfig },
    /// Decode the input from the sealed memory file at `path`, `len` bytes, made for the group of `key`.
    Read { path: String, len: u64, key: WorkloadConfig },
}

impl InputOffer {
    fn key(&self) -> &WorkloadConfig {
        match self {
            InputOffer::Fill { key, .. } | InputOffer::Read { key, .. } => key,
        }
    }
}

/// How a server opened a group: where the input came from and what it cost, on the server's clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputReport {
    pub source: InputSource,
    /// Making or decoding the input and listing the tasks, writing the offered file included.
    pub prepare_ns: u64,
    /// The whole opening: the input, the cells' pools launched and warmed up.
    pub open_ns: u64,
}

/// `config`'s workload prepared as `offer` allows (made by the workload when there is none), and where its
/// shared input came from. Errors are those of making the workload, never of the cache.
pub fn prepare(
    registry: &Registry,
    config: &WorkloadConfig,
    offer: Option<&InputOffer>,
) -> Result<(Arc<dyn Job>, InputSource), HarnessError> {
    let made = || registry.prepare(config.clone()).map_err(HarnessError::from);
    let Some(offer) = offer else { return Ok((made()?, InputSource::Built)) };
    if offer.key() != config {
        let why = format!("the cached input was made for {}, the group is {}", describe(offer.key()), describe(config));
        return Ok((made()?, InputSource::Rebuilt { why }));
    }
    match offer {
        InputOffer::Read { path, len, .. } => match decoded(registry, config, path, *len) {
            Ok(job) => Ok((job, InputSource::Cached { bytes: *len })),
            Err(why) => Ok((made()?, InputSource::Rebuilt { why })),
        },
        InputOffer::Fill { path, .. } => {
            let job = made()?;
            let source = match export(job.as_ref(), path) {
                Ok(bytes) => InputSource::Exported { bytes },
                Err(why) => InputSource::Unshared { why },
            };
            Ok((job, source))
        }
    }
}

/// The workload decoded from the sealed file at `path`, or why it could not be.
fn decoded(registry: &Registry, config: &WorkloadConfig, path: &str, len: u64) -> Result<Arc<dyn Job>, String> {
    let mapped = input_file::map_sealed(path, len).map_err(|e| format!("cannot map the cached input {path}: {e}"))?;
    registry.prepare_encoded(config.clone(), mapped.bytes()).map_err(|e| e.to_string())
}

/// Writes `job`'s encoded shared input into the memory file at `path`: its length, or why it could not.
fn export(job: &dyn Job, path: &str) -> Result<u64, String> {
    let len = job.codec().shared_bytes().map_err(|e| e.to_string())?;
    input_file::fill(path, len, |out| job.codec().encode_shared_into(out).map_err(io::Error::other))
        .map_err(|e| format!("cannot write the input into {path}: {e}"))?;
    Ok(len)
}

/// `name` at `size`, seed `seed`, with its parameters: what a cached input is keyed by, for messages.
pub fn describe(config: &WorkloadConfig) -> String {
    let params: Vec<String> = config.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let params = if params.is_empty() { String::new() } else { format!(" {}", params.join(",")) };
    format!("{} at size {} seed {}{params}", config.name, config.size, config.seed)
}

/// Times `f` in nanoseconds.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let started = Instant::now();
    let value = f();
    (value, u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests;
