//! A heat map of scaling efficiency: a row per workload and size, a column per strategy, each at the largest
//! worker count that strategy ran, on a diverging scale centred on the floor (red below it, grey at it, blue
//! above), with a key; each tile says its efficiency, its worker count and, where it is not a plain pass, the
//! scaling verdict.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Chart;
use super::canvas::{Area, Categories, Drawn, FAIL, TEXT, font, label_color, row_label, row_y, score_color, svg};
use crate::error::HarnessError;
use crate::report::judged::{JudgedRun, strategy_label};
use crate::verdict::scaling::{CellScaling, Measure, ScalingVerdict};

/// Pixels per strategy column, per row, for the row names, and for the key above the map.
const COLUMN: u32 = 120;
const ROW: u32 = 48;
const NAMES: u32 = 170;
const KEY: u32 = 66;
/// The narrowest the map is drawn, so that its key fits.
const LEAST_WIDTH: u32 = 600;
/// The colour the key names the passing side in: the deep end of the scale.
const PASS: RGBColor = RGBColor(33, 102, 172);
/// Room for the strategy names above the map.
const TOP_LABELS: u32 = 30;

/// One tile: its place, the efficiency it shows, the worker count and the verdict's word.
struct Tile {
    row: usize,
    column: usize,
    efficiency: f64,
    workers: usize,
    word: &'static str,
}

pub fn chart(run: &JudgedRun) -> Result<Option<Chart>, HarnessError> {
    let groups = run.groups();
    let columns = run.parallel_labels();
    let floor = run.min_efficiency;
    let mut tiles: Vec<Tile> = Vec::new();
    for (row, (workload, size)) in groups.iter().enumerate() {
        for (column, label) in columns.iter().enumerate() {
            let top = run
                .ok_cells()
                .filter(|c| &c.workload == workload && c.size == *size && &strategy_label(c) == label)
                .max_by_key(|c| c.workers);
            if let Some((cell, efficiency)) = top.and_then(|c| Some((c, c.summary.as_ref()?.efficiency?))) {
                let scaling = run.gate.scaling.iter().find(|s| s.id == cell.id);
                let word = verdict_word(scaling, efficiency, floor);
                tiles.push(Tile { row, column, efficiency, workers: cell.workers, word });
            }
        }
    }
    if tiles.is_empty() {
        return Ok(None);
    }
    let row_names: Vec<String> = groups.iter().map(|(w, s)| format!("{w} ({s})")).collect();
    let width = (NAMES + 30 + COLUMN * columns.len() as u32).max(LEAST_WIDTH);
    let size = (width, KEY + TOP_LABELS + 20 + ROW * groups.len() as u32);
    let text = svg("efficiency", size, |root| {
        let (key, rest) = root.split_vertically(KEY);
        draw_key(&key, floor)?;
        let mut chart = ChartBuilder::on(&rest)
            .margin(10)
            .top_x_label_area_size(TOP_LABELS)
            .y_label_area_size(NAMES)
            .build_cartesian_2d(Categories(columns.len()), Categories(groups.len()))?;
        let column_label = |v: &f64| columns.get(v.round().max(0.0) as usize).cloned().unwrap_or_default();
        let row = |v: &f64| row_label(&row_names, *v);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&column_label)
            .y_label_formatter(&row)
            .label_style(font(TEXT))
            .draw()?;
        let n = groups.len();
        for tile in &tiles {
            let (x, y) = (tile.column as f64, row_y(n, tile.row));
            let fill = score_color(tile.efficiency, floor);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.47, y - 0.44), (x + 0.47, y + 0.44)],
                fill.filled(),
            )))?;
            let ink = label_color(fill);
            let centred = |v: VPos| font(TEXT).color(&ink).pos(Pos::new(HPos::Center, v));
            let second = format!("×{} {}", tile.workers, tile.word);
            chart.draw_series([
                Text::new(format!("{:.2}", tile.efficiency), (x, y + 0.05), centred(VPos::Bottom)),
                Text::new(second.trim_end().to_owned(), (x, y - 0.05), centred(VPos::Top)),
            ])?;
        }
        Ok(())
    })?;
    Ok(Some(Chart {
        name: "efficiency",
        part: None,
        title: "Scaling efficiency at the top worker count",
        caption: format!(
            "Each tile is speedup ÷ workers at the largest worker count measured (×N). Red tiles are below the \
             {floor} floor: those workers do not pay for themselves; grey is at the floor, blue above it. A tile \
             says FAILS where the scaling check failed (its whole confidence interval is below the floor), within \
             noise where the efficiency is below the floor but its interval reaches it, expected where the \
             workload declares it, not judged where the machine could not give the cell its cores, and \
             throughput ok where a memory-bound or mixed workload is judged on the share of serial's throughput it \
             kept instead."
        ),
        svg: text,
    }))
}

/// What the tile of a cell says of its scaling verdict: nothing for a plain pass above the floor.
fn verdict_word(scaling: Option<&CellScaling>, efficiency: f64, floor: f64) -> &'static str {
    let Some(scaling) = scaling else { return "" };
    match (&scaling.verdict, &scaling.measure) {
        (ScalingVerdict::Below, _) => "FAILS",
        (ScalingVerdict::Expected { .. }, _) => "expected",
        (ScalingVerdict::Inconclusive { .. }, _) => "not judged",
        (ScalingVerdict::Passed, Measure::Throughput { .. }) if efficiency < floor => "throughput ok",
        (ScalingVerdict::Passed, _) if efficiency < floor => "within noise",
        (ScalingVerdict::Passed, _) => "",
    }
}

/// The colour key across the top: the scale from 0 to 1, which side fails and which passes above it, the floor
/// marked and named below.
fn draw_key(area: &Area, floor: f64) -> Drawn {
    const LEFT: i32 = NAMES as i32 + 10;
    const WIDTH: i32 = 360;
    const STEPS: i32 = 120;
    const BAR: (i32, i32) = (24, 42);
    for step in 0..STEPS {
        let value = (f64::from(step) + 0.5) / f64::from(STEPS);
        let x = LEFT + step * WIDTH / STEPS;
        let next = LEFT + (step + 1) * WIDTH / STEPS;
        area.draw(&Rectangle::new([(x, BAR.0), (next, BAR.1)], score_color(value, floor).filled()))?;
    }
    let at = |value: f64| LEFT + (value * f64::from(WIDTH)).round() as i32;
    area.draw(&PathElement::new(vec![(at(floor), BAR.0 - 4), (at(floor), BAR.1 + 4)], BLACK.stroke_width(2)))?;
    let above = font(TEXT).pos(Pos::new(HPos::Center, VPos::Bottom));
    area.draw(&Text::new("below the floor: fails", (at(floor / 2.0), BAR.0 - 4), above.color(&FAIL)))?;
    area.draw(&Text::new("passes", (at((floor + 1.0) / 2.0), BAR.0 - 4), above.color(&PASS)))?;
    let below = font(TEXT).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new("0", (LEFT, BAR.1 + 4), below.clone()))?;
    area.draw(&Text::new(format!("floor {floor}"), (at(floor), BAR.1 + 4), below.clone()))?;
    area.draw(&Text::new("1", (at(1.0), BAR.1 + 4), below))?;
    let beside = font(TEXT).pos(Pos::new(HPos::Right, VPos::Center));
    area.draw(&Text::new("efficiency", (LEFT - 10, (BAR.0 + BAR.1) / 2), beside))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::canvas::{contrast, label_color, score_color};

    fn reddish(color: plotters::style::RGBColor) -> bool {
        i32::from(color.0) > i32::from(color.1) + 60 && i32::from(color.0) > i32::from(color.2) + 60
    }

    #[test]
    fn below_the_floor_is_red_and_at_or_above_it_is_not() {
        for value in [0.0, 0.2, 0.5, 0.69, 0.699] {
            assert!(reddish(score_color(value, 0.7)), "{value} is on the failing side: {:?}", score_color(value, 0.7));
        }
        for value in [0.7, 0.71, 0.85, 1.0, 1.4] {
            assert!(!reddish(score_color(value, 0.7)), "{value} is not red: {:?}", score_color(value, 0.7));
        }
        let (under, over) = (score_color(0.69, 0.7), score_color(0.71, 0.7));
        assert!(contrast(under, over) > 1.5, "just under and just over the floor tell apart: {under:?} {over:?}");
    }

    #[test]
    fn every_tile_label_has_the_contrast_of_readable_text() {
        for step in 0..=150 {
            let fill = score_color(f64::from(step) / 100.0, 0.7);
            let ratio = contrast(fill, label_color(fill));
            assert!(ratio >= 4.5, "label on {fill:?} has contrast {ratio:.2}");
        }
    }
}
