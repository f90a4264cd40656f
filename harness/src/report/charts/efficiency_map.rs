//! A heat map of scaling efficiency: a row per workload and size, a column per strategy, each at the largest
//! worker count that strategy ran; red below the floor, green at perfect scaling.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{Categories, font, row_label, row_y, score_color, svg};
use crate::error::HarnessError;
use crate::report::judged::{JudgedRun, strategy_label};

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let groups = run.groups();
    let columns = run.parallel_labels();
    let mut tiles: Vec<(usize, usize, f64, usize)> = Vec::new();
    for (row, (workload, size)) in groups.iter().enumerate() {
        for (column, label) in columns.iter().enumerate() {
            let top = run
                .ok_cells()
                .filter(|c| &c.workload == workload && c.size == *size && &strategy_label(c) == label)
                .max_by_key(|c| c.workers);
            if let Some((cell, efficiency)) = top.and_then(|c| Some((c, c.summary.as_ref()?.efficiency?))) {
                tiles.push((row, column, efficiency, cell.workers));
            }
        }
    }
    if tiles.is_empty() {
        return Ok(None);
    }
    let row_names: Vec<String> = groups.iter().map(|(w, s)| format!("{w} ({s})")).collect();
    let size = (160 + 110 * columns.len() as u32, 90 + 34 * groups.len() as u32);
    let floor = run.min_efficiency;
    let text = svg("efficiency", size, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(150)
            .build_cartesian_2d(Categories(columns.len()), Categories(groups.len()))?;
        let column_label = |v: &f64| columns.get(v.round().max(0.0) as usize).cloned().unwrap_or_default();
        let row = |v: &f64| row_label(&row_names, *v);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&column_label)
            .y_label_formatter(&row)
            .label_style(font(12))
            .draw()?;
        let n = groups.len();
        chart.draw_series(tiles.iter().map(|&(r, c, efficiency, _)| {
            let (x, y) = (c as f64, row_y(n, r));
            Rectangle::new([(x - 0.48, y - 0.45), (x + 0.48, y + 0.45)], score_color(efficiency, floor).filled())
        }))?;
        chart.draw_series(tiles.iter().map(|&(r, c, efficiency, workers)| {
            let style = font(12).color(&WHITE).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ));
            Text::new(format!("{efficiency:.2} ×{workers}"), (c as f64, row_y(n, r)), style)
        }))?;
        Ok(())
    })?;
    Ok(Some(Chart {
        name: "efficiency",
        title: "Scaling efficiency at the top worker count",
        caption: format!(
            "Each tile is speedup ÷ workers at the largest worker count measured (×N). Red tiles are below the \
             {floor} floor: those workers do not pay for themselves."
        ),
        svg: text,
    }))
}
