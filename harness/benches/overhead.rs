//! What the harness itself costs, each beside a raw reference where one exists: dispatch per task on an empty
//! task for every strategy; 15 µs tasks under the harness's rayon strategy against a plain rayon `par_iter`
//! over the same task function; HDR histogram recording; wire frame encoding and decoding; and process pool
//! start (with shutdown) on its own.

#[path = "support/mod.rs"]
mod support;

use ablate_harness::record::TaskTimes;
use ablate_harness::strategy::process::wire::{EncodedTask, ToWorker, read_frame_bytes, write_frame};
use ablate_harness::strategy::{
    Cancel, Chunk, DEFAULT_CHUNK_TARGET, IgnoreProgress, Launch, Pinning, ProcessOptions, StrategyKind, Transport,
};
use ablate_harness::workloads::Params;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use rayon::prelude::*;
use serde_bytes::Bytes;

/// Tasks of the per-task groups.
const TASKS: u64 = 2000;

/// Per task, with nothing to do in it: what dispatch, timing and reassembly cost under each strategy.
fn dispatch(criterion: &mut Criterion) {
    let job = support::prepare("spin", Some(TASKS), Params::new().with("iters", 0));
    let mut group = criterion.benchmark_group("dispatch-empty-task");
    group.throughput(Throughput::Elements(TASKS));
    for strategy in StrategyKind::usable() {
        for workers in support::worker_counts() {
            if strategy == StrategyKind::Serial && workers > 1 {
                continue;
            }
            let mut pool = support::launch(&job, strategy, workers);
            group.bench_function(BenchmarkId::new(strategy.name(), workers), |bench| {
                bench.iter(|| pool.execute(&IgnoreProgress))
            });
        }
    }
    group.finish();
}

/// Tasks of about 15 µs: the harness's rayon strategy against a plain `par_iter` on a pool of as many threads.
fn rayon_against_par_iter(criterion: &mut Criterion) {
    let job = support::prepare("spin", Some(TASKS), Params::new().with("iters", 10_000));
    let mut group = criterion.benchmark_group("rayon-15us-tasks");
    group.throughput(Throughput::Elements(TASKS));
    for workers in support::worker_counts() {
        let threads = rayon::ThreadPoolBuilder::new().num_threads(workers).build().expect("a rayon pool");
        group.bench_function(BenchmarkId::new("raw-par_iter", workers), |bench| {
            bench.iter(|| {
                threads.install(|| (0..job.task_count()).into_par_iter().map(|i| job.run_task(i)).collect::<Vec<_>>())
            })
        });
        let mut pool = support::launch(&job, StrategyKind::Rayon, workers);
        group.bench_function(BenchmarkId::new("ablate-rayon", workers), |bench| {
            bench.iter(|| pool.execute(&IgnoreProgress))
        });
    }
    group.finish();
}

fn histogram(criterion: &mut Criterion) {
    let nanos: Vec<u64> = (0..10_000u64).map(|i| 1_000 + (i * 7_919) % 1_000_000).collect();
    let mut group = criterion.benchmark_group("histogram");
    group.throughput(Throughput::Elements(nanos.len() as u64));
    group.bench_function("record-10k", |bench| {
        bench.iter(|| {
            let mut times = TaskTimes::default();
            times.record_all(&nanos);
            times
        })
    });
    group.finish();
}

/// A dispatch of 64 small tasks, and one carrying a 16 MiB shared input (the copy transport), to bytes and back.
fn frames(criterion: &mut Criterion) {
    let inputs: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; 16]).collect();
    let tasks = || inputs.iter().enumerate().map(|(i, b)| EncodedTask { index: i as u32, input: Bytes::new(b) });
    let shared = vec![7u8; 16 << 20];
    let mut group = criterion.benchmark_group("frame");
    for (label, message) in [
        ("64-tasks", ToWorker::Run { shared: None, tasks: tasks().collect() }),
        ("16MiB-shared", ToWorker::Run { shared: Some(Bytes::new(&shared)), tasks: tasks().take(1).collect() }),
    ] {
        let mut encoded = Vec::new();
        let mut buffer = Vec::new();
        write_frame(&mut encoded, &message, &mut buffer).expect("encodes");
        group.throughput(Throughput::Bytes(encoded.len() as u64));
        group.bench_function(BenchmarkId::new("encode", label), |bench| {
            bench.iter(|| {
                encoded.clear();
                write_frame(&mut encoded, &message, &mut buffer).expect("encodes")
            })
        });
        group.bench_function(BenchmarkId::new("decode", label), |bench| {
            bench.iter(|| {
                read_frame_bytes(&mut encoded.as_slice(), u64::MAX, &mut buffer).expect("a frame");
                postcard::from_bytes::<ToWorker<'_>>(&buffer)
                    .map(|m| matches!(m, ToWorker::Run { .. }))
                    .expect("decodes")
            })
        });
    }
    group.finish();
}

/// Starting a process pool (and shutting it down): fork and exec of the workers, and their loading the workload.
fn pool_start(criterion: &mut Criterion) {
    let job = support::prepare("spin", Some(64), Params::new());
    let process = ProcessOptions::default();
    let mut group = criterion.benchmark_group("pool-start");
    for workers in support::worker_counts() {
        let (chunk, transport, chunk_target) = (Chunk::Auto, Transport::Shm, DEFAULT_CHUNK_TARGET);
        let (pinning, cancel) = (Pinning::allowed_cpus(), Cancel::new());
        let spec = Launch {
            job: &job,
            workers,
            chunk,
            transport,
            process: &process,
            chunk_target,
            pinning: &pinning,
            cancel: &cancel,
        };
        group.bench_function(BenchmarkId::new("process", workers), |bench| {
            bench.iter(|| StrategyKind::Process.launch(&spec).expect("the pool starts"))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = support::config();
    targets = dispatch, rayon_against_par_iter, histogram, frames, pool_start
}
ablate_harness::criterion_main_serving_workers!(benches);
