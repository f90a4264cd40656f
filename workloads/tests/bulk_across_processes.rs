//! A workload whose shared input is made of narrow words (`u32` column indices, `f32` values, `i16` and `u8`
//! columns) gives the serial digest when its data go the way the process strategy's transports send them: the
//! shared input encoded once and decoded by the worker (`shm`), or sent with every task (`copy`).

use ablate_workloads::runtime::{AnyOutput, SharedSource};
use ablate_workloads::{Bulk, Description, Kind, Registry, Workload, WorkloadConfig, WorkloadError};

/// Row sums of a sparse matrix in compressed-row form, a block of rows per task.
struct SparseRows {
    rows: u32,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Matrix {
    row_starts: Bulk<u32>,
    columns: Bulk<u32>,
    values: Bulk<f32>,
    offsets: Bulk<i16>,
    flags: Bulk<u8>,
}

impl Workload for SparseRows {
    type Shared = Matrix;
    type Task = (u32, u32);
    type Output = (f32, i64);

    fn describe() -> Description {
        Description {
            name: "sparse-rows",
            kind: Kind::Memory,
            expected_shortfalls: &[],
            summary: "row sums of a sparse matrix with u32 column indices",
            size_unit: "rows",
            default_size: 1000,
            quick_size: 100,
            params: &[],
        }
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(SparseRows { rows: config.size as u32 })
    }

    fn shared_input(&self) -> Matrix {
        let row_starts: Bulk<u32> = (0..=self.rows).map(|r| r * 3).collect();
        let entries = 3 * self.rows;
        Matrix {
            row_starts,
            columns: (0..entries).map(|e| e.wrapping_mul(2_654_435_761) % 100_000).collect(),
            values: (0..entries).map(|e| e as f32 * 0.25 - 7.0).collect(),
            offsets: (0..entries).map(|e| (e as i16).wrapping_mul(-3)).collect(),
            flags: (0..entries).map(|e| (e % 251) as u8).collect(),
        }
    }

    fn tasks(&self) -> Vec<(u32, u32)> {
        (0..self.rows).step_by(7).map(|start| (start, (start + 7).min(self.rows))).collect()
    }

    fn run(&self, m: &Matrix, &(first, last): &(u32, u32)) -> (f32, i64) {
        let entries = m.row_starts[first as usize] as usize..m.row_starts[last as usize] as usize;
        let sum = entries.clone().map(|e| m.values[e] * (m.columns[e] % 7) as f32).sum();
        let mixed = entries.map(|e| i64::from(m.offsets[e]) * i64::from(m.flags[e])).sum();
        (sum, mixed)
    }
}

#[test]
fn narrow_words_cross_the_process_boundary_and_keep_the_serial_digest() {
    let mut registry = Registry::new();
    registry.register::<SparseRows>().unwrap();
    let config = WorkloadConfig::new("sparse-rows", 500, 3);
    let job = registry.prepare(config.clone()).unwrap();
    let serial: Vec<AnyOutput> = (0..job.task_count()).map(|task| job.run_task(task)).collect();
    let serial_digest = job.digest(&serial).unwrap();

    let codec = job.codec();
    let shared = codec.encode_shared().unwrap();
    assert_eq!(shared.len() as u64, codec.shared_bytes().unwrap());
    let entries = 3 * 500;
    let narrow_bytes = 4 * 501 + (4 + 4 + 2 + 1) * entries;
    assert!(shared.len() < narrow_bytes + 16, "each word at its own width: {} bytes", shared.len());

    let mapped = registry.remote(config.clone(), SharedSource::Bytes(&shared)).unwrap();
    let per_dispatch = registry.remote(config, SharedSource::PerDispatch).unwrap();
    for (remote, with_task) in [(mapped, None), (per_dispatch, Some(shared.as_slice()))] {
        let outputs: Vec<AnyOutput> = (0..job.task_count())
            .map(|task| {
                let answer = remote.run_encoded(&codec.encode_task(task).unwrap(), with_task).unwrap();
                codec.decode_output(task, &answer).unwrap()
            })
            .collect();
        assert_eq!(job.digest(&outputs).unwrap(), serial_digest);
    }
}
