//! Telemetry per cell: worker utilisation (busy ÷ (wall × workers)) as a bar, with the faults the process
//! strategy met and handled — timeouts, crashes, garbled frames, retries, serial fallbacks — written beside it.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{FAIL, RowAxes, font, row_chart, row_y, score_color, svg};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let rows: Vec<(String, f64, String)> = run
        .record
        .cells
        .iter()
        .map(|c| {
            let utilisation = c.summary.as_ref().map_or(0.0, |s| s.median_utilisation);
            (c.id.clone(), utilisation, c.faults.listed())
        })
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let n = rows.len();
    let faulted = rows.iter().filter(|r| !r.2.is_empty()).count();
    let text = svg("telemetry", (900, 70 + 14 * n as u32), |root| {
        let axes = RowAxes {
            x_desc: "median utilisation: busy ÷ (wall × workers)",
            names_width: 260,
            label_size: 9,
            x_format: None,
        };
        let mut chart = row_chart(root, 0.0..1.6, &names, axes)?;
        chart.draw_series(rows.iter().enumerate().map(|(i, (_, utilisation, _))| {
            let y = row_y(n, i);
            Rectangle::new([(0.0, y - 0.38), (utilisation.min(1.0), y + 0.38)], score_color(*utilisation, 0.7).filled())
        }))?;
        chart.draw_series(rows.iter().enumerate().filter(|(_, r)| !r.2.is_empty()).map(|(i, (_, _, faults))| {
            Text::new(format!(" {faults}"), (1.02, row_y(n, i) + 0.3), font(9).color(&FAIL))
        }))?;
        Ok(())
    })?;
    Ok(Some(Chart {
        name: "telemetry",
        title: "Utilisation and faults",
        caption: format!(
            "How much of the workers' time went into tasks. Short bars mean idle workers: load imbalance, dispatch \
             overhead or start-up. {faulted} cells met worker faults (written in red beside them); each was recovered \
             or reported, never silently lost."
        ),
        svg: text,
    }))
}
