//! The distribution of repetition times per cell, from the raw samples: each timed repetition as a dot,
//! relative to the cell's median, so noisy cells and outliers stand out whatever their scale.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{MUTED, font, row_label, row_y, rows_axis, series_color, svg};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let strips: Vec<(String, Vec<f64>)> = run
        .ok_cells()
        .filter_map(|c| {
            let median = c.summary.as_ref()?.median_wall_ns;
            (median > 0.0).then(|| (c.id.clone(), c.walls().iter().map(|w| w / median).collect()))
        })
        .collect();
    if strips.is_empty() {
        return Ok(None);
    }
    let names: Vec<String> = strips.iter().map(|s| s.0.clone()).collect();
    let n = strips.len();
    let all = strips.iter().flat_map(|s| s.1.iter().copied());
    let (low, high) = all.fold((0.9f64, 1.1f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let text = svg("repetitions", (900, 70 + 14 * n as u32), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(260)
            .build_cartesian_2d((low * 0.97)..(high * 1.03), rows_axis(n))?;
        let row = |v: &f64| row_label(&names, *v);
        chart
            .configure_mesh()
            .x_desc("repetition wall time ÷ the cell's median")
            .y_label_formatter(&row)
            .y_labels(n)
            .label_style(font(9))
            .axis_desc_style(font(12))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        let span = vec![(1.0, -0.6), (1.0, n as f64 - 0.4)];
        chart.draw_series(std::iter::once(PathElement::new(span, MUTED)))?;
        for (i, (_, ratios)) in strips.iter().enumerate() {
            let color = series_color(i % 2);
            let y = row_y(n, i);
            chart.draw_series(ratios.iter().map(|&r| Circle::new((r, y), 2, color.mix(0.7).filled())))?;
        }
        Ok(())
    })?;
    Ok(Some(Chart {
        name: "repetitions",
        title: "Repetition times",
        caption: format!(
            "Every timed repetition ({} per cell) relative to its cell's median. A tight strip is a cell you can \
             trust; a wide one, or a lone dot far right, is noise the verdicts have to see through.",
            run.record.config.profile.reps
        ),
        svg: text,
    }))
}
