//! Building the binary under test at one commit: `cargo build --release` of the package and binary in the
//! scratch worktree, into the bisection's one target directory, so that each commit rebuilds only what it
//! changed; the binary is copied out, since the next build overwrites it.
//!
//! Cargo runs in a process group of its own ([`ChildGroup`]), ended with everything it started (rustc, build
//! scripts) when a stop signal asks the bisection to stop, and whenever the build ends, however it ends; cargo is
//! killed if ablate itself dies (what it started then lives on: see [`crate::child_group`]); its output goes to a
//! log, whose first error is quoted when a commit does not build.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use super::git::Commit;
use crate::cancel::Cancel;
use crate::child_group::ChildGroup;
use crate::error::HarnessError;
use crate::platform::{self, GroupSignal};

/// What cargo builds and where.
pub struct Builder {
    /// The project's directory inside the worktree.
    pub project: PathBuf,
    pub target_dir: PathBuf,
    pub package: String,
    pub bin: String,
    /// Where the build logs and the copied binaries go.
    pub scratch: PathBuf,
    /// Stops a build under way.
    pub cancel: Cancel,
}

/// The result of building one commit.
pub enum Built {
    /// The binary under test, copied out of the target directory.
    Binary(PathBuf),
    /// The commit does not build: why, in one line.
    Failed(String),
}

/// How long cargo and its children get to stop after an interrupt before they are killed.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// How often a running build is checked for an interrupt.
const POLL: Duration = Duration::from_millis(50);

impl Builder {
    /// Builds the project as checked out at `commit`. An interrupted build counts as failed; the caller asks
    /// its token first.
    pub fn build(&self, commit: &Commit) -> Result<Built, HarnessError> {
        let log_path = self.scratch.join(format!("build-{}.log", commit.short()));
        let log = File::create(&log_path).map_err(|e| HarnessError::io("cannot create", &log_path, e))?;
        let log_err = log.try_clone().map_err(|e| HarnessError::io("cannot open", &log_path, e))?;
        let mut command = Command::new("cargo");
        command
            .args(["build", "--release", "--package", &self.package, "--bin", &self.bin])
            .current_dir(&self.project)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        let mut child =
            ChildGroup::spawn(&mut command).map_err(|e| HarnessError::io("cannot start cargo in", &self.project, e))?;
        let status = wait_or_stop(&mut child, &self.cancel)
            .map_err(|e| HarnessError::io("cannot wait for cargo in", &self.project, e))?;
        if !status.success() {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            return Ok(Built::Failed(format!("cargo build {}: {}", ended(status), first_error(&log))));
        }
        let built = self.target_dir.join("release").join(&self.bin);
        let kept = self.scratch.join("bin").join(commit.short());
        std::fs::create_dir_all(&kept).map_err(|e| HarnessError::io("cannot create", &kept, e))?;
        let kept = kept.join(&self.bin);
        std::fs::copy(&built, &kept).map_err(|e| HarnessError::io("cannot copy the built binary", &built, e))?;
        Ok(Built::Binary(kept))
    }
}

/// Waits for cargo; once `cancel` is cancelled, asks its whole process group to stop (SIGINT) and gives it
/// [`STOP_GRACE`]. Either way the group is then killed, so that nothing it started lives on, and cargo reaped.
fn wait_or_stop(child: &mut ChildGroup, cancel: &Cancel) -> std::io::Result<ExitStatus> {
    while !child.has_exited() {
        if cancel.is_cancelled() {
            child.signal(GroupSignal::Interrupt);
            child.exits_within(STOP_GRACE);
            break;
        }
        std::thread::sleep(POLL);
    }
    child.end()
}

/// `exited with code 101` or `was killed by signal 2`.
fn ended(status: ExitStatus) -> String {
    match (status.code(), platform::exit_signal(status)) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        _ => format!("ended ({status})"),
    }
}

/// The first error cargo or rustc reported in `log` (with the line that says where, when there is one), or the
/// log's last line.
fn first_error(log: &str) -> String {
    let lines: Vec<&str> = log.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let Some(at) = lines.iter().position(|l| l.starts_with("error")) else {
        return lines.last().map_or_else(|| "no output".to_owned(), |l| (*l).to_owned());
    };
    match lines.get(at + 1).filter(|l| l.starts_with("-->")) {
        Some(location) => format!("{} {location}", lines[at]),
        None => lines[at].to_owned(),
    }
}

/// The binary built for `package` unless `--bin` names one: `ablate` for ablate's own package, else the
/// package's name (cargo's default for a package's one binary).
pub fn default_bin(package: &str) -> &str {
    if package == "ablate-harness" { "ablate" } else { package }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_error_is_quoted_with_its_location() {
        let log = "   Compiling custom-workload v0.1.0\nerror: expected `;`, found `}`\n  --> src/main.rs:9:30\n\
                   error: could not compile `custom-workload`\n";
        assert_eq!(first_error(log), "error: expected `;`, found `}` --> src/main.rs:9:30");
        assert_eq!(
            first_error("warning: x\nerror: could not find `Cargo.toml`\n"),
            "error: could not find `Cargo.toml`"
        );
        assert_eq!(first_error("killed\n"), "killed");
        assert_eq!(first_error(""), "no output");
    }

    #[test]
    fn the_default_binary_is_ablate_for_ablate_and_the_package_name_otherwise() {
        assert_eq!(default_bin("ablate-harness"), "ablate");
        assert_eq!(default_bin("custom-workload"), "custom-workload");
    }
}
