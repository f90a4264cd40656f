//! `ablate probe` and `ablate predict` through the real binary: a profile written and read back, a run's
//! strategies predicted at worker counts it never ran, labelled as predictions, and a results file from before
//! task costs were kept refused with what to do.

use std::path::Path;
use std::process::{Command, Output};

fn ablate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ablate")).current_dir(dir).args(args).output().expect("the ablate binary starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_run_is_predicted_on_a_probed_profile_and_an_old_file_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = ["run", "-w", "spin,skewed", "--size", "40", "-s", "serial,threads,crossbeam", "-j", "1,2,3", "--reps=3"];
    let output = ablate(d, &[&run[..], &["--out", "r.json"]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    let serial = record["cells"].as_array().unwrap().iter().find(|c| c["strategy"] == "serial").unwrap();
    let costs = &serial["task_costs"];
    assert_eq!(costs["tasks"], serial["tasks"], "every task's cost is kept: {costs}");
    assert_eq!(costs["ns"].as_array().unwrap().len() as u64, serial["tasks"].as_u64().unwrap());

    let output = ablate(d, &["probe", "-o", "profile.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let profile: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("profile.json")).unwrap()).unwrap();
    assert_eq!(profile["profile_version"], 1);
    assert!(profile["stream_gbps"].as_array().unwrap().iter().all(|p| p["gbps"].as_f64().unwrap() > 0.0));

    let mut sixteen = profile.clone();
    (sixteen["logical_cores"], sixteen["physical_cores"]) = (16.into(), 16.into());
    std::fs::write(d.join("sixteen.json"), sixteen.to_string()).unwrap();
    let output = ablate(d, &["predict", "r.json", "--machine", "sixteen.json", "-j", "2,4,8"]);
    let out = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(out.contains("predictions, not measurements"), "{out}");
    assert!(out.contains("where each strategy stops paying"), "{out}");
    assert!(
        out.contains("Universal Scalability Law") && out.contains("spin crossbeam: σ "),
        "three counts measured: {out}"
    );
    let skewed_threads = out.lines().find(|l| l.starts_with("skewed") && l.contains("threads") && l.contains(" 8 "));
    assert!(skewed_threads.is_some_and(|l| l.contains("static split")), "{out}");

    let mut old = record.clone();
    for cell in old["cells"].as_array_mut().unwrap() {
        cell.as_object_mut().unwrap().remove("task_costs");
    }
    std::fs::write(d.join("old.json"), old.to_string()).unwrap();
    let output = ablate(d, &["predict", "old.json", "--machine", "profile.json"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("too little recorded") && text(&output.stderr).contains("-j 1,2"));
    let output = ablate(d, &["predict", "r.json", "--machine", "profile.json", "-j", "0"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
}
