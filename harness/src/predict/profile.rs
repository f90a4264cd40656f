//! A machine profile: what the machine a prediction is for offers — cores and SMT siblings, caches, memory
//! bandwidth at 1..N threads, the yield of two SMT siblings, and the costs of waking a thread, spawning a process
//! and a pipe round trip. Made by `ablate probe` on that machine and kept as a versioned JSON file under
//! `baselines/profiles/<fingerprint>.json`, so a team probes its production machine once and commits the file.
//! A fact the probe could not measure is absent, and a prediction widens its interval for it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::HarnessError;

/// Bumped when a field changes meaning; readers refuse versions they do not know.
pub const PROFILE_VERSION: u64 = 1;

/// Where profiles are kept, under the baselines directory.
pub const PROFILES_DIR: &str = "profiles";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MachineProfile {
    pub profile_version: u64,
    /// The machine's fingerprint, as results files give it.
    pub fingerprint: String,
    pub cpu_model: String,
    pub logical_cores: usize,
    /// Physical cores, where known (`None`: unknown, and a prediction beyond it is widened for SMT).
    pub physical_cores: Option<usize>,
    /// NUMA nodes, where known.
    #[serde(default)]
    pub numa_nodes: Option<usize>,
    /// Last-level cache in bytes, where known.
    #[serde(default)]
    pub last_level_cache_bytes: Option<u64>,
    /// Streaming bandwidth (triad, STREAM counting) at each thread count measured, GB/s.
    pub stream_gbps: Vec<ThreadsGbps>,
    /// Random-access bandwidth at each thread count measured (8-byte reads), GB/s.
    #[serde(default)]
    pub random_gbps: Vec<ThreadsGbps>,
    /// The throughput of two busy SMT siblings of one core over one thread alone on it (e.g. 1.25); `None` where
    /// the machine has no siblings or it was not measured.
    pub smt_yield: Option<f64>,
    /// A CPU-bound kernel's time per iteration on one core, ns: the per-core speed, for comparing machines.
    pub cpu_kernel_ns: Option<f64>,
    /// The same kernel's speed per thread with N threads busy at once, relative to one alone (all-core clocks
    /// below one-core ones, shared caches): 1.0 where nothing is lost. Empty where not measured.
    #[serde(default)]
    pub core_speed: Vec<ThreadsSpeed>,
    /// Waking a parked thread and hearing back, ns.
    pub thread_wake_ns: Option<f64>,
    /// Spawning a process that exits at once and waiting for it, ns.
    pub process_spawn_ns: Option<f64>,
    /// One byte to another process over a pipe and back, ns.
    pub pipe_round_trip_ns: Option<f64>,
    /// How this profile was made: `probed on <date>` or what was assumed, and from where.
    pub source: String,
}

/// A thread's speed with `threads` busy at once, relative to one alone.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadsSpeed {
    pub threads: usize,
    pub relative: f64,
}

/// Bandwidth at a thread count.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadsGbps {
    pub threads: usize,
    pub gbps: f64,
}

impl MachineProfile {
    /// Streaming bandwidth at `threads`: measured, or interpolated between the counts measured, or the last
    /// measured beyond them (bandwidth saturates).
    pub fn stream_gbps_at(&self, threads: usize) -> Option<f64> {
        let points = &self.stream_gbps;
        let below = points.iter().filter(|p| p.threads <= threads).max_by_key(|p| p.threads);
        let above = points.iter().filter(|p| p.threads >= threads).min_by_key(|p| p.threads);
        match (below, above) {
            (Some(b), Some(a)) if a.threads == b.threads => Some(b.gbps),
            (Some(b), Some(a)) => {
                let t = (threads - b.threads) as f64 / (a.threads - b.threads) as f64;
                Some(b.gbps + t * (a.gbps - b.gbps))
            }
            (Some(b), None) => Some(b.gbps),
            (None, Some(a)) => Some(a.gbps * threads as f64 / a.threads as f64),
            (None, None) => None,
        }
    }

    /// A thread's speed with `threads` busy, relative to one alone: measured at the nearest count at or below,
    /// `None` where not measured.
    pub fn core_speed_at(&self, threads: usize) -> Option<f64> {
        let below = self.core_speed.iter().filter(|p| p.threads <= threads).max_by_key(|p| p.threads);
        below.or_else(|| self.core_speed.first()).map(|p| p.relative)
    }

    /// The default place of the profile of machine `fingerprint` under `baselines`.
    pub fn path_in(baselines: &Path, fingerprint: &str) -> PathBuf {
        baselines.join(PROFILES_DIR).join(format!("{fingerprint}.json"))
    }

    /// Reads a profile file, refusing a version this ablate does not know.
    pub fn read(path: &Path) -> Result<Self, HarnessError> {
        let bytes = std::fs::read(path).map_err(|e| HarnessError::io("cannot read the machine profile", path, e))?;
        let invalid = |reason: String| HarnessError::InvalidResults { path: path.to_owned(), reason };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| invalid(format!("not a machine profile ({e})")))?;
        match value.get("profile_version").and_then(serde_json::Value::as_u64) {
            Some(PROFILE_VERSION) => {}
            other => {
                return Err(invalid(format!(
                    "profile version {other:?}; this ablate reads version {PROFILE_VERSION} (run `ablate probe` again)"
                )));
            }
        }
        serde_json::from_value(value).map_err(|e| invalid(format!("not a machine profile ({e})")))
    }

    /// Writes the profile as pretty JSON, atomically.
    pub fn write_to(&self, path: &Path) -> Result<(), HarnessError> {
        let json =
            serde_json::to_vec_pretty(self).map_err(|source| HarnessError::Encode { path: path.to_owned(), source })?;
        crate::write::write_atomic(path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(points: &[(usize, f64)]) -> MachineProfile {
        MachineProfile {
            profile_version: PROFILE_VERSION,
            fingerprint: "m".into(),
            cpu_model: "cpu".into(),
            logical_cores: 16,
            physical_cores: Some(8),
            numa_nodes: None,
            last_level_cache_bytes: None,
            stream_gbps: points.iter().map(|&(threads, gbps)| ThreadsGbps { threads, gbps }).collect(),
            random_gbps: Vec::new(),
            smt_yield: Some(1.2),
            cpu_kernel_ns: None,
            core_speed: Vec::new(),
            thread_wake_ns: None,
            process_spawn_ns: None,
            pipe_round_trip_ns: None,
            source: "test".into(),
        }
    }

    #[test]
    fn bandwidth_is_interpolated_between_counts_and_saturates_beyond_them() {
        let p = profile(&[(1, 10.0), (4, 30.0), (8, 40.0)]);
        assert_eq!(p.stream_gbps_at(4), Some(30.0));
        assert_eq!(p.stream_gbps_at(6), Some(35.0));
        assert_eq!(p.stream_gbps_at(16), Some(40.0));
        assert_eq!(profile(&[]).stream_gbps_at(2), None);
    }

    #[test]
    fn a_profile_reads_back_and_a_future_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        let p = profile(&[(1, 10.0)]);
        p.write_to(&path).unwrap();
        assert_eq!(MachineProfile::read(&path).unwrap(), p);
        let mut future = serde_json::to_value(&p).unwrap();
        future["profile_version"] = 9.into();
        std::fs::write(&path, future.to_string()).unwrap();
        assert!(MachineProfile::read(&path).unwrap_err().to_string().contains("run `ablate probe` again"));
    }
}
