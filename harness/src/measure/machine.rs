//! What machine a result came from: CPU, cores, memory, OS, compiler, the commit of the project measured, and a
//! stable fingerprint.
//!
//! The commit is that of the git repository the run was started in (its working directory), read when the run
//! is made: a user's crate measured in the user's repository records the user's commit, not ablate's. ablate's
//! own build is recorded apart (see [`AblateBuild`]).
//!
//! The fingerprint names the hardware class, not the host: CPU model, logical and physical cores, memory rounded
//! to GiB, and architecture. Two fresh CI machines of the same kind share it, so a committed baseline applies to
//! both; the host name, the boot and clock-derived fields such as bogomips are deliberately left out.

use std::fs;

use ablate_workloads::Digest;
use serde::{Deserialize, Serialize};

use crate::platform;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub fingerprint: String,
    pub cpu_model: String,
    pub logical_cores: usize,
    pub physical_cores: usize,
    pub memory_bytes: u64,
    pub arch: String,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    /// `HEAD` of the git repository of the working directory the run was started in; absent outside one, or
    /// where git is missing.
    pub git_commit: Option<String>,
    /// That repository had uncommitted changes to tracked files.
    pub git_dirty: bool,
}

/// The build of ablate that made a record: its version and the commit it was built from (absent when built
/// outside a git checkout, e.g. from a published crate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AblateBuild {
    pub version: &'static str,
    pub commit: Option<&'static str>,
    pub dirty: bool,
}

impl AblateBuild {
    /// This binary's build.
    pub fn current() -> Self {
        let commit = env!("ABLATE_GIT_COMMIT");
        AblateBuild {
            version: env!("CARGO_PKG_VERSION"),
            commit: (!commit.is_empty()).then_some(commit),
            dirty: env!("ABLATE_GIT_DIRTY") == "true",
        }
    }
}

/// The commit of the project being measured: `HEAD` of the git repository of the working directory, and
/// whether tracked files have uncommitted changes. `None` outside a repository or where git cannot run.
pub fn project_commit() -> Option<(String, bool)> {
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git").args(args).stderr(std::process::Stdio::null()).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--verify", "--quiet", "HEAD"]).filter(|c| !c.is_empty())?;
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some((commit, dirty))
}

impl Machine {
    /// Reads the machine this process runs on and the commit of the project being measured (which starts git).
    /// The only way to get a `Machine` besides reading a record: a command detects it once, at its start, and
    /// passes it down to everything that needs the fingerprint or the cores, and to the record it writes.
    pub fn detect_with_project() -> Self {
        let mut machine = Machine::hardware();
        if let Some((commit, dirty)) = project_commit() {
            machine.git_commit = Some(commit);
            machine.git_dirty = dirty;
        }
        machine
    }

    /// The fingerprint of the machine this process runs on, for commands that only look its records up
    /// (`ablate baseline`): the hardware alone, no git.
    pub fn fingerprint_here() -> String {
        Machine::hardware().fingerprint
    }

    /// Reads the machine this process runs on, without the project's commit.
    fn hardware() -> Self {
        let cpu_model = platform::cpu_model().unwrap_or_else(|| "unknown".to_owned());
        let logical_cores = std::thread::available_parallelism().map_or(1, usize::from);
        let physical_cores = platform::physical_cores().unwrap_or(logical_cores);
        let memory_bytes = platform::total_memory_bytes().unwrap_or(0);
        let arch = std::env::consts::ARCH.to_owned();
        let fingerprint = fingerprint(&cpu_model, logical_cores, physical_cores, memory_bytes, &arch);
        Machine {
            fingerprint,
            cpu_model,
            logical_cores,
            physical_cores,
            memory_bytes,
            arch,
            os: os_name(),
            kernel: platform::kernel_release().unwrap_or_else(|| "unknown".into()),
            rustc: env!("ABLATE_RUSTC_VERSION").to_owned(),
            git_commit: None,
            git_dirty: false,
        }
    }
}

#[cfg(test)]
impl Machine {
    /// A made-up machine, for tests that must tell it from the one they run on.
    pub(crate) fn for_tests() -> Self {
        Machine {
            fingerprint: "test-machine-2c-4g-00000000".to_owned(),
            cpu_model: "Test CPU".to_owned(),
            logical_cores: 2,
            physical_cores: 2,
            memory_bytes: 4 << 30,
            arch: "test".to_owned(),
            os: "test".to_owned(),
            kernel: "test".to_owned(),
            rustc: "rustc test".to_owned(),
            git_commit: None,
            git_dirty: false,
        }
    }
}

/// `<cpu-slug>-<logical>c-<GiB>g-<hash>`: readable, and distinct for distinct hardware classes.
fn fingerprint(cpu_model: &str, logical: usize, physical: usize, memory_bytes: u64, arch: &str) -> String {
    let gib = (memory_bytes as f64 / (1u64 << 30) as f64).round() as u64;
    let identity = format!("{cpu_model}|{logical}|{physical}|{gib}|{arch}");
    let hash = Digest::of_parts([identity.as_bytes()]).0 as u32;
    let slug: String = cpu_model
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "processor" | "cpu" | "with" | "core" | "tm" | "r"))
        .take(3)
        .collect::<Vec<_>>()
        .join("-");
    format!("{slug}-{logical}c-{gib}g-{hash:08x}")
}

fn os_name() -> String {
    let release = fs::read_to_string("/etc/os-release").unwrap_or_default();
    release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_owned())
        .unwrap_or_else(|| std::env::consts::OS.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_separates_hardware_classes() {
        let a = fingerprint("AMD EPYC 9R14 96-Core Processor", 2, 2, 24 << 30, "x86_64");
        assert_eq!(a, fingerprint("AMD EPYC 9R14 96-Core Processor", 2, 2, 24 << 30, "x86_64"));
        assert!(a.starts_with("amd-epyc-9r14-2c-24g-"), "{a}");
        assert_ne!(a, fingerprint("AMD EPYC 9R14 96-Core Processor", 4, 4, 24 << 30, "x86_64"));
    }

    #[test]
    fn hardware_reads_this_machine() {
        let m = Machine::hardware();
        assert!(m.logical_cores >= 1 && m.physical_cores >= 1);
        match platform::NAME {
            "linux" => assert!(m.memory_bytes > 0 && m.kernel != "unknown", "{m:?}"),
            _ => assert!(m.memory_bytes == 0 && m.cpu_model == "unknown" && m.kernel == "unknown", "absent: {m:?}"),
        }
        assert!(m.rustc.starts_with("rustc"), "{}", m.rustc);
    }
}
