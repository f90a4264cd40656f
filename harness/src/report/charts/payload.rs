//! Payload bytes per task into the workers, by strategy and transport, on a log scale: what a process pool must
//! move per task, measured from the real frames (serialized task sizes for in-process strategies).

use plotters::prelude::*;

use super::Chart;
use super::canvas::{RowAxes, TEXT, font, row_chart, row_chart_height, row_y, series_color, svg};
use crate::error::HarnessError;
use crate::report::judged::{JudgedRun, strategy_label};
use crate::units::bytes;

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let labels = run.parallel_labels();
    let mut bars: Vec<(String, usize, f64)> = Vec::new();
    for (workload, size) in run.groups() {
        let top = run.max_workers();
        for (index, label) in labels.iter().enumerate() {
            let cell = run
                .ok_cells()
                .find(|c| c.workload == workload && c.size == size && &strategy_label(c) == label && c.workers == top);
            if let Some((input, _)) = cell.and_then(|c| c.bytes_per_task()) {
                bars.push((format!("{workload} {label}"), index, input.max(1.0)));
            }
        }
    }
    if bars.is_empty() {
        return Ok(None);
    }
    let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let n = bars.len();
    let most = bars.iter().map(|b| b.2).fold(1.0, f64::max) * 4.0;
    let text = svg("payload", (900, row_chart_height(n)), |root| {
        let size = |v: &f64| bytes(*v);
        let axes =
            RowAxes { x_desc: "bytes into a worker per task (log scale)", names_width: 230, x_format: Some(&size) };
        let mut chart = row_chart(root, (1.0..most).log_scale(), &names, axes)?;
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, color, value))| {
            let y = row_y(n, i);
            Rectangle::new([(1.0, y - 0.38), (*value, y + 0.38)], series_color(*color).filled())
        }))?;
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, _, value))| {
            Text::new(format!(" {}", bytes(*value)), (*value, row_y(n, i) + 0.3), font(TEXT))
        }))?;
        Ok(())
    })?;
    Ok(Some(Chart {
        name: "payload",
        part: None,
        title: "Payload bytes per task",
        caption: format!(
            "What crosses into a worker for each task, at {} workers: threads share memory and pass only the task; \
             process/copy sends the shared input with every task, shm sends a handle to one mapped copy, and mpi \
             sends the task alone (each rank rebuilds the shared input).",
            run.max_workers()
        ),
        svg: text,
    }))
}
