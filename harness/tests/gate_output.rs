//! What `ablate gate` prints and writes, read as a person and a script read it: the verdict as the last stdout
//! line (PASS or FAIL, the exit code, the reason), each warning once, the thresholds as a short table, and results
//! in a file of the gate's own. Timings are set by the test where a verdict depends on them.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn ablate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate")).current_dir(dir).args(args).output().expect("the ablate binary starts")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// spin at a tiny size, serial and threads at 1 and 2 workers.
const SUITE: [&str; 10] = ["-w", "spin", "--size", "40", "--quick", "--reps", "6", "-s", "serial,threads", "-j"];

fn run(dir: &Path, out: &str) {
    let output = ablate(dir, &[&["run"][..], &SUITE, &["1,2", "--out", out]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
}

/// `record` with each cell's wall times set by `wall(cell)` (1 % spread over the samples), on an idle machine.
fn with_walls(record: &Value, path: &Path, wall: impl Fn(&Value) -> f64) {
    let mut record = record.clone();
    for cell in record["cells"].as_array_mut().unwrap() {
        let ns = wall(cell);
        for (i, sample) in cell["samples"].as_array_mut().unwrap().iter_mut().enumerate() {
            sample["wall_ns"] = ((ns * (1.0 + 0.002 * i as f64)).round() as u64).into();
            sample["others_cpu_ns"] = 0.into();
            sample.as_object_mut().unwrap().remove("worker_start_ns");
            sample.as_object_mut().unwrap().remove("worker_cpu");
        }
    }
    std::fs::write(path, record.to_string()).unwrap();
}

fn last_line(output: &Output) -> String {
    stdout(output).lines().last().unwrap_or_default().to_owned()
}

#[test]
fn the_verdict_is_the_last_stdout_line_and_each_warning_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(d, "measured.json");
    let measured: Value = serde_json::from_slice(&std::fs::read(d.join("measured.json")).unwrap()).unwrap();
    // Serial twice as slow as threads at 1 worker: a suspect reference, and every speedup rests on it.
    let suspect = |cell: &Value| {
        let workers = cell["workers"].as_f64().unwrap();
        if cell["strategy"] == "serial" { 2e6 } else { 1e6 / workers }
    };
    with_walls(&measured, &d.join("suspect.json"), suspect);
    with_walls(&measured, &d.join("slow.json"), |cell| 1.5 * suspect(cell));
    with_walls(&measured, &d.join("poor.json"), |_| 1e6);

    let passed = ablate(d, &["gate", "--results", "suspect.json", "--baseline", "suspect.json"]);
    assert_eq!(passed.status.code(), Some(0), "{}{}", stdout(&passed), stderr(&passed));
    assert!(last_line(&passed).starts_with("PASS (exit 0): "), "{}", stdout(&passed));
    let everything = stdout(&passed) + &stderr(&passed);
    assert_eq!(everything.matches("the reference is suspect for spin at size 40").count(), 1, "{everything}");
    assert!(!stderr(&passed).contains("gate verdict"), "the verdict is said once, on stdout");

    let slow = ablate(d, &["gate", "--results", "slow.json", "--baseline", "suspect.json"]);
    assert_eq!(slow.status.code(), Some(3), "{}{}", stdout(&slow), stderr(&slow));
    let line = last_line(&slow);
    assert!(line.starts_with("FAIL (exit 3): 3 of 3 cells regressed against the baseline, the worst "), "{line}");

    let poor = ablate(d, &["gate", "--results", "poor.json", "--lenient"]);
    assert_eq!(poor.status.code(), Some(4), "{}{}", stdout(&poor), stderr(&poor));
    let line = last_line(&poor);
    assert!(line.starts_with("FAIL (exit 4): ") && line.contains("below their floor"), "{line}");

    let table = stdout(&poor);
    let thresholds: Vec<&str> =
        table.lines().skip_while(|l| *l != "thresholds in force:").take_while(|l| !l.starts_with("FAIL")).collect();
    assert!(thresholds.len() >= 3 && thresholds.iter().all(|l| l.chars().count() <= 100), "{table}");
    assert!(thresholds[1].contains("regression ratio") && thresholds[2].starts_with("  all (1)"), "{table}");
}

#[test]
fn the_gate_writes_its_own_results_file_and_leaves_runs_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run(d, "reports/results.json");
    let before = std::fs::read(d.join("reports/results.json")).unwrap();
    let gate = ablate(d, &[&["gate", "--lenient", "--min-efficiency", "0"][..], &SUITE, &["1"]].concat());
    assert_eq!(gate.status.code(), Some(0), "{}{}", stdout(&gate), stderr(&gate));
    assert!(stderr(&gate).contains("results written to reports/gate-results.json"), "{}", stderr(&gate));
    assert!(d.join("reports/gate-results.json").is_file());
    assert_eq!(std::fs::read(d.join("reports/results.json")).unwrap(), before, "run's results are not replaced");
}
