//! `ablate run --history` and `ablate history …` on the real binary: a run made in a git repository records that
//! repository's commit and is kept under it; list, import, show and check read the store; every bad input is one
//! line with its exit code; the history page is written.

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
