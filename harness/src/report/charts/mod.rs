//! The report's charts, one module each, drawn with plotters as standalone SVG documents.
//!
//! Each chart returns `None` when the run holds nothing for it to show (no baseline, no memory-bound workload).
//! A chart with a row per cell is drawn once per workload and size (see [`per_workload`]), so that each stays
//! short enough to read and its rows need only the strategy part of the cell id.

mod bandwidth;
mod baseline;
pub mod canvas;
mod efficiency_map;
pub mod history;
mod latency;
mod panels;
mod payload;
pub mod per_workload;
mod predicted_band;
mod repetitions;
mod speedup;
mod telemetry;

use super::judged::JudgedRun;
use crate::error::HarnessError;

/// One drawn chart: its name, title, what to read from it, and the SVG.
pub struct Chart {
    pub name: &'static str,
    /// Which workload and size a chart drawn per workload shows; `None` for a chart of the whole run.
    pub part: Option<per_workload::Part>,
    pub title: &'static str,
    pub caption: String,
    pub svg: String,
}

impl Chart {
    /// The chart's file stem and the end of its figure's id: `speedup`, or `latency-2` for the latency chart of
    /// the run's second workload and size.
    pub fn stem(&self) -> String {
        match &self.part {
            Some(part) => format!("{}-{}", self.name, part.number),
            None => self.name.to_owned(),
        }
    }

    /// The chart's heading: its title, and the workload and size of a chart drawn per workload.
    pub fn heading(&self) -> String {
        match &self.part {
            Some(part) => format!("{}: {}", self.title, part.group),
            None => self.title.to_owned(),
        }
    }
}

/// Every chart the run has data for, in the order the page shows them: the heat map, the charts of the whole run,
/// then those drawn per workload.
pub fn draw_all(run: &JudgedRun) -> Result<Vec<Chart>, HarnessError> {
    let mut drawn = Vec::new();
    drawn.extend(efficiency_map::chart(run)?);
    drawn.extend(speedup::chart(run)?);
    drawn.extend(predicted_band::efficiency_chart(run)?);
    drawn.extend(payload::chart(run)?);
    drawn.extend(bandwidth::chart(run)?);
    drawn.extend(baseline::charts(run)?);
    drawn.extend(repetitions::charts(run)?);
    drawn.extend(latency::charts(run)?);
    drawn.extend(telemetry::charts(run)?);
    Ok(drawn)
}

/// The names of every chart `draw_all` can produce, for the tests that check each is drawn.
#[cfg(test)]
pub const ALL: [&str; 8] =
    ["speedup", "efficiency", "baseline", "payload", "bandwidth", "repetitions", "latency", "telemetry"];

/// The charts `draw_all` draws once per workload and size.
#[cfg(test)]
pub const PER_WORKLOAD: [&str; 4] = ["baseline", "repetitions", "latency", "telemetry"];
