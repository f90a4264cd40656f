//! The self-contained HTML report: one file, charts inline as SVG, no script and nothing fetched, so it opens
//! offline and from a CI artifact. Every text that comes from results is escaped.

mod escape;
mod glossary;
pub mod history;
mod sections;

use std::fmt::Write;

pub use escape::escape;

use super::charts::Chart;
use super::judged::JudgedRun;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1280px;padding:0 1em;color:#222}\
h1{margin-bottom:.2em}.verdict{font-size:1.2em;padding:.6em 1em;border-radius:6px}\
.pass{background:#e3f4e1;border:1px solid #5a5}.fail{background:#fbe3e3;border:1px solid #c44}\
table{border-collapse:collapse;margin:.6em 0 1.4em;font-size:.9em}th,td{border:1px solid #ccc;padding:.25em .55em;\
text-align:left;vertical-align:top}th{background:#f3f3f3}td ul{margin:0;padding-left:1.1em}\
figure{margin:1.5em 0}figcaption{color:#444;max-width:60em}svg{max-width:100%;height:auto}\
.warning{background:#fff4d6;border:1px solid #c90;padding:.5em 1em;border-radius:6px}\
pre{background:#f7f7f7;padding:.8em;overflow-x:auto;font-size:.85rem}.machine{color:#444}\
.key summary{color:#444;cursor:pointer}.key dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;\
margin:.3em 0 1.2em;font-size:.9em;max-width:70em}.key dt{font-weight:600}.key dd{margin:0}";

/// The chart shown first, under the verdict: the efficiency heat map, every workload and strategy on one screen.
const AT_A_GLANCE: &str = "efficiency";

/// The page for `runs`, each with its drawn charts.
pub fn page(runs: &[(JudgedRun, Vec<Chart>)]) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>ablate report</title>\n<style>{STYLE}</style>\n</head>\n<body>");
    out.push_str("<h1>ablate report</h1>\n");
    for (index, (run, charts)) in runs.iter().enumerate() {
        out.push_str(&run_section(index, run, charts));
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn run_section(index: usize, run: &JudgedRun, charts: &[Chart]) -> String {
    let mut out = format!("<section class=\"run\" id=\"run-{index}\">\n<h2>{}</h2>\n", escape(&run.label));
    out.push_str(&sections::verdict(run));
    for warning in run.gate.reference_warnings() {
        let _ = writeln!(out, "<p class=\"warning\">Warning: {}</p>", escape(&warning));
    }
    out.push_str(&sections::machine(run));
    if let Some(baseline) = &run.baseline_label {
        let _ = writeln!(out, "<p>Compared with baseline <b>{}</b>.</p>", escape(baseline));
    }
    let (glance, charts): (Vec<&Chart>, Vec<&Chart>) = charts.iter().partition(|c| c.name == AT_A_GLANCE);
    for chart in glance {
        out.push_str(&figure(index, chart));
    }
    out.push_str("<h3>Which strategy, at how many workers, and why</h3>\n");
    out.push_str(&sections::findings_table(run));
    if let Some(comparison) = super::auto_compare::render(&run.record) {
        out.push_str("<h3>auto against the fixed strategies</h3>\n");
        let _ = writeln!(out, "<pre>{}</pre>", escape(comparison.trim_start()));
        out.push_str(&glossary::key("What the columns say", &glossary::AUTO_COLUMNS));
    }
    out.push_str("<h3>Verdicts and thresholds in force</h3>\n");
    out.push_str(&sections::verdict_text(run));
    out.push_str("<h3>Charts</h3>\n");
    let (whole, per_workload): (Vec<&Chart>, Vec<&Chart>) = charts.into_iter().partition(|c| c.part.is_none());
    for chart in whole {
        out.push_str(&figure(index, chart));
    }
    if !per_workload.is_empty() {
        out.push_str("<h3>Cell by cell, a chart per workload</h3>\n");
        out.push_str(&glossary::key(
            "Rows are named by the cell id after its workload and size: strategy/wN/cCHUNK[/transport]",
            &glossary::ID_PARTS,
        ));
        for chart in per_workload {
            out.push_str(&figure(index, chart));
        }
    }
    out.push_str("<h3>Every cell</h3>\n");
    out.push_str(&sections::workload_tables(run));
    out.push_str(&sections::configuration(run));
    out.push_str("</section>\n");
    out
}

/// One chart as a figure of run `index`'s section: its heading, the SVG inline and its caption.
fn figure(index: usize, chart: &Chart) -> String {
    format!(
        "<figure id=\"chart-{index}-{}\">\n<h4>{}</h4>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
        chart.stem(),
        escape(&chart.heading()),
        chart.svg,
        escape(&chart.caption)
    )
}
