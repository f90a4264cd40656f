//! The history store against the defects of issue 27: writers racing on one store, and a store (checked out from
//! a git branch) whose entries are symlinks, FIFOs or devices. Each test is named after the defect it pins.

use std::fs;
use std::path::Path;
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

use super::store::{Added, Entry, Store};
use crate::record::RunRecord;
use crate::record::read_results;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json");

/// The fixture as writer `writer` keeps it: every writer's run has the same commit, time and machine (so the same
/// file name), but different bytes.
fn run_of(writer: usize) -> (RunRecord, Vec<u8>) {
    let mut record = read_results(Path::new(FIXTURE)).unwrap();
    record.created = "2026-11-01T00:00:00Z".to_owned();
    record.machine.git_commit = Some("c".repeat(40));
    record.ablate_version = format!("writer-{writer}");
    let bytes = serde_json::to_vec(&record).unwrap();
    (record, bytes)
}

/// A store holding one run, beside a directory `outside` it must never write into.
fn store_with_one_run() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("outside")).unwrap();
    let (record, bytes) = run_of(0);
    Store::open(&dir.path().join("store")).unwrap().add(&record, &bytes).unwrap();
    dir
}

/// Opens the store at `dir` on another thread; fails the test, instead of hanging it, when that takes over 10 s.
fn open_within_10_s(dir: &Path) -> Result<Store, String> {
    let (sender, receiver) = mpsc::channel();
    let dir = dir.to_owned();
    std::thread::spawn(move || sender.send(Store::open(&dir).map_err(|e| e.to_string())));
    receiver.recv_timeout(Duration::from_secs(10)).expect("opening the store returns within 10 s")
}

fn fixture(created: &str, commit: &str) -> (RunRecord, Vec<u8>) {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json"));
    let mut record = read_results(path).unwrap();
    record.created = created.to_owned();
    record.machine.git_commit = Some(commit.to_owned());
    let bytes = serde_json::to_vec(&record).unwrap();
    (record, bytes)
}

#[test]
fn runs_are_kept_once_in_order_and_a_stale_index_is_rebuilt_from_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let (late, late_bytes) = fixture("2026-11-02T00:00:00Z", "bbbbbbbbbbbbbbbbbbbb");
    let (early, early_bytes) = fixture("2026-11-01T00:00:00Z", "aaaaaaaaaaaaaaaaaaaa");
    assert!(matches!(store.add(&late, &late_bytes).unwrap(), Added::Kept(_)));
    assert!(matches!(store.add(&early, &early_bytes).unwrap(), Added::Kept(_)));
    assert!(matches!(store.add(&early, &early_bytes).unwrap(), Added::AlreadyKept(_)));
    let commits = |s: &Store| s.entries().iter().map(Entry::short_commit).collect::<Vec<_>>();
    assert_eq!(commits(&store), ["aaaaaaa+dirty", "bbbbbbb+dirty"]);
    let reopened = Store::open(dir.path()).unwrap();
    assert!(!reopened.rebuilt);
    assert_eq!(reopened.entries(), store.entries());

    fs::write(dir.path().join("index.json"), "<<<<<<< conflict\n").unwrap();
    let rebuilt = Store::open(dir.path()).unwrap();
    assert!(rebuilt.rebuilt);
    assert_eq!(commits(&rebuilt), commits(&store));
    fs::remove_file(dir.path().join("runs").join(&store.entries()[0].file)).unwrap();
    let fewer = Store::open(dir.path()).unwrap();
    assert_eq!(commits(&fewer), ["bbbbbbb+dirty"]);
}

#[test]
fn concurrent_writers_keep_every_run_and_the_index_lists_them_all() {
    const WRITERS: usize = 4;
    for round in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let barrier = Arc::new(Barrier::new(WRITERS));
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let (dir, barrier) = (dir.path().to_owned(), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    let (record, bytes) = run_of(writer);
                    barrier.wait();
                    Store::open(&dir).and_then(|mut store| store.add(&record, &bytes)).map(drop)
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let mut kept: Vec<String> =
            store.entries().iter().map(|e| store.load(e).unwrap().ablate_version).collect::<Vec<_>>();
        kept.sort();
        let expected: Vec<String> = (0..WRITERS).map(|w| format!("writer-{w}")).collect();
        assert_eq!(kept, expected, "round {round}: every writer's run is kept");
        assert!(!store.rebuilt, "round {round}: the index lists every run");
    }
}

#[test]
fn a_symlinked_index_pointing_outside_is_refused_and_the_outside_file_is_untouched() {
    let dir = store_with_one_run();
    let victim = dir.path().join("outside/victim.txt");
    fs::write(&victim, "precious\n").unwrap();
    let index = dir.path().join("store/index.json");
    fs::remove_file(&index).unwrap();
    std::os::unix::fs::symlink("../outside/victim.txt", &index).unwrap();

    let (record, bytes) = run_of(1);
    let Err(err) = Store::open(&dir.path().join("store")).and_then(|mut store| store.add(&record, &bytes)) else {
        panic!("a symlinked index is refused");
    };
    let err = err.to_string();
    assert!(err.contains("store/index.json") && err.contains("symbolic link"), "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
}

#[test]
fn a_dangling_symlink_in_the_store_creates_nothing_outside_it() {
    for name in ["index.json", ".lock"] {
        let dir = store_with_one_run();
        let link = dir.path().join("store").join(name);
        if link.exists() {
            fs::remove_file(&link).unwrap();
        }
        std::os::unix::fs::symlink("../outside/made/by/ablate/file", &link).unwrap();
        let (record, bytes) = run_of(1);
        let added = Store::open(&dir.path().join("store")).and_then(|mut store| store.add(&record, &bytes));
        assert!(added.is_err(), "a dangling symlinked {name} is refused");
        assert!(!dir.path().join("outside/made").exists(), "nothing was created outside the store through {name}");
    }
}

#[test]
fn a_symlinked_runs_directory_is_refused_and_nothing_is_written_through_it() {
    let dir = store_with_one_run();
    let runs = dir.path().join("store/runs");
    fs::rename(&runs, dir.path().join("outside/runs")).unwrap();
    std::os::unix::fs::symlink("../outside/runs", &runs).unwrap();
    let (record, bytes) = run_of(1);
    let Err(err) = Store::open(&dir.path().join("store")).and_then(|mut store| store.add(&record, &bytes)) else {
        panic!("a symlinked runs/ is refused");
    };
    let err = err.to_string();
    assert!(err.contains("store/runs") && err.contains("symbolic link"), "{err}");
    assert_eq!(fs::read_dir(dir.path().join("outside/runs")).unwrap().count(), 1, "no run written through it");
}

#[test]
fn a_fifo_among_the_runs_is_refused_quickly_instead_of_hanging() {
    for linked in [false, true] {
        let dir = store_with_one_run();
        let fifo = dir.path().join(if linked { "outside/pipe" } else { "store/runs/zz.json" });
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path; mkfifo(3) only reads it.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0, "{}", std::io::Error::last_os_error());
        if linked {
            std::os::unix::fs::symlink("../../outside/pipe", dir.path().join("store/runs/zz.json")).unwrap();
        }
        let err = open_within_10_s(&dir.path().join("store")).err().expect("a FIFO is no results file");
        let why = if linked { "symbolic link" } else { "not a regular file" };
        assert!(err.contains("runs/zz.json") && err.contains(why), "{err}");
    }
}

#[test]
fn a_run_linked_to_dev_zero_is_refused_without_reading_it() {
    let dir = store_with_one_run();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("store/runs/zz.json")).unwrap();
    let err = open_within_10_s(&dir.path().join("store")).err().expect("/dev/zero is no results file");
    assert!(err.contains("runs/zz.json") && err.contains("symbolic link"), "refused, not read: {err}");
}

#[test]
fn a_run_file_over_the_size_bound_is_refused_without_reading_it() {
    let dir = store_with_one_run();
    let huge = fs::File::create(dir.path().join("store/runs/zz.json")).unwrap();
    huge.set_len((256 << 20) + 1).unwrap(); // sparse: nothing is written, and nothing should be read
    let err = open_within_10_s(&dir.path().join("store")).err().expect("an oversized run is refused");
    assert!(err.contains("runs/zz.json") && err.contains("256 MiB"), "{err}");
}

#[test]
fn prepare_refuses_a_store_holding_a_run_that_is_no_results_file() {
    let dir = store_with_one_run();
    let store = dir.path().join("store");
    Store::prepare(&store).unwrap();
    fs::write(store.join("runs/zz.json"), "garbage").unwrap();
    let Err(err) = Store::prepare(&store) else { panic!("garbage is no run") };
    assert!(err.to_string().contains("runs/zz.json is not a valid results file"), "{err}");
}
