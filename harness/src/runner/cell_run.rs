//! One cell while it runs: its launched pool, its samples, its task times, its digest, and whether it failed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ablate_workloads::Digest;

use ablate_workloads::runtime::{Job, JobError};

use super::task_events::TaskCounter;
use crate::cancel::Cancel;
use crate::config::{Profile, RunConfig};
use crate::decision::Decision;
use crate::error::HarnessError;
use crate::events::{Event, Listener, Round};
use crate::measure::cpu::process_cpu_time;
use crate::measure::histogram::TaskTimes;
use crate::measure::schedstat;
use crate::measure::task_costs::TaskCostSamples;
use crate::measure::{load, paging, rss};
use crate::plan::Cell;
use crate::record::summary::Summary;
use crate::record::{CellRecord, CellStatus, PayloadBytes, Sample};
use crate::stats::median;
use crate::stats::preempted::Timing;
use crate::strategy::{Execution, Faults, Launch, Pinning, SharedPool, Transport};

pub(super) struct CellRun {
    cell: Cell,
    job: Arc<dyn Job>,
    /// `None` when the strategy could not start (the cell has failed then).
    pool: Option<SharedPool>,
    pool_start_ns: u64,
    warmup: Vec<Sample>,
    samples: Vec<Sample>,
    task_times: TaskTimes,
    task_costs: TaskCostSamples,
    digest: Option<Digest>,
    serial_digest: Option<Digest>,
    payload: Option<PayloadBytes>,
    faults: Faults,
    failure: Option<String>,
    decision: Option<Decision>,
    /// The run's token: an execution it stopped is not recorded.
    cancel: Cancel,
}

impl CellRun {
    /// Starts the cell's workers, timing the start.
    pub(super) fn launch(
        cell: &Cell,
        job: Arc<dyn Job>,
        config: &RunConfig,
        cancel: &Cancel,
    ) -> Result<Self, HarnessError> {
        let started = Instant::now();
        let transport = cell.transport.unwrap_or(Transport::Shm);
        let (workers, chunk, process) = (cell.workers, cell.chunk, &config.process);
        let chunk_target = Duration::from_nanos(config.chunk_target_ns);
        let pinning = if config.pin { Pinning::allowed_cpus() } else { Pinning::off() };
        let spec = Launch { job: &job, workers, chunk, transport, process, chunk_target, pinning: &pinning, cancel };
        let pool = cell.strategy.launch(&spec)?;
        Ok(Self::new(cell, job, cancel, Some(Arc::new(Mutex::new(pool))), started.elapsed().as_nanos() as u64))
    }

    /// A cell that runs on `other`'s pool (launched, its start timed, by `other`).
    pub(super) fn on_the_pool_of(cell: &Cell, other: &CellRun) -> Self {
        Self::new(cell, other.job.clone(), &other.cancel, other.pool.clone(), other.pool_start_ns)
    }

    /// A cell whose strategy could not start its workers: failed with `reason` before it ran.
    pub(super) fn unlaunched(cell: &Cell, job: Arc<dyn Job>, cancel: &Cancel, reason: String) -> Self {
        Self { failure: Some(reason), ..Self::new(cell, job, cancel, None, 0) }
    }

    fn new(cell: &Cell, job: Arc<dyn Job>, cancel: &Cancel, pool: Option<SharedPool>, pool_start_ns: u64) -> Self {
        CellRun {
            cell: cell.clone(),
            job,
            pool,
            pool_start_ns,
            warmup: Vec::new(),
            samples: Vec::new(),
            task_times: TaskTimes::default(),
            task_costs: TaskCostSamples::default(),
            digest: None,
            serial_digest: None,
            payload: None,
            faults: Faults::default(),
            failure: None,
            decision: None,
            cancel: cancel.clone(),
        }
    }

    /// Records what `auto` chose for this cell.
    pub(super) fn with_decision(mut self, decision: Option<Decision>) -> Self {
        self.decision = decision;
        self
    }

    pub(super) fn id(&self) -> String {
        self.cell.id.clone()
    }

    pub(super) fn cell(&self) -> &Cell {
        &self.cell
    }

    /// The cell's pool, unless it could not start or the cell has failed.
    pub(super) fn pool(&self) -> Option<SharedPool> {
        self.pool.clone().filter(|_| self.failure.is_none())
    }

    /// The wall and CPU time of the last timed execution (`None` before the first), or why the cell failed.
    pub(super) fn last_timing(&self) -> Result<Option<Timing>, String> {
        match &self.failure {
            Some(reason) => Err(reason.clone()),
            None => Ok(self.samples.last().map(|s| Timing { wall_ns: s.wall_ns, cpu_ns: s.cpu_ns })),
        }
    }

    pub(super) fn digest(&self) -> Option<Digest> {
        self.digest.filter(|_| self.failure.is_none())
    }

    pub(super) fn median_wall_ns(&self) -> Option<f64> {
        let walls: Vec<f64> = self.samples.iter().map(|s| s.wall_ns as f64).collect();
        median(&walls).filter(|_| self.failure.is_none())
    }

    /// Whether this cell has used its time limit (and run its minimum), so it can sit out the rounds left; never
    /// during warm-up, which adds no timed samples.
    pub(super) fn has_enough(&self, profile: &Profile) -> bool {
        profile.cell_has_enough(self.samples.iter().map(|s| s.wall_ns))
    }

    /// Executes the job once and records it; checks the digest against serial's (`reference`) when known.
    /// Does nothing once the cell has failed.
    pub(super) fn execute(&mut self, at: (u32, u32), label: Round, reference: Option<Digest>, listener: &dyn Listener) {
        let (round, attempt) = at;
        let (None, Some(pool)) = (&self.failure, self.pool.clone()) else { return };
        let mut pool = pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        listener.on_event(&Event::CellStarted { cell: &self.cell, round: label });
        let counter = TaskCounter::new(&self.cell, listener, self.job.task_count());
        rss::reset_peak();
        let machine_before = load::machine_busy_ns();
        let cpu_before = process_cpu_time();
        let faults_before = paging::minor_faults();
        let counters_before = pool.worker_counters();
        // The thread that hands every chunk to worker processes or ranks is this one: read around the timed
        // execution, its counters cost the execution nothing.
        let dispatches = self.cell.strategy.runs_in_other_processes();
        let driver_before = schedstat::this_thread().filter(|_| dispatches);
        let started = Instant::now();
        let execution = pool.execute(&counter);
        let wall = started.elapsed();
        let driver_cpu = driver_before.zip(schedstat::this_thread()).map(|(before, after)| after.since(before));
        let counters_after = pool.worker_counters();
        let minor_page_faults = paging::minor_faults_since(faults_before);
        let cpu_after = process_cpu_time();
        let machine_after = load::machine_busy_ns();
        if self.cancel.is_cancelled() {
            return;
        }
        let cpu_ns = cpu_after.saturating_sub(cpu_before).as_nanos() as u64 + execution.worker_cpu_ns;
        let sample = Sample {
            round,
            attempt,
            wall_ns: wall.as_nanos() as u64,
            cpu_ns,
            peak_rss_bytes: rss::peak_rss_bytes(),
            busy_ns: execution.busy_nanos.clone(),
            worker_cpu: match (counters_before, counters_after) {
                (Some(before), Some(after)) if execution.worker_cpu.is_empty() => {
                    after.iter().zip(&before).map(|(a, b)| a.since(*b)).collect()
                }
                _ => execution.worker_cpu.clone(),
            },
            driver_cpu,
            worker_peak_rss_bytes: execution.worker_peak_rss.clone(),
            faults: execution.faults,
            wire: execution.wire,
            others_cpu_ns: load::others_cpu_ns(machine_before, machine_after, cpu_ns),
            worker_start_ns: execution.worker_start_ns,
            minor_page_faults,
            network: execution.network.clone(),
        };
        self.faults.add(&execution.faults);
        match self.check(&execution, reference) {
            Err(reason) => {
                listener.on_event(&Event::CellFailed { cell: &self.cell, reason: &reason });
                self.failure = Some(reason);
            }
            Ok(()) => {
                if let Round::Timed(_) = label {
                    self.task_times.record_all(&execution.task_nanos);
                    if self.cell.workers == 1 {
                        self.task_costs.record(&execution.task_nanos);
                    }
                    self.samples.push(sample);
                } else {
                    self.warmup.push(sample);
                }
                listener.on_event(&Event::CellFinished { cell: &self.cell, round: label, wall });
            }
        }
    }

    /// Fails on a task failure or a digest that differs from serial's; measures the payload the first time.
    fn check(&mut self, execution: &Execution, reference: Option<Digest>) -> Result<(), String> {
        if let Some(reason) = &execution.refused {
            return Err(reason.clone());
        }
        if let Some(failure) = &execution.failure {
            return Err(format!("task {} failed: {}", failure.task, failure.message));
        }
        let digest = self.job.digest(&execution.outputs).map_err(|e| e.to_string())?;
        self.serial_digest = reference;
        match (self.digest, reference) {
            (Some(previous), _) if previous != digest => {
                return Err(format!("digest {digest} differs from this cell's earlier digest {previous}"));
            }
            (_, Some(serial)) if serial != digest => {
                return Err(format!(
                    "digest {digest} differs from serial's {serial}: the strategy changed the results"
                ));
            }
            _ => self.digest = Some(digest),
        }
        if self.payload.is_none() {
            self.payload = Some(measure_payload(self.job.as_ref(), execution).map_err(|e| e.to_string())?);
        }
        Ok(())
    }

    /// The cell's record; `single_free_page_bytes` is its group's, read as the workload was built.
    pub(super) fn into_record(self, serial_median_ns: Option<f64>, single_free_page_bytes: Option<u64>) -> CellRecord {
        let description = self.job.description();
        let expected_shortfall = description
            .expected_shortfalls
            .iter()
            .find(|e| e.strategy == self.cell.strategy.name())
            .map(|e| e.why.to_owned());
        let bytes_touched = self.job.bytes_touched();
        let tasks = self.job.task_count();
        let status = match self.failure {
            Some(reason) => CellStatus::Failed { reason },
            None if self.samples.is_empty() => CellStatus::Unmeasured { reason: unmeasured_reason(&self.cancel) },
            None => CellStatus::Ok,
        };
        let summary = Summary::of(&self.samples, self.cell.workers, serial_median_ns, bytes_touched);
        let hosts = self
            .pool
            .as_ref()
            .map_or_else(Vec::new, |pool| pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner).hosts());
        CellRecord {
            id: self.cell.id,
            workload: self.cell.workload,
            kind: description.kind,
            size: self.cell.size,
            size_unit: description.size_unit.to_owned(),
            params: self.job.config().params.clone(),
            strategy: self.cell.strategy,
            workers: self.cell.workers,
            chunk: self.cell.chunk,
            transport: self.cell.transport,
            effective_chunk: self.cell.strategy.effective_chunk(self.cell.chunk, tasks, self.cell.workers),
            tasks,
            pool_start_ns: self.pool_start_ns,
            status,
            digest: self.digest,
            serial_digest: self.serial_digest,
            payload: self.payload,
            faults: self.faults,
            bytes_touched,
            warmup: self.warmup,
            samples: self.samples,
            task_times: self.task_times.summary(),
            task_costs: self.task_costs.summary(),
            summary,
            expected_shortfall,
            decision: self.decision,
            single_free_page_bytes,
            hosts,
        }
    }
}

/// Why a cell has no timed sample: an interruption, or (when a driver closes a group early) no round reached it.
fn unmeasured_reason(cancel: &Cancel) -> String {
    if cancel.is_cancelled() {
        "interrupted before its first timed repetition".to_owned()
    } else {
        "closed before its first timed repetition".to_owned()
    }
}

/// The serialized sizes of every task's input and output, measured from this execution's real outputs.
fn measure_payload(job: &dyn Job, execution: &Execution) -> Result<PayloadBytes, JobError> {
    let mut payload = PayloadBytes {
        input_bytes_total: 0,
        output_bytes_total: 0,
        input_bytes_max: 0,
        output_bytes_max: 0,
        shared_bytes: job.codec().shared_bytes()?,
    };
    for (task, output) in execution.outputs.iter().enumerate() {
        let (input, output) = (job.codec().task_bytes(task)?, job.codec().output_bytes(task, output)?);
        payload.input_bytes_total += input;
        payload.output_bytes_total += output;
        payload.input_bytes_max = payload.input_bytes_max.max(input);
        payload.output_bytes_max = payload.output_bytes_max.max(output);
    }
    Ok(payload)
}
