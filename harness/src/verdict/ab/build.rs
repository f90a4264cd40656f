//! One build in an A/B run: a server process started as `ablate ab-serve`, asked one request at a time, its
//! replies read past anything else it prints; never left running after the run.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::HarnessError;
use crate::record::RunRecord;
use crate::runner::serve::{PROTOCOL, REPLY_PREFIX, Reply, Request};

/// One build, started as an A/B server.
pub(super) struct Build {
    label: &'static str,
    binary: String,
    child: Child,
    /// Taken when the build is dropped, which ends a healthy server.
    requests: Option<ChildStdin>,
    stderr: PathBuf,
    replies: BufReader<ChildStdout>,
    pub(super) groups: Vec<Vec<String>>,
}

impl Build {
    pub(super) fn start(
        binary: &Path,
        label: &'static str,
        suite: &[String],
        dir: &Path,
    ) -> Result<Self, HarnessError> {
        let stderr = dir.join(format!("{label}.stderr"));
        let log = File::create(&stderr).map_err(|e| HarnessError::io("cannot create", &stderr, e))?;
        let mut child = Command::new(binary)
            .arg("ab-serve")
            .args(suite)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| HarnessError::io("cannot start the A/B build", binary, e))?;
        let requests = child.stdin.take();
        let replies = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let binary = binary.display().to_string();
        let mut build = Build { label, binary, child, requests, stderr, replies, groups: Vec::new() };
        match build.read()? {
            Reply::Hello { protocol: PROTOCOL, groups } => build.groups = groups,
            Reply::Hello { protocol, .. } => {
                return Err(HarnessError::Ab(format!(
                    "the {label} build {} speaks A/B protocol {protocol}, this one {PROTOCOL}; build both from \
                     commits of the same protocol",
                    build.binary
                )));
            }
            other => return Err(build.unexpected(other)),
        }
        Ok(build)
    }

    pub(super) fn ask(&mut self, request: &Request) -> Result<Reply, HarnessError> {
        self.send(request)?;
        self.read()
    }

    pub(super) fn send(&mut self, request: &Request) -> Result<(), HarnessError> {
        let line = serde_json::to_string(request).expect("requests encode");
        let Some(requests) = self.requests.as_mut() else { return Err(self.died()) };
        if writeln!(requests, "{line}").and_then(|()| requests.flush()).is_err() {
            return Err(self.died());
        }
        Ok(())
    }

    pub(super) fn read(&mut self) -> Result<Reply, HarnessError> {
        let mut line = String::new();
        loop {
            line.clear();
            match self.replies.read_line(&mut line) {
                Ok(0) | Err(_) => return Err(self.died()),
                Ok(_) => {
                    if let Some(json) = line.trim_end().strip_prefix(REPLY_PREFIX) {
                        return serde_json::from_str(json).map_err(|e| {
                            HarnessError::Ab(format!("the {} build {} sent a bad reply: {e}", self.label, self.binary))
                        });
                    }
                }
            }
        }
    }

    pub(super) fn finish(&mut self) -> Result<RunRecord, HarnessError> {
        match self.ask(&Request::Finish)? {
            Reply::Finished { record } => Ok(*record),
            other => Err(self.unexpected(other)),
        }
    }

    pub(super) fn unexpected(&mut self, reply: Reply) -> HarnessError {
        match reply {
            Reply::Error { message } => {
                HarnessError::Ab(format!("the {} build {}: {message}", self.label, self.binary))
            }
            other => {
                HarnessError::Ab(format!("the {} build {} replied out of turn: {other:?}", self.label, self.binary))
            }
        }
    }

    /// The error for a build that stopped answering: its exit status and the last lines of its stderr.
    fn died(&mut self) -> HarnessError {
        let _ = self.child.kill();
        let status = self.child.wait().map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
        HarnessError::Ab(format!(
            "the {} build {} stopped ({status}){}",
            self.label,
            self.binary,
            if tail.is_empty() { String::new() } else { format!(": {}", tail.join(" / ")) }
        ))
    }
}

impl Drop for Build {
    /// A build never outlives the run: closing its stdin ends a healthy server; one still running a second
    /// later is killed.
    fn drop(&mut self) {
        drop(self.requests.take());
        let deadline = Instant::now() + Duration::from_secs(1);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
