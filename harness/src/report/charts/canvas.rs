//! The drawing surface every chart shares: an SVG string of a given size, the palette and the fonts.

use plotters::coord::ranged1d::{AsRangedCoord, DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// The diverging scale of a value judged against `floor` (an efficiency, a share of serial's bandwidth): below
/// the floor a red that deepens towards 0, at the floor a neutral grey, above it a blue that deepens up to 1. The
/// failing side starts at a clear salmon, never near the neutral, so a cell just under the floor cannot pass for
/// one just over it.
pub fn score_color(value: f64, floor: f64) -> RGBColor {
    const DEEP_RED: RGBColor = RGBColor(165, 15, 21);
    const LIGHT_RED: RGBColor = RGBColor(244, 150, 120);
    const NEUTRAL: RGBColor = RGBColor(236, 236, 236);
    const DEEP_BLUE: RGBColor = RGBColor(33, 102, 172);
    if value < floor {
        mix(DEEP_RED, LIGHT_RED, (value / floor).clamp(0.0, 1.0))
    } else {
        mix(NEUTRAL, DEEP_BLUE, ((value - floor) / (1.0 - floor).max(f64::EPSILON)).clamp(0.0, 1.0))
    }
}

/// `from` shaded towards `to` by `t` (0 gives `from`, 1 gives `to`).
fn mix(from: RGBColor, to: RGBColor, t: f64) -> RGBColor {
    let channel = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(channel(from.0, to.0), channel(from.1, to.1), channel(from.2, to.2))
}

/// Black or white, whichever reads better on `background` (the larger WCAG contrast ratio).
pub fn label_color(background: RGBColor) -> RGBColor {
    if contrast(background, BLACK) >= contrast(background, WHITE) { BLACK } else { WHITE }
}

/// The WCAG 2 contrast ratio of two colours, from 1 (alike) to 21 (black on white); 4.5 is enough for text.
pub fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The WCAG relative luminance of an sRGB colour.
fn luminance(color: RGBColor) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * linear(color.0) + 0.7152 * linear(color.1) + 0.0722 * linear(color.2)
}

pub const FAIL: RGBColor = RGBColor(200, 30, 30);
pub const MUTED: RGBColor = RGBColor(120, 120, 120);

/// The size of every label, tick, legend and value in a chart, in CSS pixels: legible at 100 % zoom, and still
/// above 11 px where a wide chart is shrunk to a 1366-pixel laptop screen.
pub const TEXT: u32 = 13;
/// The size of a panel's title and an axis's description, in CSS pixels.
pub const TITLE: u32 = 15;

/// The font of titles and labels, `px` CSS pixels high (plotters' SVG backend writes a size of n as n ÷ 1.24).
pub fn font(px: u32) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", f64::from(px) * 1.24).into_font())
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
        .x_label_area_size(46)
        .y_label_area_size(axes.names_width)
        .build_cartesian_2d(x, Categories(names.len()))?;
    let row = |v: &f64| row_label(names, *v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(axes.x_desc)
        .y_label_formatter(&row)
        .y_labels(names.len())
        .label_style(font(TEXT))
        .axis_desc_style(font(TEXT))
        .light_line_style(TRANSPARENT);
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

/// The height of a [`legend_strip`].
pub const LEGEND_HEIGHT: u32 = 30;

/// A legend in one line across the top of a chart, outside its plot so that it hides no data: a dot and a name
/// per series.
pub fn legend_strip(area: &Area, series: &[(&str, RGBColor)]) -> Drawn {
    let mut x = 60;
    let y = LEGEND_HEIGHT as i32 / 2;
    for (name, color) in series {
        area.draw(&Circle::new((x, y), 5, color.filled()))?;
        let style = font(TEXT).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(name.to_string(), (x + 10, y), style))?;
        x += 24 + 9 * name.chars().count() as i32;
    }
    Ok(())
}

/// Pixels per row of a row chart: a line of [`TEXT`] with room between.
pub const ROW: u32 = 22;

/// The height of a row chart of `n` rows: its rows, the x axis and the margins.
pub fn row_chart_height(n: usize) -> u32 {
    80 + ROW * n as u32
}

/// The axis value of row `i` (counted from the top) of `n`.
pub fn row_y(n: usize, i: usize) -> f64 {
    (n - 1 - i) as f64
}
