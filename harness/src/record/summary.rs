//! Summaries of a cell's samples: median time and spread, speedup and efficiency against serial, utilisation,
//! bandwidth. Derived only from the raw samples, so they can always be recomputed.

use serde::{Deserialize, Serialize};

use crate::record::Sample;
use crate::stats::{mean, median, median_abs_deviation};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub median_wall_ns: f64,
    pub mean_wall_ns: f64,
    pub min_wall_ns: f64,
    pub max_wall_ns: f64,
    /// Median absolute deviation of wall time over its median.
    pub relative_spread: f64,
    pub median_cpu_ns: f64,
    pub median_utilisation: f64,
    pub peak_rss_bytes: u64,
    /// Serial's median wall time over this cell's; absent when serial has no samples.
    pub speedup: Option<f64>,
    /// Speedup over workers.
    pub efficiency: Option<f64>,
    /// Bytes touched per second at the median wall time, in 10⁹ bytes per second.
    pub gbps: Option<f64>,
}

impl Summary {
    /// Summarises timed samples; `None` when there are none.
    pub fn of(
        samples: &[Sample],
        workers: usize,
        serial_median_ns: Option<f64>,
        bytes_touched: Option<u64>,
    ) -> Option<Self> {
        let walls: Vec<f64> = samples.iter().map(|s| s.wall_ns as f64).collect();
        let median_wall_ns = median(&walls)?;
        let cpus: Vec<f64> = samples.iter().map(|s| s.cpu_ns as f64).collect();
        let utilisations: Vec<f64> = samples.iter().map(Sample::utilisation).collect();
        let speedup = serial_median_ns.filter(|_| median_wall_ns > 0.0).map(|serial| serial / median_wall_ns);
        Some(Summary {
            median_wall_ns,
            mean_wall_ns: mean(&walls)?,
            min_wall_ns: walls.iter().copied().fold(f64::INFINITY, f64::min),
            max_wall_ns: walls.iter().copied().fold(0.0, f64::max),
            relative_spread: median_abs_deviation(&walls)? / median_wall_ns.max(1.0),
            median_cpu_ns: median(&cpus)?,
            median_utilisation: median(&utilisations)?,
            peak_rss_bytes: samples.iter().map(|s| s.peak_rss_bytes).max().unwrap_or(0),
            speedup,
            efficiency: speedup.map(|s| s / workers.max(1) as f64),
            gbps: bytes_touched.filter(|_| median_wall_ns > 0.0).map(|bytes| bytes as f64 / median_wall_ns),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(wall_ns: u64, busy_ns: Vec<u64>) -> Sample {
        let (worker_peak_rss_bytes, faults, wire) = (Vec::new(), Default::default(), None);
        Sample {
            attempt: 0,
            round: 0,
            wall_ns,
            cpu_ns: wall_ns * 2,
            peak_rss_bytes: wall_ns / 10,
            busy_ns,
            worker_cpu: Vec::new(),
            driver_cpu: None,
            worker_peak_rss_bytes,
            faults,
            wire,
            others_cpu_ns: None,
            worker_start_ns: None,
            minor_page_faults: None,
            network: None,
        }
    }

    #[test]
    fn speedup_efficiency_utilisation_and_bandwidth_follow_their_definitions() {
        let samples = vec![sample(100, vec![90, 80]), sample(120, vec![100, 100]), sample(110, vec![110, 110])];
        let summary = Summary::of(&samples, 2, Some(200.0), Some(2_200)).unwrap();
        assert_eq!(summary.median_wall_ns, 110.0);
        assert_eq!(summary.speedup, Some(200.0 / 110.0));
        assert_eq!(summary.efficiency, Some(200.0 / 110.0 / 2.0));
        assert_eq!(summary.median_utilisation, 0.85);
        assert_eq!(summary.gbps, Some(20.0));
        assert_eq!(summary.peak_rss_bytes, 12);
        assert_eq!(summary.relative_spread, 10.0 / 110.0);
    }

    #[test]
    fn no_samples_no_summary() {
        assert!(Summary::of(&[], 1, None, None).is_none());
    }
}
