//! The worker side: a process re-executed from the current binary, selected by an environment variable, that
//! rebuilds the workload and runs the tasks it is sent until told to stop or its parent goes away. While it runs
//! a dispatch it says which task starts whenever the heartbeat has passed without a message, so that the parent
//! can tell one task stuck past its timeout from a long dispatch of quick ones.
//!
//! The protocol owns the process's original stdout; file descriptor 1 is pointed at stderr, so a workload that
//! prints cannot corrupt a frame.

use std::io::{BufReader, BufWriter};
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::time::Instant;

use ablate_workloads::Registry;

use ablate_workloads::runtime::{RemoteJob, SharedSource};

use crate::platform::Mapping;
use serde_bytes::ByteBuf;

use super::wire::{
    EncodedTask, FromWorker, SharedSpec, TaskOutcome, ToWorker, check_version, read_frame_bytes, write_frame,
};
use crate::strategy::task::{IN_TASK, panic_message};

/// Set in a worker's environment; its value is the frame cap in bytes.
pub const WORKER_ENV: &str = "ABLATE_WORKER";

/// Serves as a worker when this process was started as one, returning its exit code; `None` otherwise.
/// Call it first thing in `main` of any binary that may run the process strategy.
pub fn serve_if_worker(registry: &Registry) -> Option<ExitCode> {
    let cap: u64 = std::env::var(WORKER_ENV).ok()?.parse().ok()?;
    crate::strategy::install_quiet_panic_hook();
    Some(match serve(registry, cap) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ablate worker {}: {message}", std::process::id());
            ExitCode::FAILURE
        }
    })
}

fn serve(registry: &Registry, cap: u64) -> Result<(), String> {
    let protocol_out = crate::platform::take_stdout()?;
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut output = BufWriter::new(protocol_out);
    let (mut read_buffer, mut write_buffer) = (Vec::new(), Vec::new());
    let mut job: Option<Box<dyn RemoteJob>> = None;
    let mut heartbeat = None;
    loop {
        if read_frame_bytes(&mut input, cap, &mut read_buffer).map_err(|e| e.to_string())?.is_none() {
            return Ok(());
        }
        let message: ToWorker<'_> =
            postcard::from_bytes(&read_buffer).map_err(|e| format!("a frame does not decode: {e}"))?;
        let reply = match message {
            ToWorker::Shutdown => return Ok(()),
            ToWorker::Load { version, config, shared, heartbeat: every } => {
                match check_version(version).and_then(|()| load_job(registry, config, &shared)) {
                    Ok(loaded) => {
                        job = Some(loaded);
                        heartbeat = every;
                        FromWorker::Loaded
                    }
                    Err(message) => FromWorker::LoadFailed { message },
                }
            }
            ToWorker::Run { shared, tasks } => {
                let job = job.as_deref().ok_or("a task arrived before any workload was loaded")?;
                let mut results = Vec::with_capacity(tasks.len());
                let mut last_sent = Instant::now();
                for task in &tasks {
                    if heartbeat.is_some_and(|every| last_sent.elapsed() >= every) {
                        let started = FromWorker::Started { index: task.index };
                        write_frame(&mut output, &started, &mut write_buffer)
                            .map_err(|e| format!("cannot tell the parent a task started: {e}"))?;
                        last_sent = Instant::now();
                    }
                    results.push(run_task(job, task, shared.map(|b| &**b)));
                }
                FromWorker::Done { results }
            }
        };
        write_frame(&mut output, &reply, &mut write_buffer).map_err(|e| format!("cannot answer the parent: {e}"))?;
    }
}

/// Rebuilds the job a `Load` message describes, with its shared input from where `shared` says.
pub(crate) fn load_job(
    registry: &Registry,
    config: ablate_workloads::WorkloadConfig,
    shared: &SharedSpec,
) -> Result<Box<dyn RemoteJob>, String> {
    match shared {
        SharedSpec::Regenerate => registry.remote(config, SharedSource::Regenerate),
        SharedSpec::PerDispatch => registry.remote(config, SharedSource::PerDispatch),
        SharedSpec::Mapped { path, len } => {
            let mapping = Mapping::open(path, *len).map_err(|e| format!("cannot map {path}: {e}"))?;
            registry.remote(config, SharedSource::Bytes(mapping.bytes()))
        }
    }
    .map_err(|e| e.to_string())
}

/// Runs one task, timed, with a panic caught and sent back as the task's error.
pub(crate) fn run_task(job: &dyn RemoteJob, task: &EncodedTask<'_>, shared: Option<&[u8]>) -> TaskOutcome {
    let started = Instant::now();
    IN_TASK.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(|| job.run_encoded(task.input, shared)));
    IN_TASK.set(false);
    let nanos = started.elapsed().as_nanos() as u64;
    let output = match result {
        Ok(Ok(bytes)) => Ok(ByteBuf::from(bytes)),
        Ok(Err(job_error)) => Err(job_error.to_string()),
        Err(payload) => Err(panic_message(payload.as_ref())),
    };
    TaskOutcome { index: task.index, nanos, output }
}
