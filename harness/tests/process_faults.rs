//! Fault tests of the process strategy, through a test-only workload whose tasks misbehave inside worker
//! processes: sleep past the timeout, abort, segfault, panic, write garbage or an answer to another dispatch on
//! the protocol pipe, hang while loading, or refuse to load a second time.
//!
//! This binary has its own `main` (harness = false) so that it can serve as the process strategy's worker,
//! exactly as a user's binary does. Every test ends by checking through /proc that no child process remains.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use ablate_harness::HarnessError;
use ablate_harness::events::Silent;
use ablate_harness::record::{CellRecord, CellStatus, Machine, Profile, RunConfig, RunRecord, WorkloadChoice};
use ablate_harness::strategy::process::{ProcessPool, serve_if_worker};
use ablate_harness::strategy::{
    Cancel, Chunk, DEFAULT_CHUNK_TARGET, Faults, Launch, Pinning, ProcessOptions, StrategyKind, Transport,
};
use ablate_workloads::runtime::Job;
use ablate_workloads::{Params, WorkloadConfig};
use libtest_mimic::{Arguments, Failed, Trial};

#[path = "process_faults/faulty.rs"]
mod faulty;
#[path = "process_faults/processes.rs"]
mod processes;

use faulty::registry;
use processes::{assert_gone, assert_no_children, children_of, current_rss_kib, open_fds};

fn options(timeout: Duration, max_pool_failures: u32) -> ProcessOptions {
    ProcessOptions { task_timeout: timeout, max_pool_failures, ..ProcessOptions::default() }
}

/// One process cell (1 worker, all four tasks in one chunk, so fault counts are exact) beside serial.
fn run_faulty(params: Params, process: ProcessOptions) -> RunRecord {
    run_faulty_in_chunks(params, process, 4)
}

/// One process cell of 1 worker and `chunk` tasks per dispatch, beside serial.
fn run_faulty_in_chunks(params: Params, process: ProcessOptions, chunk: usize) -> RunRecord {
    let config = RunConfig {
        workloads: vec![WorkloadChoice { name: "faulty".into(), sizes: vec![], params }],
        strategies: vec![StrategyKind::Process],
        auto: false,
        auto_budget: 1.0,
        naive: false,
        workers: vec![1],
        chunks: vec![Chunk::Fixed(chunk)],
        transports: vec![Transport::Shm],
        process,
        chunk_target_ns: 200_000,
        profile: Profile { warmup: 1, reps: 2, ..Profile::QUICK },
        pin: false,
        seed: 1,
        order_seed: 1,
    };
    let record = ablate_harness::run(&config, &registry(), &Machine::detect_with_project(), &Cancel::new(), &Silent)
        .expect("the run completes");
    assert_no_children();
    record
}

/// A 2-worker process pool for `job`, unpinned, with the default chunk target and a token nothing cancels.
fn start_pool(
    job: &Arc<dyn Job>,
    chunk: Chunk,
    transport: Transport,
    process: &ProcessOptions,
) -> Result<ProcessPool, HarnessError> {
    let (pinning, cancel) = (Pinning::off(), Cancel::new());
    let chunk_target = DEFAULT_CHUNK_TARGET;
    let workers = 2;
    ProcessPool::start(&Launch {
        job,
        workers,
        chunk,
        transport,
        process,
        chunk_target,
        pinning: &pinning,
        cancel: &cancel,
    })
}

fn process_cell(record: &RunRecord) -> &CellRecord {
    record.cells.iter().find(|c| c.strategy == StrategyKind::Process).expect("a process cell")
}

fn marker(name: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name).to_string_lossy().into_owned();
    (dir, path)
}

/// The cell finished, its digest equals serial's, and the counters say exactly `faults`.
fn assert_recovered(record: &RunRecord, faults: Faults) {
    let cell = process_cell(record);
    assert_eq!(cell.status, CellStatus::Ok, "{}", cell.id);
    assert_eq!(cell.digest, record.cells[0].digest, "digest differs from serial's");
    assert_eq!(cell.samples.len(), 2);
    assert_eq!(cell.faults, faults);
}

fn one_retry_round(timeouts: u32, crashes: u32, garbled: u32) -> Faults {
    Faults { timeouts, crashes, garbled, retries: 4, ..Faults::default() }
}

fn a_task_sleeping_past_its_timeout_is_killed_and_retried() {
    let (_dir, once) = marker("slept");
    let params = Params::new().with("mode", "sleep").with("once", &once);
    let record = run_faulty(params, options(Duration::from_millis(300), 8));
    assert_recovered(&record, one_retry_round(1, 0, 0));
}

fn an_aborting_worker_is_replaced_and_its_tasks_retried() {
    let (_dir, once) = marker("aborted");
    let record =
        run_faulty(Params::new().with("mode", "abort").with("once", &once), options(Duration::from_secs(30), 8));
    assert_recovered(&record, one_retry_round(0, 1, 0));
}

fn a_segfaulting_worker_is_replaced_and_its_tasks_retried() {
    let (_dir, once) = marker("segfaulted");
    let record =
        run_faulty(Params::new().with("mode", "segfault").with("once", &once), options(Duration::from_secs(30), 8));
    assert_recovered(&record, one_retry_round(0, 1, 0));
}

fn a_worker_writing_garbage_is_killed_and_its_tasks_retried() {
    let (_dir, once) = marker("garbled");
    let record =
        run_faulty(Params::new().with("mode", "garbage").with("once", &once), options(Duration::from_secs(30), 8));
    assert_recovered(&record, one_retry_round(0, 0, 1));
}

/// With two workers and one task per dispatch, the other worker's results keep flowing while the crashed one is
/// replaced, and only the task that was running is retried.
fn a_crash_beside_a_healthy_worker_loses_none_of_its_results() {
    let (_dir, once) = marker("aborted-beside");
    let config = RunConfig {
        workloads: vec![WorkloadChoice {
            name: "faulty".into(),
            sizes: vec![],
            params: Params::new().with("mode", "abort").with("once", &once),
        }],
        strategies: vec![StrategyKind::Process],
        auto: false,
        auto_budget: 1.0,
        naive: false,
        workers: vec![2],
        chunks: vec![Chunk::Fixed(1)],
        transports: vec![Transport::Regen],
        process: options(Duration::from_secs(30), 8),
        chunk_target_ns: 200_000,
        profile: Profile { warmup: 1, reps: 2, ..Profile::QUICK },
        pin: false,
        seed: 1,
        order_seed: 1,
    };
    let record = ablate_harness::run(&config, &registry(), &Machine::detect_with_project(), &Cancel::new(), &Silent)
        .expect("the run completes");
    assert_no_children();
    assert_recovered(&record, Faults { timeouts: 0, crashes: 1, garbled: 0, retries: 1, ..Faults::default() });
}

/// A task that hangs in the middle of a dispatch of 2 000 tasks is found after its own timeout (300 ms), not
/// after 2 000 of them (10 minutes, by which time its 60-second sleep would have ended and nothing been found).
fn item_9_a_hung_task_in_a_big_chunk_is_killed_after_its_own_timeout() {
    let (_dir, once) = marker("hung");
    let params = Params::new().with("mode", "sleep").with("on", 1000).with("tasks", 2000).with("once", &once);
    let record = run_faulty_in_chunks(params, options(Duration::from_millis(300), 8), 2000);
    let cell = process_cell(&record);
    assert_eq!(cell.status, CellStatus::Ok, "{}", cell.id);
    assert_eq!(cell.digest, record.cells[0].digest, "digest differs from serial's");
    assert_eq!(cell.faults, Faults { timeouts: 1, retries: 2000, ..Faults::default() });
}

/// A worker that hangs while loading is killed after the load timeout, and the pool says so, however long the
/// task timeout is.
fn item_9_a_worker_hanging_while_loading_is_killed_after_the_load_timeout() {
    let job = registry()
        .prepare(WorkloadConfig { name: "faulty".into(), size: 4, seed: 1, params: Params::new().with("load", "hang") })
        .unwrap();
    let options = ProcessOptions {
        task_timeout: Duration::from_secs(600),
        load_timeout: Duration::from_millis(300),
        ..ProcessOptions::default()
    };
    let started = start_pool(&job, Chunk::Auto, Transport::Regen, &options);
    let error = started.err().expect("the pool cannot start").to_string();
    assert!(error.contains("did not load the workload within 300ms"), "{error}");
    assert_no_children();
}

/// A worker that answers for a task its dispatch does not hold is a garbled frame: counted, killed, replaced,
/// and its tasks retried; the parent does not panic on the index.
fn item_10_an_answer_for_a_task_outside_its_dispatch_is_a_garbled_frame() {
    let (_dir, once) = marker("misfit");
    let record =
        run_faulty(Params::new().with("mode", "misfit").with("once", &once), options(Duration::from_secs(30), 8));
    assert_recovered(&record, one_retry_round(0, 0, 1));
}

/// A failed worker that cannot be replaced (its replacement refuses to load) is counted, and with no worker
/// left each execution falls back to serial in the parent, which finishes it.
fn item_11_a_worker_that_cannot_be_replaced_is_counted_and_the_run_falls_back() {
    let (_dir, loaded) = marker("loaded");
    let params = Params::new().with("mode", "abort").with("load", format!("once:{loaded}"));
    let record = run_faulty(params, options(Duration::from_secs(30), 8));
    let cell = process_cell(&record);
    assert_eq!(cell.status, CellStatus::Ok, "the parent finished the tasks");
    assert_eq!(cell.digest, record.cells[0].digest);
    let expected = Faults { crashes: 1, retries: 4, fallbacks: 3, respawn_failures: 3, ..Faults::default() };
    assert_eq!(cell.faults, expected, "one crash, then no worker in any of the 3 executions");
}

fn a_panic_in_a_worker_comes_back_as_a_task_error() {
    let record = run_faulty(Params::new().with("mode", "panic"), options(Duration::from_secs(30), 8));
    let cell = process_cell(&record);
    let CellStatus::Failed { reason } = &cell.status else { panic!("the cell should fail: {:?}", cell.status) };
    assert!(reason.contains("task 2") && reason.contains("faulty task 2 panicked"), "{reason}");
    assert_eq!(cell.faults, Faults::default(), "a panic is an answer, not a worker fault");
    assert_eq!(record.cells[0].status, CellStatus::Ok, "serial still ran");
}

fn a_task_that_keeps_crashing_fails_after_its_retries_and_the_run_goes_on() {
    let record = run_faulty(Params::new().with("mode", "abort"), options(Duration::from_secs(30), 8));
    let cell = process_cell(&record);
    let CellStatus::Failed { reason } = &cell.status else { panic!("the cell should fail: {:?}", cell.status) };
    assert!(reason.contains("task 2") && reason.contains("3 attempts"), "{reason}");
    assert_eq!(cell.faults, Faults { crashes: 3, retries: 5, ..Faults::default() });
}

fn too_many_worker_failures_fall_back_to_serial_in_the_parent() {
    let record = run_faulty(Params::new().with("mode", "abort"), options(Duration::from_secs(30), 1));
    let cell = process_cell(&record);
    assert_eq!(cell.status, CellStatus::Ok, "the parent finished the tasks");
    assert_eq!(cell.digest, record.cells[0].digest);
    let faults = cell.faults;
    assert_eq!((faults.fallbacks, faults.timeouts, faults.garbled), (3, 0, 0), "every execution fell back: {faults:?}");
    assert_eq!(faults.crashes, 6, "two crashes per execution before the fallback: {faults:?}");
}

fn every_transport_matches_serial_and_shm_moves_almost_nothing() {
    let config = RunConfig {
        workloads: vec![WorkloadChoice {
            name: "payload".into(),
            sizes: vec![4 << 20],
            params: Params::new().with("tasks", 8),
        }],
        strategies: vec![StrategyKind::Process],
        auto: false,
        auto_budget: 1.0,
        naive: false,
        workers: vec![2],
        chunks: vec![Chunk::Auto],
        transports: Transport::ALL.to_vec(),
        process: ProcessOptions::default(),
        chunk_target_ns: 200_000,
        profile: Profile { warmup: 0, reps: 2, ..Profile::QUICK },
        pin: false,
        seed: 3,
        order_seed: 3,
    };
    let record =
        ablate_harness::run(&config, &registry(), &Machine::detect_with_project(), &Cancel::new(), &Silent).unwrap();
    assert_no_children();
    let per_task = |transport: Transport| {
        let cell = record.cells.iter().find(|c| c.transport == Some(transport)).unwrap();
        assert_eq!(cell.status, CellStatus::Ok, "{}", cell.id);
        assert_eq!(cell.digest, record.cells[0].digest, "{}", cell.id);
        cell.bytes_per_task().unwrap().0
    };
    let (copy, shm, regen) = (per_task(Transport::Copy), per_task(Transport::Shm), per_task(Transport::Regen));
    assert!(copy > (4 << 20) as f64, "copy carries the 4 MiB input in every task: {copy}");
    assert!(shm < copy * 0.01 && regen < copy * 0.01, "shm {shm} and regen {regen} vs copy {copy}");
}

/// A hundred thousand empty tasks pass through one pool, in order, under adaptive chunks and one task per chunk;
/// adaptive chunks grow past one task, so fewer frames (and frame headers) cross the pipes.
fn a_hundred_thousand_tiny_tasks_pass_through_one_pool() {
    let job = registry()
        .prepare(WorkloadConfig { name: "spin".into(), size: 100_000, seed: 5, params: Params::new().with("iters", 0) })
        .unwrap();
    let bytes_sent = |chunk: Chunk| {
        let options = ProcessOptions::default();
        let mut pool = start_pool(&job, chunk, Transport::Regen, &options).unwrap();
        let execution = ablate_harness::strategy::Pool::execute(&mut pool, &ablate_harness::strategy::IgnoreProgress);
        assert!(execution.failure.is_none(), "{:?}", execution.failure);
        assert_eq!(job.digest(&execution.outputs).unwrap(), serial_digest(&job));
        pool.shutdown();
        execution.wire.unwrap().sent
    };
    let (adaptive, one_each) = (bytes_sent(Chunk::Auto), bytes_sent(Chunk::Fixed(1)));
    // About 8 bytes of every task's frame are its own (index and input), about 7 the frame's: 0.7 of the bytes
    // means chunks averaging more than three tasks.
    assert!(adaptive * 10 < one_each * 7, "adaptive chunks sent {adaptive} bytes, one task per chunk {one_each}");
    assert_no_children();
}

fn serial_digest(job: &std::sync::Arc<dyn ablate_workloads::runtime::Job>) -> ablate_workloads::Digest {
    let outputs: Vec<_> = (0..job.task_count()).map(|i| job.run_task(i)).collect();
    job.digest(&outputs).unwrap()
}

/// Creates and shuts down a 2-worker pool many times (`ABLATE_STRESS_CYCLES`, default 100; the full study
/// uses 1000): open descriptors and child processes must not grow, and resident memory must grow < 4 MiB.
fn pool_create_shutdown_cycles_leak_nothing() {
    let cycles: usize = std::env::var("ABLATE_STRESS_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let job = registry()
        .prepare(WorkloadConfig { name: "spin".into(), size: 4, seed: 5, params: Params::new().with("iters", 10) })
        .unwrap();
    let cycle = || start_pool(&job, Chunk::Auto, Transport::Shm, &ProcessOptions::default()).unwrap().shutdown();
    cycle();
    let (fds_before, rss_before) = (open_fds(), current_rss_kib());
    for _ in 0..cycles {
        cycle();
    }
    let (fds_after, rss_after) = (open_fds(), current_rss_kib());
    assert_eq!(fds_after, fds_before, "open descriptors after {cycles} cycles");
    assert!(rss_after < rss_before + 4096, "RSS grew from {rss_before} KiB to {rss_after} KiB over {cycles} cycles");
    assert_no_children();
    println!("    {cycles} cycles: fds {fds_before} -> {fds_after}, RSS {rss_before} -> {rss_after} KiB");
}

/// Runs as the process strategy's worker when started as one; otherwise as a libtest-compatible test binary
/// (`--list`, filters, `--exact`, as `cargo test` and `cargo nextest` call it). The tests run one at a time:
/// each checks that this process has no child left, which a test running beside it would break.
fn main() -> ExitCode {
    if let Some(code) = serve_if_worker(&registry()) {
        return code;
    }
    ablate_harness::strategy::install_quiet_panic_hook();
    let mut arguments = Arguments::from_args();
    arguments.test_threads = Some(1);
    let tests = vec![
        Trial::test(
            "item_9_a_hung_task_in_a_big_chunk_is_killed_after_its_own_timeout",
            as_trial(item_9_a_hung_task_in_a_big_chunk_is_killed_after_its_own_timeout),
        ),
        Trial::test(
            "item_9_a_worker_hanging_while_loading_is_killed_after_the_load_timeout",
            as_trial(item_9_a_worker_hanging_while_loading_is_killed_after_the_load_timeout),
        ),
        Trial::test(
            "item_10_an_answer_for_a_task_outside_its_dispatch_is_a_garbled_frame",
            as_trial(item_10_an_answer_for_a_task_outside_its_dispatch_is_a_garbled_frame),
        ),
        Trial::test(
            "item_11_a_worker_that_cannot_be_replaced_is_counted_and_the_run_falls_back",
            as_trial(item_11_a_worker_that_cannot_be_replaced_is_counted_and_the_run_falls_back),
        ),
        Trial::test(
            "a_crash_beside_a_healthy_worker_loses_none_of_its_results",
            as_trial(a_crash_beside_a_healthy_worker_loses_none_of_its_results),
        ),
        Trial::test(
            "workers_die_with_a_parent_that_is_killed_outright",
            as_trial(workers_die_with_a_parent_that_is_killed_outright),
        ),
        Trial::test(
            "a_task_sleeping_past_its_timeout_is_killed_and_retried",
            as_trial(a_task_sleeping_past_its_timeout_is_killed_and_retried),
        ),
        Trial::test(
            "an_aborting_worker_is_replaced_and_its_tasks_retried",
            as_trial(an_aborting_worker_is_replaced_and_its_tasks_retried),
        ),
        Trial::test(
            "a_segfaulting_worker_is_replaced_and_its_tasks_retried",
            as_trial(a_segfaulting_worker_is_replaced_and_its_tasks_retried),
        ),
        Trial::test(
            "a_worker_writing_garbage_is_killed_and_its_tasks_retried",
            as_trial(a_worker_writing_garbage_is_killed_and_its_tasks_retried),
        ),
        Trial::test(
            "a_panic_in_a_worker_comes_back_as_a_task_error",
            as_trial(a_panic_in_a_worker_comes_back_as_a_task_error),
        ),
        Trial::test(
            "a_task_that_keeps_crashing_fails_after_its_retries_and_the_run_goes_on",
            as_trial(a_task_that_keeps_crashing_fails_after_its_retries_and_the_run_goes_on),
        ),
        Trial::test(
            "too_many_worker_failures_fall_back_to_serial_in_the_parent",
            as_trial(too_many_worker_failures_fall_back_to_serial_in_the_parent),
        ),
        Trial::test(
            "every_transport_matches_serial_and_shm_moves_almost_nothing",
            as_trial(every_transport_matches_serial_and_shm_moves_almost_nothing),
        ),
        Trial::test(
            "a_hundred_thousand_tiny_tasks_pass_through_one_pool",
            as_trial(a_hundred_thousand_tiny_tasks_pass_through_one_pool),
        ),
        Trial::test("pool_create_shutdown_cycles_leak_nothing", as_trial(pool_create_shutdown_cycles_leak_nothing)),
        Trial::test(
            "interrupting_a_run_stops_workers_and_keeps_partial_results",
            as_trial(interrupting_a_run_stops_workers_and_keeps_partial_results),
        ),
    ];
    libtest_mimic::run(&arguments, tests).exit_code()
}

/// A test function as a trial; libtest-mimic reports its panic as the failure.
fn as_trial(test: fn()) -> impl FnOnce() -> Result<(), Failed> + Send + 'static {
    move || {
        test();
        Ok(())
    }
}

/// Starts a long real `ablate` run with two worker processes; returns it and its workers' pids once both run.
fn long_process_run(out: &Path) -> (std::process::Child, Vec<u32>) {
    let ablate = Path::new(env!("CARGO_BIN_EXE_ablate"));
    let child = std::process::Command::new(ablate)
        .args(["run", "-w", "spin", "-s", "process", "-j", "2", "--size", "100000", "--reps", "50", "--out"])
        .arg(out)
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while children_of(child.id()).len() < 2 {
        assert!(std::time::Instant::now() < deadline, "the workers never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let workers = children_of(child.id());
    std::thread::sleep(Duration::from_millis(300));
    (child, workers)
}

/// SIGKILL gives the parent no chance to clean up: the parent-death signal and the closed pipe must end the
/// workers by themselves.
fn workers_die_with_a_parent_that_is_killed_outright() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, workers) = long_process_run(&dir.path().join("results.json"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_gone(&workers, Duration::from_secs(5));
    assert!(!dir.path().join("results.json").exists(), "a killed run writes no half file");
}

/// Sends SIGINT to a real `ablate` run with worker processes: it exits 130, writes the results file marked
/// cancelled, and leaves no worker behind.
fn interrupting_a_run_stops_workers_and_keeps_partial_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results.json");
    let (mut child, workers) = long_process_run(&out);
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(record["cancelled"], true);
    assert_gone(&workers, Duration::ZERO);
}
