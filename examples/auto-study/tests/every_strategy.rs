//! Runs the study's four workloads through every strategy, `auto` and `naive` by the crate's own binary (which
//! also serves as the process strategy's worker), and checks that every cell matches serial's digest.

use std::process::{Command, Stdio};

#[test]
fn the_four_workloads_run_under_every_strategy_and_match_serial() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let status = Command::new(env!("CARGO_BIN_EXE_auto-study"))
        .args(["run", "-w", "spmv,lookup,hashchain,blobs", "-s", "all,auto,naive", "-j", "1,2", "--quick"])
        .args(["--size", "spmv=4096,lookup=4096,hashchain=64,blobs=4", "--reps", "2", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let cells = record["cells"].as_array().unwrap();
    for workload in ["spmv", "lookup", "hashchain", "blobs"] {
        let of_workload: Vec<&serde_json::Value> = cells.iter().filter(|c| c["workload"] == workload).collect();
        let serial = of_workload.iter().find(|c| c["strategy"] == "serial").expect("a serial cell");
        assert!(of_workload.len() >= 10, "{workload}: {} cells", of_workload.len());
        for cell in &of_workload {
            assert_eq!(cell["status"]["state"], "ok", "{}", cell["id"]);
            assert_eq!(cell["digest"], serial["digest"], "{}", cell["id"]);
        }
        assert!(of_workload.iter().any(|c| c["decision"].is_object()), "{workload}: auto decided nothing");
    }
}
