//! The `mpi` strategy across two hosts made of network namespaces (`ci/mpi-hosts.sh`): a rank killed on the other
//! host, that host's link taken down, a rank that never starts. Each ends within its bound with the error naming
//! the rank and host, exit 1, the failed cell beside the cells kept, and no process left in any namespace.
//! Needs root and network namespaces; without them each test says why and passes (`.ci/run` runs them as root).
#![cfg(feature = "mpi")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const ABLATE: &str = env!("CARGO_BIN_EXE_ablate");

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ci").join(name)
}

/// Why the bed cannot be made here, if it cannot.
fn no_bed() -> Option<String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not root: network namespaces need it".to_owned());
    }
    let probe = Command::new("unshare").args(["-n", "true"]).status();
    (!probe.is_ok_and(|s| s.success())).then(|| "no network namespace support (unshare -n failed)".to_owned())
}

struct Faulted {
    stdout: String,
    stderr: String,
    record: Option<Value>,
}

/// `fault` injected in a two-host bed of its own, bounded by `timeout` (the coreutils command) at 240 s.
fn run_fault(fault: &str) -> Option<Faulted> {
    if let Some(why) = no_bed() {
        eprintln!("skipped: {why}");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let name = format!("t{}{fault}", std::process::id());
    let output: Output = Command::new("timeout")
        .args(["240", "bash"])
        .arg(script("mpi-hosts.sh"))
        .args(["--name", &name, "--"])
        .arg(script("mpi-fault.sh"))
        .args([fault, ABLATE])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_ne!(output.status.code(), Some(124), "the fault {fault} was not over within 240 s: {stderr}");
    let namespaces = String::from_utf8(Command::new("ip").args(["netns", "list"]).output().unwrap().stdout).unwrap();
    assert!(!namespaces.contains(&format!("ablate-{name}-")), "the bed left namespaces: {namespaces}");
    let record = out.exists().then(|| serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap());
    Some(Faulted { stdout: String::from_utf8_lossy(&output.stdout).into_owned(), stderr, record })
}

fn line_starting<'a>(text: &'a str, start: &str) -> &'a str {
    text.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("no line {start}: {text}"))
}

/// The pids a line `left on HOST: ...` lists.
fn left_on(stdout: &str, host: &str) -> Vec<u32> {
    let line = line_starting(stdout, &format!("left on {host}:"));
    line.split(':').nth(1).unwrap().split_whitespace().map(|p| p.parse().unwrap()).collect()
}

/// The mpi cells failed naming `rank` on h2 (any rank there when empty), serial's cells measured, exit 1.
fn assert_lost_and_kept(faulted: &Faulted, rank: &str) {
    assert_eq!(line_starting(&faulted.stdout, "rc="), "rc=1", "{}", faulted.stderr);
    let record = faulted.record.as_ref().expect("the results were written before the job ended");
    for cell in record["cells"].as_array().unwrap() {
        let (state, id) = (&cell["status"]["state"], &cell["id"]);
        if cell["strategy"] == "serial" {
            assert_eq!(state, "ok", "{id} was kept");
        } else {
            let reason = cell["status"]["reason"].as_str().unwrap_or_default();
            assert_eq!(state, "failed", "{id}");
            assert!(reason.contains(&format!("{rank} on host h2")) && reason.contains("lost"), "{id}: {reason}");
        }
    }
    assert!(faulted.stderr.contains("on host h2 did not answer within"), "{}", faulted.stderr);
}

#[test]
fn a_rank_killed_on_another_host_fails_its_cell_and_keeps_the_others() {
    let Some(faulted) = run_fault("kill") else { return };
    assert_lost_and_kept(&faulted, "rank 3");
    assert!(
        left_on(&faulted.stdout, "h1").is_empty() && left_on(&faulted.stdout, "h2").is_empty(),
        "{}",
        faulted.stdout
    );
}

#[test]
fn a_host_whose_link_goes_down_fails_its_cell_and_keeps_the_others() {
    let Some(faulted) = run_fault("link") else { return };
    assert_lost_and_kept(&faulted, "");
    assert!(left_on(&faulted.stdout, "h1").is_empty(), "nothing left on the reachable host: {}", faulted.stdout);
    // What still ran on the unreachable host was killed with the bed (checked: its namespaces are gone).
    for pid in left_on(&faulted.stdout, "h2") {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let running = state.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z'));
        assert!(!running, "pid {pid} of h2 outlived the bed: {state}");
    }
}

#[test]
fn a_rank_that_never_starts_ends_the_launch_with_a_message() {
    let Some(faulted) = run_fault("never") else { return };
    assert_eq!(line_starting(&faulted.stdout, "rc="), "rc=1", "{}", faulted.stderr);
    assert!(
        faulted.stderr.contains("rank 0 on host h1: the MPI world of 4 ranks did not come up"),
        "{}",
        faulted.stderr
    );
    assert!(faulted.record.is_none(), "no cell ran");
    assert!(
        left_on(&faulted.stdout, "h1").is_empty() && left_on(&faulted.stdout, "h2").is_empty(),
        "{}",
        faulted.stdout
    );
}

#[test]
fn a_failing_run_across_hosts_exits_1_though_mpirun_runs_with_recovery() {
    if let Some(why) = no_bed() {
        eprintln!("skipped: {why}");
        return;
    }
    let run = r#""$ABLATE_BED_MPIRUN" -np 3 "$0" run -w spin --strategies mpi --workers 3"#;
    let output = Command::new("timeout")
        .args(["240", "bash"])
        .arg(script("mpi-hosts.sh"))
        .args(["--name", &format!("t{}usage", std::process::id()), "--", "sh", "-c", run, ABLATE])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("use --workers up to 2"), "ablate's own message first: {stderr}");
    assert!(stderr.contains("exit 2, which mpirun --enable-recovery would report as 0"), "{stderr}");
}
