//! Per-task execution times of one cell, in an HDR histogram: percentiles for tables, the encoded histogram for
//! the record, so every percentile can be recomputed from the file.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};

/// Task times from 1 ns to 1 hour at three significant figures.
pub struct TaskTimes {
    histogram: Histogram<u64>,
}

/// The percentiles of a cell's task times, plus the histogram they came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskTimeSummary {
    pub count: u64,
    pub mean_ns: f64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p99_ns: u64,
    pub max_ns: u64,
    /// The HDR histogram in its V2 binary encoding, base64.
    pub hdr_v2_base64: String,
}

const HIGHEST_NS: u64 = 3_600_000_000_000;

impl Default for TaskTimes {
    fn default() -> Self {
        Self { histogram: Histogram::new_with_bounds(1, HIGHEST_NS, 3).expect("static bounds are valid") }
    }
}

impl TaskTimes {
    /// Adds task times in nanoseconds; times beyond an hour count as an hour.
    pub fn record_all(&mut self, nanos: &[u64]) {
        for &ns in nanos {
            self.histogram.saturating_record(ns.max(1));
        }
    }

    /// The summary, or `None` when nothing was recorded.
    pub fn summary(&self) -> Option<TaskTimeSummary> {
        let h = &self.histogram;
        if h.is_empty() {
            return None;
        }
        let mut encoded = Vec::new();
        V2Serializer::new().serialize(h, &mut encoded).expect("writing to a Vec cannot fail");
        Some(TaskTimeSummary {
            count: h.len(),
            mean_ns: h.mean(),
            p50_ns: h.value_at_quantile(0.50),
            p90_ns: h.value_at_quantile(0.90),
            p99_ns: h.value_at_quantile(0.99),
            max_ns: h.max(),
            hdr_v2_base64: STANDARD.encode(encoded),
        })
    }
}

impl TaskTimeSummary {
    /// Decodes the stored histogram, for recomputing percentiles from a results file.
    pub fn histogram(&self) -> Option<Histogram<u64>> {
        let bytes = STANDARD.decode(&self.hdr_v2_base64).ok()?;
        Deserializer::new().deserialize(&mut bytes.as_slice()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_recorded_values_and_survive_encoding() {
        let mut times = TaskTimes::default();
        let nanos: Vec<u64> = (1..=1000).map(|i| i * 1000).collect();
        times.record_all(&nanos);
        let summary = times.summary().unwrap();
        assert_eq!(summary.count, 1000);
        let close = |got: u64, want: u64| (got as f64 - want as f64).abs() / want as f64 <= 0.001;
        assert!(close(summary.p50_ns, 500_000), "{}", summary.p50_ns);
        assert!(close(summary.p99_ns, 990_000), "{}", summary.p99_ns);
        assert!(close(summary.max_ns, 1_000_000), "{}", summary.max_ns);
        let decoded = summary.histogram().unwrap();
        assert_eq!(decoded.len(), 1000);
        assert_eq!(decoded.value_at_quantile(0.9), summary.p90_ns);
    }

    #[test]
    fn empty_times_have_no_summary() {
        assert!(TaskTimes::default().summary().is_none());
    }
}
