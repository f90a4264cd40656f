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
    assert!(
        stderr(&refused).contains("did you mean `--out-dir site`?"),
        "answered with the flag meant: {}",
        stderr(&refused)
    );
    assert_eq!(stderr(&refused).lines().count(), 1, "{}", stderr(&refused));
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

/// `pub const NAME: u8 = N;` of `src/exit.rs`: every exit code there is.
fn exit_codes_declared() -> Vec<(String, u8)> {
    include_str!("../src/exit.rs")
        .lines()
        .filter_map(|line| line.strip_prefix("pub const ")?.split_once(": u8 = "))
        .map(|(name, value)| (name.to_owned(), value.trim_end_matches(';').parse().expect("a number")))
        .collect()
}

/// The codes the `Exit codes:` line of `help` lists, in order; the line must be there.
fn exit_codes_listed(command: &str, help: &str) -> Vec<u8> {
    let line = help.lines().find_map(|l| l.strip_prefix("Exit codes: ")).unwrap_or_else(|| panic!("{command}: {help}"));
    line.trim_end_matches('.').split("; ").map(|item| item.split(' ').next().unwrap().parse().unwrap()).collect()
}

#[test]
fn item_30_every_help_lists_its_exit_codes_each_one_of_exit_rs() {
    let declared = exit_codes_declared();
    assert!(declared.len() >= 9, "{declared:?}");
    let commands = [
        "run",
        "list",
        "compare",
        "gate",
        "report",
        "bisect",
        "history",
        "history list",
        "history import",
        "history show",
        "history check",
        "predict",
        "probe",
        "baseline",
        "baseline list",
        "baseline show",
        "baseline delete",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for command in commands {
        let args: Vec<&str> = command.split(' ').chain(["--help"]).collect();
        let help = stdout(&ablate(&args));
        let listed = exit_codes_listed(command, &help);
        for code in &listed {
            assert!(declared.iter().any(|(_, value)| value == code), "{command} lists {code}, not in exit.rs");
        }
        assert!(listed.starts_with(&[0, 1, 2]), "{command}: every command passes, fails and refuses: {listed:?}");
        let summary = help.split("\nUsage:").next().unwrap();
        assert!(!summary.contains("exits "), "{command}: a hand-written list in the summary: {summary}");
        seen.extend(listed);
    }
    let at_least = |command: &str, codes: &[u8]| {
        let listed = exit_codes_listed(command, &stdout(&ablate(&[command, "--help"])));
        assert!(codes.iter().all(|c| listed.contains(c)), "{command}: {listed:?} lacks some of {codes:?}");
    };
    at_least("gate", &[3, 4, 5, 6, 130]);
    at_least("bisect", &[6, 7, 130]);
    at_least("compare", &[3, 5]);
    at_least("run", &[3, 5, 130]);
    for (name, value) in &declared {
        assert!(seen.contains(value), "exit::{name} ({value}) is listed by no command's help");
    }
}

#[test]
fn item_30_errors_are_prefixed_with_the_binarys_own_name() {
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("my-bench");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ablate"), &renamed).unwrap();
    let output = Command::new(&renamed).args(["-w", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let refusal = stderr(&output);
    assert!(refusal.starts_with("my-bench: unknown workload 'nope'") && !refusal.contains("ablate:"), "{refusal}");
    let clap_error = stderr(&Command::new(&renamed).args(["run", "--bogus"]).output().unwrap());
    assert!(clap_error.starts_with("my-bench: ") && clap_error.contains("(see my-bench --help)"), "{clap_error}");
}

#[test]
fn item_30_baselines_readme_says_how_baselines_are_saved_now() {
    let readme = include_str!("../../baselines/README.md");
    assert!(!readme.contains("until it lands") && readme.contains("--save-baseline NAME"), "{readme}");
}
