//! Scaling predicted at `--predict-for N`, drawn past the measured points: for each strategy a translucent band
//! (the interval) around a dashed line (the central prediction), from the largest count measured up to N,
//! labelled `predicted for <machine>` — never drawn like a measurement (solid line, dots). The speedup chart
//! draws the bands over its own panels; the efficiency chart here is measured efficiency against workers,
//! continued the same way.

use plotters::coord::types::{RangedCoordf64, RangedCoordu32};
use plotters::prelude::*;

use super::Chart;
use super::canvas::{Drawn, FAIL, LEGEND_HEIGHT, MUTED, TEXT, TITLE, font, legend_strip, series_color, svg};
use super::panels::{COLUMNS, PANEL, legend_keys, measured_series};
use crate::error::HarnessError;
use crate::report::judged::{JudgedRun, strategy_label};

/// The fill of a band: its strategy's colour, this opaque.
const BAND_OPACITY: f64 = 0.18;

/// One strategy's predicted points in a panel: (workers, low, central, high), in the chart's units.
pub struct Band {
    /// The strategy's index among the run's parallel labels (its colour).
    pub series: usize,
    pub points: Vec<(u32, f64, f64, f64)>,
}

/// A panel's chart: workers along x, a ratio up y.
pub type PanelChart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordu32, RangedCoordf64>>;

/// The largest worker count a chart of `run` shows: the most measured, or the count predicted for.
pub fn max_workers(run: &JudgedRun) -> usize {
    run.max_workers().max(run.predicted.as_ref().map_or(0, |p| p.workers))
}

/// The bands of workload `workload` at `size`, one per strategy of `labels` predicted, in speedup (`speedup`)
/// or efficiency; each from the largest count its strategy measured.
pub fn bands(run: &JudgedRun, workload: &str, size: u64, labels: &[String], speedup: bool) -> Vec<Band> {
    let Some(predicted) = &run.predicted else { return Vec::new() };
    let mut out = Vec::new();
    for s in predicted.strategies() {
        let p = &s.predicted;
        let Some(series) = labels.iter().position(|l| *l == p.strategy) else { continue };
        if p.workload != workload || p.size != size {
            continue;
        }
        let measured = run
            .ok_cells()
            .filter(|c| c.workload == workload && c.size == size && strategy_label(c) == p.strategy)
            .map(|c| c.workers)
            .max()
            .unwrap_or(1);
        let points: Vec<(u32, f64, f64, f64)> = p
            .predictions
            .iter()
            .filter(|x| x.workers >= measured)
            .map(|x| {
                let scale = if speedup { x.workers as f64 } else { 1.0 };
                (x.workers as u32, x.low * scale, x.efficiency * scale, x.high * scale)
            })
            .collect();
        if points.len() > 1 || points.first().is_some_and(|x| x.0 as usize > measured) {
            out.push(Band { series, points });
        }
    }
    out
}

/// What a chart's caption adds for the bands: empty without a prediction.
pub fn caption(run: &JudgedRun) -> String {
    run.predicted.as_ref().map_or_else(String::new, |p| {
        format!(
            " Dashed lines in shaded bands are {} at up to {} workers, with their intervals: predictions, not \
             measurements.",
            p.label(),
            p.workers
        )
    })
}

/// The highest point of `bands`, for the chart's y range.
pub fn top(bands: &[Band]) -> f64 {
    bands.iter().flat_map(|b| b.points.iter().map(|p| p.3)).fold(0.0, f64::max)
}

/// Draws `bands` on `chart`: a translucent interval and a dashed central line each, the first labelled
/// `label` in the legend.
pub fn draw(chart: &mut PanelChart, bands: &[Band], label: &str) -> Drawn {
    for (index, band) in bands.iter().enumerate() {
        let color = series_color(band.series);
        let upper = band.points.iter().map(|p| (p.0, p.3));
        let lower = band.points.iter().rev().map(|p| (p.0, p.1));
        chart.draw_series(std::iter::once(Polygon::new(
            upper.chain(lower).collect::<Vec<_>>(),
            color.mix(BAND_OPACITY).filled(),
        )))?;
        let central = band.points.iter().map(|p| (p.0, p.2));
        let line = chart.draw_series(DashedLineSeries::new(central, 6, 4, color.stroke_width(2)))?;
        if index == 0 {
            line.label(label).legend(move |(x, y)| {
                Rectangle::new([(x, y - 4), (x + 14, y + 4)], MUTED.mix(BAND_OPACITY * 2.0).filled())
            });
        }
    }
    Ok(())
}

/// Efficiency against workers, a panel per workload and size: what was measured (solid, with dots) and, past it,
/// what is predicted for the machine of `--predict-for` (bands); `None` without a prediction.
pub fn efficiency_chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let Some(predicted) = run.predicted.as_ref().filter(|p| !p.strategies().is_empty()) else { return Ok(None) };
    let groups = run.groups();
    let labels = run.parallel_labels();
    let columns = groups.len().clamp(1, COLUMNS);
    let rows = groups.len().div_ceil(columns);
    let size = (PANEL.0 * columns as u32, PANEL.1 * rows as u32);
    let max_workers = max_workers(run).max(2) as u32;
    let label = predicted.label();
    let text = svg("predicted-efficiency", (size.0, size.1 + LEGEND_HEIGHT), |root| {
        let (legend, panels) = root.split_vertically(LEGEND_HEIGHT);
        legend_strip(&legend, &legend_keys(&labels, Some(&label)))?;
        for ((workload, size), panel) in groups.iter().zip(panels.split_evenly((rows, columns))) {
            let measured = measured_series(run, (workload, *size), &labels, |s| s.efficiency);
            let bands = bands(run, workload, *size, &labels, false);
            let title = format!("{workload} ({size})");
            efficiency_panel(&panel, &title, &measured, &bands, &label, max_workers, run.min_efficiency)?;
        }
        Ok(())
    })?;
    Ok(Some(Chart {
        name: "predicted-efficiency",
        part: None,
        title: "Efficiency against workers, measured and predicted",
        caption: format!(
            "Solid lines with dots were measured here (up to {} workers); the dashed lines and shaded bands past \
             them are {} ({}) at up to {} workers, with their intervals: predictions, not measurements. Below the \
             red dashed line (efficiency {}) workers do not pay for themselves.",
            run.max_workers(),
            label,
            predicted.profile.cpu_model,
            predicted.workers,
            run.min_efficiency
        ),
        svg: text,
    }))
}

fn efficiency_panel(
    panel: &super::canvas::Area,
    title: &str,
    measured: &[(usize, Vec<(u32, f64)>)],
    bands: &[Band],
    predicted_label: &str,
    max_workers: u32,
    floor: f64,
) -> Drawn {
    let highest = measured.iter().flat_map(|(_, p)| p.iter().map(|p| p.1)).fold(top(bands), f64::max);
    let mut chart = ChartBuilder::on(panel)
        .caption(title, font(TITLE))
        .margin(8)
        .x_label_area_size(44)
        .y_label_area_size(54)
        .build_cartesian_2d(1u32..max_workers, 0f64..highest.max(1.0) * 1.08)?;
    chart
        .configure_mesh()
        .x_desc("workers")
        .y_desc("efficiency (speedup ÷ workers)")
        .x_labels(max_workers as usize)
        .label_style(font(TEXT))
        .axis_desc_style(font(TEXT))
        .light_line_style(TRANSPARENT)
        .draw()?;
    let floor_line = [(1, floor), (max_workers, floor)];
    chart.draw_series(DashedLineSeries::new(floor_line, 3, 4, FAIL.mix(0.7).stroke_width(1)))?;
    draw(&mut chart, bands, predicted_label)?;
    for (index, points) in measured {
        let color = series_color(*index);
        chart.draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))?;
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
    }
    Ok(())
}
