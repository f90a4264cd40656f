//! What a newcomer reads: `--help` of every command, `ablate list`, and the errors of a missing required option.

use std::process::{Command, Output};

fn ablate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate")).args(args).output().expect("the ablate binary starts")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn item_9_help_names_the_shorthand_and_auto_and_naive_are_listed() {
    let help = stdout(&ablate(&["--help"]));
    assert!(help.contains("shorthand for `ablate run [OPTIONS]`") && help.contains("plain `ablate`"), "{help}");
    let list = stdout(&ablate(&["list"]));
    let strategies = list.split("strategies:").nth(1).expect("a strategies section");
    for name in ["serial", "threads", "rayon", "crossbeam", "process", "auto", "naive"] {
        assert!(strategies.lines().any(|l| l.trim_start().starts_with(name)), "{name} missing from:\n{strategies}");
    }
    let run_help = stdout(&ablate(&["run", "--help"]));
    assert!(run_help.contains("`auto`") && run_help.contains("`naive`"), "{run_help}");
}

#[test]
fn item_10_a_required_baseline_shows_as_required_and_its_absence_is_a_usage_error() {
    let compare = stdout(&ablate(&["compare", "--help"]));
    let usage = compare.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert!(usage.contains(" --baseline <NAME|FILE>") && !usage.contains("[--baseline"), "{usage}");
    let gate = stdout(&ablate(&["gate", "--help"]));
    assert!(gate.contains("required unless --ab"), "clap's usage line cannot show a conditional requirement: {gate}");

    let missing = ablate(&["gate", "--quick", "-w", "spin"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("--baseline <NAME|FILE>"), "{}", stderr(&missing));
    assert_eq!(stderr(&missing).lines().count(), 1, "{}", stderr(&missing));
    let compare = ablate(&["compare", "results.json"]);
    assert_eq!(compare.status.code(), Some(2));
    assert!(stderr(&compare).contains("--baseline <NAME|FILE>"), "{}", stderr(&compare));
}

#[test]
fn item_10_an_empty_baseline_store_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("baselines");
    let listed = ablate(&["baseline", "list", "--baseline-dir", store.to_str().unwrap()]);
    assert_eq!(listed.status.code(), Some(0));
    assert!(stdout(&listed).is_empty(), "nothing on stdout, for scripts");
    assert!(stderr(&listed).contains("no baselines in") && stderr(&listed).contains("--save-baseline"));
}

#[test]
fn item_10_dash_o_is_a_file_everywhere_and_report_takes_out_dir() {
    let report = stdout(&ablate(&["report", "--help"]));
    assert!(report.contains("--out-dir <DIR>") && !report.contains("-o,"), "{report}");
    let refused = ablate(&["report", "-o", "site"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    for command in ["run", "gate"] {
        let help = stdout(&ablate(&[command, "--help"]));
        assert!(help.contains("-o, --out <FILE>"), "{command}: {help}");
    }
}

#[test]
fn item_10_every_default_is_written_one_way() {
    for command in ["run", "gate", "compare", "report"] {
        let help = stdout(&ablate(&[command, "--help"]));
        let lowered = help.to_lowercase();
        for (at, _) in lowered.match_indices("default") {
            let before = &lowered[..at];
            assert!(before.ends_with('['), "{command}: a default not written `[default: …]` near {:?}", &help[at..]);
        }
    }
}
