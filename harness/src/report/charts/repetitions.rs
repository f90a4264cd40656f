//! The distribution of repetition times per cell, from the raw samples: each timed repetition as a dot,
//! relative to the cell's median, so noisy cells and outliers stand out whatever their scale. One chart per
//! workload and size.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{MUTED, RowAxes, row_chart, row_chart_height, row_y, series_color, svg};
use super::per_workload::{Rows, split, within_group};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;

pub fn charts(run: &JudgedRun) -> Result<Vec<Chart>, HarnessError> {
    let strips: Rows<(String, Vec<f64>)> = run
        .ok_cells()
        .filter_map(|c| {
            let median = c.summary.as_ref()?.median_wall_ns;
            let group = (c.workload.clone(), c.size);
            let ratios = c.walls().iter().map(|w| w / median).collect();
            (median > 0.0).then(|| (group.clone(), (within_group(&c.id, &group), ratios)))
        })
        .collect();
    let caption = format!(
        "Every timed repetition ({}) relative to its cell's median. A tight strip is a cell you can trust; a wide \
         one, or a lone dot far right, is noise the verdicts have to see through.",
        run.record.config.profile.repetitions_phrase()
    );
    let mut charts = Vec::new();
    for (part, strips) in split(run, strips) {
        charts.push(Chart {
            name: "repetitions",
            part: Some(part),
            title: "Repetition times",
            caption: caption.clone(),
            svg: draw(&strips)?,
        });
    }
    Ok(charts)
}

fn draw(strips: &[(String, Vec<f64>)]) -> Result<String, HarnessError> {
    let names: Vec<String> = strips.iter().map(|s| s.0.clone()).collect();
    let n = strips.len();
    let all = strips.iter().flat_map(|s| s.1.iter().copied());
    let (low, high) = all.fold((0.9f64, 1.1f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    svg("repetitions", (900, row_chart_height(n)), |root| {
        let axes = RowAxes { x_desc: "repetition wall time ÷ the cell's median", names_width: 230, x_format: None };
        let mut chart = row_chart(root, (low * 0.97)..(high * 1.03), &names, axes)?;
        let span = vec![(1.0, -0.6), (1.0, n as f64 - 0.4)];
        chart.draw_series(std::iter::once(PathElement::new(span, MUTED)))?;
        for (i, (_, ratios)) in strips.iter().enumerate() {
            let color = series_color(i % 2);
            let y = row_y(n, i);
            chart.draw_series(ratios.iter().map(|&r| Circle::new((r, y), 3, color.mix(0.7).filled())))?;
        }
        Ok(())
    })
}
