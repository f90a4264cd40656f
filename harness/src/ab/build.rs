//! One build in an A/B run: a server process started as `ablate ab-serve`, asked one request at a time, its
//! replies read past anything else it prints; never left running after the run.
//!
//! The build leads a process group of its own ([`ChildGroup`]), killed whole whenever the build is dropped: at the
//! end of a round, on any error, and when the run is stopped. Every wait for a reply, the handshake's included, is
//! bounded: by the run's `--max-time` plus [`REPLY_GRACE`] (a single request that takes longer cannot fit the
//! run's budget anyway), and by the run's cancellation, which ends it at once. Reply lines and the other output
//! skipped between them are bounded too ([`replies`](super::replies)). A build that breaks any bound is killed
//! and named in a one-line error that says what the driver was waiting for.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use ablate_workloads::WorkloadConfig;

use super::inputs::InputCache;
use super::replies::{Ending, Incoming, read_on_a_thread};
use crate::cancel::Cancel;
use crate::child_group::ChildGroup;
use crate::error::HarnessError;
use crate::platform;
use crate::record::{GroupOpen, RunRecord};
use crate::runner::group_input::InputOffer;
use crate::runner::serve::{PROTOCOL, Reply, Request};

/// How much longer than the run's `--max-time` one reply may take before its build is taken for hung.
pub const REPLY_GRACE: Duration = Duration::from_secs(30);

/// One build, started as an A/B server.
pub(super) struct Build {
    label: &'static str,
    binary: String,
    child: ChildGroup,
    /// Taken when the build is dropped, which ends a healthy server.
    requests: Option<ChildStdin>,
    stderr: PathBuf,
    replies: Receiver<Incoming>,
    /// What the build was last asked for, as errors name it.
    awaited: String,
    /// Whether it has answered the handshake: an ablate build serving A/B, as opposed to any other program.
    greeted: bool,
    /// The run's `--max-time`: each reply may take it plus [`REPLY_GRACE`].
    max_time: Duration,
    cancel: Cancel,
    pub(super) groups: Vec<Vec<String>>,
    /// Each group's workload configuration as the build planned it: the key of its cached input.
    inputs: Vec<WorkloadConfig>,
    cache: InputCache,
    /// The group being opened: since when, in which round, and the input offered.
    opening: Option<Opening>,
}

/// A request to open a group, sent and not yet answered.
struct Opening {
    group: usize,
    round: u32,
    offer: Option<InputOffer>,
    sent: Instant,
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

/// How often a wait for a reply looks at the run's cancellation.
const POLL: Duration = Duration::from_millis(50);

/// Lines of a failed build's stderr quoted in the error.
const STDERR_TAIL: usize = 3;

impl Build {
    /// Starts `binary` as the `label` build serving `suite`, its stderr kept in `dir`, and reads its handshake;
    /// `max_time` bounds each wait for a reply (see [`REPLY_GRACE`]), `cancel` ends any wait. Its groups' inputs
    /// come from `cache` where it holds them.
    pub(super) fn start(
        binary: &Path,
        label: &'static str,
        suite: &[String],
        dir: &Path,
        max_time: Duration,
        (cancel, cache): (&Cancel, &InputCache),
    ) -> Result<Self, HarnessError> {
        let stderr = dir.join(format!("{label}.stderr"));
        let log = File::create(&stderr).map_err(|e| HarnessError::io("cannot create", &stderr, e))?;
        let mut command = Command::new(binary);
        command.arg("ab-serve").args(suite).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(log);
        let mut child =
            ChildGroup::spawn(&mut command).map_err(|e| HarnessError::io("cannot start the A/B build", binary, e))?;
        let requests = child.take_stdin();
        let output = child.take_stdout().expect("stdout is piped");
        let replies = read_on_a_thread(output, label)
            .map_err(|e| HarnessError::io("cannot start a thread to read the A/B build", binary, e))?;
        let mut build = Build {
            label,
            binary: binary.display().to_string(),
            child,
            requests,
            stderr,
            replies,
            awaited: "the A/B handshake".to_owned(),
            greeted: false,
            max_time,
            cancel: cancel.clone(),
            groups: Vec::new(),
            inputs: Vec::new(),
            cache: cache.clone(),
            opening: None,
        };
        match build.read()? {
            Reply::Hello { protocol: PROTOCOL, groups, inputs } => {
                build.greeted = true;
                build.groups = groups;
                build.inputs = inputs;
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
        self.awaited = awaited(request);
        let line = serde_json::to_string(request).expect("requests encode");
        let Some(requests) = self.requests.as_mut() else { return Err(self.died()) };
        if writeln!(requests, "{line}").and_then(|()| requests.flush()).is_err() {
            return Err(self.died());
        }
        Ok(())
    }

    /// The reply to the last request (or the handshake), within the bound; an error once the run is cancelled.
    pub(super) fn read(&mut self) -> Result<Reply, HarnessError> {
        let patience = self.max_time + REPLY_GRACE;
        let deadline = Instant::now() + patience;
        loop {
            if self.cancel.is_cancelled() {
                return Err(self.fail(&format!("was stopped while the driver waited for {}", self.awaited)));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let why = format!(
                    "sent no reply in {} while the driver waited for {} (each reply may take --max-time {} plus \
                     {}; a build that needs longer needs a larger --max-time), so it was killed with its process \
                     group",
                    humantime::format_duration(patience),
                    self.awaited,
                    humantime::format_duration(self.max_time),
                    humantime::format_duration(REPLY_GRACE),
                );
                return Err(self.fail(&why));
            }
            match self.replies.recv_timeout(left.min(POLL)) {
                Ok(Incoming::Reply(json)) => {
                    return serde_json::from_slice(&json).map_err(|e| {
                        HarnessError::Ab(format!("the {} build {} sent a bad reply: {e}", self.label, self.binary))
                    });
                }
                Ok(Incoming::Ended(Ending::Closed)) | Err(RecvTimeoutError::Disconnected) => return Err(self.died()),
                Ok(Incoming::Ended(ending)) => {
                    let why = format!(
                        "{} while the driver waited for {}, so it was killed with its process group",
                        ending.describe(),
                        self.awaited
                    );
                    return Err(self.fail(&why));
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }

    /// Asks the build to open `group` with only `cells` (and serial) in round `round`, offering its cached input
    /// where the cache has one; [`Build::opened`] reads the reply.
    pub(super) fn open(&mut self, group: usize, cells: Vec<String>, round: u32) -> Result<(), HarnessError> {
        let identity = self.cache.identity(Path::new(&self.binary));
        let offer = self.cache.offer(identity, self.inputs.get(group));
        self.opening = Some(Opening { group, round, offer: offer.clone(), sent: Instant::now() });
        self.send(&Request::Open { group, cells: Some(cells), input: offer })
    }

    /// The cells of the group [`Build::open`] asked for, once it is open; the cache takes in where the input came
    /// from, and the opening is recorded.
    pub(super) fn opened(&mut self) -> Result<Vec<String>, HarnessError> {
        let (cells, input) = match self.read()? {
            Reply::Opened { cells, input } => (cells, input),
            other => return Err(self.unexpected(other)),
        };
        let Opening { group, round, offer, sent } = self.opening.take().expect("a group was asked to open");
        if let (Some(identity), Some(offer)) = (self.cache.identity(Path::new(&self.binary)), &offer) {
            self.cache.settle(identity, offer, input.as_ref());
        }
        let open = GroupOpen {
            round,
            group,
            workload: self.inputs.get(group).cloned(),
            input: input.as_ref().map(|r| r.source.clone()),
            prepare_ns: input.as_ref().map(|r| r.prepare_ns),
            open_ns: input.as_ref().map(|r| r.open_ns),
            wait_ns: u64::try_from(sent.elapsed().as_nanos()).unwrap_or(u64::MAX),
        };
        self.cache.record(self.label, open);
        Ok(cells)
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

    /// The error for a build that broke a bound (`why`): it is killed with its group, and its stderr quoted.
    fn fail(&mut self, why: &str) -> HarnessError {
        let _ = self.child.end();
        HarnessError::Ab(format!("the {} build {} {why}; {}", self.label, self.binary, self.stderr_tail()))
    }

    /// The error for a build that stopped answering: which build, how it ended (it is given a moment to exit by
    /// itself, then killed with its group), when, and the last lines of its stderr.
    fn died(&mut self) -> HarnessError {
        let exited = self.child.exits_within(EXIT_GRACE);
        let ended = match (exited, self.child.end()) {
            (true, Ok(status)) => match (status.code(), platform::exit_signal(status)) {
                (Some(code), _) => format!("exited with code {code}"),
                (None, Some(signal)) => format!("was killed by signal {signal} ({})", platform::signal_name(signal)),
                _ => format!("ended ({status})"),
            },
            _ => format!("stopped answering and was killed after {EXIT_GRACE:?}"),
        };
        let when = match self.greeted {
            true => "in the middle of the run",
            false => "before answering the A/B handshake (is it an ablate binary with `ab-serve`?)",
        };
        HarnessError::Ab(format!("the {} build {} {ended} {when}; {}", self.label, self.binary, self.stderr_tail()))
    }

    /// The last lines of the build's stderr, or that it was empty.
    fn stderr_tail(&self) -> String {
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        match &lines[lines.len().saturating_sub(STDERR_TAIL)..] {
            [] => "its stderr was empty".to_owned(),
            tail => format!("its stderr ended: {}", tail.join(" / ")),
        }
    }
}

/// What the driver waits for after sending `request`, as errors name it.
fn awaited(request: &Request) -> String {
    match request {
        Request::Open { group, .. } => format!("group {group} to open (its cells built and warmed up)"),
        Request::Execute { cell, round, .. } => format!("cell {cell} of the open group to run (round {round})"),
        Request::Close => "the open group to close".to_owned(),
        Request::Finish => "its record".to_owned(),
    }
}

impl Drop for Build {
    /// A build never outlives the run: closing its stdin ends a healthy server; its group is killed a second
    /// later, whatever is left of it.
    fn drop(&mut self) {
        drop(self.requests.take());
        self.child.exits_within(Duration::from_secs(1));
    }
}
