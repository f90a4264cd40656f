//! The `triad` workload under the harness against a plain hand-written triad loop on arrays of the same size,
//! on one thread and on two, so the harness's cost on memory-bound work shows as a ratio to the raw loop.

use ablate_harness::strategy::{Chunk, IgnoreProgress, Launch, ProcessOptions, StrategyKind, Transport};
use ablate_harness::workloads::{Params, Registry, WorkloadConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

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
    let registry = Registry::builtin();
    let size = registry.describe("triad").expect("triad is built in").default_size;
    let config = WorkloadConfig { name: "triad".into(), size, seed: 42, params: Params::new() };
    let job = registry.prepare(config).expect("triad builds at its default size");
    let n = size as usize;
    let (b, c) = (vec![1.5f64; n], vec![2.5f64; n]);
    let mut a = vec![0.0f64; n];

    let mut group = criterion.benchmark_group("triad");
    group.throughput(Throughput::Bytes(24 * size)).sample_size(20);
    for workers in [1usize, 2] {
        group.bench_function(format!("raw-loop/{workers}"), |bench| {
            bench.iter(|| raw_triad_threads(&mut a, &b, &c, 3.0, workers))
        });
        let strategy = if workers == 1 { StrategyKind::Serial } else { StrategyKind::Rayon };
        let process = ProcessOptions::default();
        let spec = Launch { job: &job, workers, chunk: Chunk::Auto, transport: Transport::Shm, process: &process };
        let mut pool = strategy.launch(&spec).expect("the pool starts");
        group.bench_function(format!("ablate-{strategy}/{workers}"), |bench| {
            bench.iter(|| pool.execute(job.as_ref(), &IgnoreProgress))
        });
    }
    group.finish();
}

criterion_group!(benches, triad);
criterion_main!(benches);
