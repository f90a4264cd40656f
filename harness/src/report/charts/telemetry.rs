//! Telemetry per cell: worker utilisation (busy ÷ (wall × workers)) as a bar, with the faults the process
//! strategy met and handled — timeouts, crashes, garbled frames, retries, serial fallbacks — written beside it.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{FAIL, font, row_label, row_y, rows_axis, score_color, svg};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let rows: Vec<(String, f64, String)> = run
        .record
        .cells
        .iter()
        .map(|c| {
            let utilisation = c.summary.as_ref().map_or(0.0, |s| s.median_utilisation);
            let f = &c.faults;
            let counts = [
                (f.timeouts, "timeouts"),
                (f.crashes, "crashes"),
                (f.garbled, "garbled"),
                (f.retries, "retries"),
                (f.fallbacks, "fallbacks"),
            ];
            let faults: Vec<String> =
                counts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
            (c.id.clone(), utilisation, faults.join(", "))
        })
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let n = rows.len();
    let faulted = rows.iter().filter(|r| !r.2.is_empty()).count();
    let text = svg("telemetry", (900, 70 + 14 * n as u32), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(260)
            .build_cartesian_2d(0.0..1.6, rows_axis(n))?;
        let row = |v: &f64| row_label(&names, *v);
        chart
            .configure_mesh()
            .x_desc("median utilisation: busy ÷ (wall × workers)")
            .y_label_formatter(&row)
            .y_labels(n)
            .label_style(font(9))
            .axis_desc_style(font(12))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
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
