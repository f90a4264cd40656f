//! A user's binary runs the user's workloads by default; the built-ins are listed apart and run on request.

use std::process::{Command, Output};

fn example(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custom-workload")).args(args).output().unwrap()
}

fn cell_workloads(args: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let mut all = vec!["run", "--strategies", "serial", "--workers", "1", "--reps", "1", "--warmup", "0"];
    all.extend(args);
    let output =
        Command::new(env!("CARGO_BIN_EXE_custom-workload")).args(&all).arg("--out").arg(&out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    record["cells"].as_array().unwrap().iter().map(|c| c["workload"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn all_is_the_user_s_workloads_and_a_built_in_runs_when_named() {
    assert_eq!(cell_workloads(&["--size", "20000"]), ["horner"], "the default -w all");
    assert_eq!(cell_workloads(&["-w", "horner,spin", "--size", "spin=10,horner=20000"]), ["horner", "spin"]);
}

#[test]
fn list_shows_the_built_ins_apart_and_help_says_how_to_run_them() {
    let list = String::from_utf8(example(&["list"]).stdout).unwrap();
    let (own, on_request) = list.split_once("built-in workloads, on request").expect("a section of their own");
    assert!(own.contains("horner") && own.contains("-p horner.degree=64"), "{own}");
    assert!(!own.contains("spin"), "{own}");
    assert!(on_request.contains("`-w builtins`") && on_request.contains("spin"), "{on_request}");
    let help = String::from_utf8(example(&["run", "--help"]).stdout).unwrap();
    assert!(help.contains("`builtins`") && help.contains("ablate_main!"), "{help}");
}
