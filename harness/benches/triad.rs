//! The `triad` workload under the harness against a plain hand-written triad loop on arrays of the same size,
//! on one thread and on two, so the harness's cost on memory-bound work shows as a ratio to the raw loop.

#[path = "support/mod.rs"]
mod support;

use ablate_harness::strategy::{IgnoreProgress, StrategyKind};
use ablate_harness::workloads::{Params, Registry};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};

fn raw_triad(a: &mut [f64], b: &[f64], c: &[f64], scalar: f64) {
    for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
        *a = b + scalar * c;
    }
}

fn raw_triad_threads(a: &mut [f64], b: &[f64], c: &[f64], scalar: f64, threads: usize) {
    let block = a.len().div_ceil(threads);
    std::thread::scope(|scope| {
        for ((a, b), c) in a.chunks_mut(block).zip(b.chunks(block)).zip(c.chunks(block)) {
            scope.spawn(move || raw_triad(a, b, c, scalar));
        }
    });
}

fn triad(criterion: &mut Criterion) {
    let size = Registry::builtin().describe("triad").expect("triad is built in").default_size;
    let job = support::prepare("triad", Some(size), Params::new());
    let n = size as usize;
    let (b, c) = (vec![1.5f64; n], vec![2.5f64; n]);
    let mut a = vec![0.0f64; n];

    let mut group = criterion.benchmark_group("triad");
    group.throughput(Throughput::Bytes(24 * size));
    for workers in support::worker_counts() {
        group.bench_function(BenchmarkId::new("raw-loop", workers), |bench| {
            bench.iter(|| raw_triad_threads(&mut a, &b, &c, 3.0, workers))
        });
        let strategy = if workers == 1 { StrategyKind::Serial } else { StrategyKind::Rayon };
        let mut pool = support::launch(&job, strategy, workers);
        group.bench_function(BenchmarkId::new(format!("ablate-{strategy}"), workers), |bench| {
            bench.iter(|| pool.execute(&IgnoreProgress))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = support::config().sample_size(20);
    targets = triad
}
ablate_harness::criterion_main_serving_workers!(benches);
