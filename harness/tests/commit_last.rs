//! Issue 27 item 6: a command's outputs are all prepared, then published together. A run whose report cannot be
//! written (here: a file of the report directory that is a directory, as a full disk would fail it halfway)
//! exits 1 having replaced no baseline, kept no run in the history and left the old report whole; the results
//! file, written as soon as the run was measured, is kept.

use std::path::Path;
use std::process::{Command, Output};

fn ablate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate")).current_dir(dir).args(args).output().expect("the ablate binary starts")
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walk(dir).iter().map(|p| p.strip_prefix(dir).unwrap().display().to_string()).collect();
    names.sort();
    names
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] }).collect()
}

#[test]
fn item_27_6_a_run_that_fails_writing_its_report_publishes_no_baseline_history_or_report_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let suite = ["-w", "spin", "--size", "8", "-s", "serial,threads", "-j", "1", "--reps=2", "--warmup=0"];
    let mut first = vec!["run", "--out", "old.json", "--report", "rep"];
    first.extend(suite);
    assert_eq!(ablate(d, &first).status.code(), Some(0));
    let old_index = std::fs::read(d.join("rep/index.html")).unwrap();
    let old_charts = std::fs::read_dir(d.join("rep/charts")).unwrap().count();
    std::fs::remove_file(d.join("rep/summary.md")).unwrap();
    std::fs::create_dir(d.join("rep/summary.md")).unwrap();

    let mut failing =
        vec!["run", "--out", "new.json", "--report", "rep", "--save-baseline", "main", "--baseline-dir", "b"];
    failing.extend(["--history", "h"]);
    failing.extend(suite);
    let output = ablate(d, &failing);
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("summary.md"), "the error names the file: {err}");
    assert!(d.join("new.json").is_file(), "the measurements are kept");
    assert_eq!(files_under(&d.join("b")), Vec::<String>::new(), "no baseline saved");
    assert!(
        files_under(&d.join("h")).iter().all(|f| !f.starts_with("runs/")),
        "no run kept: {:?}",
        files_under(&d.join("h"))
    );
    assert_eq!(std::fs::read(d.join("rep/index.html")).unwrap(), old_index, "the old report stands whole");
    assert_eq!(std::fs::read_dir(d.join("rep/charts")).unwrap().count(), old_charts, "no chart added or left behind");
    let stray: Vec<String> = files_under(&d.join("rep")).into_iter().filter(|f| f.contains(".tmp")).collect();
    assert_eq!(stray, Vec::<String>::new(), "nothing half-written left behind");
}
