//! Per-task latency percentiles from each cell's HDR histogram: p50, p90, p99 and the maximum on a log scale,
//! joined by a line, so skewed task costs and stragglers show as a long tail.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{MUTED, RowAxes, font, row_chart, row_y, series_color, svg};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;
use crate::units::duration_ns;

const PERCENTILES: [&str; 4] = ["p50", "p90", "p99", "max"];

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let cells: Vec<(String, [f64; 4])> = run
        .ok_cells()
        .filter_map(|c| {
            let t = c.task_times.as_ref()?;
            let values = [t.p50_ns, t.p90_ns, t.p99_ns, t.max_ns].map(|v| (v as f64).max(1.0));
            Some((c.id.clone(), values))
        })
        .collect();
    if cells.is_empty() {
        return Ok(None);
    }
    let names: Vec<String> = cells.iter().map(|c| c.0.clone()).collect();
    let n = cells.len();
    let low = cells.iter().map(|c| c.1[0]).fold(f64::INFINITY, f64::min) / 2.0;
    let high = cells.iter().map(|c| c.1[3]).fold(0.0, f64::max) * 2.0;
    let text = svg("latency", (900, 90 + 14 * n as u32), |root| {
        let time = |v: &f64| duration_ns(*v);
        let axes =
            RowAxes { x_desc: "time per task (log scale)", names_width: 260, label_size: 9, x_format: Some(&time) };
        let mut chart = row_chart(root, (low..high).log_scale(), &names, axes)?;
        for (i, (_, values)) in cells.iter().enumerate() {
            let y = row_y(n, i);
            chart.draw_series(std::iter::once(PathElement::new(vec![(values[0], y), (values[3], y)], MUTED)))?;
        }
        for (p, name) in PERCENTILES.iter().enumerate() {
            let color = series_color(p);
            chart
                .draw_series(
                    cells.iter().enumerate().map(|(i, (_, v))| Circle::new((v[p], row_y(n, i)), 3, color.filled())),
                )?
                .label(*name)
                .legend(move |(x, y)| Circle::new((x + 5, y), 3, color.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(MUTED)
            .label_font(font(10))
            .draw()?;
        Ok(())
    })?;
    Ok(Some(Chart {
        name: "latency",
        title: "Per-task latency",
        caption: "Percentiles of single-task execution time over every timed repetition. A p99 or max far right of \
                  p50 is a straggler: under a static partition it sets the wall time of the whole cell."
            .to_owned(),
        svg: text,
    }))
}
