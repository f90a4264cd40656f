//! `process`: N worker processes, re-executed from the current binary, pulling chunks of tasks over pipes.
//!
//! Workers rebuild the workload from its configuration; only encoded task inputs and outputs cross the pipes,
//! plus the shared input as the transport says. The pool survives its workers: a worker that times out, dies
//! or sends garbage is killed, replaced, and its tasks retried; after too many such failures the rest of the
//! execution falls back to serial in the parent, and says so.

mod child;
mod dispatch;
mod shm;
/// Public so that the benches can time framing and the fault tests can play a worker that misbehaves on the wire.
pub mod wire;
mod worker;

use crate::measure::schedstat::WorkerCpu;
use std::collections::VecDeque;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ablate_workloads::runtime::Job;
use crossbeam::channel::{self, Receiver, RecvTimeoutError, Sender};
use serde::{Deserialize, Serialize};

use super::{Chunk, Execution, Launch, Pinning, Pool, TaskProgress};
use crate::cancel::Cancel;
use crate::error::HarnessError;
use child::{Report, WorkerProcess};
use shm::SharedFile;
use wire::{FromWorker, SharedSpec, ToWorker, WIRE_VERSION};

pub use worker::{WORKER_ENV, serve_if_worker};
#[cfg(feature = "mpi")]
pub(crate) use worker::{load_job, run_task};

/// How the shared input reaches the workers: an ablation axis of its own.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Transport {
    /// Inside every dispatch, encoded and decoded each time, as a naive pickling pool does.
    Copy,
    /// Written once to a memory file that every worker maps read-only; only a handle crosses.
    Shm,
    /// Rebuilt by every worker from the seed.
    Regen,
}

impl Transport {
    /// Every transport, in the order tables show them.
    pub const ALL: &[Transport] = <Transport as strum::VariantArray>::VARIANTS;

    /// The name the CLI and the results file use: `copy`, `shm`, `regen`.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The process strategy's knobs. A field missing from a record written before it existed takes its default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcessOptions {
    /// A task running longer than this is abandoned: its worker is killed and the task retried.
    pub task_timeout: Duration,
    /// A worker that has not loaded the workload within this is killed: the pool does not start, or the slot of
    /// a worker being replaced stays empty.
    pub load_timeout: Duration,
    /// How many times a task is retried on a fresh worker after its worker timed out, crashed or sent garbage.
    pub retries: u32,
    /// Worker failures in one execution after which the rest runs serially in the parent.
    pub max_pool_failures: u32,
    /// The largest frame either side accepts, in bytes.
    pub frame_cap: u64,
    /// The binary re-executed as a worker; the current executable when `None`.
    pub program: Option<PathBuf>,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        ProcessOptions {
            task_timeout: Duration::from_secs(300),
            load_timeout: Duration::from_secs(300),
            retries: 2,
            max_pool_failures: 8,
            frame_cap: 2 << 30,
            program: None,
        }
    }
}

impl ProcessOptions {
    /// How often a worker running tasks says which one it starts, if it has sent nothing meanwhile: a stuck task
    /// is found at most this long after its timeout.
    pub fn heartbeat(&self) -> Duration {
        self.task_timeout / HEARTBEATS_PER_TIMEOUT
    }
}

/// Heartbeats per task timeout: a quarter of the timeout between them bounds how late a stuck task is found.
const HEARTBEATS_PER_TIMEOUT: u32 = 4;

/// A pool of worker processes, all loaded with one job.
pub struct ProcessPool {
    /// The job every worker loads, and every execution runs.
    job: Arc<dyn Job>,
    options: ProcessOptions,
    program: PathBuf,
    transport: Transport,
    chunk: Chunk,
    /// How long an adaptive chunk should compute, under `--chunk auto`.
    chunk_target: Duration,
    /// The encoded shared input, under the copy transport.
    shared_bytes: Option<Vec<u8>>,
    /// The memory file, under the shm transport; kept open while workers may map it.
    shared_file: Option<SharedFile>,
    /// One slot per worker; empty while a failed worker could not be replaced.
    workers: Vec<Option<WorkerProcess>>,
    reports: Receiver<Report>,
    report_sender: Sender<Report>,
    /// Reports of other workers that arrived while one was being (re)started, handled next.
    deferred: VecDeque<Report>,
    next_serial: u64,
    /// Where each worker slot's process runs.
    pinning: Pinning,
    /// Stops an execution early: checked while waiting on workers.
    cancel: Cancel,
}

/// How long a worker may take to shut down cleanly before it is killed.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

impl ProcessPool {
    /// Starts `spec.workers` processes and waits until each has loaded the job.
    pub fn start(spec: &Launch<'_>) -> Result<Self, HarnessError> {
        let (job, workers, chunk, transport) = (spec.job.clone(), spec.workers, spec.chunk, spec.transport);
        let options = spec.process.clone();
        let start_error = |reason: String| HarnessError::PoolStart { strategy: "process", workers, reason };
        let program = match &options.program {
            Some(program) => program.clone(),
            None => {
                std::env::current_exe().map_err(|e| start_error(format!("cannot find the current executable: {e}")))?
            }
        };
        let (shared_bytes, shared_file) = match transport {
            Transport::Regen => (None, None),
            Transport::Copy => (Some(job.codec().encode_shared()?), None),
            Transport::Shm => {
                let len = job.codec().shared_bytes()?;
                let file =
                    SharedFile::create(len, |out| job.codec().encode_shared_into(out).map_err(std::io::Error::other))
                        .map_err(|e| start_error(format!("cannot create the shared-memory file: {e}")))?;
                (None, Some(file))
            }
        };
        let (report_sender, reports) = channel::unbounded();
        let mut pool = ProcessPool {
            job,
            options,
            program,
            transport,
            chunk,
            chunk_target: spec.chunk_target,
            shared_bytes,
            shared_file,
            workers: Vec::with_capacity(workers),
            reports,
            report_sender,
            deferred: VecDeque::new(),
            next_serial: 0,
            pinning: spec.pinning.clone(),
            cancel: spec.cancel.clone(),
        };
        let starting = (0..workers).map(|slot| pool.spawn(slot)).collect::<Result<Vec<_>, _>>().map_err(start_error)?;
        pool.workers = pool.await_loaded(starting).map_err(start_error)?.into_iter().map(Some).collect();
        Ok(pool)
    }

    /// Spawns one worker and sends it the job; it loads while the caller goes on.
    fn spawn(&mut self, slot: usize) -> Result<WorkerProcess, String> {
        let serial = self.next_serial;
        self.next_serial += 1;
        let mut worker =
            WorkerProcess::spawn(&self.program, serial, self.options.frame_cap, self.report_sender.clone())
                .map_err(|e| format!("cannot start {}: {e}", self.program.display()))?;
        self.pinning.pin_process(worker.pid(), slot);
        let load = ToWorker::Load {
            version: WIRE_VERSION,
            config: self.job.config().clone(),
            shared: self.shared_spec(),
            heartbeat: Some(self.options.heartbeat()),
        };
        if let Err(e) = worker.send(&load) {
            return Err(format!("worker {} {} before loading: {e}", worker.pid(), worker.kill()));
        }
        Ok(worker)
    }

    /// Waits until every worker in `starting` has loaded the job (bounded by the load timeout); on the first
    /// failure every one of them is killed.
    fn await_loaded(&mut self, starting: Vec<WorkerProcess>) -> Result<Vec<WorkerProcess>, String> {
        let started = Instant::now();
        let mut loaded = vec![false; starting.len()];
        while loaded.contains(&false) {
            // A wait past what the clock can hold is a wait without a deadline, never an overflow.
            let left = self.options.load_timeout.saturating_sub(started.elapsed());
            let failure = match self.reports.recv_timeout(left) {
                Err(_) => format!("a worker did not load the workload within {:?}", self.options.load_timeout),
                Ok(report) => match starting.iter().position(|w| w.serial == report.serial()) {
                    None => {
                        self.deferred.push_back(report);
                        continue;
                    }
                    Some(index) => match report {
                        Report::Message { message: FromWorker::Loaded, .. } => {
                            loaded[index] = true;
                            continue;
                        }
                        Report::Message { message: FromWorker::LoadFailed { message }, .. } => {
                            format!("a worker could not load the workload: {message}")
                        }
                        Report::Gone { reason, .. } | Report::Garbled { reason, .. } => {
                            format!("a worker failed while loading ({reason})")
                        }
                        Report::Message { .. } => "a worker sent results before it had loaded".to_owned(),
                    },
                },
            };
            let killed: Vec<String> = starting.into_iter().map(|w| format!("{} {}", w.pid(), w.kill())).collect();
            return Err(format!("{failure}; workers {}", killed.join(", ")));
        }
        Ok(starting)
    }

    /// The next report: one deferred while a worker was starting, else one from the channel within `wait`.
    fn next_report(&mut self, wait: Duration) -> Result<Report, RecvTimeoutError> {
        match self.deferred.pop_front() {
            Some(report) => Ok(report),
            None => self.reports.recv_timeout(wait),
        }
    }

    /// A report that is already in, if any, without waiting (a zero wait would still spin in the channel).
    fn report_already_in(&mut self) -> Option<Report> {
        self.deferred.pop_front().or_else(|| self.reports.try_recv().ok())
    }

    fn shared_spec(&self) -> SharedSpec {
        match (&self.shared_file, self.transport) {
            (Some(file), _) => SharedSpec::Mapped { path: file.path_for_children(), len: file.len() },
            (None, Transport::Copy) => SharedSpec::PerDispatch,
            (None, _) => SharedSpec::Regenerate,
        }
    }

    /// Each slot's worker and its counters of time on and waiting for a CPU, where readable.
    fn scheduled(&self) -> Vec<Option<(u64, WorkerCpu)>> {
        self.workers.iter().map(|w| w.as_ref().and_then(|w| Some((w.serial, w.scheduled()?)))).collect()
    }

    fn live(&self) -> impl Iterator<Item = &WorkerProcess> {
        self.workers.iter().flatten()
    }

    fn slot_of(&self, serial: u64) -> Option<usize> {
        self.workers.iter().position(|w| w.as_ref().is_some_and(|w| w.serial == serial))
    }

    /// Starts a fresh worker in an empty slot.
    fn respawn(&mut self, slot: usize) -> Result<(), String> {
        let worker = self.spawn(slot)?;
        self.workers[slot] = self.await_loaded(vec![worker])?.pop();
        Ok(())
    }

    /// Refills slots left empty by an earlier execution; a slot that cannot be refilled stays empty, and why
    /// is returned, one reason per such slot.
    fn replace_missing_workers(&mut self) -> Vec<String> {
        let empty: Vec<usize> = (0..self.workers.len()).filter(|&slot| self.workers[slot].is_none()).collect();
        empty.into_iter().filter_map(|slot| self.respawn(slot).err()).collect()
    }

    /// Stops every worker, waiting briefly for each; afterwards no child of the pool remains.
    pub fn shutdown(mut self) {
        self.stop_all();
    }

    fn stop_all(&mut self) {
        for worker in self.workers.drain(..).flatten() {
            worker.shutdown(SHUTDOWN_GRACE);
        }
    }
}

impl Pool for ProcessPool {
    fn execute(&mut self, progress: &dyn TaskProgress) -> Execution {
        dispatch::execute(self, progress)
    }
}

impl Drop for ProcessPool {
    fn drop(&mut self) {
        self.stop_all();
    }
}
