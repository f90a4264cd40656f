//! `ablate bisect` through the real CLI, in git repositories the tests make: bad revisions refused with exit 2,
//! an end that does not build an error (exit 1), Ctrl-C, SIGTERM or SIGHUP during a build (exit 128 + the
//! signal) — none leaving a worktree, a temporary directory or a process behind — and, end to end (slow: release
//! builds of eight commits, so run by `.ci/run` with `--ignored`), the commit that made a workload 1.3× slower
//! named, past a commit that does not build.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

mod support;
use support::{eventually, gone};

fn ablate(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ablate"));
    command.current_dir(dir);
    command
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs git in `dir` as a fixed author; panics on failure. Its stdout, trimmed.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "ablate test")
        .env("GIT_AUTHOR_EMAIL", "test@ablate.invalid")
        .env("GIT_COMMITTER_NAME", "ablate test")
        .env("GIT_COMMITTER_EMAIL", "test@ablate.invalid")
        .output()
        .expect("git starts");
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    stdout(&output).trim().to_owned()
}

/// A git repository in `dir`, empty.
fn init(dir: &Path) {
    git(dir, &["init", "--quiet"]);
}

/// Writes `files` (path, contents) into `dir` and commits them as `message`; the commit's id.
fn commit(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (path, contents) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "--message", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// The worktrees git knows of in `dir`'s repository.
fn worktrees(dir: &Path) -> usize {
    git(dir, &["worktree", "list", "--porcelain"]).lines().filter(|l| l.starts_with("worktree ")).count()
}

/// The temporary directory the bisection said it worked in.
fn scratch_dir(stderr: &str) -> PathBuf {
    let line = stderr.lines().find(|l| l.contains("working in ")).unwrap_or_else(|| panic!("no scratch: {stderr}"));
    PathBuf::from(line.split("working in ").nth(1).unwrap())
}

/// Asserts that the bisection run in `repo` left nothing behind: no worktree but the repository's own, no
/// temporary directory.
fn assert_nothing_left(repo: &Path, stderr: &str) {
    assert_eq!(worktrees(repo), 1, "a worktree was left: {}", git(repo, &["worktree", "list"]));
    let scratch = scratch_dir(stderr);
    assert!(!scratch.exists(), "{} was left", scratch.display());
}

#[test]
fn bad_revisions_and_a_directory_outside_git_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let outside = ablate(dir.path()).args(["bisect", "--good", "HEAD~1", "--bad", "HEAD"]).output().unwrap();
    assert_eq!(outside.status.code(), Some(2), "{}", stderr(&outside));
    assert!(stderr(&outside).contains("is not in one"), "{}", stderr(&outside));

    init(dir.path());
    let first = commit(dir.path(), &[("a.txt", "1")], "first");
    commit(dir.path(), &[("a.txt", "2")], "second");
    let cases: [(&[&str], &str); 4] = [
        (&["--good", "nope", "--bad", "HEAD"], "unknown --good revision 'nope'"),
        (&["--good", &first, "--bad=-x"], "unknown --bad revision '-x'"),
        (&["--good", "HEAD", "--bad", &first], "--good is not an ancestor of --bad"),
        (&["--good", "HEAD", "--bad", "main"], "the same commit"),
    ];
    for (args, says) in cases {
        let output = ablate(dir.path()).arg("bisect").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(says), "{args:?}: {}", stderr(&output));
        assert_eq!(stderr(&output).lines().count(), 1, "one line: {}", stderr(&output));
    }
    let refused =
        ablate(dir.path()).args(["bisect", "--good", &first, "--bad", "HEAD", "--reps", "5"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--reps does not apply to ablate bisect"), "{}", stderr(&refused));
    assert_eq!(worktrees(dir.path()), 1);
}

#[test]
fn an_end_that_does_not_build_is_an_error_that_leaves_no_worktree() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let good = commit(dir.path(), &[("Cargo.toml", "[package\nname = ")], "a manifest cargo cannot read");
    commit(dir.path(), &[("README.md", "later")], "later");
    let output = ablate(dir.path()).args(["bisect", "--good", &good, "--bad", "HEAD"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let last = stderr(&output).lines().last().unwrap_or_default().to_owned();
    assert!(last.contains(&format!("--good {} (a manifest cargo cannot read) does not build", &good[..10])), "{last}");
    assert!(last.contains("error"), "cargo's error is quoted: {last}");
    assert_nothing_left(dir.path(), &stderr(&output));
}

#[test]
fn item_27_10_a_bisection_on_a_dirty_tree_warns_that_uncommitted_changes_are_not_bisected() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let good = commit(dir.path(), &[("Cargo.toml", "[package\nname = ")], "a manifest cargo cannot read");
    commit(dir.path(), &[("README.md", "later")], "later");
    std::fs::write(dir.path().join("README.md"), "edited, not committed").unwrap();
    let output = ablate(dir.path()).args(["bisect", "--good", &good, "--bad", "HEAD"]).output().unwrap();
    let said = stderr(&output);
    let warnings: Vec<&str> = said.lines().filter(|l| l.contains("uncommitted changes")).collect();
    assert_eq!(warnings.len(), 1, "{said}");
    assert!(warnings[0].contains("warning") && warnings[0].contains("not bisected"), "{said}");
    assert_nothing_left(dir.path(), &said);
    std::fs::write(dir.path().join("README.md"), "later").unwrap();
    let clean = ablate(dir.path()).args(["bisect", "--good", &good, "--bad", "HEAD"]).output().unwrap();
    assert!(!stderr(&clean).contains("uncommitted"), "{}", stderr(&clean));
}

/// Sends `signal` to a bisection while a build script of its first build sleeps, and checks that it ends with
/// `code`, saying it was interrupted, with cargo, the build script, the worktree and the temporary directory gone.
fn a_signal_during_a_build_stops_it_cleanly(signal: i32, code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    init(&repo);
    let manifest = "[package]\nname = \"sleepy\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n";
    let build_script = "fn main() {\n    let pid = std::process::id().to_string();\n    \
                        std::fs::write(std::env::var(\"SLEEPY_PIDFILE\").unwrap(), pid).unwrap();\n    \
                        std::thread::sleep(std::time::Duration::from_secs(300));\n}\n";
    let files = [("Cargo.toml", manifest), ("build.rs", build_script), ("src/main.rs", "fn main() {}\n")];
    let good = commit(&repo, &files, "a build script that never ends");
    commit(&repo, &[("README.md", "later")], "later");
    let pidfile = dir.path().join("build-script.pid");
    let target = dir.path().join("target");
    let child: Child = ablate(&repo)
        .args(["bisect", "--good", &good, "--bad", "HEAD", "--package", "sleepy", "--target-dir"])
        .arg(&target)
        .env("SLEEPY_PIDFILE", &pidfile)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started =
        eventually(Duration::from_secs(300), || std::fs::read_to_string(&pidfile).is_ok_and(|p| !p.is_empty()));
    // SAFETY: kill(2) on the child this test started; no memory is involved.
    unsafe { libc::kill(child.id() as i32, signal) };
    let output = child.wait_with_output().unwrap();
    assert!(started, "the build script never started: {}", stderr(&output));
    assert_eq!(output.status.code(), Some(code), "signal {signal}: {}", stderr(&output));
    assert!(stdout(&output).contains("interrupted"), "{}", stdout(&output));
    let pid: u32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    assert!(eventually(Duration::from_secs(10), || gone(pid)), "the build script {pid} outlived the bisection");
    assert_nothing_left(&repo, &stderr(&output));
}

#[test]
fn ctrl_c_during_a_build_stops_cargo_and_everything_it_started_and_leaves_no_worktree() {
    a_signal_during_a_build_stops_it_cleanly(libc::SIGINT, 130);
}

/// Issue 27 item 5: SIGTERM and SIGHUP stop a bisection as Ctrl-C does, exit 128 + the signal.
#[test]
fn item_27_5_sigterm_or_sighup_during_a_build_leaves_no_worktree_temp_dir_or_process() {
    a_signal_during_a_build_stops_it_cleanly(libc::SIGTERM, 143);
    a_signal_during_a_build_stops_it_cleanly(libc::SIGHUP, 129);
}

/// The example crate (`examples/custom-workload`) made standalone: its manifest points at this workspace's
/// crates by absolute path, with the workspace's lock file and release profile, so that every commit's build
/// resolves offline and shares the harness's compiled crates.
fn standalone_example() -> [(String, String); 3] {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().canonicalize().unwrap();
    let path = |p: &str| workspace.join(p).display().to_string();
    let manifest = format!(
        "[package]\nname = \"custom-workload\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nablate-harness = {{ path = \"{}\" }}\nablate-workloads = {{ path = \"{}\" }}\n\
         serde = {{ version = \"1.0\", features = [\"derive\"] }}\n\n[profile.release]\n\
         debug = \"line-tables-only\"\n\n[workspace]\n",
        path("harness"),
        path("workloads")
    );
    let read = |p: &str| std::fs::read_to_string(workspace.join(p)).unwrap();
    [
        ("Cargo.toml".to_owned(), manifest),
        ("Cargo.lock".to_owned(), read("Cargo.lock")),
        ("src/main.rs".to_owned(), read("examples/custom-workload/src/main.rs")),
    ]
}

/// `source` with `from` replaced by `to`, which must occur in it.
fn edited(source: &str, from: &str, to: &str) -> String {
    assert!(source.contains(from), "{from:?} is not in the example any more");
    source.replacen(from, to, 1)
}

#[test]
#[ignore = "slow: release builds of 8 commits; run by .ci/run"]
fn bisect_names_the_commit_that_made_horner_slower_and_skips_the_one_that_does_not_build() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    init(repo);
    let [manifest, lock, main] = standalone_example();
    let original = main.1.clone();
    let files = |main: &str| {
        [
            (manifest.0.clone(), manifest.1.clone()),
            (lock.0.clone(), lock.1.clone()),
            ("src/main.rs".to_owned(), main.to_owned()),
        ]
    };
    let commit_main = |source: &str, message: &str| {
        let owned = files(source);
        let borrowed: Vec<(&str, &str)> = owned.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        commit(repo, &borrowed, message)
    };
    let good = commit_main(&original, "The example crate, as measured");
    commit(repo, &[("README.md", "An example crate that ablate bisect's test measures.\n")], "A readme");
    let reworded = edited(&original, "(an example user workload)", "(an example user workload, bisected)");
    commit_main(&reworded, "Reword the summary");
    // Degree 76 instead of 64: measured here about 1.3x the time of a quick horner cell (1.27x to 1.32x).
    let slower = edited(&reworded, "\"degree\", 64,", "\"degree\", 76,");
    let slow = commit_main(&slower, "Raise the default degree to 76");
    let broken = format!("{slower}\nfn half_done() -> u32 {{\n    \"not a number\"\n}}\n");
    let does_not_build = commit_main(&broken, "Half-done refactor (does not build)");
    commit_main(&slower, "Finish the refactor");
    commit(
        repo,
        &[("README.md", "An example crate that ablate bisect's test measures, commit by commit.\n")],
        "Readme",
    );
    let documented = edited(&slower, "//! A user's own workload", "//! A user's own workload (bisected)");
    commit_main(&documented, "Module doc");
    commit(repo, &[("NOTES.md", "nothing to see\n")], "Notes");
    assert_eq!(git(repo, &["rev-list", "--count", "HEAD"]), "9");

    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bisect-target");
    let output = ablate(repo)
        .args(["bisect", "--good", &good, "--bad", "HEAD", "--package", "custom-workload"])
        .args(["-w", "horner", "-s", "serial", "-j", "1", "--quick", "--step-time", "90s", "--max-time", "40m"])
        .arg("--target-dir")
        .arg(&target)
        .output()
        .unwrap();
    let (out, err) = (stdout(&output), stderr(&output));
    println!("{out}");
    assert_eq!(output.status.code(), Some(0), "stdout:\n{out}\nstderr:\n{err}");
    assert!(out.contains(&format!("first bad commit: {slow} Raise the default degree to 76")), "{out}");
    let skipped = format!(
        "skipped: {} Half-done refactor (does not build) (does not build: cargo build exited",
        &does_not_build[..10]
    );
    assert!(out.contains(&skipped), "{out}");
    let bad_step = out.lines().find(|l| l.starts_with("BAD")).unwrap();
    assert!(bad_step.contains("slower than GOOD"), "{out}");
    assert!(out.contains("horner/200000/serial/w1"), "the followed cell's evidence: {out}");
    assert_nothing_left(repo, &err);
}
