//! What the speedup chart and the predicted efficiency chart share: the panel size, the measured points of each
//! strategy, and the legend's keys.

use plotters::prelude::RGBColor;

use super::canvas::{MUTED, series_color};
use crate::record::summary::Summary;
use crate::report::judged::{JudgedRun, strategy_label};

/// One panel's size, and panels per row: the speedup chart's and the predicted efficiency chart's.
pub const PANEL: (u32, u32) = (400, 300);
pub const COLUMNS: usize = 3;

/// The measured points of workload and size `group` for each of `labels` (a strategy label each): `figure` of each
/// completed cell's summary against its workers, sorted, under the label's index; labels without a point left out.
pub fn measured_series(
    run: &JudgedRun,
    (workload, size): (&str, u64),
    labels: &[String],
    figure: fn(&Summary) -> Option<f64>,
) -> Vec<(usize, Vec<(u32, f64)>)> {
    labels
        .iter()
        .enumerate()
        .map(|(index, label)| {
            let mut points: Vec<(u32, f64)> = run
                .ok_cells()
                .filter(|c| c.workload == workload && c.size == size && &strategy_label(c) == label)
                .filter_map(|c| Some((c.workers as u32, figure(c.summary.as_ref()?)?)))
                .collect();
            points.sort_by_key(|p| p.0);
            (index, points)
        })
        .filter(|(_, points)| !points.is_empty())
        .collect()
}

/// The legend strip's keys: each of `labels` in its series colour, then `predicted` (the bands' label) in grey.
pub fn legend_keys<'a>(labels: &'a [String], predicted: Option<&'a str>) -> Vec<(&'a str, RGBColor)> {
    let measured = labels.iter().enumerate().map(|(index, label)| (label.as_str(), series_color(index)));
    measured.chain(predicted.map(|label| (label, MUTED))).collect()
}
