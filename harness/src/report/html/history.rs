//! The history page: an overview of the cells whose series changed, worst first, then every cell's time series
//! as a chart (and its efficiency or bandwidth series where those changed), change points marked with their
//! commit and ratio. Self-contained like the report; every text from the store is escaped.

use std::fmt::Write;

use super::glossary::{HISTORY_COLUMNS, header, key};
use super::{STYLE, escape};
use crate::history::analysis::{Analysis, CONFIDENCE};
use crate::history::detect::Detector;
use crate::history::series::Metric;

/// One drawn series: its analysis and its chart.
pub struct DrawnSeries<'a> {
    pub analysis: &'a Analysis,
    pub svg: String,
}

/// How much worse the worst change point of `analysis` made it: a ratio ≥ 1 in the bad direction, 1 when none.
pub fn worst(analysis: &Analysis) -> f64 {
    let bad = |ratio: f64| if analysis.series.metric.larger_is_worse() { ratio } else { 1.0 / ratio };
    analysis.changes.iter().map(|c| bad(c.ratio)).fold(1.0, f64::max)
}

/// The page for `drawn` (every time series, and the other series that changed), from the store at `store`.
pub fn page(drawn: &[DrawnSeries], store: &str, runs: usize) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>ablate history</title>\n<style>{STYLE}</style>\n</head>\n<body>");
    out.push_str("<h1>ablate history</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"machine\">{runs} runs kept in <b>{}</b>, per machine and cell in commit order (the newest {} of \
         each series). Change points: E-Divisive means over runs, seeded permutation test at p ≤ {}; ratios are \
         the medians after over before, with {:.0}% intervals that resample whole runs.</p>",
        escape(store),
        crate::history::series::MAX_RUNS,
        Detector::default().significance,
        CONFIDENCE * 100.0
    );
    out.push_str(&overview(drawn));
    for (index, one) in drawn.iter().enumerate() {
        let series = &one.analysis.series;
        let _ = writeln!(
            out,
            "<figure id=\"series-{index}\">\n<h3>{} — {}</h3>\n<p class=\"machine\">machine {}; runs {}</p>\n{}\n\
             <figcaption>{}</figcaption>\n</figure>",
            escape(&series.cell),
            series.metric.name(),
            escape(&series.fingerprint),
            escape(&runs_by_commit(one.analysis)),
            one.svg,
            escape(&caption(one.analysis))
        );
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn overview(drawn: &[DrawnSeries]) -> String {
    let mut changed: Vec<(usize, &Analysis)> =
        drawn.iter().enumerate().map(|(i, d)| (i, d.analysis)).filter(|(_, a)| !a.changes.is_empty()).collect();
    changed.sort_by(|a, b| worst(b.1).total_cmp(&worst(a.1)));
    let mut out = String::from("<h2>Cells that changed, worst first</h2>\n");
    if changed.is_empty() {
        out.push_str("<p>No series has a change point.</p>\n");
        return out;
    }
    out.push_str("<table>\n<tr>");
    for (name, _) in HISTORY_COLUMNS {
        out.push_str(&header(&HISTORY_COLUMNS, name));
    }
    out.push_str("</tr>\n");
    for (index, analysis) in changed {
        let newest = analysis.changes.last().expect("changed series have a change point");
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#series-{index}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}: {:.3}× \
             [{:.3}, {:.3}], {}</td><td>{:.3}×{}</td></tr>",
            escape(&analysis.series.cell),
            analysis.series.metric.name(),
            escape(&analysis.series.fingerprint),
            analysis.changes.len(),
            escape(&newest.commit),
            newest.ratio,
            newest.interval.low,
            newest.interval.high,
            if (newest.ratio > 1.0) == analysis.series.metric.larger_is_worse() { "worse" } else { "better" },
            worst(analysis),
            if analysis.series.metric.larger_is_worse() { " slower" } else { " lower" },
        );
    }
    out.push_str("</table>\n");
    out.push_str(&key("What the columns say", &HISTORY_COLUMNS));
    out
}

/// Which runs measured which commit, consecutive runs of one commit together: `1–2 a9af336 · 3 4cdb51d+dirty`.
fn runs_by_commit(analysis: &Analysis) -> String {
    let mut groups: Vec<(usize, usize, String)> = Vec::new();
    for (index, point) in analysis.series.points.iter().enumerate() {
        let commit = point.entry.short_commit();
        match groups.last_mut() {
            Some((_, last, previous)) if *previous == commit => *last = index + 1,
            _ => groups.push((index + 1, index + 1, commit)),
        }
    }
    let named = groups.iter().map(|(first, last, commit)| {
        if first == last { format!("{first} {commit}") } else { format!("{first}–{last} {commit}") }
    });
    named.collect::<Vec<_>>().join(" · ")
}

fn caption(analysis: &Analysis) -> String {
    let unit = match analysis.series.metric {
        Metric::Time => "median wall time",
        Metric::Efficiency => "median efficiency",
        Metric::Bandwidth => "median bandwidth",
    };
    let mut text = format!(
        "Each dot is one run's {unit}, its whisker the range of the run's samples; grey lines are the segments' \
         medians. "
    );
    if analysis.changes.is_empty() {
        text.push_str("No change point.");
    }
    for change in &analysis.changes {
        let _ = write!(text, "Change {}. ", change.describe());
    }
    text.trim_end().to_owned()
}
