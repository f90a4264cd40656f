//! Writing a report directory: `index.html` with every chart inline, each chart again as its own `.svg` under
//! `charts/`, and the markdown summary, CSV and Bencher exports beside it. Every file is written in full before
//! any is put in place, the index last, so a report that fails halfway (a full disk) replaces nothing and never
//! leaves a page pointing at missing files.

use std::path::{Path, PathBuf};

use super::charts::{self, Chart};
use super::judged::JudgedRun;
use super::{bmf, csv, html, summary};
use crate::error::HarnessError;
use crate::history::analysis::Analysis;
use crate::history::series::Metric;
use crate::write::{Staged, write_atomic};

/// Writes the report for `runs` into `dir`; returns the path of its `index.html`.
pub fn write(dir: &Path, runs: Vec<JudgedRun>) -> Result<PathBuf, HarnessError> {
    let (staged, index) = prepare(dir, runs)?;
    staged.publish()?;
    Ok(index)
}

/// Prepares every file of the report for `runs` beside its place in `dir`, the index last, without replacing
/// anything there yet; returns them, to be published, and the path the index will have.
pub fn prepare(dir: &Path, runs: Vec<JudgedRun>) -> Result<(Staged, PathBuf), HarnessError> {
    std::fs::create_dir_all(dir.join("charts"))
        .map_err(|e| HarnessError::io("cannot create", dir.join("charts"), e))?;
    let several = runs.len() > 1;
    let mut staged = Staged::default();
    let mut drawn: Vec<(JudgedRun, Vec<Chart>)> = Vec::new();
    for (index, run) in runs.into_iter().enumerate() {
        let prefix = if several { format!("run{}-", index + 1) } else { String::new() };
        let charts = charts::draw_all(&run)?;
        for chart in &charts {
            staged.add(&dir.join("charts").join(format!("{prefix}{}.svg", chart.stem())), chart.svg.as_bytes())?;
        }
        staged.add(&dir.join(format!("{prefix}summary.md")), summary::render(&run).as_bytes())?;
        staged.add(&dir.join(format!("{prefix}results.csv")), csv::render(&run.record).as_bytes())?;
        staged.add(&dir.join(format!("{prefix}bmf.json")), bmf::render(&run.record).as_bytes())?;
        drawn.push((run, charts));
    }
    let index = dir.join("index.html");
    staged.add(&index, html::page(&drawn).as_bytes())?;
    Ok((staged, index))
}

/// Writes `history.html` into `dir` — every time series of `analyses`, and the efficiency and bandwidth series
/// that changed, the changed ones first and worst first — with each chart again under `charts/history-N.svg`;
/// returns the page's path.
pub fn write_history(dir: &Path, analyses: &[Analysis], store: &str, runs: usize) -> Result<PathBuf, HarnessError> {
    std::fs::create_dir_all(dir.join("charts"))
        .map_err(|e| HarnessError::io("cannot create", dir.join("charts"), e))?;
    let mut shown: Vec<&Analysis> =
        analyses.iter().filter(|a| a.series.metric == Metric::Time || !a.changes.is_empty()).collect();
    // Changed series first, worst first; the rest in the store's order (machine, cell, metric).
    shown.sort_by(|a, b| html::history::worst(b).total_cmp(&html::history::worst(a)));
    let mut drawn = Vec::new();
    for (index, analysis) in shown.into_iter().enumerate() {
        let svg = charts::history::chart(analysis)?;
        write_atomic(&dir.join("charts").join(format!("history-{}.svg", index + 1)), svg.as_bytes())?;
        drawn.push(html::history::DrawnSeries { analysis, svg });
    }
    let page = dir.join("history.html");
    write_atomic(&page, html::history::page(&drawn, store, runs).as_bytes())?;
    Ok(page)
}
