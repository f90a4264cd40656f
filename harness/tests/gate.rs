//! The gate through the real CLI: baselines saved and read back, A/A passes, an injected slowdown fails with
//! exit 3, and every bad baseline or results file is refused with its documented exit code, touching nothing.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

/// Timings from tests running side by side would disturb each other; every run takes this lock.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn ablate(dir: &Path, args: &[&str]) -> Output {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    Command::new(env!("CARGO_BIN_EXE_ablate")).current_dir(dir).args(args).output().expect("the ablate binary starts")
}

/// The cells every test measures: spin at a small size, serial and crossbeam, with enough repetitions for the
/// rank test to reach significance.
const SUITE: [&str; 12] =
    ["-w", "spin", "--size", "60", "--quick", "--reps", "8", "-s", "serial,crossbeam", "-j", "1,2", "-p"];

fn gate_args<'a>(extra: &[&'a str], cost: &'a str) -> Vec<&'a str> {
    let mut args = SUITE.to_vec();
    args.push(cost);
    args.extend_from_slice(extra);
    args
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn save_baseline(dir: &Path) {
    let mut args = vec!["run"];
    args.extend(gate_args(&["--save-baseline", "main", "--out", "base.json"], "spin.iters=20000"));
    let output = ablate(dir, &args);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_a_passes_and_an_injected_slowdown_fails_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    save_baseline(dir.path());
    let listed = String::from_utf8(ablate(dir.path(), &["baseline", "list"]).stdout).unwrap();
    assert!(listed.contains("  main  ") && listed.contains("main.json"), "{listed}");

    let mut same = vec!["gate"];
    same.extend(gate_args(&["--baseline", "main", "--confirm", "2", "--out", "aa.json"], "spin.iters=20000"));
    let output = ablate(dir.path(), &same);
    let verdicts = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{verdicts}{}", stderr(&output));
    assert!(!verdicts.contains("REGRESSED"), "{verdicts}");
    assert!(verdicts.contains("thresholds in force:") && verdicts.contains("regression ratio 1.1"), "{verdicts}");

    let mut slow = vec!["gate"];
    slow.extend(gate_args(&["--baseline", "main", "--confirm", "1", "--out", "slow.json"], "spin.iters=30000"));
    let output = ablate(dir.path(), &slow);
    let verdicts = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{verdicts}{}", stderr(&output));
    assert!(verdicts.contains("spin/60/serial/w1/cauto") && verdicts.contains("REGRESSED"), "{verdicts}");

    let compared = ablate(dir.path(), &["compare", "slow.json", "--baseline", "base.json"]);
    assert_eq!(compared.status.code(), Some(3), "{}", stderr(&compared));
    let compared = ablate(dir.path(), &["compare", "aa.json", "--baseline", "main"]);
    assert_eq!(compared.status.code(), Some(0), "{}", stderr(&compared));
}

#[test]
fn a_failed_run_never_replaces_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    save_baseline(dir.path());
    let listed = String::from_utf8(ablate(dir.path(), &["baseline", "list"]).stdout).unwrap();
    let path = dir.path().join(listed.split_whitespace().last().unwrap());
    let before = std::fs::read(&path).unwrap();
    let mut args = vec!["run"];
    args.extend(gate_args(&["--save-baseline", "main", "-p", "spin.panic_on=3", "--out", "bad.json"], "spin.iters=10"));
    let output = ablate(dir.path(), &args);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("not saving baseline 'main'"), "{}", stderr(&output));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// Asserts `args` exits with `code`, prints one line naming `names`, and leaves the baselines untouched.
fn assert_refused(dir: &Path, args: &[&str], code: i32, names: &[&str]) {
    let before = std::fs::read(dir.join("base.json")).unwrap();
    let output = ablate(dir, args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    for name in names {
        assert!(err.contains(name), "{args:?}: '{name}' missing from {err}");
    }
    assert_eq!(std::fs::read(dir.join("base.json")).unwrap(), before);
}

#[test]
fn bad_baselines_and_results_are_refused_with_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    save_baseline(d);
    let good: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("base.json")).unwrap()).unwrap();
    let write = |name: &str, text: String| std::fs::write(d.join(name), text).unwrap();
    write("truncated.json", serde_json::to_string(&good).unwrap()[..200].to_owned());
    let mut future = good.clone();
    future["schema_version"] = 99.into();
    write("future.json", future.to_string());
    let mut negative = good.clone();
    negative["cells"][0]["samples"][0]["wall_ns"] = (-5).into();
    write("negative.json", negative.to_string());
    let mut empty = good.clone();
    empty["cells"][1]["samples"] = serde_json::json!([]);
    write("empty.json", empty.to_string());
    write("nan.json", good.to_string().replacen("\"wall_ns\":", "\"wall_ns\":NaN,\"x\":", 1));
    let mut foreign = good.clone();
    foreign["machine"]["fingerprint"] = "another-machine-00000000".into();
    write("foreign.json", foreign.to_string());

    assert_refused(d, &["compare", "truncated.json", "--baseline", "main"], 1, &["truncated.json", "not JSON"]);
    assert_refused(d, &["compare", "future.json", "--baseline", "main"], 1, &["schema version 99"]);
    assert_refused(d, &["compare", "negative.json", "--baseline", "main"], 1, &["negative.json", "-5"]);
    assert_refused(d, &["compare", "empty.json", "--baseline", "main"], 1, &["no samples"]);
    assert_refused(d, &["compare", "nan.json", "--baseline", "main"], 1, &["nan.json", "not JSON"]);
    assert_refused(d, &["compare", "base.json", "--baseline", "truncated.json"], 5, &["baseline", "truncated.json"]);
    assert_refused(d, &["compare", "base.json", "--baseline", "future.json"], 5, &["schema version 99"]);
    assert_refused(
        d,
        &["compare", "base.json", "--baseline", "foreign.json"],
        5,
        &["another-machine", "--allow-foreign-baseline"],
    );
    assert_refused(
        d,
        &["compare", "base.json", "--baseline", "nothing-here"],
        5,
        &["'nothing-here'", "--save-baseline"],
    );
    assert_refused(d, &["compare", "base.json", "--baseline", "a..b/c"], 5, &["a..b/c"]);
    assert_refused(d, &["run", "--save-baseline", "../escape", "-w", "spin"], 2, &["\"../escape\""]);
    assert_refused(d, &["run", "--save-baseline", ".hidden", "-w", "spin"], 2, &["\".hidden\""]);
    assert_refused(d, &["run", "--save-baseline", "ctl\u{1}x", "-w", "spin"], 2, &["ctl"]);
    assert_refused(d, &["gate", "-w", "spin", "--quick"], 2, &["--baseline"]);
    assert_refused(
        d,
        &["compare", "base.json", "--baseline", "main", "--threshold", "0.9"],
        2,
        &["regression_ratio 0.9"],
    );

    let allowed = ablate(d, &["compare", "base.json", "--baseline", "foreign.json", "--allow-foreign-baseline"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    let lenient = ablate(d, &["gate", "--results", "base.json", "--baseline", "nothing-here", "--lenient"]);
    assert_eq!(lenient.status.code(), Some(0), "{}", stderr(&lenient));
    assert!(stderr(&lenient).contains("warning"), "{}", stderr(&lenient));
}

/// A/B mode through the real binary: the same build against itself passes; against a base made faster by its
/// parameters (so the candidate is 2x slower) it fails with exit 3; both merged records are written.
#[test]
fn a_b_mode_runs_both_builds_alternately_and_judges_the_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let binary = env!("CARGO_BIN_EXE_ablate");
    let faster = d.join("faster-base.sh");
    std::fs::write(&faster, format!("#!/bin/sh\nexec {binary} \"$@\" --param spin.cost=0.5\n")).unwrap();
    std::fs::set_permissions(&faster, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let suite = ["-w", "spin", "--size", "40", "-s", "serial", "-j", "1", "-p", "spin.iters=20000", "--ab-rounds", "6"];

    let mut same = vec!["gate", "--ab", binary, "--out", "same.json"];
    same.extend(suite);
    let output = ablate(d, &same);
    assert_eq!(output.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&output.stdout), stderr(&output));
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("same.json")).unwrap()).unwrap();
    assert_eq!(record["cells"][0]["samples"].as_array().unwrap().len(), 6, "one sample per round");
    assert!(d.join("same.ab-base.json").exists());

    let mut slower = vec!["gate", "--ab", faster.to_str().unwrap(), "--out", "slower.json"];
    slower.extend(suite);
    let output = ablate(d, &slower);
    let verdicts = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{verdicts}{}", stderr(&output));
    assert!(verdicts.contains("spin/40/serial/w1/cauto") && verdicts.contains("REGRESSED"), "{verdicts}");
}
