//! Speedup against workers, a panel per workload and size, a line per strategy, with the ideal line (speedup =
//! workers) and the efficiency floor (speedup = floor × workers) below which a cell fails.

use plotters::prelude::*;

use super::canvas::{Drawn, FAIL, LEGEND_HEIGHT, MUTED, TEXT, TITLE, font, legend_strip, series_color, svg};
use super::panels::{COLUMNS, PANEL, legend_keys, measured_series};
use super::{Chart, predicted_band};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let groups = run.groups();
    let labels = run.parallel_labels();
    if groups.is_empty() || labels.is_empty() {
        return Ok(None);
    }
    let columns = groups.len().min(COLUMNS);
    let rows = groups.len().div_ceil(columns);
    let size = (PANEL.0 * columns as u32, PANEL.1 * rows as u32);
    let max_workers = predicted_band::max_workers(run).max(2) as u32;
    let predicted = run.predicted.as_ref().map(|p| p.label()).unwrap_or_default();
    let text = svg("speedup", (size.0, size.1 + LEGEND_HEIGHT), |root| {
        let (legend, panels) = root.split_vertically(LEGEND_HEIGHT);
        legend_strip(&legend, &legend_keys(&labels, run.predicted.as_ref().map(|_| predicted.as_str())))?;
        for ((workload, size), panel) in groups.iter().zip(panels.split_evenly((rows, columns))) {
            let series = measured_series(run, (workload, *size), &labels, |s| s.speedup);
            let bands = (predicted_band::bands(run, workload, *size, &labels, true), predicted.as_str());
            draw_panel(&panel, &format!("{workload} ({size})"), &series, &bands, max_workers, run.min_efficiency)?;
        }
        Ok(())
    })?;
    Ok(Some(Chart {
        name: "speedup",
        part: None,
        title: "Speedup against workers",
        caption: format!(
            "Higher is better. The grey dashed line is perfect scaling; a strategy below the red dashed line \
             (efficiency {}) fails the scaling check. Measured at up to {} workers on a machine with {} logical cores.{}",
            run.min_efficiency,
            run.max_workers(),
            run.record.machine.logical_cores,
            predicted_band::caption(run)
        ),
        svg: text,
    }))
}

fn draw_panel(
    panel: &super::canvas::Area,
    title: &str,
    series: &[(usize, Vec<(u32, f64)>)],
    (bands, predicted): &(Vec<predicted_band::Band>, &str),
    max_workers: u32,
    floor: f64,
) -> Drawn {
    let top = series.iter().flat_map(|(_, p)| p.iter().map(|p| p.1)).fold(max_workers as f64, f64::max);
    let top = top.max(predicted_band::top(bands)) * 1.08;
    let mut chart = ChartBuilder::on(panel)
        .caption(title, font(TITLE))
        .margin(8)
        .x_label_area_size(44)
        .y_label_area_size(54)
        .build_cartesian_2d(1u32..max_workers, 0f64..top)?;
    chart
        .configure_mesh()
        .x_desc("workers")
        .y_desc("speedup vs serial")
        .x_labels(max_workers as usize)
        .label_style(font(TEXT))
        .axis_desc_style(font(TEXT))
        .light_line_style(TRANSPARENT)
        .draw()?;
    let ideal = (1..=max_workers).map(|w| (w, f64::from(w)));
    chart.draw_series(DashedLineSeries::new(ideal, 5, 4, MUTED.stroke_width(1)))?;
    let floor_line = (1..=max_workers).map(|w| (w, f64::from(w) * floor));
    chart.draw_series(DashedLineSeries::new(floor_line, 3, 4, FAIL.mix(0.7).stroke_width(1)))?;
    for (index, points) in series {
        let color = series_color(*index);
        chart.draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))?;
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
    }
    predicted_band::draw(&mut chart, bands, predicted)?;
    Ok(())
}
