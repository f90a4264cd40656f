//! Runs the example's own workload through every strategy by its own binary (which also serves as the process
//! strategy's worker), and checks the results file.

use std::process::Command;

#[test]
fn horner_runs_under_every_strategy_and_matches_serial() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let status = Command::new(env!("CARGO_BIN_EXE_custom-workload"))
        .args(["run", "--workloads", "horner", "--strategies", "all", "--workers", "1,2", "--quick"])
        .args(["--reps", "2", "--size", "40000", "-p", "horner.degree=16", "--format", "csv", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let cells = record["cells"].as_array().unwrap();
    let strategies: Vec<&str> = cells.iter().map(|c| c["strategy"].as_str().unwrap()).collect();
    for strategy in ["serial", "threads", "rayon", "crossbeam", "process"] {
        assert!(strategies.contains(&strategy), "{strategy} missing from {strategies:?}");
    }
    assert_eq!(cells.len(), 9);
    let serial = &cells[0]["digest"];
    for cell in cells {
        assert_eq!(cell["status"]["state"], "ok", "{}", cell["id"]);
        assert_eq!(&cell["digest"], serial, "{}", cell["id"]);
        assert_eq!(cell["tasks"], 4);
        assert_eq!(cell["params"]["degree"], "16");
    }
}
