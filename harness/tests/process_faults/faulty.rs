//! `faulty`: a test-only workload whose tasks misbehave inside worker processes, as each test asks.

use std::path::PathBuf;
use std::time::Duration;

use ablate_harness::strategy::process::WORKER_ENV;
use ablate_harness::strategy::process::wire::{FromWorker, TaskOutcome, write_frame};
use ablate_workloads::{Description, Kind, Param, Registry, Workload, WorkloadConfig, WorkloadError};

const MODE: Param<String> =
    Param::text("mode", "none", "a mode", "sleep | abort | segfault | panic | garbage | misfit | none");
const ON: Param<u64> = Param::at_least("on", 2, 0, "the task that misbehaves");
const ONCE: Param<String> = Param::text("once", "", "a path", "marker file: misbehave only while it does not exist");
const TASKS: Param<u64> = Param::at_least("tasks", 4, 0, "how many tasks");
const LOAD: Param<String> = Param::text("load", "", "hang or once:PATH", "hang | once:PATH (inside a worker)");

/// `tasks` tasks (four by default); task `on` misbehaves as `mode` says, only inside a worker process, and with
/// `once` set only the first time (a marker file records that it happened), so that a retry succeeds. Inside a
/// worker, `load=hang` hangs while loading, and `load=once:PATH` loads once only (the marker file at PATH records
/// it), so that no worker can be replaced.
pub struct Faulty {
    mode: String,
    on: u64,
    once: Option<PathBuf>,
    tasks: u64,
}

impl Workload for Faulty {
    type Shared = ();
    type Task = u64;
    type Output = u64;

    fn describe() -> Description {
        Description::new("faulty", Kind::Cpu, "test-only: a task that misbehaves inside a worker process")
            .sizes("tasks", 4, 4)
            .params(&[&MODE, &ON, &ONCE, &TASKS, &LOAD])
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        let once = ONCE.get(config)?;
        let load = LOAD.get(config)?;
        if std::env::var_os(WORKER_ENV).is_some() {
            misbehave_while_loading(&load)?;
        }
        Ok(Faulty {
            mode: MODE.get(config)?,
            on: ON.get(config)?,
            once: (!once.is_empty()).then(|| PathBuf::from(once)),
            tasks: TASKS.get(config)?,
        })
    }

    fn tasks(&self) -> Vec<u64> {
        (0..self.tasks).collect()
    }

    fn run(&self, _shared: &(), task: &u64) -> u64 {
        if *task == self.on && std::env::var_os(WORKER_ENV).is_some() && self.first_time() {
            misbehave(&self.mode, *task);
        }
        task * 1_000_003 + 7
    }
}

impl Faulty {
    fn first_time(&self) -> bool {
        match &self.once {
            None => true,
            Some(marker) => std::fs::OpenOptions::new().write(true).create_new(true).open(marker).is_ok(),
        }
    }
}

fn misbehave(mode: &str, task: u64) {
    match mode {
        "sleep" => std::thread::sleep(Duration::from_secs(60)),
        "abort" => std::process::abort(),
        // SAFETY: not safe at all, on purpose: a write through a null pointer, so this process dies of SIGSEGV.
        "segfault" => unsafe { std::ptr::null_mut::<u8>().write_volatile(1) },
        "panic" => panic!("faulty task {task} panicked"),
        "garbage" => write_to_protocol_pipe(&[0xffu8; 16]),
        "misfit" => write_to_protocol_pipe(&answer_for_another_task()),
        _ => {}
    }
}

fn misbehave_while_loading(load: &str) -> Result<(), WorkloadError> {
    if load == "hang" {
        std::thread::sleep(Duration::from_secs(60));
    }
    if let Some(marker) = load.strip_prefix("once:")
        && std::fs::OpenOptions::new().write(true).create_new(true).open(marker).is_err()
    {
        let expected = "a first load (this worker is a replacement)".to_owned();
        return Err(WorkloadError::BadParam {
            workload: "faulty".into(),
            key: "load".into(),
            value: load.into(),
            expected,
        });
    }
    Ok(())
}

/// A well-formed frame answering for task 99 999, which no dispatch of this workload holds.
fn answer_for_another_task() -> Vec<u8> {
    let outcome = TaskOutcome { index: 99_999, nanos: 1, output: Ok(serde_bytes::ByteBuf::from(vec![0u8; 8])) };
    let mut frame = Vec::new();
    write_frame(&mut frame, &FromWorker::Done { results: vec![outcome] }, &mut Vec::new()).unwrap();
    frame
}

/// Writes `bytes` to the worker's protocol pipe: the only write-only pipe it holds beyond the standard
/// descriptors.
fn write_to_protocol_pipe(bytes: &[u8]) {
    for entry in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        let fd: i32 = entry.file_name().to_string_lossy().parse().unwrap_or(-1);
        let is_pipe = std::fs::read_link(entry.path()).is_ok_and(|t| t.to_string_lossy().starts_with("pipe:"));
        let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).unwrap_or_default();
        let write_only = info.lines().any(|l| l.starts_with("flags:") && l.trim_end().ends_with('1'));
        if fd > 2 && is_pipe && write_only {
            // SAFETY: writing a local buffer to a descriptor this process owns.
            unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        }
    }
}

pub fn registry() -> Registry {
    let mut registry = Registry::builtin();
    registry.register::<Faulty>().expect("faulty is an identifier");
    registry
}
