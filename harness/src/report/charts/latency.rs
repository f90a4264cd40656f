//! Per-task latency percentiles from each cell's HDR histogram: p50, p90, p99 and the maximum on a log scale,
//! joined by a line, so skewed task costs and stragglers show as a long tail. One chart per workload and size.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{
    LEGEND_HEIGHT, MUTED, RowAxes, legend_strip, row_chart, row_chart_height, row_y, series_color, svg,
};
use super::per_workload::{Rows, split, within_group};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;
use crate::units::duration_ns;

const PERCENTILES: [&str; 4] = ["p50", "p90", "p99", "max"];

pub fn charts(run: &JudgedRun) -> Result<Vec<Chart>, HarnessError> {
    let cells: Rows<(String, [f64; 4])> = run
        .ok_cells()
        .filter_map(|c| {
            let t = c.task_times.as_ref()?;
            let values = [t.p50_ns, t.p90_ns, t.p99_ns, t.max_ns].map(|v| (v as f64).max(1.0));
            let group = (c.workload.clone(), c.size);
            Some((group.clone(), (within_group(&c.id, &group), values)))
        })
        .collect();
    let mut charts = Vec::new();
    for (part, cells) in split(run, cells) {
        charts.push(Chart {
            name: "latency",
            part: Some(part),
            title: "Per-task latency",
            caption: "Percentiles of single-task execution time over every timed repetition. A p99 or max far \
                      right of p50 is a straggler: under a static partition it sets the wall time of the whole cell."
                .to_owned(),
            svg: draw(&cells)?,
        });
    }
    Ok(charts)
}

fn draw(cells: &[(String, [f64; 4])]) -> Result<String, HarnessError> {
    let names: Vec<String> = cells.iter().map(|c| c.0.clone()).collect();
    let n = cells.len();
    let low = cells.iter().map(|c| c.1[0]).fold(f64::INFINITY, f64::min) / 2.0;
    let high = cells.iter().map(|c| c.1[3]).fold(0.0, f64::max) * 2.0;
    svg("latency", (900, row_chart_height(n) + LEGEND_HEIGHT), |root| {
        let (top, rest) = root.split_vertically(LEGEND_HEIGHT);
        let colors: Vec<RGBColor> = (0..PERCENTILES.len()).map(series_color).collect();
        legend_strip(&top, &PERCENTILES.iter().copied().zip(colors).collect::<Vec<_>>())?;
        let time = |v: &f64| duration_ns(*v);
        let axes = RowAxes { x_desc: "time per task (log scale)", names_width: 230, x_format: Some(&time) };
        let mut chart = row_chart(&rest, (low..high).log_scale(), &names, axes)?;
        for (i, (_, values)) in cells.iter().enumerate() {
            let y = row_y(n, i);
            chart.draw_series(std::iter::once(PathElement::new(vec![(values[0], y), (values[3], y)], MUTED)))?;
        }
        for p in 0..PERCENTILES.len() {
            let color = series_color(p);
            chart.draw_series(
                cells.iter().enumerate().map(|(i, (_, v))| Circle::new((v[p], row_y(n, i)), 4, color.filled())),
            )?;
        }
        Ok(())
    })
}
