//! The distribution of repetition times per cell, from the raw samples: each timed repetition as a dot,
//! relative to the cell's median, so noisy cells and outliers stand out whatever their scale.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{MUTED, RowAxes, row_chart, row_y, series_color, svg};
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
        let axes = RowAxes {
            x_desc: "repetition wall time ÷ the cell's median",
            names_width: 260,
            label_size: 9,
            x_format: None,
        };
        let mut chart = row_chart(root, (low * 0.97)..(high * 1.03), &names, axes)?;
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
            "Every timed repetition ({}) relative to its cell's median. A tight strip is a cell you can trust; a \
             wide one, or a lone dot far right, is noise the verdicts have to see through.",
            run.record.config.profile.repetitions_phrase()
        ),
        svg: text,
    }))
}
