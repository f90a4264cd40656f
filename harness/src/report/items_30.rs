//! Issue 30 item 6, the report a person can read: chart text large enough at 100 % zoom, a heat map whose failing
//! side no one can miss, per-cell charts one per workload with the id parts explained, every table column
//! explained on the page, and no gate wording in a plain run's report.

use std::path::Path;

use scraper::{Html, Selector};

use super::charts::canvas::{TEXT, score_color};
use super::judged::JudgedRun;
use super::site;
use crate::config::Overrides;
use crate::record::read_results;
use crate::store::thresholds::ThresholdSet;
use crate::verdict::gate::GateReport;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json");

/// The fixture judged as a plain run judges it, without a baseline (its scaling check fails 5 cells).
fn plain_run() -> JudgedRun {
    let record = read_results(Path::new(FIXTURE)).unwrap();
    let thresholds = ThresholdSet::load(None, Overrides::default()).unwrap();
    let gate = GateReport::new(&record, None, &thresholds, None);
    JudgedRun::new("fixture".to_owned(), record, gate, None, &thresholds)
}

/// The report of `run` in a temporary directory: the directory, and the page's text.
fn written(run: JudgedRun) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let index = site::write(dir.path(), vec![run]).unwrap();
    let html = std::fs::read_to_string(index).unwrap();
    (dir, html)
}

fn hex(color: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", color.0, color.1, color.2)
}

#[test]
fn a_failing_cell_is_on_the_failing_side_of_the_heat_map_and_a_passing_one_is_not() {
    let run = plain_run();
    let efficiency = |id: &str| {
        let cell = run.record.cells.iter().find(|c| c.id == id).unwrap();
        cell.summary.as_ref().unwrap().efficiency.unwrap()
    };
    let failing = "skewed/100/threads/w2/cauto";
    assert!(run.gate.scaling_failures().any(|s| s.id == failing), "the fixture fails {failing}");
    let (fails, passes) = (efficiency(failing), efficiency("spin/200/threads/w2/cauto"));
    let (dir, _) = written(run);
    let svg = std::fs::read_to_string(dir.path().join("charts/efficiency.svg")).unwrap();
    let red = score_color(fails, 0.7);
    assert!(red.0 > red.1.max(red.2) + 60, "{fails:.2} is drawn red: {red:?}");
    assert!(svg.contains(&format!("fill=\"{}\"", hex(red))), "the failing tile is in the map");
    assert!(svg.contains(">\n×2 FAILS\n</text>"), "the failing tile says so in words too");
    let blue = score_color(passes, 0.7);
    assert!(blue.2 > blue.0 + 60, "{passes:.2} is drawn blue: {blue:?}");
    assert!(svg.contains(&format!("fill=\"{}\"", hex(blue))), "the passing tile is in the map");
}

#[test]
fn a_plain_runs_report_speaks_of_no_gate_and_a_gates_names_its_exit_code() {
    let (_dir, html) = written(plain_run());
    let page = Html::parse_document(&html);
    let text: String = page.root_element().text().collect::<String>().to_lowercase();
    assert!(!text.contains("gate"), "gate wording in a plain run's report: {}", around(&text, "gate"));
    let banner: String = page.select(&Selector::parse("p.verdict").unwrap()).next().unwrap().text().collect();
    assert!(banner.starts_with("5 parallel cells below the 0.7 scaling floor; no baseline compared"), "{banner}");

    let (_dir, html) = written(plain_run().by_gate());
    assert!(html.contains("SCALING BELOW THRESHOLD: workers that do not pay for themselves (gate exit code 4)"));
}

/// Up to 80 characters either side of the first `word` in `text`.
fn around(text: &str, word: &str) -> String {
    let at = text.find(word).unwrap_or(0);
    text.chars().skip(at.saturating_sub(80)).take(160 + word.len()).collect()
}

#[test]
fn every_table_column_is_explained_on_the_page() {
    let (_dir, html) = written(plain_run());
    let page = Html::parse_document(&html);
    let keys: Vec<String> =
        page.select(&Selector::parse(".key dd").unwrap()).map(|dd| dd.text().collect::<String>()).collect();
    let headers: Vec<_> = page.select(&Selector::parse("th").unwrap()).collect();
    assert!(headers.len() > 20, "the findings table and a table per workload");
    for th in headers {
        let name: String = th.text().collect();
        let abbr = th.select(&Selector::parse("abbr[title]").unwrap()).next();
        let meaning = abbr.and_then(|a| a.value().attr("title")).unwrap_or_default();
        assert!(!meaning.is_empty(), "column {name} has no explanation");
        assert!(keys.iter().any(|k| k == meaning), "column {name}'s explanation is not in a visible key");
    }
    for term in ["spread", "util", "load-proof", "cCHUNK", "wN", "p (adj.)"] {
        let dt = Selector::parse(".key dt").unwrap();
        assert!(page.select(&dt).any(|dt| dt.text().collect::<String>() == term), "{term} is in a key");
    }
    assert!(keys.iter().any(|k| k.contains("cauto is the strategy's own default")), "cauto is explained");
}

#[test]
fn per_cell_charts_come_one_per_workload_with_rows_named_by_the_rest_of_the_id() {
    let (dir, html) = written(plain_run());
    let latency = std::fs::read_to_string(dir.path().join("charts/latency-1.svg")).unwrap();
    assert!(latency.contains(">\nthreads/w2/cauto\n</text>"), "rows name the cell within its workload");
    assert!(!latency.contains("spin/200/") && !latency.contains("skewed/"), "spin's chart holds spin's cells only");
    let page = Html::parse_document(&html);
    let headings: Vec<String> =
        page.select(&Selector::parse("figure h4").unwrap()).map(|h| h.text().collect::<String>()).collect();
    for workload in ["spin (200)", "skewed (100)", "triad (8388608)", "payload (16777216)"] {
        assert!(headings.contains(&format!("Per-task latency: {workload}")), "{headings:?}");
    }
}

#[test]
fn every_chart_writes_its_text_at_least_13_pixels_high() {
    let (dir, _) = written(plain_run());
    let mut sizes = 0;
    for entry in std::fs::read_dir(dir.path().join("charts")).unwrap() {
        let svg = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for size in svg.split("font-size=\"").skip(1).map(|rest| rest.split('"').next().unwrap()) {
            let px: f64 = size.parse().unwrap();
            assert!(px >= f64::from(TEXT) - 1e-6, "text of {px} px");
            sizes += 1;
        }
    }
    assert!(sizes > 100, "the charts hold text: {sizes}");
}
