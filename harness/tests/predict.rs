//! `ablate probe` and `ablate predict` through the real binary: a profile written and read back, a run's
//! strategies predicted at worker counts it never ran, labelled as predictions, and a results file from before
//! task costs were kept refused with what to do; and `--predict-for N` on `run`, `report` and `gate`.

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

    // The prediction is read on 16 physical cores of this machine's measured bandwidth, with its per-core speed
    // and SMT yield fixed: the probe's own figures move with whatever else runs here, and would move the reason.
    let mut sixteen = profile.clone();
    (sixteen["logical_cores"], sixteen["physical_cores"]) = (16.into(), 16.into());
    sixteen["core_speed"] = serde_json::json!([{"threads": 16, "relative": 1.0}]);
    sixteen["smt_yield"] = serde_json::Value::Null;
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

/// A profile of a 16-thread machine with 8 cores, whose siblings yield 1.2 of one core: every strategy is
/// predicted well below perfect scaling at 16, so floors above, inside and below its interval can all be set.
const SIXTEEN_THREADS: &str = r#"{"profile_version": 1, "fingerprint": "crafted-16", "cpu_model": "crafted",
    "logical_cores": 16, "physical_cores": 8, "stream_gbps": [{"threads": 1, "gbps": 10.0},
    {"threads": 16, "gbps": 40.0}], "smt_yield": 1.2, "cpu_kernel_ns": null, "thread_wake_ns": null,
    "process_spawn_ns": null, "pipe_round_trip_ns": null, "source": "crafted for the tests"}"#;

#[test]
fn predict_for_puts_the_prediction_in_the_table_the_summary_and_the_report_and_says_when_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("m.json"), SIXTEEN_THREADS).unwrap();
    let run = ["run", "-w", "spin", "--size", "40", "-s", "serial,threads", "-j", "1,2", "--reps=3", "--out", "r.json"];
    let output = ablate(d, &[&run[..], &["--predict-for", "16", "--machine", "m.json", "--report", "rep"]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let out = text(&output.stdout);
    assert!(out.contains("predicted for crafted-16 at 16 workers") && out.contains("not measurements"), "{out}");
    let header = out.lines().find(|l| l.starts_with("workload") && l.contains("speedup at 16")).expect(&out);
    assert!(header.contains("efficiency at 16") && header.contains("where it stops paying"), "{header}");
    assert!(out.lines().any(|l| l.starts_with("spin") && l.contains("threads") && l.contains(" [")), "{out}");
    assert!(out.contains("spin threads: "), "each strategy read against the floor: {out}");

    let summary = std::fs::read_to_string(d.join("rep/summary.md")).unwrap();
    assert!(summary.contains("### Scaling predicted for <code>crafted-16</code> at 16 workers"), "{summary}");
    assert!(summary.contains("| workload | size | strategy | speedup at 16 | efficiency at 16 |"), "{summary}");
    assert!(summary.contains("| spin | 40 | <code>threads</code> |"), "{summary}");
    let page = std::fs::read_to_string(d.join("rep/index.html")).unwrap();
    let speedup = std::fs::read_to_string(d.join("rep/charts/speedup.svg")).unwrap();
    for svg in [&speedup, &std::fs::read_to_string(d.join("rep/charts/predicted-efficiency.svg")).unwrap()] {
        assert!(svg.contains("<polygon") && svg.contains("predicted for crafted-16"), "the band and its label: {svg}");
        assert!(page.contains(svg.trim()), "the chart is inline in the page");
    }

    let mut old: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    for cell in old["cells"].as_array_mut().unwrap() {
        cell.as_object_mut().unwrap().remove("task_costs");
    }
    std::fs::write(d.join("old.json"), old.to_string()).unwrap();
    let output = ablate(d, &["report", "old.json", "--out-dir", "old", "--predict-for", "16", "--machine", "m.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("too little recorded") && text(&output.stderr).contains("run again with"));
    assert!(text(&output.stdout).contains("no prediction: too little recorded"), "{}", text(&output.stdout));
    let summary = std::fs::read_to_string(d.join("old/summary.md")).unwrap();
    assert!(summary.contains("No prediction: too little recorded"), "{summary}");
    assert!(!d.join("old/charts/predicted-efficiency.svg").exists(), "no band without a prediction");
}

#[test]
fn gate_predict_for_fails_below_the_floor_only_when_required_and_a_straddling_interval_never_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("m.json"), SIXTEEN_THREADS).unwrap();
    let run = ["run", "-w", "spin", "--size", "40", "-s", "serial,threads", "-j", "1", "--reps=3", "--out", "r.json"];
    let output = ablate(d, &run);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // Crafted from the run: 40 tasks of 1 ms each, every execution 40 ms on a dedicated core, and the 1-worker
    // cell exactly as fast as serial, so that the prediction does not depend on this machine's load and the
    // measured scaling verdict passes at any floor: the exit code is the prediction's alone.
    let mut record: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    let costs = vec![1_000_000u64; 40];
    for cell in record["cells"].as_array_mut().unwrap() {
        cell["task_costs"] = serde_json::json!({"executions": 3, "tasks_per_entry": 1, "tasks": 40, "ns": costs});
        for sample in cell["samples"].as_array_mut().unwrap() {
            let ms_40 = serde_json::json!(40_000_000);
            (sample["wall_ns"], sample["cpu_ns"], sample["others_cpu_ns"]) = (ms_40.clone(), ms_40.clone(), 0.into());
            sample["busy_ns"] = serde_json::json!([ms_40]);
            sample["worker_cpu"] = serde_json::json!([{"ran_ns": ms_40, "waited_ns": 0}]);
        }
    }
    std::fs::write(d.join("c.json"), record.to_string()).unwrap();

    let output = ablate(d, &["predict", "c.json", "--machine", "m.json", "-j", "16", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let predicted: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let at_16 = &predicted["predicted"][0]["predictions"][0];
    let (low, high) = (at_16["low"].as_f64().unwrap(), at_16["high"].as_f64().unwrap());
    assert!(0.02 < low && high < 0.98 && high - low > 0.02, "the crafted machine gives room around {at_16}");

    let gate = |floor: f64, required: bool| {
        let floor = format!("{floor:.3}");
        let mut args = vec!["gate", "--results", "c.json", "--lenient", "--predict-for", "16", "--machine", "m.json"];
        args.extend(["--min-efficiency", &floor]);
        if required {
            args.push("--require-predicted-scaling");
        }
        let output = ablate(d, &args);
        (output.status.code(), text(&output.stdout), text(&output.stderr))
    };
    let efficiency = at_16["efficiency"].as_f64().unwrap();
    let below = format!("spin threads: predicted below the floor at 16 ({efficiency:.2} [{low:.2}, {high:.2}])");
    let (code, out, err) = gate(high + 0.01, true);
    assert_eq!(code, Some(8), "below the floor, required: {out}{err}");
    assert!(out.contains(&below), "{below} in {out}");
    assert!(err.contains("1 below the floor") && err.contains("this fails the gate"), "{err}");
    assert!(out.trim_end().lines().last().is_some_and(|l| l.starts_with("FAIL (exit 8): ")), "last line: {out}");
    let (code, out, err) = gate(high + 0.01, false);
    assert_eq!(code, Some(0), "below the floor, reported only: {out}{err}");
    assert!(out.contains("predicted below the floor at 16") && err.contains("reported only"), "{out}{err}");
    let (code, out, err) = gate((low + high) / 2.0, true);
    assert_eq!(code, Some(0), "a straddling interval never fails: {out}{err}");
    assert!(out.contains("spin threads: inconclusive at 16: ") && out.contains("straddles the floor"), "{out}");
    let (code, out, err) = gate(low - 0.01, true);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("spin threads: predicted to keep the floor at 16"), "{out}");

    let mut old = record.clone();
    for cell in old["cells"].as_array_mut().unwrap() {
        cell.as_object_mut().unwrap().remove("task_costs");
    }
    std::fs::write(d.join("c.json"), old.to_string()).unwrap();
    let (code, out, err) = gate(0.5, true);
    assert_eq!(code, Some(2), "a prediction required but impossible is no pass: {out}{err}");
    assert!(err.contains("too little recorded") && err.contains("run again with"), "{err}");
    let (code, out, err) = gate(0.5, false);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("no prediction: too little recorded"), "{out}");
}
