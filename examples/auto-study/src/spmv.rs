//! `spmv`: a sparse matrix–vector product whose columns are random, so every row reads the shared vector at
//! scattered places: irregular memory access over a large shared input (the matrix and the vector, 100+ MiB at
//! the default size).

use ablate_workloads::rng::Rng;
use ablate_workloads::{Bulk, Description, Footprint, Kind, Workload, WorkloadConfig, WorkloadError};
use serde::{Deserialize, Serialize};

/// Nonzeros in every row.
const PER_ROW: u64 = 16;
/// Rows per task.
const ROWS_PER_TASK: u64 = 4096;

pub struct Spmv {
    rows: u64,
    seed: u64,
}

/// The matrix in compressed rows of `PER_ROW` entries each (so row offsets are implicit), and the vector.
#[derive(Serialize, Deserialize)]
pub struct Matrix {
    columns: Bulk<u64>,
    values: Bulk<f64>,
    vector: Bulk<f64>,
}

impl Workload for Spmv {
    type Shared = Matrix;
    type Task = (u64, u64);
    type Output = f64;

    fn describe() -> Description {
        Description::new(
            "spmv",
            Kind::Memory,
            "sparse matrix-vector product with random columns: irregular reads of a large shared input",
        )
        .sizes("rows", 1 << 20, 1 << 15)
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(Spmv { rows: config.size_at_least(1, "rows")?, seed: config.seed })
    }

    fn shared_input(&self) -> Matrix {
        let mut rng = Rng::new(self.seed);
        let nonzeros = self.rows * PER_ROW;
        Matrix {
            columns: Bulk((0..nonzeros).map(|_| rng.below(self.rows)).collect()),
            values: Bulk((0..nonzeros).map(|_| rng.next_f64() - 0.5).collect()),
            vector: Bulk((0..self.rows).map(|_| rng.next_f64()).collect()),
        }
    }

    fn tasks(&self) -> Vec<(u64, u64)> {
        (0..self.rows)
            .step_by(ROWS_PER_TASK as usize)
            .map(|start| (start, (start + ROWS_PER_TASK).min(self.rows)))
            .collect()
    }

    fn run(&self, matrix: &Matrix, &(start, end): &(u64, u64)) -> f64 {
        let row = |r: u64| -> f64 {
            let entries = (r * PER_ROW) as usize..((r + 1) * PER_ROW) as usize;
            entries.map(|k| matrix.values[k] * matrix.vector[matrix.columns[k] as usize]).sum()
        };
        (start..end).map(row).sum()
    }

    fn footprint(&self) -> Option<Footprint> {
        Some(Footprint {
            shared_bytes: self.rows * (PER_ROW * 16 + 8),
            scratch_bytes: 0,
            tasks: self.rows.div_ceil(ROWS_PER_TASK),
            bytes_per_task: 24,
        })
    }

    /// Per row: its columns and values, and one scattered read of the vector per entry.
    fn bytes_touched(&self) -> Option<u64> {
        Some(self.rows * PER_ROW * 24)
    }
}
