//! Reports from a fixed results file (a real quick run, checked in): the markdown summary and CSV match their
//! snapshots, the HTML parses and holds every chart, every file of the report directory is written, and text
//! that comes from results shows as text, never as markup.

use std::path::Path;

use scraper::{Html, Selector};

use super::judged::JudgedRun;
use super::{Format, charts, site};
use crate::config::Overrides;
use crate::record::read_results;
use crate::record::{CellStatus, RunRecord, WorkerCpu};
use crate::report;
use crate::store::thresholds::ThresholdSet;
use crate::verdict::gate::GateReport;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json");
const HOSTILE: &str = "<script>alert(1)</script>";

fn fixture() -> RunRecord {
    read_results(Path::new(FIXTURE)).expect("the fixture is a valid results file")
}

/// The fixture as its own baseline, with `spin`'s serial cell twice as fast (so the run regressed there) and
/// `payload`'s serial cell twice as slow (so the run improved there).
fn baseline() -> RunRecord {
    let mut baseline = fixture();
    for cell in &mut baseline.cells {
        let factor = match cell.id.as_str() {
            id if id.starts_with("spin/") && id.contains("/serial/") => 0.5,
            id if id.starts_with("payload/") && id.contains("/serial/") => 2.0,
            _ => continue,
        };
        cell.samples.iter_mut().for_each(|s| s.wall_ns = (s.wall_ns as f64 * factor) as u64);
    }
    baseline
}

fn judged(record: RunRecord, baseline: Option<&RunRecord>) -> JudgedRun {
    let thresholds = ThresholdSet::load(None, Overrides::default()).unwrap();
    let gate = GateReport::new(&record, baseline, &thresholds, None);
    JudgedRun::new("fixture".to_owned(), record, gate, baseline.map(|_| "doctored".to_owned()), &thresholds)
}

#[test]
fn markdown_summary_matches_its_snapshot() {
    let with_baseline = judged(fixture(), Some(&baseline()));
    let summary = report::render(&with_baseline, Format::Md);
    assert!(summary.contains("1 cell slower than the baseline") && summary.contains("### Improvements"), "{summary}");
    insta::assert_snapshot!("summary_with_baseline", summary);
    insta::assert_snapshot!("summary_without_baseline", report::render(&judged(fixture(), None), Format::Md));
}

#[test]
fn csv_and_bencher_exports_match_their_snapshots() {
    let run = judged(fixture(), None);
    let csv = report::render(&run, Format::Csv);
    let columns = csv.lines().next().unwrap().split(',').count();
    assert!(csv.lines().all(|line| line.split(',').count() == columns), "every row has every column");
    assert_eq!(csv.lines().count(), run.record.cells.len() + 1);
    insta::assert_snapshot!("csv", csv);
    let bmf: serde_json::Value = serde_json::from_str(&report::render(&run, Format::Bmf)).unwrap();
    assert_eq!(bmf.as_object().unwrap().len(), run.record.cells.len());
    insta::assert_snapshot!("bmf", report::render(&run, Format::Bmf));
}

#[test]
fn the_report_directory_holds_the_page_every_chart_and_the_exports() {
    let dir = tempfile::tempdir().unwrap();
    let index = site::write(dir.path(), vec![judged(fixture(), Some(&baseline()))]).unwrap();
    let page = Html::parse_document(&std::fs::read_to_string(&index).unwrap());
    assert!(page.errors.is_empty(), "the page parses cleanly: {:?}", page.errors);
    for name in charts::ALL {
        let per_workload = charts::PER_WORKLOAD.contains(&name);
        let stems = if per_workload { (1..=4).map(|n| format!("{name}-{n}")).collect() } else { vec![name.to_owned()] };
        for stem in stems {
            let svg = std::fs::read_to_string(dir.path().join("charts").join(format!("{stem}.svg"))).unwrap();
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{stem}.svg is an SVG document");
            let inline = Selector::parse(&format!("figure#chart-0-{stem} svg")).unwrap();
            assert_eq!(page.select(&inline).count(), 1, "chart {stem} is inline in the page");
            let caption = Selector::parse(&format!("figure#chart-0-{stem} figcaption")).unwrap();
            assert!(page.select(&caption).next().is_some_and(|c| c.text().count() > 0), "chart {stem} has a caption");
        }
        assert!(!dir.path().join(format!("charts/{name}-5.svg")).exists(), "one {name} chart per workload");
    }
    let nothing_fetched = Selector::parse("script, link, img, iframe, [src]").unwrap();
    assert_eq!(page.select(&nothing_fetched).count(), 0, "the page loads nothing and runs nothing");
    let findings = Selector::parse("table.findings tbody tr").unwrap();
    assert_eq!(page.select(&findings).count(), 4, "a finding per workload of the fixture");
    for export in ["summary.md", "results.csv", "bmf.json"] {
        assert!(dir.path().join(export).is_file(), "{export} is written");
    }
}

#[test]
fn several_results_files_go_into_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let runs = vec![judged(fixture(), None), judged(fixture(), Some(&baseline()))];
    let index = site::write(dir.path(), runs).unwrap();
    let page = Html::parse_document(&std::fs::read_to_string(index).unwrap());
    assert_eq!(page.select(&Selector::parse("section.run").unwrap()).count(), 2);
    assert!(dir.path().join("charts/run2-baseline-1.svg").is_file());
    assert!(!dir.path().join("charts/run1-baseline-1.svg").exists(), "run 1 had no baseline to chart");
}

#[test]
fn names_and_errors_from_results_show_as_text() {
    let mut record = fixture();
    for cell in record.cells.iter_mut().filter(|c| c.workload == "spin") {
        cell.workload = HOSTILE.to_owned();
        cell.id = cell.id.replacen("spin", HOSTILE, 1);
    }
    record.cells[1].status = CellStatus::Failed { reason: "<img src=x onerror=alert(2)>".to_owned() };
    let dir = tempfile::tempdir().unwrap();
    let index = site::write(dir.path(), vec![judged(record, None)]).unwrap();
    let html = std::fs::read_to_string(index).unwrap();
    let page = Html::parse_document(&html);
    assert_eq!(page.select(&Selector::parse("script, img").unwrap()).count(), 0, "no markup was injected");
    let text: String = page.root_element().text().collect();
    assert!(text.contains(HOSTILE), "the hostile name is shown as text");
    assert!(text.contains("<img src=x onerror=alert(2)>"), "the failure reason is shown as text");
    assert!(!html.contains(HOSTILE) && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// The unescaped pipes of a markdown line: the cell boundaries GitHub sees.
fn cell_boundaries(line: &str) -> usize {
    let mut escaped = false;
    let mut count = 0;
    for c in line.chars() {
        count += usize::from(c == '|' && !escaped);
        escaped = c == '\\' && !escaped;
    }
    count
}

#[test]
fn item_8_hostile_names_are_escaped_in_the_summary() {
    const NAME: &str = "spin<!-- `x` | *y* [z](http://e) $m$ \\";
    let mut record = fixture();
    for cell in record.cells.iter_mut().filter(|c| c.workload == "spin") {
        cell.workload = NAME.to_owned();
        cell.id = cell.id.replacen("spin", NAME, 1);
        cell.size_unit = "tasks | <b>units</b>".to_owned();
    }
    record.cells[1].status = CellStatus::Failed { reason: "boom\n| injected | row |\n<!-- hidden".to_owned() };
    record.machine.cpu_model = "CPU `model` <!--".to_owned();
    let mut doctored = baseline();
    for cell in doctored.cells.iter_mut().filter(|c| c.workload == "spin") {
        cell.workload = NAME.to_owned();
        cell.id = cell.id.replacen("spin", NAME, 1);
    }
    let summary = report::render(&judged(record, Some(&doctored)), Format::Md);
    assert!(!summary.contains("<!--") && !summary.contains("<b>"), "no markup gets through:\n{summary}");
    let code_span = summary.match_indices('`').any(|(at, _)| !summary[..at].ends_with('\\'));
    assert!(!code_span, "no code span, whose entities would render literally:\n{summary}");
    let mut columns = None;
    for line in summary.lines() {
        if line.starts_with('|') {
            let boundaries = cell_boundaries(line);
            if line.starts_with("|---") || line.starts_with("| workload") || line.starts_with("| cell") {
                columns = Some(boundaries);
            }
            assert_eq!(Some(boundaries), columns, "a row with as many cells as its header: {line}");
        } else {
            columns = None;
        }
    }
    assert!(summary.contains(r"<code>spin&lt;!-- \`x\` \| \*y\* \[z\](http://e) \$m\$ \\/200/serial"), "{summary}");
    insta::assert_snapshot!("summary_with_hostile_names", summary);
}

/// The fixture with `spin`'s serial cell measured 20 % slow, as under a neighbour's load: every output (a stored
/// baseline's table too) warns that the reference is suspect, marks the speedups that rest on it, and no scaling
/// verdict of spin passes on it.
#[test]
fn a_serial_cell_slower_than_its_one_worker_cells_is_flagged_everywhere() {
    let mut record = fixture();
    for cell in record.cells.iter_mut().filter(|c| c.id.starts_with("spin/") && c.id.contains("/serial/")) {
        cell.samples.iter_mut().for_each(|s| s.wall_ns = (s.wall_ns as f64 * 1.2) as u64);
    }
    let stored = report::table(&record, 0.01);
    let run = judged(record, None);
    assert_eq!(run.gate.suspect_references.len(), 1, "{:?}", run.gate.suspect_references);
    let warning = "the reference is suspect for spin at size 200";
    assert!(stored.contains(&format!("? {warning}")), "a stored baseline's table says it too: {stored}");
    let table = report::render(&run, Format::Table);
    assert!(table.contains(&format!("? {warning}")), "{table}");
    let spin_rows: Vec<&str> = table.lines().filter(|l| l.starts_with("spin ") && l.contains(" ok")).collect();
    assert!(spin_rows.iter().all(|row| row.contains("?")), "{spin_rows:?}");
    assert!(table.lines().filter(|l| l.starts_with("skewed ")).all(|row| !row.contains('?')), "{table}");
    assert!(report::render(&run, Format::Md).contains(&format!("> **Warning:** {warning}")));
    assert!(report::verdicts::render(&run.gate).starts_with(&format!("warning: {warning}")));
    let spin_scaling = run.gate.scaling.iter().filter(|s| s.id.starts_with("spin/"));
    assert!(spin_scaling.clone().count() > 0 && spin_scaling.clone().all(|s| !s.verdict_text().starts_with("ok")));
    let page = Html::parse_document(&report::html::page(&[(run, Vec::new())]));
    let warnings: Vec<String> =
        page.select(&Selector::parse("p.warning").unwrap()).map(|p| p.text().collect::<String>()).collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains(warning), "{warnings:?}");
}

#[test]
fn the_fixture_as_measured_has_a_trusted_reference() {
    assert_eq!(judged(fixture(), None).gate.suspect_references, Vec::new());
}

/// The fixture as if another process had spun beside `spin`: serial got half a core (its wall time doubled,
/// half of it waiting for a CPU), `threads` ×2 most of two (0.95); other processes used a core meanwhile.
fn busy_spin() -> RunRecord {
    let mut record = fixture();
    for cell in record.cells.iter_mut().filter(|c| c.workload == "spin") {
        let serial = cell.id.contains("/serial/");
        let threads_2 = cell.id.contains("/threads/w2/");
        for s in &mut cell.samples {
            let wall = s.wall_ns;
            s.others_cpu_ns = Some(wall);
            if serial {
                s.wall_ns = 2 * wall;
                s.worker_cpu = vec![WorkerCpu { ran_ns: wall, waited_ns: wall }];
            } else if threads_2 {
                s.worker_cpu = vec![WorkerCpu { ran_ns: wall * 95 / 100, waited_ns: wall * 5 / 100 }; 2];
            }
        }
    }
    let serial_median = record.cells.iter().find(|c| c.id.starts_with("spin/200/serial/")).unwrap().walls();
    let serial_median = crate::stats::median(&serial_median);
    for cell in record.cells.iter_mut().filter(|c| c.workload == "spin") {
        cell.summary = crate::record::summary::Summary::of(&cell.samples, cell.workers, serial_median, None);
    }
    record
}

/// The rows streamed as a workload finishes mark the same cells as the table, with a line saying why; a quiet
/// run's rows carry no mark.
#[test]
fn streamed_rows_mark_a_busy_machines_wall_clock_figures_and_a_quiet_runs_not() {
    let spin = |record: RunRecord| -> Vec<_> { record.cells.into_iter().filter(|c| c.workload == "spin").collect() };
    let busy = crate::streamed::rows(&spin(busy_spin()), 2);
    let threads_2 = busy.lines().find(|l| l.contains("/threads/w2/")).unwrap();
    assert!(threads_2.contains("speedup 3.91?") && threads_2.contains("efficiency 1.95?"), "{busy}");
    assert!(busy.contains("? wall-clock speedup and efficiency unreliable"), "{busy}");
    let quiet = crate::streamed::rows(&spin(fixture()), 2);
    assert!(!quiet.contains('?'), "{quiet}");
}

/// Issue 28 item 1: a busy machine's wall-clock speedups are marked in the table, the summary's verdict and
/// strategy table, and the report's findings; the cell with its counters is judged on its load-proof efficiency;
/// the quiet fixture is not marked at all.
#[test]
fn item_28_1_a_busy_machines_wall_clock_speedups_are_marked_everywhere_and_a_quiet_one_is_not() {
    let busy = judged(busy_spin(), None);
    let table = report::render(&busy, Format::Table);
    let threads_2 = table.lines().find(|l| l.starts_with("spin") && l.contains("threads        2")).unwrap();
    assert!(threads_2.contains("1.95?"), "the wall-clock speedup is marked: {threads_2}");
    assert!(threads_2.contains("1.03"), "the load-proof efficiency is shown: {threads_2}");
    assert!(table.contains("? measured on a busy machine: other processes used up to 1.0 of 2 cores"), "{table}");
    let scaling = busy.gate.scaling.iter().find(|s| s.id.starts_with("spin/200/threads/w2")).unwrap();
    assert!(scaling.judged_on_load_proof, "{scaling:?}");
    assert!(scaling.measure_text().starts_with("load-proof efficiency 1.03"), "{}", scaling.measure_text());
    let summary = report::render(&busy, Format::Md);
    let banner = summary.lines().next().unwrap();
    assert!(banner.contains("measured on a busy machine"), "{banner}");
    assert!(!banner.contains("every parallel cell scales"), "a pass says only what was judged: {banner}");
    let spin_row = summary.lines().find(|l| l.starts_with("| spin |")).unwrap();
    assert!(spin_row.contains("×?)") && spin_row.contains("not read off the wall clock"), "{spin_row}");
    let html = report::html::page(&[(busy, Vec::new())]);
    assert!(html.contains("× serial?)"), "the findings table marks the speedups");
    assert!(html.contains("measured on a busy machine — other processes used up to 1.0 of 2 cores"), "the banner");

    let quiet = || judged(fixture(), None);
    let html = report::html::page(&[(quiet(), Vec::new())]);
    for text in [report::render(&quiet(), Format::Table), report::render(&quiet(), Format::Md), html] {
        assert!(!text.contains("busy machine") && !text.contains("unreliable"), "{text}");
    }
}
