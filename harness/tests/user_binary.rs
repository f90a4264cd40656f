//! A user's own binary, as `ablate_main!` makes it, over a workload sized in nonzeros whose data sit on the heap
//! and that declares no footprint: `list` and the start of a run warn, once each, that the memory check assumes
//! one; and every message starts with the binary's own name, not `ablate:`.
//!
//! This binary has its own `main` (harness = false): started with [`AS_USER`] set, it is the user's binary;
//! otherwise it runs the tests, which start it so.

use std::path::Path;
use std::process::{Command, ExitCode, Output};

use ablate_harness::workloads::{Description, Kind, Workload, WorkloadConfig, WorkloadError};
use libtest_mimic::{Arguments, Failed, Trial};

/// Set in the environment of the copy of this binary that plays the user's.
const AS_USER: &str = "ABLATE_TEST_AS_USER_BINARY";

/// Sums of a seeded vector, a block of nonzeros per task.
struct Sparse {
    nonzeros: u64,
}

impl Workload for Sparse {
    type Shared = Vec<f64>;
    type Task = (u64, u64);
    type Output = f64;

    fn describe() -> Description {
        const { Description::new("sparse", Kind::Memory, "a test workload sized in nonzeros").sizes("nonzeros", 64, 64) }
    }

    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(Sparse { nonzeros: config.size_at_least(1, "nonzeros")? })
    }

    fn shared_input(&self) -> Vec<f64> {
        (0..self.nonzeros).map(|i| i as f64).collect()
    }

    fn tasks(&self) -> Vec<(u64, u64)> {
        (0..self.nonzeros).step_by(16).map(|start| (start, (start + 16).min(self.nonzeros))).collect()
    }

    fn run(&self, shared: &Vec<f64>, &(start, end): &(u64, u64)) -> f64 {
        shared[start as usize..end as usize].iter().sum()
    }
}

fn as_user(dir: &Path, args: &[&str]) -> Output {
    let me = std::env::current_exe().expect("this test binary");
    Command::new(me).current_dir(dir).env(AS_USER, "1").args(args).output().expect("the user binary starts")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The binary's own name, as its messages must start.
fn own_name() -> String {
    std::env::current_exe().unwrap().file_name().unwrap().to_string_lossy().into_owned()
}

fn check(condition: bool, what: String) -> Result<(), Failed> {
    if condition { Ok(()) } else { Err(what.into()) }
}

const WARNING: &str = "warning: workload 'sparse' declares no footprint";

fn list_warns_once() -> Result<(), Failed> {
    let dir = tempfile::tempdir()?;
    let listed = as_user(dir.path(), &["list"]);
    let text = stderr(&listed);
    check(listed.status.code() == Some(0), format!("list exits 0: {text}"))?;
    check(text.matches(WARNING).count() == 1, format!("one warning: {text}"))?;
    check(text.contains("its size counts nonzeros") && text.contains("Shared = Vec<f64> holds data"), text.clone())?;
    check(text.starts_with(&format!("{}: warning: ", own_name())), format!("the binary's own name: {text}"))
}

fn run_warns_once_at_the_start() -> Result<(), Failed> {
    let dir = tempfile::tempdir()?;
    let run =
        as_user(dir.path(), &["run", "-w", "sparse", "-s", "serial,threads", "-j", "2", "--quick", "-o", "r.json"]);
    let text = stderr(&run);
    check(run.status.code() == Some(0), format!("the run passes: {text}"))?;
    check(text.matches(WARNING).count() == 1, format!("one warning: {text}"))?;
    check(text.lines().next().is_some_and(|l| l.contains(WARNING)), format!("at the start: {text}"))?;
    check(!text.contains("ablate:"), format!("no message says ablate: {text}"))
}

fn main() -> ExitCode {
    if std::env::var_os(AS_USER).is_some() {
        return ablate_harness::main_with_own(|registry| registry.register::<Sparse>().map(drop));
    }
    let tests = vec![
        Trial::test("item_30_list_warns_once_of_an_assumed_footprint_in_doubt", list_warns_once),
        Trial::test("item_30_a_run_warns_once_at_its_start", run_warns_once_at_the_start),
    ];
    libtest_mimic::run(&Arguments::from_args(), tests).exit_code()
}
