//! A user's own workload, `horner`, run through every ablate strategy by a binary of its own.
//!
//! `cargo run --release -p custom-workload -- run --quick` gives the whole `ablate` CLI over `horner`; the built-in
//! suite runs on request (`-w builtins`, or `-w horner,spin`).

use ablate_workloads::rng::Rng;
use ablate_workloads::{Description, Footprint, Kind, Param, Workload, WorkloadConfig, WorkloadError};

/// Evaluates one seeded polynomial at many points, by Horner's rule; a task is a block of points.
pub struct Horner {
    points: u64,
    degree: usize,
    seed: u64,
}

const BLOCK: u64 = 10_000;
const DEGREE: Param<usize> = Param::new("degree", 64, 1..=10_000, "degree of the polynomial");

impl Workload for Horner {
    type Shared = Vec<f64>; // the coefficients
    type Task = (u64, u64); // a range of points
    type Output = f64; // the sum of the polynomial over the range

    fn describe() -> Description {
        // Evaluated by the compiler: a name that breaks the naming rule does not build.
        const {
            Description::new(
                "horner",
                Kind::Cpu,
                "evaluates a seeded polynomial at many points by Horner's rule (an example user workload)",
            )
            .sizes("points", 4_000_000, 200_000)
            .params(&[&DEGREE])
        }
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(Horner { points: config.size, degree: DEGREE.get(config)?, seed: config.seed })
    }

    fn shared_input(&self) -> Vec<f64> {
        let mut rng = Rng::new(self.seed);
        (0..=self.degree).map(|_| rng.next_f64() - 0.5).collect()
    }

    fn tasks(&self) -> Vec<(u64, u64)> {
        (0..self.points).step_by(BLOCK as usize).map(|start| (start, (start + BLOCK).min(self.points))).collect()
    }

    /// Optional: what the workload will hold, so that a size the machine cannot hold is refused before building.
    /// Without it the harness would assume one task per point.
    fn footprint(&self) -> Option<Footprint> {
        Some(Footprint {
            shared_bytes: (self.degree as u64 + 1) * 8,
            scratch_bytes: 0,
            tasks: self.points.div_ceil(BLOCK),
            bytes_per_task: (size_of::<(u64, u64)>() + size_of::<f64>()) as u64,
        })
    }

    fn run(&self, coefficients: &Vec<f64>, &(start, end): &(u64, u64)) -> f64 {
        let x_of = |i: u64| i as f64 / self.points as f64 * 2.0 - 1.0;
        (start..end).map(|i| coefficients.iter().fold(0.0, |acc, c| acc * x_of(i) + c)).sum()
    }
}

ablate_harness::ablate_main!(Horner);
