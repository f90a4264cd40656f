//! The report's charts, one module each, drawn with plotters as standalone SVG documents.
//!
//! Each chart returns `None` when the run holds nothing for it to show (no baseline, no memory-bound workload).

mod bandwidth;
mod baseline;
pub mod canvas;
mod efficiency_map;
pub mod history;
mod latency;
mod payload;
mod predicted_band;
mod repetitions;
mod speedup;
mod telemetry;

use super::judged::JudgedRun;
use crate::error::HarnessError;

/// One drawn chart: its file stem, title, what to read from it, and the SVG.
pub struct Chart {
    pub name: &'static str,
    pub title: &'static str,
    pub caption: String,
    pub svg: String,
}

/// Every chart the run has data for, in the order the page shows them.
pub fn draw_all(run: &JudgedRun) -> Result<Vec<Chart>, HarnessError> {
    let drawn = [
        speedup::chart(run)?,
        efficiency_map::chart(run)?,
        predicted_band::efficiency_chart(run)?,
        baseline::chart(run)?,
        payload::chart(run)?,
        bandwidth::chart(run)?,
        repetitions::chart(run)?,
        latency::chart(run)?,
        telemetry::chart(run)?,
    ];
    Ok(drawn.into_iter().flatten().collect())
}

/// The names of every chart `draw_all` can produce, for the tests that check each is drawn.
#[cfg(test)]
pub const ALL: [&str; 8] =
    ["speedup", "efficiency", "baseline", "payload", "bandwidth", "repetitions", "latency", "telemetry"];
