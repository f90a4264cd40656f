//! The baseline comparison: each cell's ratio of medians (candidate ÷ baseline) with its confidence interval as
//! a whisker, the no-change line at 1 and the regression threshold; regressed cells in red, improved in green.
//! One chart per workload and size.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{FAIL, MUTED, RowAxes, row_chart, row_chart_height, row_y, svg};
use super::per_workload::{Rows, group_of, split, within_group};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;
use crate::verdict::compare::{CellComparison, Change};

const IMPROVED: RGBColor = RGBColor(40, 150, 60);

pub fn charts(run: &JudgedRun) -> Result<Vec<Chart>, HarnessError> {
    let compared = &run.gate.comparisons;
    let threshold = compared.iter().map(|c| c.thresholds.regression_ratio.value).fold(1.0, f64::max);
    let rows: Rows<(String, &CellComparison)> = compared
        .iter()
        .map(|c| {
            let group = group_of(run, &c.id);
            (group.clone(), (within_group(&c.id, &group), c))
        })
        .collect();
    let baseline = run.baseline_label.as_deref().unwrap_or("the baseline");
    let mut charts = Vec::new();
    for (part, rows) in split(run, rows) {
        charts.push(Chart {
            name: "baseline",
            part: Some(part),
            title: "Against the baseline",
            caption: format!(
                "Right of 1 is slower than {baseline}. A cell regresses (red) only when its ratio passes the dashed \
                 threshold ({threshold}) and the rank test is significant; the whisker is the ratio's confidence \
                 interval, so a wide whisker across the line means too noisy to tell."
            ),
            svg: draw(&rows, threshold)?,
        });
    }
    Ok(charts)
}

fn draw(rows: &[(String, &CellComparison)], threshold: f64) -> Result<String, HarnessError> {
    let low = rows.iter().map(|(_, c)| c.interval.low.min(c.ratio)).fold(1.0 / threshold, f64::min) * 0.95;
    let high = rows.iter().map(|(_, c)| c.interval.high.max(c.ratio)).fold(threshold, f64::max) * 1.05;
    let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let n = names.len();
    svg("baseline", (900, row_chart_height(n)), |root| {
        let axes = RowAxes { x_desc: "candidate ÷ baseline (median wall time)", names_width: 230, x_format: None };
        let mut chart = row_chart(root, low..high, &names, axes)?;
        let span = (-0.6, n as f64 - 0.4);
        chart.draw_series(std::iter::once(PathElement::new(vec![(1.0, span.0), (1.0, span.1)], MUTED)))?;
        let limit = [(threshold, span.0), (threshold, span.1)];
        chart.draw_series(DashedLineSeries::new(limit, 5, 4, FAIL.stroke_width(1)))?;
        for (i, (_, c)) in rows.iter().enumerate() {
            let color = match c.change {
                Change::Regressed => FAIL,
                Change::Improved => IMPROVED,
                Change::Unchanged | Change::Inconclusive => RGBColor(60, 60, 60),
            };
            let y = row_y(n, i);
            let whisker = vec![(c.interval.low, y), (c.interval.high, y)];
            chart.draw_series(std::iter::once(PathElement::new(whisker, color.stroke_width(2))))?;
            chart.draw_series(std::iter::once(Circle::new((c.ratio, y), 4, color.filled())))?;
        }
        Ok(())
    })
}
