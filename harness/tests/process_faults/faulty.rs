//! `faulty`: a test-only workload whose tasks misbehave inside worker processes, as each test asks.

use std::path::PathBuf;
use std::time::Duration;

use ablate_harness::strategy::process::WORKER_ENV;
use ablate_harness::strategy::process::wire::{FromWorker, TaskOutcome, write_frame};
use ablate_workloads::{Description, Kind, ParamDoc, Registry, Workload, WorkloadConfig, WorkloadError};

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
        Description {
            name: "faulty",
            kind: Kind::Cpu,
            expected_shortfalls: &[],
            summary: "test-only: a task that misbehaves inside a worker process",
            size_unit: "tasks",
            default_size: 4,
            quick_size: 4,
            params: &[
                ParamDoc {
                    name: "mode",
                    default: "none",
                    help: "sleep | abort | segfault | panic | garbage | misfit | none",
                },
                ParamDoc { name: "on", default: "2", help: "the task that misbehaves" },
                ParamDoc { name: "once", default: "", help: "marker file: misbehave only while it does not exist" },
                ParamDoc { name: "tasks", default: "4", help: "how many tasks" },
                ParamDoc { name: "load", default: "", help: "hang | once:PATH (inside a worker)" },
            ],
        }
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        let once: String = config.params.get_or("faulty", "once", String::new(), "a path")?;
        let load: String = config.params.get_or("faulty", "load", String::new(), "hang or once:PATH")?;
        if std::env::var_os(WORKER_ENV).is_some() {
            misbehave_while_loading(&load)?;
        }
        Ok(Faulty {
            mode: config.params.get_or("faulty", "mode", "none".to_owned(), "a mode")?,
            on: config.params.get_or("faulty", "on", 2, "a task index")?,
            once: (!once.is_empty()).then(|| PathBuf::from(once)),
            tasks: config.params.get_or("faulty", "tasks", 4, "a task count")?,
        })
    }

    fn shared_input(&self) {}

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
    registry.register::<Faulty>();
    registry
}
