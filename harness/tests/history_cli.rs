//! `ablate run --history` and `ablate history …` on the real binary: a run made in a git repository records that
//! repository's commit and is kept under it; list, import, show and check read the store; every bad input is one
//! line with its exit code; the history page is written.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn ablate_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate")).current_dir(dir).args(args).output().expect("the ablate binary starts")
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const TINY_RUN: [&str; 9] = ["run", "-w", "spin", "-s", "serial,threads", "-j", "2", "--size", "20"];

#[test]
fn a_run_in_a_git_repository_records_its_commit_and_is_kept_in_the_history_under_it() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    std::fs::write(dir.join("file.txt"), "one\n").unwrap();
    git(dir, &["add", "file.txt"]);
    git(dir, &["commit", "-q", "-m", "first"]);
    let head = git(dir, &["rev-parse", "HEAD"]);

    let mut args = TINY_RUN.to_vec();
    args.extend(["--quick", "--reps", "2", "-o", "out/results.json", "--history"]);
    let output = ablate_in(dir, &args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let record: Value = serde_json::from_slice(&std::fs::read(dir.join("out/results.json")).unwrap()).unwrap();
    assert_eq!(record["machine"]["git_commit"], head.as_str(), "the measured repository's commit, not ablate's");
    assert_eq!(record["machine"]["git_dirty"], false);
    assert_ne!(record["ablate_commit"], head.as_str());

    let runs: Vec<_> =
        std::fs::read_dir(dir.join("out/history/runs")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(runs[0].to_string_lossy().starts_with(&head[..12]), "{runs:?}");
    let index = std::fs::read_to_string(dir.join("out/history/index.json")).unwrap();
    assert!(index.contains(&head) && index.lines().count() == 3, "one run per line: {index}");

    std::fs::write(dir.join("file.txt"), "two\n").unwrap();
    let output = ablate_in(dir, &args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let list = ablate_in(dir, &["history", "--history", "out/history", "list"]);
    let listed = text(&list.stdout);
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(listed.contains(&format!("{}+dirty", &head[..7])), "a dirty tree is marked: {listed}");

    let again = ablate_in(dir, &["history", "--history", "out/history", "import", "out/results.json"]);
    assert!(
        again.status.success() && text(&again.stderr).contains("already in the history"),
        "{}",
        text(&again.stderr)
    );

    let show = ablate_in(dir, &["history", "--history", "out/history", "show", "spin/20/threads/w2/cauto"]);
    assert!(show.status.success(), "{}", text(&show.stderr));
    assert!(text(&show.stdout).contains("time: no change point"), "{}", text(&show.stdout));

    let check = ablate_in(dir, &["history", "--history", "out/history", "check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("time series checked"), "{}", text(&check.stdout));

    let page = ablate_in(dir, &["report", "--history", "out/history", "--out-dir", "site"]);
    assert!(page.status.success(), "{}", text(&page.stderr));
    let html = std::fs::read_to_string(dir.join("site/history.html")).unwrap();
    assert!(html.contains("spin/20/threads/w2/cauto") && html.contains("<svg"), "the page draws each cell");
}

#[test]
fn bad_history_inputs_are_one_line_with_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let empty = ablate_in(dir.path(), &["history", "--history", "nowhere", "check"]);
    assert_eq!(empty.status.code(), Some(5), "an empty store has nothing to check");
    let line = text(&empty.stderr);
    assert!(line.contains("no runs in the history at nowhere") && line.lines().count() == 1, "{line}");

    let unknown = ablate_in(dir.path(), &["history", "--history", "nowhere", "show", "nope/1/serial/w1/cauto"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("no cell 'nope/1/serial/w1/cauto'"), "{}", text(&unknown.stderr));

    std::fs::write(dir.path().join("bad.json"), "{}").unwrap();
    let bad = ablate_in(dir.path(), &["history", "--history", "h", "import", "bad.json"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("bad.json is not a valid results file"), "{}", text(&bad.stderr));
    assert!(!dir.path().join("h/index.json").exists(), "nothing was kept");

    std::fs::write(dir.path().join("blocker"), "x").unwrap();
    let mut args = TINY_RUN.to_vec();
    args.extend(["--quick", "--reps", "1", "-o", "r.json", "--history", "blocker/store"]);
    let blocked = ablate_in(dir.path(), &args);
    assert_eq!(blocked.status.code(), Some(1));
    assert!(text(&blocked.stderr).contains("blocker/store"), "{}", text(&blocked.stderr));
    assert!(!dir.path().join("r.json").exists(), "refused before measuring");
}

#[test]
fn report_history_of_a_missing_directory_fails_with_exit_5_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let page = ablate_in(dir.path(), &["report", "--history", "nosuchdir", "--out-dir", "site"]);
    assert_eq!(page.status.code(), Some(5), "a missing store is a missing input: {}", text(&page.stderr));
    let line = text(&page.stderr);
    assert!(line.contains("nosuchdir") && line.lines().count() == 1, "{line}");
    assert!(!dir.path().join("site/history.html").exists(), "no empty page was written");
}

#[test]
fn run_history_with_garbage_in_runs_fails_before_measuring() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("h/runs")).unwrap();
    std::fs::write(dir.path().join("h/runs/garbage.json"), "not a results file").unwrap();
    let mut args = TINY_RUN.to_vec();
    args.extend(["--quick", "--reps", "1", "-o", "r.json", "--history", "h"]);
    let run = ablate_in(dir.path(), &args);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let line = text(&run.stderr);
    assert!(line.contains("h/runs/garbage.json") && line.lines().count() == 1, "one line, first: {line}");
    assert!(!dir.path().join("r.json").exists(), "refused before measuring");
}

/// Runs `ablate args` in `dir` with its address space limited to 2 GiB, killed when it takes over 20 s (`None`
/// then): a reader that hangs or reads without end fails the test instead of hanging it or exhausting the machine.
fn ablate_within_20_s(dir: &Path, args: &[&str]) -> Option<Output> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ablate"));
    command.current_dir(dir).args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let limit = libc::rlimit { rlim_cur: 2 << 30, rlim_max: 2 << 30 };
    // SAFETY: setrlimit is async-signal-safe and touches only the child about to exec.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
        });
    }
    let mut child = command.spawn().expect("the ablate binary starts");
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Some(child.wait_with_output().unwrap())
}

#[test]
fn history_list_refuses_a_fifo_or_a_link_to_dev_zero_among_the_runs_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("h/runs")).unwrap();
    let fifo = dir.path().join("h/runs/pipe.json");
    let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a NUL-terminated path; mkfifo(3) only reads it.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let list = ablate_within_20_s(dir.path(), &["history", "--history", "h", "list"]).expect("list returns");
    assert_eq!(list.status.code(), Some(1), "{}", text(&list.stderr));
    assert!(text(&list.stderr).contains("h/runs/pipe.json"), "{}", text(&list.stderr));

    std::fs::remove_file(&fifo).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("h/runs/zero.json")).unwrap();
    let list = ablate_within_20_s(dir.path(), &["history", "--history", "h", "list"]).expect("list returns");
    assert_eq!(list.status.code(), Some(1), "{}", text(&list.stderr));
    assert!(text(&list.stderr).contains("h/runs/zero.json"), "{}", text(&list.stderr));
}

#[test]
fn concurrent_history_imports_keep_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let fixture: Value = serde_json::from_slice(
        &std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json")).unwrap(),
    )
    .unwrap();
    const WRITERS: usize = 4;
    for writer in 0..WRITERS {
        let mut run = fixture.clone();
        run["ablate_version"] = Value::from(format!("writer-{writer}"));
        std::fs::write(dir.path().join(format!("{writer}.json")), serde_json::to_vec(&run).unwrap()).unwrap();
    }
    for round in 0..5 {
        let store = format!("h{round}");
        let children: Vec<_> = (0..WRITERS)
            .map(|writer| {
                Command::new(env!("CARGO_BIN_EXE_ablate"))
                    .current_dir(dir.path())
                    .args(["history", "--history", &store, "import", &format!("{writer}.json")])
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        let runs = std::fs::read_dir(dir.path().join(&store).join("runs")).unwrap().count();
        assert_eq!(runs, WRITERS, "round {round}: every import kept");
        let list = ablate_in(dir.path(), &["history", "--history", &store, "list"]);
        assert_eq!(text(&list.stdout).lines().count(), WRITERS, "round {round}: {}", text(&list.stdout));
        assert!(!text(&list.stderr).contains("did not list every run"), "round {round}: {}", text(&list.stderr));
    }
}
