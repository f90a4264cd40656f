//! Every built-in workload under every strategy, through criterion: a group per workload, a benchmark per
//! strategy × workers, throughput in bytes for memory-bound workloads and in tasks for the rest. Pools are
//! started outside the timed loop (their start is benched in `overhead`), and each is checked against serial once.

#[path = "support/mod.rs"]
mod support;

use ablate_harness::strategy::{IgnoreProgress, StrategyKind};
use ablate_harness::workloads::{Params, Registry};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};

fn workloads(criterion: &mut Criterion) {
    for name in Registry::builtin().names() {
        let job = support::prepare(name, None, Params::new());
        let mut group = criterion.benchmark_group(name);
        group.throughput(match job.bytes_touched() {
            Some(bytes) => Throughput::Bytes(bytes),
            None => Throughput::Elements(job.task_count() as u64),
        });
        let cells = std::iter::once((StrategyKind::Serial, 1)).chain(
            StrategyKind::usable()
                .into_iter()
                .filter(|s| *s != StrategyKind::Serial)
                .flat_map(|s| support::worker_counts().into_iter().map(move |w| (s, w))),
        );
        for (strategy, workers) in cells {
            let mut pool = support::launch(&job, strategy, workers);
            group.bench_function(BenchmarkId::new(strategy.name(), workers), |bench| {
                bench.iter(|| pool.execute(&IgnoreProgress))
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = support::config();
    targets = workloads
}
ablate_harness::criterion_main_serving_workers!(benches);
