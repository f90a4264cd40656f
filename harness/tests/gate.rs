//! The gate through the real CLI: baselines saved and read back, verdicts and exit codes on samples whose timings
//! are fixed by the test (so no assertion depends on how fast this machine happens to be), and every bad
//! baseline or results file refused with its documented exit code, touching nothing.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn ablate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate")).current_dir(dir).args(args).output().expect("the ablate binary starts")
}

/// The cells every test measures: spin at a small size, serial and crossbeam at one and two workers.
const SUITE: [&str; 12] =
    ["-w", "spin", "--size", "60", "--quick", "--reps", "8", "-s", "serial,crossbeam", "-j", "1,2", "-p"];

fn gate_args<'a>(extra: &[&'a str], cost: &'a str) -> Vec<&'a str> {
    let mut args = SUITE.to_vec();
    args.push(cost);
    args.extend_from_slice(extra);
    args
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
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

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Writes `record` to `path` with every sample's wall time replaced by `wall(cell, sample index)`, on a machine
/// that was otherwise idle (no other processes' CPU time recorded), with no wake-up time measured, and without
/// the workers' scheduler counters (recorded live, they would not match the crafted wall times: on a busy test
/// machine they would call the wall clock unreliable and judge the load-proof efficiency instead).
fn with_walls(record: &Value, path: &Path, wall: impl Fn(&Value, usize) -> f64) {
    let mut record = record.clone();
    for cell in record["cells"].as_array_mut().unwrap() {
        let walls: Vec<f64> = (0..cell["samples"].as_array().unwrap().len()).map(|i| wall(cell, i)).collect();
        for (sample, ns) in cell["samples"].as_array_mut().unwrap().iter_mut().zip(walls) {
            sample["wall_ns"] = (ns.round() as u64).into();
            sample["others_cpu_ns"] = 0.into();
            sample.as_object_mut().unwrap().remove("worker_start_ns");
            sample.as_object_mut().unwrap().remove("worker_cpu");
        }
    }
    std::fs::write(path, record.to_string()).unwrap();
}

/// A steady wall time with a little spread: 1 ms per repetition of serial work, divided evenly over the workers.
fn steady(cell: &Value, index: usize) -> f64 {
    (1_000_000.0 + 1_000.0 * index as f64) / cell["workers"].as_f64().unwrap()
}

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

#[test]
fn verdicts_and_exit_codes_follow_the_samples() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    save_baseline(d);
    let listed = stdout(&ablate(d, &["baseline", "list"]));
    assert!(listed.contains("  main  ") && listed.contains("main.json"), "{listed}");
    let stored = d.join(listed.split_whitespace().last().unwrap());

    let measured = read_json(&d.join("base.json"));
    with_walls(&measured, &stored, steady);
    with_walls(&measured, &d.join("same.json"), steady);
    with_walls(&measured, &d.join("slow.json"), |cell, i| 1.5 * steady(cell, i));
    with_walls(&measured, &d.join("fast.json"), |cell, i| 0.5 * steady(cell, i));
    with_walls(&measured, &d.join("poor.json"), |cell, i| steady(cell, i) * cell["workers"].as_f64().unwrap());

    let same = ablate(d, &["compare", "same.json", "--baseline", "main"]);
    assert_eq!(code(&same), Some(0), "{}{}", stdout(&same), stderr(&same));
    assert!(!stdout(&same).contains("REGRESSED"), "{}", stdout(&same));
    assert!(stdout(&same).contains("thresholds in force:") && stdout(&same).contains("regression ratio"));

    let slow = ablate(d, &["gate", "--results", "slow.json", "--baseline", "main"]);
    assert_eq!(code(&slow), Some(3), "{}{}", stdout(&slow), stderr(&slow));
    assert!(stdout(&slow).contains("spin/60/serial/w1/cauto") && stdout(&slow).contains("REGRESSED"));
    let slow = ablate(d, &["compare", "slow.json", "--baseline", "same.json"]);
    assert_eq!(code(&slow), Some(3), "{}", stderr(&slow));
    let lenient = ablate(d, &["compare", "slow.json", "--baseline", "main", "--threshold", "1.6"]);
    assert_eq!(code(&lenient), Some(0), "a 1.5x slowdown is within a 1.6x threshold: {}", stdout(&lenient));

    let fast = ablate(d, &["compare", "fast.json", "--baseline", "main"]);
    assert_eq!(code(&fast), Some(0), "{}", stderr(&fast));
    assert!(stdout(&fast).to_lowercase().contains("improved"), "{}", stdout(&fast));

    let poor = ablate(d, &["gate", "--results", "poor.json", "--baseline", "poor.json"]);
    assert_eq!(code(&poor), Some(4), "{}{}", stdout(&poor), stderr(&poor));
    assert!(stdout(&poor).contains("efficiency 0.50 [0.50, 0.50]"), "{}", stdout(&poor));
    let forgiven = ablate(d, &["gate", "--results", "poor.json", "--baseline", "poor.json", "--min-efficiency", "0.4"]);
    assert_eq!(code(&forgiven), Some(0), "efficiency 0.5 passes a 0.4 floor: {}", stdout(&forgiven));

    with_walls(&measured, &d.join("noisy.json"), |cell, i| steady(cell, i) * if i % 2 == 0 { 1.0 } else { 1.6 });
    let noisy = ablate(d, &["gate", "--results", "noisy.json", "--baseline", "noisy.json"]);
    assert_eq!(code(&noisy), Some(0), "inconclusive is not a failure by default: {}", stdout(&noisy));
    assert!(stdout(&noisy).contains("inconclusive (too noisy: could see ≥"), "{}", stdout(&noisy));
    assert!(stdout(&noisy).contains("could not see a slowdown of the threshold's size in any of its 3 cells"));
    let required = ablate(d, &["gate", "--results", "noisy.json", "--baseline", "noisy.json", "--require-power"]);
    assert_eq!(code(&required), Some(6), "{}{}", stdout(&required), stderr(&required));
}

/// `gate` measuring the suite itself, with `--confirm` re-measuring failing cells: against a baseline no real
/// run can match (1 ns a repetition) it fails with exit 3; against one no real run can be slower than (1000 s)
/// it passes. Only the baseline's timings are made up; the candidate is measured for real. `--save-baseline`
/// stores the candidate after the gate that passed, never after the one that failed.
#[test]
fn gate_measures_confirms_and_judges_against_the_stored_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    save_baseline(d);
    let measured = read_json(&d.join("base.json"));
    with_walls(&measured, &d.join("instant.json"), |_, _| 1.0);
    with_walls(&measured, &d.join("glacial.json"), |_, _| 1e12);

    let mut beaten = vec!["gate"];
    let saving = ["--save-baseline", "kept"];
    beaten.extend(gate_args(&["--baseline", "instant.json", "--confirm", "1", "--out", "c.json"], "spin.iters=20000"));
    beaten.extend(saving);
    let output = ablate(d, &beaten);
    assert_eq!(code(&output), Some(3), "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("REGRESSED"), "{}", stdout(&output));
    assert_eq!(read_json(&d.join("c.json"))["cells"].as_array().unwrap().len(), 3, "the candidate is written");
    assert!(
        stderr(&output).contains("not saving baseline 'kept': the gate did not pass (exit 3"),
        "{}",
        stderr(&output)
    );
    assert!(!stdout(&ablate(d, &["baseline", "list"])).contains("  kept  "), "a failing gate saved its baseline");

    let mut passing = vec!["gate"];
    passing.extend(gate_args(
        &["--baseline", "glacial.json", "--min-efficiency", "0", "--out", "p.json"],
        "spin.iters=20000",
    ));
    passing.extend(saving);
    let output = ablate(d, &passing);
    assert_eq!(code(&output), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert!(stderr(&output).contains("baseline 'kept' saved to"), "{}", stderr(&output));
    let listed = stdout(&ablate(d, &["baseline", "list"]));
    let kept = listed.lines().find(|line| line.contains("  kept  ")).expect("the passing gate saved its baseline");
    let saved = read_json(&d.join(kept.split_whitespace().last().unwrap()));
    assert_eq!(saved["cells"], read_json(&d.join("p.json"))["cells"], "the baseline is the gate's candidate");
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
    for (flag, value) in [("--max-cell-time", "5s"), ("--reps", "20"), ("--warmup", "0")] {
        let named = format!("{flag} {value} does not apply with --ab");
        assert_refused(d, &["gate", "--ab", "base.json", flag, value], 2, &[&named, "--ab-rounds"]);
    }
    assert_refused(
        d,
        &["compare", "base.json", "--baseline", "main", "--threshold", "0.9"],
        2,
        &["regression_ratio 0.9"],
    );

    let allowed = ablate(d, &["compare", "base.json", "--baseline", "foreign.json", "--allow-foreign-baseline"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    let lenient = ablate(
        d,
        &["gate", "--results", "base.json", "--baseline", "nothing-here", "--lenient", "--min-efficiency", "0"],
    );
    assert_eq!(lenient.status.code(), Some(0), "{}", stderr(&lenient));
    assert!(stderr(&lenient).contains("warning"), "{}", stderr(&lenient));

    // Issue 27 item 8: --lenient excuses a baseline that is not there (or is another machine's), never a broken
    // one, and a gate that judged nothing does not pass.
    let gate_lenient = |baseline: &'static str| ["gate", "--results", "base.json", "--baseline", baseline, "--lenient"];
    assert_refused(d, &gate_lenient("truncated.json"), 5, &["truncated.json", "not JSON"]);
    assert_refused(d, &gate_lenient("future.json"), 5, &["schema version 99"]);
    let fingerprint = good["machine"]["fingerprint"].as_str().unwrap();
    std::fs::copy(d.join("foreign.json"), d.join("baselines").join(fingerprint).join("mislabelled.json")).unwrap();
    assert_refused(d, &gate_lenient("mislabelled"), 5, &["mislabelled.json", "another-machine", "mislabelled"]);
    let foreign = ablate(d, &gate_lenient("foreign.json"));
    assert_eq!(foreign.status.code(), Some(0), "another machine's baseline is a warning: {}", stderr(&foreign));
    assert!(stderr(&foreign).contains("warning") && stderr(&foreign).contains("another-machine"));
    let mut no_cells = good.clone();
    no_cells["cells"] = serde_json::json!([]);
    write("nocells.json", no_cells.to_string());
    assert_refused(d, &["gate", "--results", "nocells.json", "--lenient"], 5, &["judged nothing", "0 cells"]);
}

/// A base build stood in for by a script: the real binary serving the A/B driver, with every wall time it
/// reports replaced by `wall_ns` and its CPU time reported as not measured (0), so that no pair is set aside as
/// preempted whatever the real candidate meets on a busy test machine.
fn base_recording(dir: &Path, name: &str, wall_ns: u64) -> String {
    let script = dir.join(name);
    let binary = env!("CARGO_BIN_EXE_ablate");
    let body = format!(
        "#!/bin/sh\n{binary} \"$@\" | sed -u -E 's/\"wall_ns\":[0-9]+/\"wall_ns\":{wall_ns}/g; s/\"cpu_ns\":[0-9]+/\"cpu_ns\":0/g'\n"
    );
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    script.to_str().unwrap().to_owned()
}

/// A/B mode through the real binary: each round runs the cell under both builds, both records are written with
/// their pairing; the candidate, measured for real, is judged against a base whose times no real run can beat or
/// lose to.
#[test]
fn a_b_mode_runs_both_builds_alternately_and_judges_the_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let suite =
        ["-w", "spin", "--size", "40", "-s", "serial", "-j", "1", "-p", "spin.iters=20000", "--ab-rounds", "12"];

    let slow_base = base_recording(d, "slow-base.sh", 1_000_000_000_000);
    let mut against_slow = vec!["gate", "--ab", &slow_base, "--out", "improved.json"];
    against_slow.extend(suite);
    let output = ablate(d, &against_slow);
    assert_eq!(code(&output), Some(0), "{}{}", stdout(&output), stderr(&output));
    let record = read_json(&d.join("improved.json"));
    assert_eq!(record["cells"][0]["samples"].as_array().unwrap().len(), 12, "one sample per round");
    assert_eq!(record["config"]["profile"]["reps"], 12, "the record counts every round's repetition");
    let rounds: Vec<u64> =
        record["cells"][0]["samples"].as_array().unwrap().iter().map(|s| s["round"].as_u64().unwrap()).collect();
    assert_eq!(rounds, (0..12).collect::<Vec<u64>>(), "samples numbered by round, the key of each pair");
    assert_eq!(record["pairing"]["looks"], serde_json::json!([12]), "one look after a fixed number of rounds");
    assert_eq!(record["pairing"]["family"], 1);
    let base = read_json(&d.join("improved.ab-base.json"));
    assert!(base["cells"][0]["samples"].as_array().unwrap().iter().all(|s| s["wall_ns"] == 1_000_000_000_000u64));

    let fast_base = base_recording(d, "fast-base.sh", 1);
    let mut against_fast = vec!["gate", "--ab", &fast_base, "--out", "regressed.json"];
    against_fast.extend(suite);
    let output = ablate(d, &against_fast);
    assert_eq!(code(&output), Some(3), "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("spin/40/serial/w1/cauto") && stdout(&output).contains("REGRESSED"));
}

/// A one-line error naming the build, how it ended and its stderr; exit 1, never a usage error, never a file.
fn assert_build_failure(output: &Output, names: &[&str]) {
    assert_eq!(code(output), Some(1), "{}", stderr(output));
    let errors: Vec<&str> = std::str::from_utf8(&output.stderr).unwrap().lines().skip(1).collect();
    assert_eq!(errors.len(), 1, "one line: {errors:?}");
    for name in names {
        assert!(errors[0].contains(name), "names {name}: {}", errors[0]);
    }
    assert!(!errors[0].contains("cannot read"), "{}", errors[0]);
}

#[test]
fn item_11_a_base_that_is_not_ablate_is_named_with_its_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let output = ablate(dir.path(), &["gate", "--ab", "/bin/true", "-w", "spin", "--quick", "-s", "serial"]);
    assert_build_failure(
        &output,
        &["base build /bin/true", "exited with code 0", "before answering the A/B handshake", "stderr was empty"],
    );
}

/// A base that answers the handshake as a real build would, says something on stderr and dies of SIGSEGV.
#[test]
fn item_11_a_base_crashing_mid_run_is_named_with_its_signal_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("crashing-base.sh");
    let hello = r#"ablate-ab {"reply":"hello","protocol":1,"groups":[["spin/40/serial/w1/cauto"]]}"#;
    let body = format!("#!/bin/sh\necho '{hello}'\necho 'base: lost its mind' >&2\nkill -SEGV $$\n");
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let base = script.to_str().unwrap();
    let output = ablate(dir.path(), &["gate", "--ab", base, "-w", "spin", "--size", "40", "-s", "serial", "-j", "1"]);
    let names = ["base build", "crashing-base.sh", "killed by signal 11", "in the middle of the run", "lost its mind"];
    assert_build_failure(&output, &names);
}

/// Issue 27 item 1: a base that is byte for byte the candidate (a copy of this very binary) is refused before
/// anything is measured, exit 5, unless --allow-identical asks for the A/A check.
#[test]
fn item_27_1_a_base_identical_to_the_candidate_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let copy = d.join("base-copy");
    std::fs::copy(env!("CARGO_BIN_EXE_ablate"), &copy).unwrap();
    let base = copy.to_str().unwrap();
    let suite = ["-w", "spin", "--size", "40", "-s", "serial", "-j", "1", "-p", "spin.iters=2000", "--ab-rounds", "2"];
    let mut refused = vec!["gate", "--ab", base, "--out", "same.json"];
    refused.extend(suite);
    let output = ablate(d, &refused);
    assert_eq!(code(&output), Some(5), "{}", stderr(&output));
    assert!(stderr(&output).contains("byte for byte") && stderr(&output).contains("--allow-identical"));
    assert!(!d.join("same.json").exists(), "nothing measured, nothing written");

    let mut allowed = vec!["gate", "--ab", base, "--allow-identical", "--out", "aa.json"];
    allowed.extend(suite);
    let output = ablate(d, &allowed);
    // Measured: the rounds ran and their records were written. (Its verdict is not asserted: on a busy machine
    // both pairs of two rounds may be set aside as preempted, and a gate that compared nothing exits 5.)
    assert!(!stderr(&output).contains("byte for byte"), "{}", stderr(&output));
    assert!(d.join("aa.json").exists() && d.join("aa.ab-base.json").exists(), "{}", stderr(&output));
}
