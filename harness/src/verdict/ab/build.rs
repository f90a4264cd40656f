//! One build in an A/B run: a server process started as `ablate ab-serve`, asked one request at a time, its
//! replies read past anything else it prints; never left running after the run.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
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
    /// Whether it has answered the handshake: an ablate build serving A/B, as opposed to any other program.
    greeted: bool,
    pub(super) groups: Vec<Vec<String>>,
}

/// Whether `base` is byte for byte the binary at `candidate`, so that an A/B run between them would compare a
/// build with itself. A base that cannot be read as a file here (a name looked up on PATH) is not judged.
pub fn same_binary(base: &Path, candidate: &Path) -> Result<bool, HarnessError> {
    let (Ok(base_meta), Ok(candidate_meta)) = (std::fs::metadata(base), std::fs::metadata(candidate)) else {
        return Ok(false);
    };
    if !base_meta.is_file() || base_meta.len() != candidate_meta.len() {
        return Ok(false);
    }
    let open = |path: &Path| File::open(path).map(BufReader::new).map_err(|e| HarnessError::io("cannot read", path, e));
    let (mut a, mut b) = (open(base)?, open(candidate)?);
    loop {
        let (left, right) = (
            a.fill_buf().map_err(|e| HarnessError::io("cannot read", base, e))?,
            b.fill_buf().map_err(|e| HarnessError::io("cannot read", candidate, e))?,
        );
        let n = left.len().min(right.len());
        if n == 0 {
            return Ok(left.len() == right.len());
        }
        if left[..n] != right[..n] {
            return Ok(false);
        }
        a.consume(n);
        b.consume(n);
    }
}

/// How long a build that stopped answering may take to exit by itself before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Lines of a failed build's stderr quoted in the error.
const STDERR_TAIL: usize = 3;

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
        let mut build = Build { label, binary, child, requests, stderr, replies, greeted: false, groups: Vec::new() };
        match build.read()? {
            Reply::Hello { protocol: PROTOCOL, groups } => {
                build.greeted = true;
                build.groups = groups;
            }
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

    /// The error for a build that stopped answering: which build, how it ended (it is given a moment to exit by
    /// itself, then killed), when, and the last lines of its stderr.
    fn died(&mut self) -> HarnessError {
        let deadline = Instant::now() + EXIT_GRACE;
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let ended = match self.child.try_wait() {
            Ok(Some(status)) => match (status.code(), status.signal()) {
                (Some(code), _) => format!("exited with code {code}"),
                (None, Some(signal)) => format!("was killed by signal {signal} ({})", signal_name(signal)),
                _ => format!("ended ({status})"),
            },
            _ => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                format!("stopped answering and was killed after {EXIT_GRACE:?}")
            }
        };
        let when = match self.greeted {
            true => "in the middle of the run",
            false => "before answering the A/B handshake (is it an ablate binary with `ab-serve`?)",
        };
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let tail = match &lines[lines.len().saturating_sub(STDERR_TAIL)..] {
            [] => "its stderr was empty".to_owned(),
            tail => format!("its stderr ended: {}", tail.join(" / ")),
        };
        HarnessError::Ab(format!("the {} build {} {ended} {when}; {tail}", self.label, self.binary))
    }
}

/// The system's description of `signal`, e.g. `Segmentation fault`.
fn signal_name(signal: i32) -> String {
    // SAFETY: strsignal returns a pointer to a NUL-terminated string (or null), read at once, before any other
    // call could reuse its buffer.
    let name = unsafe { libc::strsignal(signal) };
    if name.is_null() {
        return format!("signal {signal}");
    }
    // SAFETY: non-null, and NUL-terminated as above.
    unsafe { std::ffi::CStr::from_ptr(name) }.to_string_lossy().into_owned()
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
