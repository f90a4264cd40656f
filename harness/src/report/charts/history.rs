//! One series over its runs for the history page: each run's median with the range of its samples as a whisker,
//! runs in commit order left to right, the medians of the segments between change points as flat lines, and each
//! change point marked with its commit and ratio.

use plotters::prelude::*;

use super::canvas::{FAIL, MUTED, TEXT, font, series_color, svg};
use crate::error::HarnessError;
use crate::history::analysis::Analysis;
use crate::history::series::Metric;
use crate::stats::median;

const BETTER: RGBColor = RGBColor(40, 150, 60);

/// The chart of `analysis` as an SVG document.
pub fn chart(analysis: &Analysis) -> Result<String, HarnessError> {
    let series = &analysis.series;
    let largest = series.points.iter().flat_map(|p| p.values.iter().copied()).fold(0.0, f64::max);
    let (scale, y_desc) = match series.metric {
        Metric::Time if largest < 1e4 => (1.0, "wall time (ns)"),
        Metric::Time if largest < 1e7 => (1e-3, "wall time (µs)"),
        Metric::Time if largest < 1e10 => (1e-6, "wall time (ms)"),
        Metric::Time => (1e-9, "wall time (s)"),
        Metric::Efficiency => (1.0, "efficiency"),
        Metric::Bandwidth => (1.0, "GB/s"),
    };
    let runs: Vec<(f64, f64, f64)> = series
        .points
        .iter()
        .map(|p| {
            let low = p.values.iter().copied().fold(f64::INFINITY, f64::min);
            let high = p.values.iter().copied().fold(0.0, f64::max);
            (low * scale, p.median() * scale, high * scale)
        })
        .collect();
    let (low, high) = runs.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), r| (lo.min(r.0), hi.max(r.2)));
    let pad = ((high - low) * 0.25).max(high * 0.02);
    let n = runs.len();
    svg("history", (900, 300), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), (low - pad).max(0.0)..(high + pad))?;
        chart
            .configure_mesh()
            .x_desc("run, in commit order")
            .y_desc(y_desc)
            .x_label_formatter(&|x| format!("{}", x.round() as i64 + 1))
            .label_style(font(TEXT))
            .axis_desc_style(font(TEXT))
            .light_line_style(TRANSPARENT)
            .draw()?;
        for segment in analysis.segments() {
            let values: Vec<f64> = segment.clone().map(|i| runs[i].1).collect();
            let level = median(&values).unwrap_or(f64::NAN);
            let span = vec![(segment.start as f64 - 0.4, level), (segment.end as f64 - 0.6, level)];
            chart.draw_series(std::iter::once(PathElement::new(span, MUTED.stroke_width(2))))?;
        }
        let color = series_color(0);
        chart.draw_series(
            runs.iter().enumerate().map(|(i, &(lo, mid, hi))| ErrorBar::new_vertical(i as f64, lo, mid, hi, color, 6)),
        )?;
        chart.draw_series(runs.iter().enumerate().map(|(i, r)| Circle::new((i as f64, r.1), 3, color.filled())))?;
        for change in &analysis.changes {
            let worse = (change.ratio > 1.0) == series.metric.larger_is_worse();
            let mark = if worse { FAIL } else { BETTER };
            let x = change.at as f64 - 0.5;
            let line = [(x, (low - pad).max(0.0)), (x, high + pad)];
            chart.draw_series(DashedLineSeries::new(line, 5, 4, mark.stroke_width(2)))?;
            let label = format!(" {} {:.3}×", plain(&change.commit), change.ratio);
            chart.draw_series(std::iter::once(Text::new(label, (x, high + pad * 0.6), font(TEXT).color(&mark))))?;
        }
        Ok(())
    })
}

/// A commit as a chart label: letters, digits and `+` only, whatever a results file claimed.
fn plain(commit: &str) -> String {
    commit.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '+').take(16).collect()
}
