//! The HTML report in a real browser: Debian's Chromium, headless, renders the page of a real results file to a
//! screenshot that is not blank, logs no console message, shows a hostile workload name as text, and renders no
//! text smaller than 11 pixels in a window as wide as a laptop's screen.
//!
//! Chromium is found on PATH (or at `ABLATE_CHROMIUM`). When none was found as the tests were built, they are
//! ignored with the reason, so the test runner's own summary shows them as not run — unless
//! `ABLATE_REQUIRE_BROWSER=1` (as `.ci/run` sets, after installing it), where a missing browser fails them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::judged::JudgedRun;
use super::site;
use crate::config::Overrides;
use crate::history::analyse_store;
use crate::history::store::Store;
use crate::record::read_results;
use crate::store::thresholds::ThresholdSet;
use crate::verdict::gate::GateReport;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json");
const HOSTILE: &str = "<script>alert(1)</script>";

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ABLATE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The browser; a test that runs without one fails.
fn browser() -> PathBuf {
    chromium().expect("no chromium on PATH or at ABLATE_CHROMIUM (apt-get install chromium)")
}

fn headless(browser: &Path, args: &[&str], page: &Path) -> Output {
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let profile = tempfile::tempdir().unwrap();
    // A browser that hangs must fail the test, not stall the suite: coreutils' timeout ends it.
    Command::new("timeout")
        .args(["--kill-after=10", "120"])
        .arg(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium starts")
}

/// Lines where the page wrote to the console: errors, warnings and logs alike (the report runs no script, so
/// any is a fault).
fn console_messages(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(str::to_owned).collect()
}

fn report_with_hostile_name(dir: &Path) -> PathBuf {
    let mut record = read_results(Path::new(FIXTURE)).unwrap();
    for cell in record.cells.iter_mut().filter(|c| c.workload == "skewed") {
        cell.workload = HOSTILE.to_owned();
    }
    let thresholds = ThresholdSet::load(None, Overrides::default()).unwrap();
    let gate = GateReport::new(&record, None, &thresholds, None);
    site::write(dir, vec![JudgedRun::new("fixture".to_owned(), record, gate, None, &thresholds)]).unwrap()
}

/// Share of pixels that are not near-white, and the number of distinct colours, of a PNG.
fn ink(png_path: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    let channels = frame.color_type.samples();
    let pixels: Vec<&[u8]> = buffer[..frame.buffer_size()].chunks(channels).collect();
    let inked = pixels.iter().filter(|p| p.iter().take(3).any(|&c| c < 225)).count();
    let mut colours: Vec<[u8; 3]> = pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    colours.sort_unstable();
    colours.dedup();
    (inked as f64 / pixels.len() as f64, colours.len())
}

#[test]
#[cfg_attr(
    ablate_no_browser,
    ignore = "no Chromium found when the tests were built: apt-get install chromium, or set ABLATE_CHROMIUM"
)]
fn the_report_renders_with_charts_and_no_console_messages() {
    let browser = browser();
    let dir = tempfile::tempdir().unwrap();
    let index = report_with_hostile_name(dir.path());
    let shot = dir.path().join("shot.png");
    let output = headless(&browser, &["--window-size=1280,4000", &format!("--screenshot={}", shot.display())], &index);
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(console_messages(&output), Vec::<String>::new());
    let (inked, colours) = ink(&shot);
    assert!(inked > 0.05, "the page is nearly blank: {:.1}% of pixels inked", inked * 100.0);
    assert!(colours > 50, "only {colours} colours: the charts did not render");
}

#[test]
#[cfg_attr(
    ablate_no_browser,
    ignore = "no Chromium found when the tests were built: apt-get install chromium, or set ABLATE_CHROMIUM"
)]
fn the_console_check_catches_a_page_that_errs() {
    let browser = browser();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(&page, "<!DOCTYPE html><title>x</title><p>x</p><script>undefinedFunction()</script>").unwrap();
    let output = headless(&browser, &["--dump-dom"], &page);
    let messages = console_messages(&output);
    assert!(messages.iter().any(|m| m.contains("undefinedFunction")), "missed: {messages:?}");
}

#[test]
#[cfg_attr(
    ablate_no_browser,
    ignore = "no Chromium found when the tests were built: apt-get install chromium, or set ABLATE_CHROMIUM"
)]
fn a_hostile_workload_name_is_text_in_the_rendered_page() {
    let browser = browser();
    let dir = tempfile::tempdir().unwrap();
    let index = report_with_hostile_name(dir.path());
    let output = headless(&browser, &["--dump-dom"], &index);
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the name is in the page as text");
    assert!(!dom.contains("<script"), "no script element reached the DOM");
    assert_eq!(console_messages(&output), Vec::<String>::new());
}

/// A history of 12 runs of the fixture (a hostile workload name among its cells), the newest 6 made 1.3× slower
/// in every cell, and its page.
fn history_page(dir: &Path) -> PathBuf {
    let mut store = Store::open(&dir.join("history")).unwrap();
    for run in 0..12u64 {
        let mut record = read_results(Path::new(FIXTURE)).unwrap();
        record.created = format!("2026-11-{:02}T10:00:00Z", run + 1);
        record.machine.git_commit = Some(format!("{:040x}", run + 0xabc));
        for cell in record.cells.iter_mut() {
            if cell.workload == "skewed" {
                cell.workload = HOSTILE.to_owned();
                cell.id = format!("{HOSTILE}/{}", cell.id);
            }
            for (i, sample) in cell.samples.iter_mut().enumerate() {
                let wobble = 1.0 + 0.01 * ((run as usize + i) % 3) as f64;
                let step = if run >= 6 { 1.3 } else { 1.0 };
                sample.wall_ns = (sample.wall_ns as f64 * wobble * step) as u64;
            }
        }
        store.add(&record, &serde_json::to_vec(&record).unwrap()).unwrap();
    }
    let analyses = analyse_store(&store).unwrap();
    site::write_history(dir, &analyses, "history", store.entries().len()).unwrap()
}

#[test]
#[cfg_attr(
    ablate_no_browser,
    ignore = "no Chromium found when the tests were built: apt-get install chromium, or set ABLATE_CHROMIUM"
)]
fn the_history_page_renders_its_charts_and_change_points_with_hostile_names_as_text() {
    let browser = browser();
    let dir = tempfile::tempdir().unwrap();
    let page = history_page(dir.path());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Cells that changed, worst first") && html.contains("Change at run 7"), "the step is found");
    let shot = dir.path().join("shot.png");
    let output = headless(&browser, &["--window-size=1280,3000", &format!("--screenshot={}", shot.display())], &page);
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(console_messages(&output), Vec::<String>::new());
    let (inked, colours) = ink(&shot);
    assert!(inked > 0.05, "the page is nearly blank: {:.1}% of pixels inked", inked * 100.0);
    assert!(colours > 50, "only {colours} colours: the charts did not render");
    let dom = String::from_utf8_lossy(&headless(&browser, &["--dump-dom"], &page).stdout).into_owned();
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the name is in the page as text");
    assert!(!dom.contains("<script"), "no script element reached the DOM");
    let (pixels, element) = least_text(&browser, &page);
    assert!(pixels >= 11.0, "text of {pixels} px on a 1366-pixel screen: {element}");
}

/// The script that measures a page's smallest rendered text (see `ci/screenshots.sh`, which runs it too).
const LEAST_TEXT: &str = include_str!("../../../ci/least-text.js");

/// The smallest text `page` renders in a window as wide as a laptop's screen (1366 pixels, 100 % zoom), in
/// screen pixels — an SVG's text scaled as its chart is shrunk to fit — and the element that holds it.
fn least_text(browser: &Path, page: &Path) -> (f64, String) {
    let html = std::fs::read_to_string(page).unwrap();
    let measured = page.with_file_name("measure.html");
    std::fs::write(&measured, html.replace("</body>", &format!("<script>{LEAST_TEXT}</script></body>"))).unwrap();
    let output = headless(browser, &["--window-size=1366,768", "--dump-dom"], &measured);
    assert_eq!(console_messages(&output), Vec::<String>::new());
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    let found = dom.split("<pre id=\"least-text\">").nth(1).and_then(|rest| rest.split("</pre>").next());
    let found = found.unwrap_or_else(|| panic!("the page's text was not measured: {dom}"));
    let (pixels, element) = found.split_once(' ').unwrap();
    (pixels.parse().unwrap(), element.to_owned())
}

#[test]
#[cfg_attr(
    ablate_no_browser,
    ignore = "no Chromium found when the tests were built: apt-get install chromium, or set ABLATE_CHROMIUM"
)]
fn the_reports_smallest_text_is_at_least_11_pixels_on_a_laptop_screen() {
    let browser = browser();
    let dir = tempfile::tempdir().unwrap();
    let index = report_with_hostile_name(dir.path());
    let (pixels, element) = least_text(&browser, &index);
    assert!(pixels >= 11.0, "text of {pixels} px on a 1366-pixel screen: {element}");
}

#[test]
#[cfg_attr(
    ablate_no_browser,
    ignore = "no Chromium found when the tests were built: apt-get install chromium, or set ABLATE_CHROMIUM"
)]
fn the_text_measure_sees_a_charts_text_shrunk_with_the_chart() {
    let browser = browser();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("shrunk.html");
    let chart = "<svg width=\"2732\" height=\"100\" viewBox=\"0 0 2732 100\"><text x=\"10\" y=\"50\" \
                 font-size=\"16\">half size</text></svg>";
    let style = "<style>body{margin:0;font-size:20px}svg{max-width:100%;height:auto}</style>";
    std::fs::write(&page, format!("<!DOCTYPE html><title>x</title>{style}<body><p>big</p>{chart}</body>")).unwrap();
    let (pixels, element) = least_text(&browser, &page);
    assert!((pixels - 8.0).abs() < 0.2, "16 px text in a chart drawn at half its size is 8 px: {pixels} {element}");
}
