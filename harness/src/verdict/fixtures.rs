//! Crafted cells for the verdicts' unit tests: every sample's timing fixed by the test, nothing measured live.

use ablate_workloads::{Kind, Params};

use crate::record::{CellRecord, CellStatus, Sample};
use crate::strategy::{Chunk, EffectiveChunk, Faults, StrategyKind};

/// A successful cell of `workload` under `strategy` at `workers`, with one timed sample per wall time (ns).
pub fn cell(workload: &str, kind: Kind, strategy: StrategyKind, workers: usize, walls: &[f64]) -> CellRecord {
    CellRecord {
        id: format!("{workload}/100/{strategy}/{workers}"),
        workload: workload.to_owned(),
        kind,
        size: 100,
        size_unit: "tasks".to_owned(),
        params: Params::default(),
        strategy,
        workers,
        chunk: Chunk::Auto,
        transport: None,
        effective_chunk: EffectiveChunk::Fixed(1),
        tasks: 100,
        pool_start_ns: 0,
        status: CellStatus::Ok,
        digest: None,
        serial_digest: None,
        payload: None,
        faults: Faults::default(),
        bytes_touched: None,
        warmup: Vec::new(),
        samples: walls.iter().enumerate().map(|(round, &wall)| sample(round as u32, wall, None)).collect(),
        task_times: None,
        task_costs: None,
        summary: None,
        expected_shortfall: None,
        decision: None,
        single_free_page_bytes: None,
        hosts: Vec::new(),
    }
}

/// One timed sample of `wall_ns`, with `others_cpu_ns` of other processes' CPU time meanwhile.
pub fn sample(round: u32, wall_ns: f64, others_cpu_ns: Option<u64>) -> Sample {
    Sample {
        attempt: 0,
        round,
        wall_ns: wall_ns as u64,
        cpu_ns: wall_ns as u64,
        peak_rss_bytes: 0,
        busy_ns: Vec::new(),
        worker_cpu: Vec::new(),
        driver_cpu: None,
        worker_peak_rss_bytes: Vec::new(),
        faults: Faults::default(),
        wire: None,
        others_cpu_ns,
        worker_start_ns: None,
        minor_page_faults: None,
        network: None,
    }
}

/// `n` wall times around `center` ns, spread evenly over ±`spread` (a fraction), in a shuffled order.
pub fn walls(center: f64, spread: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| center * (1.0 + spread * (((i * 7) % n) as f64 / (n.max(2) - 1) as f64 * 2.0 - 1.0))).collect()
}
