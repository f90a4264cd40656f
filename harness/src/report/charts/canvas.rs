//! The drawing surface every chart shares: an SVG string of a given size, the palette and the fonts.

use plotters::coord::ranged1d::{AsRangedCoord, DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::prelude::*;

use crate::error::HarnessError;

/// What a chart's drawing closure returns; any plotters error ends the chart.
pub type Drawn = Result<(), Box<dyn std::error::Error>>;

/// The drawing area of one SVG.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Draws `draw` on a white `width` × `height` SVG and returns its text.
pub fn svg(name: &str, (width, height): (u32, u32), draw: impl FnOnce(&Area) -> Drawn) -> Result<String, HarnessError> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
        let drawn = root.fill(&WHITE).map_err(Into::into).and_then(|()| draw(&root));
        let presented = drawn.and_then(|()| root.present().map_err(Into::into));
        presented.map_err(|e| HarnessError::Report(format!("cannot draw the {name} chart: {e}")))?;
    }
    Ok(text)
}

/// A colour per series, stable for a given index; strong enough to read on white.
pub fn series_color(index: usize) -> RGBColor {
    const COLORS: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
    ];
    COLORS[index % COLORS.len()]
}

/// Red below `floor`, shading to green at 1 and above: how well a value meets a target of 1.
pub fn score_color(value: f64, floor: f64) -> RGBColor {
    let t = ((value - floor * 0.5) / (1.0 - floor * 0.5)).clamp(0.0, 1.0);
    let red = (220.0 * (1.0 - t) + 60.0 * t) as u8;
    let green = (70.0 * (1.0 - t) + 170.0 * t) as u8;
    RGBColor(red, green, 80)
}

pub const FAIL: RGBColor = RGBColor(200, 30, 30);
pub const MUTED: RGBColor = RGBColor(120, 120, 120);

/// The font of titles and labels.
pub fn font(size: u32) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", size).into_font())
}

/// A categorical axis of `n` places, at 0, 1, … n − 1, with a tick and a label at each (plotters' own
/// key-point binding loses the label formatter).
#[derive(Clone, Copy)]
pub struct Categories(pub usize);

impl Ranged for Categories {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let range = self.range();
        let fraction = (value - range.start) / (range.end - range.start);
        limit.0 + (f64::from(limit.1 - limit.0) * fraction).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.0).map(|i| i as f64).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        -0.6..self.0 as f64 - 0.4
    }
}

/// A chart of rows (categories up the y axis) against an x axis of type `X`.
pub type RowChart<'a, 'b, X> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Categories>>;

/// How a row chart's axes read.
pub struct RowAxes<'a> {
    pub x_desc: &'a str,
    /// Room for the row names, in pixels.
    pub names_width: u32,
    pub label_size: u32,
    /// How x values print; plotters' own numbers when `None`.
    pub x_format: Option<&'a dyn Fn(&f64) -> String>,
}

/// A chart with one row per entry of `names` (top to bottom, see [`row_y`]) against `x`, its mesh drawn.
pub fn row_chart<'a, 'b, X>(
    root: &'a Area<'b>,
    x: X,
    names: &[String],
    axes: RowAxes<'_>,
) -> Result<RowChart<'a, 'b, X::CoordDescType>, Box<dyn std::error::Error>>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(axes.names_width)
        .build_cartesian_2d(x, Categories(names.len()))?;
    let row = |v: &f64| row_label(names, *v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(axes.x_desc)
        .y_label_formatter(&row)
        .y_labels(names.len())
        .label_style(font(axes.label_size))
        .axis_desc_style(font(12))
        .light_line_style(RGBColor(238, 238, 238));
    if let Some(format) = axes.x_format {
        mesh.x_label_formatter(format);
    }
    mesh.draw()?;
    Ok(chart)
}

/// The label of the row at axis value `value` among `labels`, listed top to bottom.
pub fn row_label(labels: &[String], value: f64) -> String {
    let from_bottom = value.round().max(0.0) as usize;
    labels.len().checked_sub(from_bottom + 1).map_or_else(String::new, |i| labels[i].clone())
}

/// The axis value of row `i` (counted from the top) of `n`.
pub fn row_y(n: usize, i: usize) -> f64 {
    (n - 1 - i) as f64
}
