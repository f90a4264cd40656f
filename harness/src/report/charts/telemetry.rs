//! Telemetry per cell: worker utilisation (busy ÷ (wall × workers)) as a bar, with the faults the process
//! strategy met and handled — timeouts, crashes, garbled frames, retries, serial fallbacks — written beside it.
//! One chart per workload and size.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{FAIL, RowAxes, TEXT, font, row_chart, row_chart_height, row_y, score_color, svg};
use super::per_workload::{Rows, split, within_group};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;

/// The utilisation below which a bar shows on the failing side of the colour scale, as efficiency does.
const UTILISATION_FLOOR: f64 = 0.7;

pub fn charts(run: &JudgedRun) -> Result<Vec<Chart>, HarnessError> {
    let rows: Rows<(String, f64, String)> = run
        .record
        .cells
        .iter()
        .map(|c| {
            let utilisation = c.summary.as_ref().map_or(0.0, |s| s.median_utilisation);
            let group = (c.workload.clone(), c.size);
            (group.clone(), (within_group(&c.id, &group), utilisation, c.faults.listed()))
        })
        .collect();
    let mut charts = Vec::new();
    for (part, rows) in split(run, rows) {
        let faulted = rows.iter().filter(|r| !r.2.is_empty()).count();
        charts.push(Chart {
            name: "telemetry",
            part: Some(part),
            title: "Utilisation and faults",
            caption: format!(
                "How much of the workers' time went into tasks. Short bars mean idle workers: load imbalance, \
                 dispatch overhead or start-up. {faulted} cells here met worker faults (written in red beside \
                 them); each was recovered or reported, never silently lost."
            ),
            svg: draw(&rows)?,
        });
    }
    Ok(charts)
}

fn draw(rows: &[(String, f64, String)]) -> Result<String, HarnessError> {
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let n = rows.len();
    svg("telemetry", (900, row_chart_height(n)), |root| {
        let axes =
            RowAxes { x_desc: "median utilisation: busy ÷ (wall × workers)", names_width: 230, x_format: None };
        let mut chart = row_chart(root, 0.0..1.6, &names, axes)?;
        chart.draw_series(rows.iter().enumerate().map(|(i, (_, utilisation, _))| {
            let y = row_y(n, i);
            let color = score_color(*utilisation, UTILISATION_FLOOR);
            Rectangle::new([(0.0, y - 0.38), (utilisation.min(1.0), y + 0.38)], color.filled())
        }))?;
        chart.draw_series(rows.iter().enumerate().filter(|(_, r)| !r.2.is_empty()).map(|(i, (_, _, faults))| {
            Text::new(format!(" {faults}"), (1.02, row_y(n, i) + 0.3), font(TEXT).color(&FAIL))
        }))?;
        Ok(())
    })
}
