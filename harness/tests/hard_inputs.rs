//! Hard inputs and faults through the real binary (issue 14, items 1–7 and 12): results written through devices,
//! FIFOs and symlinks without replacing them; worker counts and sizes the machine cannot honour refused in one
//! line; baselines read the same way whatever the route; a comparison of nothing failing; an early interrupt
//! leaving a readable file; destinations checked before anything runs; a replaced baseline named.
//!
//! Runs that could exhaust memory or threads run under an address-space limit (`setrlimit(RLIMIT_AS)`), so that
//! a regression fails the test instead of taking the machine down.

use std::os::unix::fs::FileTypeExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "hard_inputs/issue_27.rs"]
mod issue_27;

/// A small, quick suite: one workload, serial only, two timed repetitions.
const SMALL: [&str; 9] = ["run", "--quick", "-w", "spin", "--size", "8", "-s", "serial", "--reps=2"];

fn ablate_in(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ablate"));
    command.current_dir(dir);
    command
}

fn ablate(dir: &Path, args: &[&str]) -> Output {
    ablate_in(dir).args(args).output().expect("the ablate binary starts")
}

/// Runs `args` with the process's address space limited to `bytes`: what would exhaust memory or threads fails
/// inside the limit instead of on the machine.
fn ablate_limited(dir: &Path, bytes: u64, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = ablate_in(dir);
    command.args(args).envs(env.iter().copied());
    let limit = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
    // SAFETY: setrlimit is async-signal-safe and touches only the child about to exec.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
        });
    }
    command.output().expect("the ablate binary starts")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

/// Asserts the exit code and a one-line error on stderr that names every one of `names`.
fn assert_one_line(output: &Output, code: i32, names: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for name in names {
        assert!(err.contains(name), "'{name}' missing from {err}");
    }
}

/// A quick serial run written to `name` in `dir`.
fn small_run(dir: &Path, name: &str) -> Value {
    let output = ablate(dir, &[&SMALL[..], &["--out", name]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    read_json(&dir.join(name))
}

#[test]
fn item_1_out_onto_a_fifo_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("results.fifo");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path in a directory of our own.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let reading = fifo.clone();
    let reader = std::thread::spawn(move || std::fs::read(reading).unwrap());
    let output = ablate(dir.path(), &[&SMALL[..], &["--out", fifo.to_str().unwrap()]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
    let written: Value = serde_json::from_slice(&reader.join().unwrap()).unwrap();
    assert_eq!(written["cells"].as_array().unwrap().len(), 1);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left beside it");
}

#[test]
fn item_1_out_onto_dev_stdout_writes_through_the_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let output = ablate(dir.path(), &[&SMALL[..], &["--out", "/dev/stdout"]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8(output.stdout).unwrap();
    let (json, table) = printed.split_once("\n}\n").expect("the results JSON first, on lines of its own");
    let written: Value = serde_json::from_str(&format!("{json}\n}}")).unwrap();
    assert_eq!(written["cells"].as_array().unwrap().len(), 1);
    assert!(table.starts_with("workload"), "then the table: {printed}");
}

#[test]
fn item_1_out_onto_a_symlink_replaces_its_target_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("kept")).unwrap();
    std::fs::write(d.join("kept/target.json"), b"old").unwrap();
    std::os::unix::fs::symlink("kept/target.json", d.join("link.json")).unwrap();
    std::os::unix::fs::symlink("kept/absent.json", d.join("dangling.json")).unwrap();
    for link in ["link.json", "dangling.json"] {
        let output = ablate(d, &[&SMALL[..], &["--out", link]].concat());
        assert!(output.status.success(), "{link}: {}", stderr(&output));
        assert!(std::fs::symlink_metadata(d.join(link)).unwrap().file_type().is_symlink(), "{link} was replaced");
    }
    assert_eq!(read_json(&d.join("kept/target.json"))["schema_version"], 2, "the target holds the results");
    assert_eq!(read_json(&d.join("kept/absent.json"))["schema_version"], 2, "a dangling link's target is made");
    assert_eq!(std::fs::read_dir(d.join("kept")).unwrap().count(), 2, "no temporary file left beside the target");
}

#[test]
fn item_1_out_onto_a_character_device_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("null");
    let name = std::ffi::CString::new(device.to_str().unwrap()).unwrap();
    // SAFETY: makes a new node (the null device's numbers) in a directory of our own; the real /dev is untouched.
    if unsafe { libc::mknod(name.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) } != 0 {
        eprintln!("skipped: cannot make a device node here ({})", std::io::Error::last_os_error());
        return;
    }
    let output = ablate(dir.path(), &[&SMALL[..], &["--out", device.to_str().unwrap()]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let kind = std::fs::symlink_metadata(&device).unwrap().file_type();
    assert!(kind.is_char_device(), "the device was replaced by {kind:?}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left beside it");
}

#[test]
fn item_2_a_worker_count_absurd_on_its_face_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for strategy in ["threads", "crossbeam"] {
        let args = ["run", "--quick", "-w", "spin", "-s", strategy, "-j", "100000", "--out", "r.json"];
        let output = ablate_limited(dir.path(), 2 << 30, &[], &args);
        assert_one_line(&output, 2, &["'100000'", "at most"]);
        assert!(!dir.path().join("r.json").exists());
    }
}

#[test]
fn item_2_workers_the_system_refuses_fail_their_cells_and_the_rest_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["run", "--quick", "-w", "spin", "--size", "16", "-s", "threads,rayon,crossbeam", "-j", "1,8"];
    let huge_stacks = [("RUST_MIN_STACK", "268435456")];
    let output =
        ablate_limited(dir.path(), 1536 << 20, &huge_stacks, &[&args[..], &["--reps=1", "-o", "r.json"]].concat());
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let record = read_json(&dir.path().join("r.json"));
    for cell in record["cells"].as_array().unwrap() {
        let id = cell["id"].as_str().unwrap();
        if cell["workers"] == 8 {
            assert_eq!(cell["status"]["state"], "failed", "{id}");
            let reason = cell["status"]["reason"].as_str().unwrap();
            assert!(reason.contains("8 workers") || reason.contains("of 8"), "{id}: {reason}");
            assert!(err.contains(&format!("cell {id} failed")), "{err}");
        } else {
            assert_eq!(cell["status"]["state"], "ok", "{id}: {}", cell["status"]);
        }
    }
}

#[test]
fn item_3_sizes_that_do_not_fit_in_memory_are_refused_before_building() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &[&str]); 5] = [
        (&["-w", "payload", "--size", "100G"], &["payload", "100000000000", "fit"]),
        (&["-w", "triad", "--size", "4Gi"], &["triad", "4294967296", "fit"]),
        (&["-w", "gather", "--size", "64Gi"], &["gather", "68719476736", "fit"]),
        (&["-w", "spin", "--size", "1G"], &["spin", "1000000000", "fit"]),
        (&["-w", "gather", "-p", "gather.lookups=99999999999999"], &["gather", "lookups=99999999999999"]),
    ];
    for (args, names) in cases {
        let all = [&["run", "--quick", "-s", "serial", "--out", "r.json"][..], args].concat();
        let output = ablate_limited(dir.path(), 8 << 30, &[], &all);
        assert_one_line(&output, 2, names);
        assert!(stderr(&output).contains("available"), "{}", stderr(&output));
        assert!(!dir.path().join("r.json").exists(), "{args:?}");
    }
}

#[test]
fn item_4_a_foreign_baseline_is_refused_by_name_as_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let saved = ablate(d, &[&SMALL[..], &["--out", "r.json", "--save-baseline", "main"]].concat());
    assert!(saved.status.success(), "{}", stderr(&saved));
    let fingerprint = read_json(&d.join("r.json"))["machine"]["fingerprint"].as_str().unwrap().to_owned();
    let stored = d.join("baselines").join(&fingerprint).join("main.json");
    let mut foreign = read_json(&stored);
    foreign["machine"]["fingerprint"] = "another-machine-00000000".into();
    write_json(&stored, &foreign);

    let by_name = ablate(d, &["compare", "r.json", "--baseline", "main"]);
    assert_one_line(&by_name, 5, &["another-machine-00000000", "--allow-foreign-baseline"]);
    let by_path = ablate(d, &["compare", "r.json", "--baseline", stored.to_str().unwrap()]);
    assert_one_line(&by_path, 5, &["another-machine-00000000", "--allow-foreign-baseline"]);
    let allowed = ablate(d, &["compare", "r.json", "--baseline", "main", "--allow-foreign-baseline"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
}

#[test]
fn item_5_a_comparison_that_compared_nothing_fails_with_exit_5() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = small_run(d, "r.json");
    let mut no_cells = good.clone();
    no_cells["cells"] = serde_json::json!([]);
    write_json(&d.join("empty.json"), &no_cells);
    let mut elsewhere = good.clone();
    for cell in elsewhere["cells"].as_array_mut().unwrap() {
        cell["id"] = cell["id"].as_str().unwrap().replace("spin/8/", "spin/9/").into();
    }
    write_json(&d.join("other.json"), &elsewhere);

    let empty_baseline = ablate(d, &["compare", "r.json", "--baseline", "empty.json"]);
    assert_one_line(&empty_baseline, 5, &["empty.json", "no cells"]);
    let empty_candidate = ablate(d, &["compare", "empty.json", "--baseline", "r.json"]);
    assert_one_line(&empty_candidate, 5, &["empty.json", "no cells"]);
    let disjoint = ablate(d, &["compare", "r.json", "--baseline", "other.json"]);
    assert_one_line(&disjoint, 5, &["no cell in common", "spin/8/serial/w1/cauto", "spin/9/serial/w1/cauto"]);
    let gate = ablate(d, &["gate", "--results", "r.json", "--baseline", "other.json", "--min-efficiency", "0"]);
    assert_eq!(gate.status.code(), Some(5), "{}", stderr(&gate));
    assert!(stderr(&gate).contains("no cell in common"), "{}", stderr(&gate));
}

/// The pids of `parent`'s children, from /proc.
/// The worker processes `parent` has started: its children that run ablate itself (the run also starts `git`
/// briefly, before its interrupt handler is in place, to read the project's commit; that child does not count).
fn children_of(parent: u32) -> usize {
    let path = format!("/proc/{parent}/task/{parent}/children");
    let children = std::fs::read_to_string(path).unwrap_or_default();
    let ablate = |pid: &str| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "ablate");
    children.split_whitespace().filter(|pid| ablate(pid)).count()
}

#[test]
fn item_6_an_early_interrupt_leaves_a_file_that_report_and_compare_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Serial warms up first, for seconds; the worker process exists once the interrupt handler is in place.
    let slow = ["run", "-w", "spin", "--size", "40", "-p", "spin.iters=200000000", "-s", "process", "-j", "1"];
    let mut child = ablate_in(d)
        .args([&slow[..], &["--reps", "3", "--out", "r.json"]].concat())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while children_of(child.id()) == 0 {
        assert!(Instant::now() < deadline, "the worker process never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let record = read_json(&d.join("r.json"));
    assert_eq!(record["cancelled"], true);
    for cell in record["cells"].as_array().unwrap() {
        assert!(cell["samples"].as_array().unwrap().is_empty(), "{}", cell["id"]);
        assert_eq!(cell["status"]["state"], "unmeasured", "{}", cell["id"]);
        assert!(cell["status"]["reason"].as_str().unwrap().contains("interrupted"), "{}", cell["status"]);
    }
    let report = ablate(d, &["report", "r.json", "--out-dir", "site"]);
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    let page = std::fs::read_to_string(d.join("site/index.html")).unwrap();
    assert!(page.contains("interrupted before its first timed repetition"), "the page says why a cell is empty");
    let compared = ablate(d, &["compare", "r.json", "--baseline", "r.json"]);
    assert_one_line(&compared, 5, &["r.json", "no measured cells"]);
}

#[test]
fn item_7_destinations_that_cannot_be_written_fail_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("blocker"), b"keep").unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&["--report", "blocker/site"], "blocker/site"),
        (&["--report", "/proc/ablate-report"], "/proc/ablate-report"),
        (&["--save-baseline", "main", "--baseline-dir", "blocker/baselines"], "blocker/baselines"),
    ];
    for (args, named) in cases {
        let output = ablate(d, &[&SMALL[..], &["--out", "r.json"], args].concat());
        assert_one_line(&output, 1, &[named]);
        assert!(!d.join("r.json").exists(), "{args:?}: the suite ran before the destination was checked");
    }
    assert_eq!(std::fs::read(d.join("blocker")).unwrap(), b"keep");
}

#[test]
fn item_12_saving_over_a_baseline_says_what_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let save = || ablate(d, &[&SMALL[..], &["--out", "r.json", "--save-baseline", "main"]].concat());
    let first = save();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(!stderr(&first).contains("replacing"), "{}", stderr(&first));
    let old = read_json(&d.join("r.json"));
    let second = save();
    assert!(second.status.success(), "{}", stderr(&second));
    let said = stderr(&second);
    let line = said.lines().find(|l| l.contains("baseline 'main' saved")).unwrap_or_else(|| panic!("{said}"));
    assert!(line.contains("replacing") && line.contains(old["created"].as_str().unwrap()), "{line}");
    let commit = old["machine"]["git_commit"].as_str().map_or("unknown commit".to_owned(), |c| c[..7].to_owned());
    assert!(line.contains(&commit), "{line}");
}
