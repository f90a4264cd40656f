//! The A/B gate's input cache through the real CLI: each build's group input made once per gate (by its first
//! round's server) and decoded by every later round's fresh server, as each record's pairing says; two paths to
//! one binary share one input; and nothing is left in the temporary directory or running after a gate, nor after a
//! gate that failed mid-run or was stopped by Ctrl-C while it held the cache.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;
use support::{eventually, gone};

/// Two cells of `payload` (a shared input of 4 KiB), three fixed rounds.
const SUITE: [&str; 13] = [
    "-w",
    "payload",
    "--size",
    "4096",
    "-p",
    "payload.tasks=8",
    "-s",
    "serial,crossbeam",
    "-j",
    "1",
    "--ab-rounds",
    "3",
    "--quick",
];

/// `ablate` run in `dir` with `args`, its temporary files made in `tmp`.
fn ablate(dir: &Path, tmp: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate"))
        .current_dir(dir)
        .env("TMPDIR", tmp)
        .args(args)
        .output()
        .expect("the ablate binary starts")
}

fn gate(dir: &Path, tmp: &Path, base: &str, extra: &[&str]) -> Output {
    let mut args = vec!["gate", "--ab", base, "--out", "ab.json"];
    args.extend_from_slice(extra);
    args.extend(SUITE);
    ablate(dir, tmp, &args)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Where each round's opening of the group got its input, in round order.
fn sources(record: &Value) -> Vec<(u64, String)> {
    let opens = record["pairing"]["opens"].as_array().expect("the openings are recorded");
    opens
        .iter()
        .map(|open| {
            assert_eq!(open["group"], 0);
            assert_eq!(open["workload"]["name"], "payload", "{open}");
            assert!(open["open_ns"].as_u64().unwrap() >= open["prepare_ns"].as_u64().unwrap(), "{open}");
            (open["round"].as_u64().unwrap(), open["input"]["source"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn owned(sources: &[(u64, &str)]) -> Vec<(u64, String)> {
    sources.iter().map(|(round, source)| (*round, (*source).to_owned())).collect()
}

/// A copy of the ablate binary with one byte more: another build to the cache, the same program to the kernel.
fn other_build(dir: &Path) -> String {
    let path = dir.join("base-ablate");
    let mut bytes = std::fs::read(env!("CARGO_BIN_EXE_ablate")).unwrap();
    bytes.push(0);
    std::fs::write(&path, bytes).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_owned()
}

fn assert_empty(tmp: &Path) {
    let left: Vec<_> = std::fs::read_dir(tmp).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "left in the temporary directory: {left:?}");
}

#[test]
fn each_builds_input_is_made_in_the_first_round_and_decoded_in_every_later_one() {
    let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let base = other_build(dir.path());
    let output = gate(dir.path(), tmp.path(), &base, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(dir.path().join("ab.json").exists(), "{stderr}");
    let expected = owned(&[(0, "exported"), (1, "cached"), (2, "cached")]);
    for file in ["ab.json", "ab.ab-base.json"] {
        let record = read_json(&dir.path().join(file));
        assert_eq!(sources(&record), expected, "{file}");
        for cell in record["cells"].as_array().unwrap() {
            assert_eq!(cell["status"]["state"], "ok", "every round's digest equal to serial's: {file} {}", cell["id"]);
            let mut rounds: Vec<u64> =
                cell["samples"].as_array().unwrap().iter().map(|s| s["round"].as_u64().unwrap()).collect();
            rounds.dedup();
            assert_eq!(rounds, [0, 1, 2], "a preempted pair may be run again within its round: {file} {}", cell["id"]);
        }
    }
    assert_empty(tmp.path());
}

#[test]
fn two_paths_to_one_binary_share_one_input() {
    let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let copy = dir.path().join("same-ablate");
    std::fs::copy(env!("CARGO_BIN_EXE_ablate"), &copy).unwrap();
    let output = gate(dir.path(), tmp.path(), copy.to_str().unwrap(), &["--allow-identical"]);
    assert!(dir.path().join("ab.json").exists(), "{}", String::from_utf8_lossy(&output.stderr));
    let base = sources(&read_json(&dir.path().join("ab.ab-base.json")));
    let candidate = sources(&read_json(&dir.path().join("ab.json")));
    assert_eq!(base, owned(&[(0, "exported"), (1, "cached"), (2, "cached")]), "the base opens first and fills it");
    assert_eq!(candidate, owned(&[(0, "built"), (1, "cached"), (2, "cached")]), "made once for both");
    assert_empty(tmp.path());
}

#[test]
fn a_gate_that_fails_mid_run_leaves_nothing_behind() {
    let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let script = dir.path().join("dies-in-round-two.sh");
    let marker = dir.path().join("served-once");
    let body = format!(
        "#!/bin/sh\nif [ -e {marker} ]; then echo 'base: gone' >&2; kill -SEGV $$; fi\ntouch {marker}\nexec {} \"$@\"\n",
        env!("CARGO_BIN_EXE_ablate"),
        marker = marker.display()
    );
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let output = gate(dir.path(), tmp.path(), script.to_str().unwrap(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("killed by signal 11") && stderr.contains("base: gone"), "{stderr}");
    assert_empty(tmp.path());
}

#[test]
fn without_the_cache_every_round_makes_every_input_and_says_so() {
    let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let base = other_build(dir.path());
    let output = gate(dir.path(), tmp.path(), &base, &["--no-input-cache"]);
    assert!(dir.path().join("ab.json").exists(), "{}", String::from_utf8_lossy(&output.stderr));
    let built = owned(&[(0, "built"), (1, "built"), (2, "built")]);
    assert_eq!(sources(&read_json(&dir.path().join("ab.json"))), built);
    assert_eq!(sources(&read_json(&dir.path().join("ab.ab-base.json"))), built);

    let alone = ablate(dir.path(), tmp.path(), &["gate", "--no-input-cache", "-w", "spin", "--quick"]);
    assert_eq!(alone.status.code(), Some(2), "an A/B option without --ab is a usage error");
    assert!(String::from_utf8_lossy(&alone.stderr).contains("--ab"));
    assert_empty(tmp.path());
}

/// A gate started in a process group of its own, killed whole if the test fails before it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group this test started; no memory is involved.
        unsafe { libc::kill(-(self.0.id() as i32), libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

/// The memory files process `pid` holds open, as `/proc/<pid>/fd` names them: `memfd:ablate-input` on the Linux
/// platform, a temporary file `ablate-input…` on the portable one.
fn memory_files(pid: u32) -> Vec<String> {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return Vec::new() };
    let links = fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok());
    links.map(|l| l.display().to_string()).filter(|l| l.contains("ablate-input")).collect()
}

#[test]
fn a_gate_stopped_by_ctrl_c_while_it_holds_the_cache_leaves_nothing_behind() {
    let (dir, tmp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let starts = dir.path().join("starts");
    let script = dir.path().join("base.sh");
    let body = format!("#!/bin/sh\necho $$ >> {}\nexec {} \"$@\"\n", starts.display(), env!("CARGO_BIN_EXE_ablate"));
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut args = vec!["gate", "--ab", script.to_str().unwrap(), "--out", "ab.json", "--max-time", "10m"];
    args.extend(SUITE.iter().map(|a| if *a == "3" { "10000" } else { a }));
    let gate = Running(
        Command::new(env!("CARGO_BIN_EXE_ablate"))
            .args(&args)
            .current_dir(dir.path())
            .env("TMPDIR", tmp.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap(),
    );
    let started = || std::fs::read_to_string(&starts).unwrap_or_default().lines().count();
    assert!(eventually(Duration::from_secs(60), || started() >= 3), "the base never reached round 2");
    let held = memory_files(gate.0.id());
    assert!(!held.is_empty(), "the driver holds the cached input while the rounds go on");

    // SAFETY: kill(2) on the gate this test started; no memory is involved.
    unsafe { libc::kill(gate.0.id() as i32, libc::SIGINT) };
    let mut gate = gate;
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = gate.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the gate did not end after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130), "{status:?}");
    let servers: Vec<u32> = std::fs::read_to_string(&starts).unwrap().lines().map(|l| l.parse().unwrap()).collect();
    for pid in servers {
        assert!(eventually(Duration::from_secs(5), || gone(pid)), "the base's server {pid} outlived the gate");
    }
    assert_empty(tmp.path());
}
