//! Issue 27, items 7 and 10, through the real binary: numbers past their documented maxima refused in one line
//! (exit 2) before anything runs; a thresholds file missing or too large refused by name; control characters
//! from a results file never reaching the terminal raw; and a size the footprint check accepts under an
//! address-space limit running rather than aborting.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use super::{SMALL, ablate, ablate_in, ablate_limited, assert_one_line, read_json, small_run, stderr, write_json};

/// Runs `args` and kills it after `limit`, a hang guard: a run that should have been refused at parse time but
/// went on measuring fails the test instead of holding it up.
fn ablate_guarded(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = ablate_in(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ablate binary starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    child.wait_with_output().unwrap()
}

#[test]
fn item_27_7_a_huge_task_timeout_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--task-timeout", "--load-timeout"] {
        let args = [&SMALL[..6], &["-s", "process", "-j", "1", flag, "9223372036854775807s", "-o", "r.json"]].concat();
        let output = ablate_guarded(dir.path(), &args, Duration::from_secs(60));
        assert_one_line(&output, 2, &[flag, "'9223372036854775807s'", "at most 1day"]);
        assert!(!dir.path().join("r.json").exists(), "{flag}: the suite ran");
    }
}

#[test]
fn item_27_10_counts_past_their_maxima_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    small_run(d, "base.json");
    let cases: [(&[&str], &str, &str); 6] = [
        (&["--warmup", "100000"], "--warmup", "1000"),
        (&["--reps", "4294967295"], "--reps", "100000"),
        (&["--retries", "4294967295"], "--retries", "100"),
        (&["--max-pool-failures", "4294967295"], "--max-pool-failures", "10000"),
        (&["--auto-budget", "1e300"], "--auto-budget", "1000"),
        (&["--max-cell-time", "100000h"], "--max-cell-time", "1day"),
    ];
    for (args, flag, most) in cases {
        let output = ablate_guarded(d, &[&SMALL[..8], args, &["-o", "r.json"]].concat(), Duration::from_secs(10));
        assert_one_line(&output, 2, &[flag, args[1], most]);
    }
    let gates: [(&[&str], &str, &str); 2] = [
        (&["--confirm", "4294967295", "--baseline", "base.json"], "--confirm", "20"),
        (&["--ab", "base.json", "--ab-rounds", "4294967295"], "--ab-rounds", "10000"),
    ];
    for (args, flag, most) in gates {
        let all = [&["gate"][..], &SMALL[1..8], args, &["-o", "r.json"]].concat();
        let output = ablate_guarded(d, &all, Duration::from_secs(10));
        assert_one_line(&output, 2, &[flag, "4294967295", most]);
    }
    assert!(!d.join("r.json").exists(), "a suite ran");
}

#[test]
fn item_27_7_a_huge_or_missing_thresholds_file_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    small_run(d, "r.json");
    std::fs::write(d.join("huge.toml"), "# a comment, over and over\n".repeat(80_000)).unwrap();
    let huge = ablate(d, &["compare", "r.json", "--baseline", "r.json", "--thresholds", "huge.toml"]);
    assert_one_line(&huge, 2, &["huge.toml", "at most 1 MiB"]);
    let missing = ablate(d, &["compare", "r.json", "--baseline", "r.json", "--thresholds", "absent.toml"]);
    assert_one_line(&missing, 2, &["absent.toml"]);
    std::fs::write(d.join("nan.toml"), "[defaults]\nalpha = nan\n").unwrap();
    let nan = ablate(d, &["compare", "r.json", "--baseline", "r.json", "--thresholds", "nan.toml"]);
    assert_one_line(&nan, 2, &["nan.toml", "alpha NaN"]);
}

#[test]
fn item_27_10_control_characters_from_a_results_file_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut hostile = small_run(d, "r.json");
    for cell in hostile["cells"].as_array_mut().unwrap() {
        cell["workload"] = "spin\u{1b}[2J\u{1b}]0;owned\u{7}".into();
        cell["id"] = format!("{}\u{1b}[31m\u{9b}1m\r", cell["id"].as_str().unwrap()).into();
    }
    write_json(&d.join("hostile.json"), &hostile);
    let runs = [
        ablate(d, &["compare", "hostile.json", "--baseline", "r.json"]),
        ablate(d, &["compare", "r.json", "--baseline", "hostile.json"]),
        ablate(d, &["compare", "hostile.json", "--baseline", "hostile.json", "--min-efficiency", "0"]),
    ];
    for output in runs {
        let printed = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
        let text = String::from_utf8_lossy(&printed);
        assert!(!text.contains(['\u{1b}', '\u{7}', '\u{9b}', '\r']), "a control character printed raw: {text:?}");
        assert!(text.contains("spin"), "{text}");
    }
    assert_eq!(read_json(&d.join("hostile.json"))["cells"][0]["workload"], hostile["cells"][0]["workload"]);
}

#[test]
fn item_27_7_a_size_the_footprint_check_accepts_does_not_abort_under_an_address_space_limit() {
    let dir = tempfile::tempdir().unwrap();
    let limit = 3 << 30;
    let pools =
        ["run", "--quick", "-w", "triad", "-s", "threads,rayon,crossbeam", "-j", "16", "--reps=1", "-o", "r.json"];
    let refused = ablate_limited(dir.path(), limit, &[], &[&pools[..], &["--size", "999999999"]].concat());
    assert_one_line(&refused, 2, &["triad", "address-space limit", "fit"]);
    let said = stderr(&refused);
    let fitting = said.rsplit_once("--size triad=").unwrap().1.split(' ').next().unwrap().trim().to_owned();
    if cfg!(feature = "portable-platform") {
        // The portable platform cannot read the address space in use (Linux's VmSize): the size it names fits the
        // whole limit, an upper bound, and may abort with what is in use. Only Linux promises the run below.
        return;
    }
    let output = ablate_limited(dir.path(), limit, &[], &[&pools[..], &["--size", &fitting, "--warmup", "0"]].concat());
    assert_eq!(output.status.code(), Some(0), "the size the check named, {fitting}, did not run: {}", stderr(&output));
}
