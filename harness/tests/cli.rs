//! Drives the real `ablate` binary on tiny sizes: the whole suite, the output formats, and every bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Tiny sizes for every built-in workload, so the whole suite runs in about a second even in a debug build.
const TINY: &str = "spin=40,var=4000,backtest=2000,mandelbrot=64,triad=65536,gather=65536,skewed=40,payload=1Mi";

fn ablate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate")).args(args).output().expect("the ablate binary starts")
}

fn run_to(dir: &Path, args: &[&str]) -> (Output, PathBuf) {
    let out = dir.join("results.json");
    let mut all = vec!["run", "--quick", "--reps", "2", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    (ablate(&all), out)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read_record(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("results file written")).expect("results file is JSON")
}

#[test]
fn whole_suite_under_every_strategy_matches_serial_digests() {
    let dir = tempfile::tempdir().unwrap();
    let (output, out) = run_to(dir.path(), &["--strategies", "all", "--workers", "1,2", "--size", TINY]);
    assert!(output.status.success(), "{}", stderr(&output));
    let record = read_record(&out);
    assert_eq!(record["schema_version"], 2);
    assert!(record["machine"]["fingerprint"].as_str().unwrap().len() > 8);
    let cells = record["cells"].as_array().unwrap();
    let workloads: std::collections::BTreeSet<&str> = cells.iter().map(|c| c["workload"].as_str().unwrap()).collect();
    assert_eq!(workloads.len(), 8, "{workloads:?}");
    assert_eq!(cells.len(), 8 * (1 + 4 * 2));
    for cell in cells {
        assert_eq!(cell["status"]["state"], "ok", "{}: {}", cell["id"], cell["status"]);
        assert_eq!(cell["digest"], cell["serial_digest"], "{}", cell["id"]);
        assert_eq!(cell["samples"].as_array().unwrap().len(), 2, "{}", cell["id"]);
        if matches!(cell["strategy"].as_str(), Some("crossbeam" | "process")) {
            assert_eq!(cell["effective_chunk"], "adaptive", "{}", cell["id"]);
        }
        assert_eq!(cell["task_times"]["count"].as_u64().unwrap(), 2 * cell["tasks"].as_u64().unwrap());
        let speedup = cell["summary"]["speedup"].as_f64().unwrap();
        assert!(speedup > 0.0 && speedup.is_finite(), "{}", cell["id"]);
    }
    let stdout = String::from_utf8(output.stdout).unwrap();
    let streamed = stdout.lines().filter(|l| l.starts_with("measured ") && l.ends_with(" ok")).count();
    assert_eq!(streamed, cells.len(), "a row per cell as its workload was measured: {stdout}");
    let table = &stdout[stdout.find("\nworkload ").expect("the final table")..];
    assert_eq!(table.lines().filter(|l| l.ends_with("ok")).count(), cells.len(), "{table}");
}

#[test]
fn auto_decides_for_every_workload_and_matches_serial_beside_the_naive_default() {
    let dir = tempfile::tempdir().unwrap();
    let (output, out) = run_to(dir.path(), &["--strategies", "auto,naive", "--workers", "2", "--size", TINY]);
    assert!(output.status.success(), "{}", stderr(&output));
    let record = read_record(&out);
    let cells = record["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 8 * 3, "serial, naive and auto for each workload");
    for cell in cells {
        assert_eq!(cell["status"]["state"], "ok", "{}: {}", cell["id"], cell["status"]);
        assert_eq!(cell["digest"], cell["serial_digest"], "{}", cell["id"]);
    }
    let autos: Vec<&Value> = cells.iter().filter(|c| c["id"].as_str().unwrap().ends_with("/auto")).collect();
    assert_eq!(autos.len(), 8);
    for auto in &autos {
        let decision = &auto["decision"];
        assert_eq!(decision["strategy"], auto["strategy"], "the cell ran what was decided");
        assert!(!decision["reasons"].as_array().unwrap().is_empty(), "{}", auto["id"]);
        assert_eq!(decision["pilot"]["tasks"], auto["tasks"]);
    }
    let naive = cells.iter().filter(|c| c["id"].as_str().unwrap().ends_with("/process/w2/c1/copy")).count();
    assert_eq!(naive, 8, "the naive default: processes, one task per dispatch, the input copied");
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("auto→") && table.contains("auto against the fixed strategies"), "{table}");
    assert!(table.contains("geometric mean"), "{table}");
    for row in table.lines().skip_while(|l| !l.starts_with("auto against")).skip(2).take(8) {
        let (ratio, interval) = auto_ratio_and_interval(row);
        assert!(interval.0 <= ratio && ratio <= interval.1, "the interval holds the ratio: {row}");
    }
    // Under a workload's reasons come its race (`  race: …`) and, when the times moved within the run, a `  ? …` note.
    let explained: Vec<&str> = table.lines().skip_while(|l| !l.starts_with("why auto chose")).skip(1).collect();
    let why: Vec<&str> = explained.iter().copied().filter(|l| !l.is_empty() && !l.starts_with(' ')).collect();
    let races: Vec<&str> = explained.iter().copied().filter(|l| l.starts_with("  race: ")).collect();
    assert_eq!(why.len(), 8, "a line of reasons per workload: {table}");
    let raced = autos.iter().filter(|auto| auto["decision"]["race"].is_object()).count();
    assert!(raced >= 4, "most workloads have more than one candidate: {table}");
    assert_eq!(races.len(), raced, "a line per race: {table}");
    assert!(races.iter().all(|race| race.contains("(won)")), "{races:?}");
    for (line, auto) in why.iter().zip(&autos) {
        let first_reason = auto["decision"]["reasons"][0].as_str().unwrap();
        assert!(line.starts_with(auto["workload"].as_str().unwrap()) && line.contains(first_reason), "{line}");
    }
    assert!(stderr(&output).contains("/auto: "), "the decision is said as it is made: {}", stderr(&output));
}

#[test]
fn auto_races_the_worker_processes_the_group_launched_and_runs_what_it_chose() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = ["--strategies", "serial,process,auto", "--workers", "1,2"];
    // 1 Mi entries: 8 tasks of the default 64 Ki lookups.
    let (output, out) = run_to(dir.path(), &[&["-w", "gather", "--size", "gather=1Mi"][..], &strategies].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let record = read_record(&out);
    let cells = record["cells"].as_array().unwrap();
    let auto = cells.iter().find(|c| c["id"] == "gather/1048576/auto").expect("the auto cell");
    let decision = &auto["decision"];
    assert_eq!((&decision["strategy"], &decision["workers"]), (&auto["strategy"], &auto["workers"]));
    assert_eq!(decision["transport"], auto["transport"], "the cell ran the transport decided");
    let entrants = decision["race"]["entrants"].as_array().expect("worker processes make a race even on one core");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let raced = &["serial ×1", "process/shm ×1", "process/shm ×2"][..if cores >= 2 { 3 } else { 2 }];
    for label in raced {
        let entrant = entrants.iter().find(|e| e["label"] == *label).unwrap_or_else(|| panic!("{label}: {decision}"));
        assert!(!entrant["times_ns"].as_array().unwrap().is_empty(), "{label} was timed: {decision}");
    }
    if decision["strategy"] == "process" {
        let twin = format!("runs on the pool of gather/1048576/process/w{}/cauto/shm", decision["workers"]);
        let reasons = decision["reasons"].as_array().unwrap();
        assert!(reasons.iter().any(|r| r.as_str().unwrap().contains(&twin)), "{decision}");
    }
}

/// The auto ÷ best ratio and its interval from a row of the comparison: `… 1.03 [0.95, 1.12] …`, or `1.03?` where
/// the race and the cell met different conditions (a loaded or unpinned machine).
fn auto_ratio_and_interval(row: &str) -> (f64, (f64, f64)) {
    let (before, after) = row.split_once('[').expect("an interval");
    let ratio = before.split_whitespace().last().unwrap().trim_end_matches('?').parse().unwrap();
    let (low, rest) = after.split_once(", ").unwrap();
    let high = rest.split_once(']').unwrap().0;
    (ratio, (low.parse().unwrap(), high.parse().unwrap()))
}

#[test]
fn memory_bound_cells_report_bandwidth_and_payload_is_measured() {
    let dir = tempfile::tempdir().unwrap();
    let (output, out) = run_to(dir.path(), &["-w", "triad,spin", "-s", "serial", "--size", "triad=65536,spin=10"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let record = read_record(&out);
    let cell = |name: &str| record["cells"].as_array().unwrap().iter().find(|c| c["workload"] == name).unwrap().clone();
    assert!(cell("triad")["summary"]["gbps"].as_f64().unwrap() > 0.0);
    assert_eq!(cell("triad")["bytes_touched"], 24 * 65536);
    assert!(cell("spin")["summary"]["gbps"].is_null());
    assert_eq!(cell("spin")["payload"]["output_bytes_max"].as_u64().unwrap(), 10, "a u64 postcard varint");
}

#[test]
fn shorthand_without_run_and_every_format_parses() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let base = ["--workloads", "spin", "--size", "8", "--quick", "--reps", "1", "--workers", "2", "--out"];
    let run = |format: &str| {
        let output = ablate(&[&base[..], &[out.to_str().unwrap(), "--format", format]].concat());
        assert!(output.status.success(), "{format}: {}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["cells"].as_array().unwrap().len(), 5);
    let csv = run("csv");
    assert_eq!(csv.lines().count(), 6);
    assert!(csv.starts_with("id,workload,size,strategy"));
    let md = run("md");
    assert!(md.starts_with("## ablate: ") && !md.contains("gate") && md.contains("### Which strategy wins"), "{md}");
    assert!(md.contains("| workload | size |") && md.contains("</details>"), "the cells are folded below: {md}");
    let bmf: Value = serde_json::from_str(&run("bmf")).unwrap();
    assert!(bmf["spin/8/serial/w1/cauto"]["latency"]["value"].as_f64().unwrap() > 0.0, "{bmf}");
}

#[test]
fn run_with_report_writes_the_page_and_report_reads_results_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = ["-w", "spin,payload", "--size", "spin=8,payload=1Mi", "--quick", "--reps", "2", "-j", "1,2"];
    let output = Command::new(env!("CARGO_BIN_EXE_ablate"))
        .current_dir(d)
        .args(["run", "--out", "r.json", "--report"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("report written to reports/index.html"), "{}", stderr(&output));
    for file in ["reports/index.html", "reports/charts/speedup.svg", "reports/summary.md", "reports/bmf.json"] {
        assert!(d.join(file).is_file(), "{file} missing");
    }
    let two = Command::new(env!("CARGO_BIN_EXE_ablate"))
        .current_dir(d)
        .args(["report", "r.json", "r.json", "--baseline", "r.json", "--out-dir", "both"])
        .output()
        .unwrap();
    assert!(two.status.success(), "{}", stderr(&two));
    assert!(d.join("both/charts/run2-baseline-1.svg").is_file(), "a baseline chart per workload");
    let missing =
        Command::new(env!("CARGO_BIN_EXE_ablate")).current_dir(d).args(["report", "nope.json"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("nope.json") && stderr(&missing).lines().count() == 1, "{}", stderr(&missing));
    assert!(!d.join("reports/nope").exists());
}

#[test]
fn a_panicking_task_fails_its_cells_but_not_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["-w", "spin,triad", "--size", "spin=20,triad=65536", "-p", "spin.panic_on=7", "--workers", "1,2"];
    let (output, out) = run_to(dir.path(), &args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let record = read_record(&out);
    for cell in record["cells"].as_array().unwrap() {
        let state = &cell["status"]["state"];
        if cell["workload"] == "spin" {
            assert_eq!(state, "failed", "{}", cell["id"]);
            let reason = cell["status"]["reason"].as_str().unwrap();
            assert!(reason.contains("task 7") && reason.contains("panicked on purpose"), "{reason}");
        } else {
            assert_eq!(state, "ok", "{}", cell["id"]);
        }
    }
    assert!(stderr(&output).contains("cell spin/20/serial/w1/cauto failed: task 7"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("RUST_BACKTRACE"), "task panics are reported, not dumped");
}

#[test]
fn a_time_limit_per_cell_stops_its_repetitions_after_the_minimum() {
    let counts = |limit: &str| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("results.json");
        let suite = ["-w", "spin,payload", "--size", "spin=40,payload=1Mi", "-s", "rayon,crossbeam", "-j", "1,2"];
        let limited = ["--reps", "6", "--max-cell-time", limit, "--out", out.to_str().unwrap()];
        let output = ablate(&[&["run", "--quick"][..], &suite, &limited].concat());
        assert!(output.status.success(), "{}", stderr(&output));
        let table = String::from_utf8(output.stdout).unwrap();
        assert!(table.contains("up to 6 timed repetitions per cell (at least 3"), "{table}");
        let record = read_record(&out);
        let cells = record["cells"].as_array().unwrap().clone();
        assert_eq!(cells.len(), 2 * 5);
        cells.iter().map(|c| c["samples"].as_array().unwrap().len()).collect::<Vec<_>>()
    };
    assert_eq!(counts("1ns"), vec![3; 10], "past the limit at once: the minimum of 3 each");
    assert_eq!(counts("1h"), vec![6; 10], "never reached: every repetition");
}

/// Runs a bad command line; asserts its exit code, a one-line error naming `names`, and no results file.
fn assert_refused(args: &[&str], code: i32, names: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let mut all = vec!["run", "--quick", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = ablate(&all);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    for name in names {
        assert!(err.contains(name), "{args:?}: '{name}' missing from {err}");
    }
    assert!(!out.exists(), "{args:?} wrote a results file");
}

#[test]
fn bad_input_is_refused_with_one_line_and_the_documented_code() {
    assert_refused(&["--workloads", "spin,nope"], 2, &["'nope'", "spin", "triad"]);
    assert_refused(&["--strategies", "fibers"], 2, &["'fibers'", "serial", "crossbeam"]);
    assert_refused(&["--workers", "0"], 2, &["'0'", "max"]);
    assert_refused(&["--workers", "two"], 2, &["'two'", "max"]);
    assert_refused(&["--size", "lots"], 2, &["'lots'", "Mi"]);
    assert_refused(&["--chunk", "-3"], 2, &["-3"]);
    assert_refused(&["--format", "xml"], 2, &["'xml'", "table", "csv"]);
    assert_refused(&["-w", "spin", "-p", "spin.color=red"], 2, &["'color'", "iters"]);
    assert_refused(&["-w", "spin", "-p", "spin.iters=many"], 2, &["iters=many"]);
    assert_refused(&["--max-cell-time", "soon"], 2, &["--max-cell-time 'soon'", "500ms"]);
    assert_refused(&["--frobnicate"], 2, &["--frobnicate"]);
}

#[test]
fn unwritable_out_is_an_io_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"keep").unwrap();
    let out = blocker.join("results.json");
    let output = ablate(&["run", "--quick", "-w", "spin", "--out", out.to_str().unwrap()]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("not-a-dir/results.json"), "{err}");
    assert_eq!(std::fs::read(&blocker).unwrap(), b"keep");
}

#[test]
fn list_shows_every_workload_with_kind_and_every_strategy() {
    let output = ablate(&["list"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for name in ["spin", "var", "backtest", "mandelbrot", "triad", "gather", "skewed", "payload"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(name)), "{name} missing:\n{text}");
    }
    for strategy in ["serial", "threads", "rayon", "crossbeam", "process"] {
        assert!(text.contains(&format!("  {strategy} ")), "{strategy} missing:\n{text}");
    }
    assert!(text.contains("memory") && text.contains("cpu"));
}

#[test]
fn item_11_an_io_error_prints_its_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let output = ablate(&["compare", missing.to_str().unwrap(), "--baseline", "main"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains(missing.to_str().unwrap()), "names the file: {message}");
    assert_eq!(message.matches("No such file or directory").count(), 1, "the cause once: {message}");
}

/// The scripts CI runs find the binaries through `cargo metadata` (a CARGO_TARGET_DIR or a workspace-wide
/// target directory moves them): a `target/` path is allowed only under a directory the script itself points
/// CARGO_TARGET_DIR at.
#[test]
fn item_11_ci_scripts_ask_cargo_for_the_target_directory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for script in [".ci/run", "ci/gate.sh", "ci/study.sh", "ci/gate-e2e.sh", "ci/load-study.sh", "ci/leftovers.sh"] {
        let text = std::fs::read_to_string(root.join(script)).unwrap();
        let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
        let set_dirs: Vec<String> = code
            .iter()
            .filter_map(|l| l.split("CARGO_TARGET_DIR=").nth(1))
            .filter_map(|rest| rest.trim_start_matches('"').split('"').next().map(str::to_owned))
            .collect();
        for line in &code {
            for (at, _) in line.match_indices("target/") {
                let before = &line[..at];
                let own =
                    set_dirs.iter().any(|dir| dir.ends_with("/target") && before.ends_with(&dir[..dir.len() - 6]));
                assert!(own, "{script} assumes the target directory: {line}");
            }
        }
        if text.contains("release/ablate") {
            assert!(text.contains("cargo metadata"), "{script} runs ablate without asking cargo where it is");
        }
    }
}
