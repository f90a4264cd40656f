//! The `mpi` strategy under real `mpirun` (OpenMPI), 2 and 3 ranks on one machine, oversubscribed: digests equal
//! serial's, payload bytes are measured, bad launches are refused, and a killed rank ends the job, never hangs.
//! Runs only in a build with the `mpi` feature (`cargo test --features ablate-harness/mpi`).
#![cfg(feature = "mpi")]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const ABLATE: &str = env!("CARGO_BIN_EXE_ablate");

/// `mpirun -np N ablate ARGS`, allowed to run as root and with more ranks than cores, as on a 2-core CI machine.
fn mpirun(ranks: usize, args: &[&str]) -> Command {
    let mut command = Command::new("mpirun");
    command
        .args(["--oversubscribe", "-np", &ranks.to_string(), ABLATE])
        .args(args)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read_record(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("results file written")).expect("results file is JSON")
}

fn cells_of<'a>(record: &'a Value, strategy: &str) -> Vec<&'a Value> {
    record["cells"].as_array().unwrap().iter().filter(|c| c["strategy"] == strategy).collect()
}

#[test]
fn three_ranks_run_the_quick_suite_beside_process_and_rayon_with_serial_digests() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let report = dir.path().join("report");
    let args = ["run", "--strategies", "mpi,process,rayon", "--workers", "2", "--quick", "--reps", "2", "--out"];
    let output = mpirun(3, &args)
        .arg(&out)
        .arg("--report")
        .arg(&report)
        .args(["--size", "spin=40,var=4000,backtest=2000,mandelbrot=64,triad=65536,gather=65536,skewed=40,payload=1Mi"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let record = read_record(&out);
    let mpi = cells_of(&record, "mpi");
    assert_eq!(mpi.len(), 8, "one mpi cell per workload");
    for cell in &mpi {
        assert_eq!(cell["status"]["state"], "ok", "{}: {}", cell["id"], cell["status"]);
        assert_eq!(cell["digest"], cell["serial_digest"], "{}", cell["id"]);
        assert_eq!(cell["workers"], 2);
        for sample in cell["samples"].as_array().unwrap() {
            let (sent, received) =
                (sample["wire"]["sent"].as_u64().unwrap(), sample["wire"]["received"].as_u64().unwrap());
            let input = cell["payload"]["input_bytes_total"].as_u64().unwrap();
            assert!(sent >= input && received > 0, "{}: the messages carry at least the task inputs", cell["id"]);
            assert_eq!(sample["busy_ns"].as_array().unwrap().len(), 2, "one busy time per worker rank");
            assert!(sample["cpu_ns"].as_u64().unwrap() > 0);
        }
    }
    assert_eq!(cells_of(&record, "process").len(), 8);
    let table = String::from_utf8(output.stdout).unwrap();
    assert_eq!(table.lines().filter(|l| l.split_whitespace().any(|w| w == "mpi")).count(), 8, "{table}");
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains(">mpi<") || html.contains("mpi ×2"), "the report shows the mpi cells");
    let csv = std::fs::read_to_string(report.join("results.csv")).unwrap();
    assert_eq!(csv.lines().filter(|l| l.contains(",mpi,")).count(), 8, "{csv}");
}

#[test]
fn two_ranks_give_one_worker_and_all_includes_mpi() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let output = mpirun(2, &["run", "-w", "skewed,payload", "--size", "skewed=30,payload=1Mi", "--strategies", "all"])
        .args(["--workers", "1", "--reps", "2", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let record = read_record(&out);
    let mpi = cells_of(&record, "mpi");
    assert_eq!(mpi.len(), 2, "`all` includes mpi under mpirun");
    assert!(mpi.iter().all(|c| c["digest"] == c["serial_digest"] && c["status"]["state"] == "ok"));
}

#[test]
fn more_workers_than_worker_ranks_is_refused_with_the_launch_that_would_work() {
    let output = mpirun(2, &["run", "-w", "spin", "--strategies", "mpi", "--workers", "1,2"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("--workers 2") && message.contains("-np 3"), "{message}");
}

#[test]
fn outside_mpirun_the_strategy_explains_how_to_launch_it() {
    let output = Command::new(ABLATE).args(["run", "-w", "spin", "--strategies", "mpi"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("mpirun -np"), "{message}");
    assert_eq!(message.lines().count(), 1, "one line: {message}");
}

#[test]
fn a_killed_rank_ends_the_job_with_a_message_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let mut job = mpirun(3, &["run", "-w", "spin", "--size", "2000", "--strategies", "mpi", "--workers", "2"])
        .args(["--reps", "1000", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rank = wait_for_busy_rank(&job, 1);
    // Taken before the kill: once mpirun exits, ranks left behind are re-parented and no longer its children.
    let every_rank: Vec<(u32, u64)> = ranks_of(job.id()).into_iter().map(|(pid, _)| (pid, start_time(pid))).collect();
    assert_eq!(every_rank.len(), 3, "three ranks were running");
    // SAFETY: sending SIGKILL to a process of our own job.
    unsafe { libc::kill(rank as i32, libc::SIGKILL) };
    let status = wait_or_kill(&mut job, Duration::from_secs(120));
    let message = std::io::read_to_string(job.stderr.take().unwrap()).unwrap();
    assert!(!status.success(), "{message}");
    assert!(message.to_lowercase().contains("signal 9") || message.contains("Killed"), "{message}");
    assert!(!out.exists(), "no results file from an aborted run");
    let left: Vec<u32> =
        every_rank.iter().filter(|(pid, started)| is_alive(*pid, *started)).map(|(pid, _)| *pid).collect();
    assert!(left.is_empty(), "ranks {left:?} outlived the job");
}

/// The pid of `rank` once it has spent CPU time computing (the mpi cell is running).
fn wait_for_busy_rank(job: &Child, rank: u32) -> u32 {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        let found = ranks_of(job.id()).into_iter().find(|(_, r)| *r == rank);
        if let Some((pid, _)) = found
            && cpu_ticks(pid) > 20
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("rank {rank} never started computing");
}

fn wait_or_kill(job: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = job.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            job.kill().unwrap();
            panic!("mpirun still running {limit:?} after a rank was killed: the job hung");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// (pid, rank) of every live process started by `mpirun` with pid `launcher`.
fn ranks_of(launcher: u32) -> Vec<(u32, u32)> {
    let mut ranks = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let fields = stat_fields(pid);
        if fields.get(1).and_then(|p| p.parse::<u32>().ok()) != Some(launcher)
            || fields.first().is_none_or(|s| s == "Z")
        {
            continue;
        }
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        let rank = environ
            .split(|b| *b == 0)
            .find_map(|v| v.strip_prefix(b"OMPI_COMM_WORLD_RANK="))
            .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok());
        if let Some(rank) = rank {
            ranks.push((pid, rank));
        }
    }
    ranks
}

/// The fields of `/proc/PID/stat` after the command name: state first (empty when the process is gone).
fn stat_fields(pid: u32) -> Vec<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().map(str::to_owned).collect()
}

/// When `pid` started, in clock ticks after boot; tells a reused pid from the process it was.
fn start_time(pid: u32) -> u64 {
    stat_fields(pid).get(19).and_then(|t| t.parse().ok()).unwrap_or(0)
}

/// Whether the process that was `pid`, started at `started`, still runs (a zombie has ended).
fn is_alive(pid: u32, started: u64) -> bool {
    let fields = stat_fields(pid);
    fields.first().is_some_and(|state| state != "Z") && start_time(pid) == started
}

/// User plus system CPU ticks of `pid`.
fn cpu_ticks(pid: u32) -> u64 {
    let fields = stat_fields(pid);
    fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
        + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
}
