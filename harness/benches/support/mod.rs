//! What every bench binary shares: the criterion configuration (full, or fast with `ABLATE_BENCH_FAST=1`), the
//! worker counts (`ABLATE_BENCH_WORKERS`, default 1,2), and launching a strategy for a prepared job.

use std::sync::Arc;
use std::time::Duration;

use ablate_harness::strategy::{
    Cancel, Chunk, DEFAULT_CHUNK_TARGET, IgnoreProgress, Launch, Pinning, Pool, ProcessOptions, StrategyKind, Transport,
};
use ablate_harness::workloads::runtime::Job;
use ablate_harness::workloads::{Params, Registry, WorkloadConfig};
use criterion::Criterion;

/// Criterion's defaults, or with `ABLATE_BENCH_FAST=1` a smoke run: few samples, short warm-up and measurement.
pub fn config() -> Criterion {
    let fast = std::env::var("ABLATE_BENCH_FAST").is_ok_and(|v| v == "1");
    let criterion = Criterion::default();
    if fast {
        criterion
            .sample_size(10)
            .warm_up_time(Duration::from_millis(50))
            .measurement_time(Duration::from_millis(200))
            .without_plots()
    } else {
        criterion
    }
}

/// `ABLATE_BENCH_WORKERS` (comma-separated), or 1 and 2.
pub fn worker_counts() -> Vec<usize> {
    let listed = std::env::var("ABLATE_BENCH_WORKERS").unwrap_or_else(|_| "1,2".to_owned());
    listed.split(',').map(|w| w.trim().parse().expect("ABLATE_BENCH_WORKERS is a list of whole numbers")).collect()
}

/// A built-in workload prepared at `size` (its quick size when `None`) with `params`.
pub fn prepare(name: &str, size: Option<u64>, params: Params) -> Arc<dyn Job> {
    let registry = Registry::builtin();
    let size = size.unwrap_or_else(|| registry.describe(name).expect("a built-in workload").quick_size);
    registry.prepare(WorkloadConfig { name: name.into(), size, seed: 42, params }).expect("the workload builds")
}

/// Launches `strategy` with `workers` for `job` (shared memory for processes) and checks, once and untimed,
/// that it computes what serial computes.
pub fn launch(job: &Arc<dyn Job>, strategy: StrategyKind, workers: usize) -> Box<dyn Pool> {
    let process = ProcessOptions::default();
    let chunk_target = DEFAULT_CHUNK_TARGET;
    let pinning = Pinning::allowed_cpus();
    let cancel = Cancel::new();
    let (chunk, transport) = (Chunk::Auto, Transport::Shm);
    let spec =
        Launch { job, workers, chunk, transport, process: &process, chunk_target, pinning: &pinning, cancel: &cancel };
    let mut pool = strategy.launch(&spec).expect("the strategy starts");
    let execution = pool.execute(&IgnoreProgress);
    assert!(execution.failure.is_none(), "{strategy} ×{workers} failed: {:?}", execution.failure);
    let serial: Vec<_> = (0..job.task_count()).map(|i| job.run_task(i)).collect();
    assert_eq!(job.digest(&execution.outputs).unwrap(), job.digest(&serial).unwrap(), "{strategy} ×{workers}");
    pool
}
