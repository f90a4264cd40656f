//! The public surface of `ablate-harness` is deliberate: the `pub mod` lines of `src/lib.rs` are exactly the
//! modules its `//!` doc lists, and exactly the ones named here, so that growing the surface means editing both;
//! a user reads results files and runs workloads through it alone, and a run through it refuses a size that does
//! not fit in memory as the CLI does; and the README's layout names only paths that exist.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ablate_harness::events::{Cell, Event, Listener, Silent};
use ablate_harness::exit;
use ablate_harness::record::{
    CellRecord, CellStatus, Machine, Profile, RunConfig, RunRecord, Summary, TaskTimeSummary, WorkloadChoice,
    read_results,
};
use ablate_harness::strategy::{Cancel, Chunk, ProcessOptions, StrategyKind, Transport};
use ablate_harness::workloads::{Params, Registry};

const LIB: &str = include_str!("../src/lib.rs");
const README: &str = include_str!("../../README.md");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json");

/// The modules a user or a bench may name; every other module of the crate is private.
const PUBLIC: [&str; 4] = ["events", "exit", "record", "strategy"];

fn declared_public_modules() -> Vec<&'static str> {
    LIB.lines().filter_map(|line| line.strip_prefix("pub mod ")?.strip_suffix(';')).collect()
}

/// The modules of the `//! - [`name`]: why` list in lib.rs's doc.
fn documented_public_modules() -> Vec<&'static str> {
    LIB.lines().filter_map(|line| line.strip_prefix("//! - [`")?.split_once('`').map(|(name, _)| name)).collect()
}

#[test]
fn the_public_modules_are_the_documented_ones_and_no_more() {
    assert_eq!(declared_public_modules(), PUBLIC, "pub mod lines of src/lib.rs");
    assert_eq!(documented_public_modules(), PUBLIC, "the list in src/lib.rs's //! doc");
    let other: Vec<&str> = LIB.lines().filter(|line| line.starts_with("pub(") && line.contains(" mod ")).collect();
    assert!(other.is_empty(), "modules are public or private, nothing between: {other:?}");
}

#[test]
fn a_results_file_is_read_through_the_public_api() {
    let record: RunRecord = read_results(Path::new(FIXTURE)).expect("the fixture is a valid results file");
    let config: &RunConfig = &record.config;
    let machine: &Machine = &record.machine;
    assert!(!config.workloads.is_empty() && machine.logical_cores > 0);
    let ok: Vec<&CellRecord> = record.cells.iter().filter(|cell| cell.status == CellStatus::Ok).collect();
    assert!(!ok.is_empty(), "the fixture has measured cells");
    let summaries: Vec<&Summary> = ok.iter().filter_map(|cell| cell.summary.as_ref()).collect();
    assert_eq!(summaries.len(), ok.len(), "every measured cell is summarised");
    let _: Vec<&TaskTimeSummary> = ok.iter().filter_map(|cell| cell.task_times.as_ref()).collect();
}

/// The ids of the cells the run reports finished, once per repetition.
struct Finished(Mutex<Vec<String>>);

impl Listener for Finished {
    fn on_event(&self, event: &Event<'_>) {
        if let Event::CellFinished { cell, .. } = event {
            let cell: &Cell = cell;
            self.0.lock().unwrap().push(cell.id.clone());
        }
    }
}

/// A run of `workload` at `size` under `strategy` with `workers`, adaptive chunks and shared memory, two timed
/// repetitions and no warm-up.
fn config(workload: &str, size: u64, strategy: StrategyKind, workers: usize) -> RunConfig {
    RunConfig {
        workloads: vec![WorkloadChoice { name: workload.into(), sizes: vec![size], params: Params::new() }],
        strategies: vec![strategy],
        auto: false,
        auto_budget: 1.0,
        naive: false,
        workers: vec![workers],
        chunks: vec![Chunk::Auto],
        transports: vec![Transport::Shm],
        process: ProcessOptions::default(),
        chunk_target_ns: 200_000,
        profile: Profile { warmup: 0, reps: 2, ..Profile::QUICK },
        pin: false,
        seed: 1,
        order_seed: 1,
    }
}

#[test]
fn a_run_without_the_cli_reports_through_a_listener_and_returns_its_record() {
    let config = config("spin", 8, StrategyKind::Threads, 1);
    let finished = Finished(Mutex::new(Vec::new()));
    let machine = Machine::detect_with_project();
    let record = ablate_harness::run(&config, &Registry::builtin(), &machine, &Cancel::new(), &finished)
        .expect("the run completes");
    assert!(record.cells.iter().all(|cell| cell.status == CellStatus::Ok), "{:?}", record.failed_cells().count());
    let mut finished = finished.0.into_inner().unwrap();
    finished.sort();
    let mut expected: Vec<String> = record.cells.iter().flat_map(|cell| [cell.id.clone(), cell.id.clone()]).collect();
    expected.sort();
    assert_eq!(finished, expected, "one event per cell and repetition");
    ablate_harness::run(&config, &Registry::builtin(), &machine, &Cancel::new(), &Silent).expect("and again, silently");
    assert_eq!(exit::SUCCESS, 0);
}

/// Counts every event it hears.
struct Counted(AtomicUsize);

impl Listener for Counted {
    fn on_event(&self, _: &Event<'_>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn a_run_without_the_cli_refuses_a_size_that_does_not_fit_in_memory_as_the_cli_does() {
    if cfg!(feature = "portable-platform") {
        // The portable platform cannot read the memory available, only an address-space limit (none here): it
        // refuses only what could not fit an empty process under that limit (the FAQ says so), and this run would
        // try to allocate the pebibyte. The refusal below is Linux's promise.
        return;
    }
    const PEBIBYTE: u64 = 1 << 50;
    let config = config("payload", PEBIBYTE, StrategyKind::Process, 2);
    let heard = Counted(AtomicUsize::new(0));
    let machine = Machine::detect_with_project();
    let err = ablate_harness::run(&config, &Registry::builtin(), &machine, &Cancel::new(), &heard)
        .expect_err("a pebibyte of payload fits in no machine's memory");
    assert_eq!(err.exit_code(), exit::USAGE, "{err}");
    assert_eq!(heard.0.load(Ordering::Relaxed), 0, "refused before the run started, let alone a worker: {err}");

    let dir = tempfile::tempdir().unwrap();
    let size = PEBIBYTE.to_string();
    let cli = Command::new(env!("CARGO_BIN_EXE_ablate"))
        .current_dir(dir.path())
        .args(["run", "-w", "payload", "--size", &size, "-s", "process", "-j", "2", "-c", "auto", "-t", "shm"])
        .args(["--quick", "--reps", "2", "--warmup", "0", "--no-pin", "-o", "r.json"])
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(i32::from(exit::USAGE)));
    let said = String::from_utf8_lossy(&cli.stderr);
    // What is available differs from one reading to the next; the size, what it needs and why do not.
    let needs = |text: &str| text.split_once(", more than").map(|(needs, _)| needs.to_owned());
    let library = err.to_string();
    assert!(needs(&library).is_some_and(|needs| needs.contains("'payload' at size 1125899906842624")), "{library}");
    assert_eq!(needs(said.trim().trim_start_matches("ablate: ")), needs(&library), "the CLI said: {said}");
    assert!(!dir.path().join("r.json").exists());
}

/// The `src/...` paths of the README's layout block, each under the top-level directory whose line it follows.
fn layout_paths() -> Vec<String> {
    let section = README.split("## Layout").nth(1).expect("the README has a layout section");
    let block = section.split("```").nth(1).expect("the layout is a code block");
    let mut top = String::new();
    let mut paths = Vec::new();
    for line in block.lines().skip(1) {
        if !line.starts_with(' ') {
            if let Some(dir) = line.split_whitespace().next().filter(|word| word.ends_with('/')) {
                top = dir.to_owned();
            }
        }
        let words = line.split([' ', ',', ';']).filter(|word| word.starts_with("src/") || word.starts_with("tests/"));
        paths.extend(words.map(|word| format!("{top}{word}")));
    }
    paths
}

#[test]
fn every_path_the_readme_layout_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let paths = layout_paths();
    assert!(paths.iter().any(|p| p == "harness/src/lib.rs"), "the layout names lib.rs: {paths:?}");
    let missing: Vec<&String> = paths.iter().filter(|path| !root.join(path).exists()).collect();
    assert!(missing.is_empty(), "the README's layout names paths that do not exist: {missing:?}");
}
