//! The baseline comparison: each cell's ratio of medians (candidate ÷ baseline) with its confidence interval as
//! a whisker, the no-change line at 1 and the regression threshold; regressed cells in red, improved in green.

use plotters::prelude::*;

use super::Chart;
use super::canvas::{FAIL, MUTED, RowAxes, row_chart, row_y, svg};
use crate::error::HarnessError;
use crate::report::judged::JudgedRun;
use crate::verdict::compare::Change;

const IMPROVED: RGBColor = RGBColor(40, 150, 60);

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let compared = &run.gate.comparisons;
    if compared.is_empty() {
        return Ok(None);
    }
    let threshold = compared.iter().map(|c| c.thresholds.regression_ratio.value).fold(1.0, f64::max);
    let low = compared.iter().map(|c| c.interval.low.min(c.ratio)).fold(1.0 / threshold, f64::min) * 0.95;
    let high = compared.iter().map(|c| c.interval.high.max(c.ratio)).fold(threshold, f64::max) * 1.05;
    let names: Vec<String> = compared.iter().map(|c| c.id.clone()).collect();
    let n = names.len();
    let text = svg("baseline", (900, 70 + 18 * n as u32), |root| {
        let axes = RowAxes {
            x_desc: "candidate ÷ baseline (median wall time)",
            names_width: 290,
            label_size: 11,
            x_format: None,
        };
        let mut chart = row_chart(root, low..high, &names, axes)?;
        let span = (-0.6, n as f64 - 0.4);
        chart.draw_series(std::iter::once(PathElement::new(vec![(1.0, span.0), (1.0, span.1)], MUTED)))?;
        let limit = [(threshold, span.0), (threshold, span.1)];
        chart.draw_series(DashedLineSeries::new(limit, 5, 4, FAIL.stroke_width(1)))?;
        for (i, c) in compared.iter().enumerate() {
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
    })?;
    let baseline = run.baseline_label.as_deref().unwrap_or("the baseline");
    Ok(Some(Chart {
        name: "baseline",
        title: "Against the baseline",
        caption: format!(
            "Right of 1 is slower than {baseline}. A cell regresses (red) only when its ratio passes the dashed \
             threshold ({threshold}) and the rank test is significant; the whisker is the ratio's confidence \
             interval, so a wide whisker across the line means too noisy to tell."
        ),
        svg: text,
    }))
}
