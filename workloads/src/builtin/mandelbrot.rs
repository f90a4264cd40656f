//! `mandelbrot`: escape-time iteration counts over a fixed view of the Mandelbrot set, a band of rows per task.
//!
//! Pure floating-point work with naturally uneven tasks: rows that cross the set run every point to `max_iter`,
//! rows outside it escape in a few steps, so bands differ in cost by an order of magnitude.

use serde::{Deserialize, Serialize};

use crate::{Description, Footprint, Kind, Param, Workload, WorkloadConfig, WorkloadError};

const NAME: &str = "mandelbrot";
const MAX_ITER: Param<u32> = Param::new("max_iter", 256, 1..=1_000_000, "iterations before a point counts as inside");
const ROWS_PER_TASK: Param<u64> = Param::new("rows_per_task", 4, 1..=1_000_000, "image rows per task");
const VIEW: (f64, f64, f64, f64) = (-2.2, 0.8, -1.2, 1.2);

pub struct Mandelbrot {
    width: u64,
    height: u64,
    max_iter: u32,
    rows_per_task: u64,
}

#[derive(Serialize, Deserialize)]
pub struct Band {
    pub first_row: u64,
    pub rows: u64,
}

#[derive(Serialize, Deserialize)]
pub struct BandResult {
    pub iterations: u64,
    pub inside: u64,
}

impl Workload for Mandelbrot {
    type Shared = ();
    type Task = Band;
    type Output = BandResult;

    fn describe() -> Description {
        Description::new(
            NAME,
            Kind::Cpu,
            "escape-time Mandelbrot, a band of rows per task; floating point with uneven task costs",
        )
        .sizes("px wide", 1200, 240)
        .params(&[&MAX_ITER, &ROWS_PER_TASK])
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        if !(4..=1_000_000).contains(&config.size) {
            let expected = "a width from 4 to 1000000 pixels".to_owned();
            return Err(WorkloadError::BadSize { workload: NAME.into(), size: config.size, expected });
        }
        Ok(Mandelbrot {
            width: config.size,
            height: config.size * 4 / 5,
            max_iter: MAX_ITER.get(config)?,
            rows_per_task: ROWS_PER_TASK.get(config)?,
        })
    }

    fn tasks(&self) -> Vec<Band> {
        (0..self.height)
            .step_by(self.rows_per_task as usize)
            .map(|first_row| Band { first_row, rows: self.rows_per_task.min(self.height - first_row) })
            .collect()
    }

    /// The size is a width in pixels; the tasks are bands of rows.
    fn footprint(&self) -> Option<Footprint> {
        Some(Footprint {
            shared_bytes: 0,
            scratch_bytes: 0,
            tasks: self.height.div_ceil(self.rows_per_task),
            bytes_per_task: (size_of::<Band>() + size_of::<BandResult>()) as u64,
        })
    }

    fn run(&self, _shared: &(), band: &Band) -> BandResult {
        let (x0, x1, y0, y1) = VIEW;
        let mut result = BandResult { iterations: 0, inside: 0 };
        for row in band.first_row..band.first_row + band.rows {
            let ci = y0 + (y1 - y0) * row as f64 / self.height as f64;
            for col in 0..self.width {
                let cr = x0 + (x1 - x0) * col as f64 / self.width as f64;
                let n = escape_time(cr, ci, self.max_iter);
                result.iterations += u64::from(n);
                result.inside += u64::from(n == self.max_iter);
            }
        }
        result
    }
}

fn escape_time(cr: f64, ci: f64, max_iter: u32) -> u32 {
    let (mut zr, mut zi) = (0.0f64, 0.0f64);
    for n in 0..max_iter {
        if zr * zr + zi * zi > 4.0 {
            return n;
        }
        (zr, zi) = (zr * zr - zi * zi + cr, 2.0 * zr * zi + ci);
    }
    max_iter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_points_and_band_layout() {
        assert_eq!(escape_time(0.0, 0.0, 100), 100, "the origin is inside");
        assert_eq!(escape_time(2.0, 2.0, 100), 1, "far points escape at once");
        let workload = Mandelbrot::build(&WorkloadConfig::new(NAME, 50, 0).with_param("rows_per_task", 3)).unwrap();
        let bands = workload.tasks();
        assert_eq!(bands.iter().map(|b| b.rows).sum::<u64>(), 40);
        assert_eq!(bands.last().unwrap().rows, 1);
    }

    #[test]
    fn bands_through_the_set_cost_more_than_bands_outside() {
        let workload = Mandelbrot::build(&WorkloadConfig::new(NAME, 64, 0)).unwrap();
        let bands = workload.tasks();
        let edge = workload.run(&(), &bands[0]).iterations;
        let middle = workload.run(&(), &bands[bands.len() / 2]).iterations;
        assert!(middle > 5 * edge, "middle {middle} edge {edge}");
    }

    #[test]
    fn rebuilt_bands_give_equal_results_and_tiny_widths_are_refused() {
        let config = |size| WorkloadConfig::new(NAME, size, 0);
        let (a, b) = (Mandelbrot::build(&config(80)).unwrap(), Mandelbrot::build(&config(80)).unwrap());
        let result = |w: &Mandelbrot, i: usize| {
            let r = w.run(&(), &w.tasks()[i]);
            (r.iterations, r.inside)
        };
        assert_eq!(result(&a, 7), result(&b, 7));
        assert_ne!(result(&a, 7), result(&a, 2));
        for size in [0, 3] {
            assert!(matches!(Mandelbrot::build(&config(size)), Err(WorkloadError::BadSize { .. })), "size {size}");
        }
    }
}
