//! Bandwidth of the memory-bound workloads: GB/s per cell against the reference serial reached on the same
//! workload and size, coloured by the fraction of it kept; the floor the scaling check applies is marked.

use crate::store::thresholds::FLOOR;
use plotters::prelude::*;

use super::Chart;
use super::canvas::{FAIL, MUTED, RowAxes, TEXT, font, row_chart, row_chart_height, row_y, score_color, svg};
use crate::error::HarnessError;
use crate::report::judged::{JudgedRun, short_label};
use crate::strategy::StrategyKind;

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let floor = run.gate.scaling.first().map_or(FLOOR, |s| s.thresholds.min_bandwidth_fraction.value);
    let mut bars: Vec<(String, f64, f64)> = Vec::new();
    for (workload, size) in run.groups() {
        let group: Vec<_> = run.ok_cells().filter(|c| c.workload == workload && c.size == size).collect();
        let reference =
            group.iter().find(|c| c.strategy == StrategyKind::Serial).and_then(|c| c.summary.as_ref()?.gbps);
        let Some(reference) = reference else { continue };
        for cell in group {
            if let Some(gbps) = cell.summary.as_ref().and_then(|s| s.gbps) {
                bars.push((format!("{workload} {}", short_label(cell)), gbps, reference));
            }
        }
    }
    if bars.is_empty() {
        return Ok(None);
    }
    let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let n = bars.len();
    let most = bars.iter().map(|b| b.1.max(b.2)).fold(0.0, f64::max) * 1.15;
    let text = svg("bandwidth", (900, row_chart_height(n)), |root| {
        let axes =
            RowAxes { x_desc: "GB/s (10⁹ bytes per second, STREAM counting)", names_width: 230, x_format: None };
        let mut chart = row_chart(root, 0.0..most, &names, axes)?;
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, gbps, reference))| {
            let y = row_y(n, i);
            Rectangle::new([(0.0, y - 0.38), (*gbps, y + 0.38)], score_color(gbps / reference, floor).filled())
        }))?;
        for (i, (_, _, reference)) in bars.iter().enumerate() {
            let y = row_y(n, i);
            let serial = vec![(*reference, y - 0.48), (*reference, y + 0.48)];
            chart.draw_series(std::iter::once(PathElement::new(serial, MUTED.stroke_width(2))))?;
            let least = vec![(*reference * floor, y - 0.48), (*reference * floor, y + 0.48)];
            chart.draw_series(std::iter::once(PathElement::new(least, FAIL.stroke_width(1))))?;
        }
        chart.draw_series(
            bars.iter()
                .enumerate()
                .map(|(i, (_, gbps, _))| Text::new(format!(" {gbps:.1}"), (*gbps, row_y(n, i) + 0.3), font(TEXT))),
        )?;
        Ok(())
    })?;
    Ok(Some(Chart {
        name: "bandwidth",
        part: None,
        title: "Memory bandwidth",
        caption: format!(
            "Grey tick: the GB/s serial reached on the same workload and size; red tick: {floor} of it, the floor a \
             parallel cell must keep. Memory bandwidth saturates before cores do, so extra workers often add little here."
        ),
        svg: text,
    }))
}
