//! One worker process as the parent sees it: spawning it, talking to it, reading its memory and CPU use, and
//! making sure it is gone.
//!
//! Each worker gets its own process group (so a terminal's Ctrl-C reaches only the parent, which then stops the
//! workers itself) and, on Linux, the parent-death signal (so it dies with the parent even if the parent is
//! killed); under the portable platform a worker ends when its stdin, the pipe from the parent, closes.
//! A reader thread per worker turns its stdout into messages on the pool's channel.

use crate::measure::schedstat::WorkerCpu;
use crate::platform;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam::channel::Sender;

use super::wire::{FromWorker, ToWorker, read_frame, write_frame};
use super::worker::WORKER_ENV;

/// What a reader thread reports about its worker, tagged with the worker's serial number.
pub enum Report {
    Message {
        serial: u64,
        message: FromWorker,
        bytes: usize,
    },
    /// The worker's stdout ended or broke; `reason` says how.
    Gone {
        serial: u64,
        reason: String,
    },
    /// The worker sent something that is not a frame.
    Garbled {
        serial: u64,
        reason: String,
    },
}

impl Report {
    /// The worker the report is about.
    pub fn serial(&self) -> u64 {
        match self {
            Report::Message { serial, .. } | Report::Gone { serial, .. } | Report::Garbled { serial, .. } => *serial,
        }
    }
}

pub struct WorkerProcess {
    pub serial: u64,
    child: Child,
    stdin: BufWriter<ChildStdin>,
    reader: Option<JoinHandle<()>>,
    write_buffer: Vec<u8>,
}

impl WorkerProcess {
    /// Starts `program` in worker mode; its messages arrive on `reports`.
    pub fn spawn(program: &Path, serial: u64, frame_cap: u64, reports: Sender<Report>) -> std::io::Result<Self> {
        let mut command = Command::new(program);
        command
            .env(WORKER_ENV, frame_cap.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        platform::tie_worker_to_parent(&mut command);
        let mut child = command.spawn()?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let mut stdout = child.stdout.take().expect("stdout is piped");
        platform::widen_pipes(&stdin, &stdout);
        let stdin = BufWriter::new(stdin);
        let reader = std::thread::Builder::new().name(format!("ablate-worker-{serial}")).spawn(move || {
            let mut buffer = Vec::new();
            loop {
                let report = match read_frame::<FromWorker>(&mut stdout, frame_cap, &mut buffer) {
                    Ok(Some((message, bytes))) => Report::Message { serial, message, bytes },
                    Ok(None) => Report::Gone { serial, reason: "closed its output".to_owned() },
                    Err(super::wire::FrameError::Io(e)) => Report::Gone { serial, reason: e.to_string() },
                    Err(e) => Report::Garbled { serial, reason: e.to_string() },
                };
                let last = !matches!(report, Report::Message { .. });
                if reports.send(report).is_err() || last {
                    return;
                }
            }
        })?;
        Ok(WorkerProcess { serial, child, stdin, reader: Some(reader), write_buffer: Vec::new() })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends one message; returns the frame's size.
    pub fn send(&mut self, message: &ToWorker<'_>) -> std::io::Result<usize> {
        write_frame(&mut self.stdin, message, &mut self.write_buffer)
    }

    /// Kills the worker and reaps it; returns how it ended, e.g. `killed by signal 11`.
    pub fn kill(mut self) -> String {
        let _ = self.child.kill();
        self.reap()
    }

    /// Asks the worker to stop, waits up to `grace`, then kills it; never leaves a zombie.
    pub fn shutdown(mut self, grace: Duration) -> String {
        let _ = self.send(&ToWorker::Shutdown);
        let _ = self.stdin.flush();
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(Some(_)) => return self.reap(),
                Ok(None) => std::thread::sleep(Duration::from_millis(1)),
                Err(_) => break,
            }
        }
        self.kill()
    }

    fn reap(&mut self) -> String {
        let status = self.child.wait().map_or_else(|e| format!("could not be reaped: {e}"), describe);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        status
    }

    /// Peak resident memory since the last reset, from /proc (0 where unreadable, and under the portable
    /// platform).
    pub fn peak_rss_bytes(&self) -> u64 {
        platform::process_peak_rss_bytes(self.pid()).unwrap_or(0)
    }

    pub fn reset_peak_rss(&self) {
        platform::reset_process_peak_rss(self.pid());
    }

    /// The time the worker has spent on a CPU and waiting for one, from /proc/<pid>/schedstat; `None` where
    /// unreadable.
    pub fn scheduled(&self) -> Option<WorkerCpu> {
        crate::measure::schedstat::process(self.pid())
    }
}

fn describe(status: ExitStatus) -> String {
    match (status.code(), platform::exit_signal(status)) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => format!("ended ({status})"),
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        if self.reader.is_some() {
            let _ = self.child.kill();
            self.reap();
        }
    }
}
