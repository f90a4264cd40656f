//! `triad`: the STREAM triad `a[i] = b[i] + s·c[i]` over arrays larger than the last-level cache.
//!
//! Stresses memory bandwidth, not the cores: a task is one block of the arrays, and GB/s is counted the STREAM
//! way, 24 bytes per element (two 8-byte reads and one write). `b` and `c` are the shared input; `a` is the
//! workload's own scratch, one buffer per block, so tasks write without sharing and the loop vectorizes.

use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use super::cache::last_level_cache_bytes;
use crate::{Bulk, Description, Footprint, Kind, Param, Workload, WorkloadConfig, WorkloadError};

const NAME: &str = "triad";
const DEFAULT_BLOCK: u64 = 256 * 1024;
const BLOCK: Param<u64> = Param::new("block", DEFAULT_BLOCK, 1..=u32::MAX as u64, "elements per task");
const SCALAR: Param<f64> = Param::new("scalar", 3.0, -1e9..=1e9, "the triad's scalar s");

pub struct Triad {
    elements: u64,
    block: u64,
    scalar: f64,
    output: OnceLock<Vec<Mutex<Vec<f64>>>>,
}

#[derive(Serialize, Deserialize)]
pub struct Arrays {
    pub b: Bulk<f64>,
    pub c: Bulk<f64>,
}

/// One block of the arrays, by index into the block list.
#[derive(Serialize, Deserialize)]
pub struct Block {
    pub index: u64,
    pub start: u64,
    pub end: u64,
}

/// `a = b + scalar·c`, element by element: the loop a raw reference benchmark runs too.
pub fn triad_block(a: &mut [f64], b: &[f64], c: &[f64], scalar: f64) {
    for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
        *a = b + scalar * c;
    }
}

/// A zeroed buffer whose pages are already mapped. `vec![0.0; n]` would map them lazily, on first write: a
/// worker process that first meets a block in a timed repetition would then pay page faults a thread never does.
/// One opaque write per 4 KiB page keeps the compiler from turning the zeroing back into a lazy `calloc`.
fn resident_zeros(len: usize) -> Vec<f64> {
    let mut buffer = vec![0.0; len];
    buffer.iter_mut().step_by(512).for_each(|x| *x = std::hint::black_box(0.0));
    buffer
}

impl Workload for Triad {
    type Shared = Arrays;
    type Task = Block;
    type Output = [f64; 3];

    fn describe() -> Description {
        let four_caches = 4 * last_level_cache_bytes() / 8;
        Description::new(
            NAME,
            Kind::Memory,
            "STREAM triad a = b + s*c on arrays >= 4x the last-level cache; memory bandwidth, 24 B/element",
        )
        .sizes("elements", (16u64 << 20).max(four_caches).next_multiple_of(DEFAULT_BLOCK), 4 << 20)
        .params(&[&BLOCK, &SCALAR])
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        config.size_at_least(1, "elements")?;
        Ok(Triad {
            elements: config.size,
            block: BLOCK.get(config)?,
            scalar: SCALAR.get(config)?,
            output: OnceLock::new(),
        })
    }

    fn shared_input(&self) -> Arrays {
        let n = self.elements as usize;
        Arrays {
            b: (0..n).map(|i| 1.0 + (i % 1024) as f64).collect(),
            c: (0..n).map(|i| 0.5 * (i % 997) as f64).collect(),
        }
    }

    fn tasks(&self) -> Vec<Block> {
        (0..self.elements)
            .step_by(self.block as usize)
            .enumerate()
            .map(|(index, start)| Block { index: index as u64, start, end: (start + self.block).min(self.elements) })
            .collect()
    }

    fn run(&self, arrays: &Arrays, task: &Block) -> [f64; 3] {
        let buffers = self.output.get_or_init(|| {
            self.tasks().iter().map(|b| Mutex::new(resident_zeros((b.end - b.start) as usize))).collect()
        });
        let mut a = buffers[task.index as usize].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let range = task.start as usize..task.end as usize;
        triad_block(&mut a, &arrays.b[range.clone()], &arrays.c[range], self.scalar);
        [a[0], a[a.len() / 2], a[a.len() - 1]]
    }

    /// Arrays b and c are shared; every process that runs tasks keeps its own output array a, block by block.
    fn footprint(&self) -> Option<Footprint> {
        let tasks = self.elements.div_ceil(self.block);
        let buffers = tasks.saturating_mul(size_of::<Mutex<Vec<f64>>>() as u64);
        Some(Footprint {
            shared_bytes: self.elements.saturating_mul(16),
            scratch_bytes: self.elements.saturating_mul(8).saturating_add(buffers),
            tasks,
            bytes_per_task: (size_of::<Block>() + size_of::<[f64; 3]>()) as u64,
        })
    }

    fn bytes_touched(&self) -> Option<u64> {
        Some(self.elements.saturating_mul(24))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triad(size: u64, block: u64) -> Triad {
        Triad::build(&WorkloadConfig::new(NAME, size, 1).with_param("block", block)).unwrap()
    }

    #[test]
    fn outputs_are_b_plus_s_c_at_the_sampled_positions() {
        let workload = triad(1000, 300);
        let arrays = workload.shared_input();
        let tasks = workload.tasks();
        assert_eq!(tasks.len(), 4);
        assert_eq!((tasks[3].start, tasks[3].end), (900, 1000));
        let out = workload.run(&arrays, &tasks[1]);
        let expect = |i: usize| arrays.b[i] + 3.0 * arrays.c[i];
        assert_eq!(out, [expect(300), expect(450), expect(599)]);
        assert_eq!(workload.bytes_touched(), Some(24_000));
    }

    #[test]
    fn default_arrays_are_four_times_the_last_level_cache() {
        let d = Triad::describe();
        assert!(d.default_size * 8 >= 4 * last_level_cache_bytes());
        let empty = Triad::build(&WorkloadConfig::new(NAME, 0, 1));
        assert!(matches!(empty, Err(WorkloadError::BadSize { size: 0, .. })));
    }
}
