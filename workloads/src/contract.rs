//! The workload trait a user implements, and the plain data that describes, configures and sizes a workload.

use std::any::Any;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::WorkloadError;
use crate::param::ParamSpec;
use crate::params::Params;

/// What limits a workload: the cores, the memory system, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Bound by arithmetic: efficiency should stay near 1 while cores are added.
    Cpu,
    /// Bound by memory bandwidth: judged in GB/s, since bandwidth saturates before cores do.
    Memory,
    /// Both matter.
    Mixed,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Kind::Cpu => "cpu",
            Kind::Memory => "memory",
            Kind::Mixed => "mixed",
        })
    }
}

/// Everything the harness shows about a workload before building it.
#[derive(Clone, Debug)]
pub struct Description {
    /// The registry name, e.g. `triad`: a lowercase letter, then lowercase letters, digits, `_` or `-`.
    pub name: &'static str,
    /// What limits it: how its scaling is judged.
    pub kind: Kind,
    /// Scaling shortfalls this workload exists to show (e.g. imbalance under a static partition): the gate reports
    /// them as expected, not as failures. Empty for most workloads.
    pub expected_shortfalls: &'static [ExpectedShortfall],
    /// One sentence: what the workload computes and what it stresses.
    pub summary: &'static str,
    /// What `--size` counts, e.g. `elements` or `tasks`.
    pub size_unit: &'static str,
    /// The size of a real measurement.
    pub default_size: u64,
    /// The size of the `--quick` profile: small enough for CI, large enough to run every code path.
    pub quick_size: u64,
    /// The parameters `build` reads besides size and seed, e.g. `&[&ITERS, &COST]` (see [`crate::Param`]); a
    /// key not declared here is refused before `build` runs.
    pub params: &'static [&'static dyn ParamSpec],
}

impl Description {
    /// A workload called `name`, limited by `kind`, doing what `summary` says; sized in tasks (1000 by default,
    /// 100 for `--quick`) until [`Description::sizes`] says otherwise, with no parameters and no expected shortfall.
    ///
    /// ```
    /// # use ablate_workloads::{Description, Kind, Param};
    /// const ITERS: Param<u64> = Param::new("iters", 50_000, 0..=1_000_000, "loop iterations per task");
    /// let description = Description::new("spin", Kind::Cpu, "independent tasks of pure arithmetic")
    ///     .sizes("tasks", 2_000, 100)
    ///     .params(&[&ITERS]);
    /// assert_eq!((description.size_unit, description.default_size, description.params.len()), ("tasks", 2_000, 1));
    /// ```
    ///
    /// # Panics
    ///
    /// When `name` breaks the naming rule (a lowercase ASCII letter, then lowercase letters, digits, `_` or `-`;
    /// at most 32 in all). In a constant — a `const` or `static`, or a `const { … }` block around the
    /// description in `describe` — that is a compile error:
    ///
    /// ```compile_fail,E0080
    /// # use ablate_workloads::{Description, Kind};
    /// const MINE: Description = Description::new("My Work", Kind::Cpu, "a name with a capital and a space");
    /// ```
    ///
    /// Called at run time it panics, naming the rule. A description whose name was set otherwise (its fields are
    /// public) is checked when it is registered, and refused with an error.
    #[track_caller]
    pub const fn new(name: &'static str, kind: Kind, summary: &'static str) -> Self {
        if let Some(fault) = crate::name::fault(name) {
            panic!("{}", fault.rule());
        }
        Description {
            name,
            kind,
            expected_shortfalls: &[],
            summary,
            size_unit: "tasks",
            default_size: 1000,
            quick_size: 100,
            params: &[],
        }
    }

    /// What `--size` counts, the size of a real measurement, and the size of the `--quick` profile.
    pub const fn sizes(self, unit: &'static str, default_size: u64, quick_size: u64) -> Self {
        Description { size_unit: unit, default_size, quick_size, ..self }
    }

    /// The parameters `build` reads, e.g. `&[&ITERS, &COST]`.
    pub const fn params(self, params: &'static [&'static dyn ParamSpec]) -> Self {
        Description { params, ..self }
    }

    /// The scaling shortfalls this workload exists to show.
    pub const fn expected_shortfalls(self, expected_shortfalls: &'static [ExpectedShortfall]) -> Self {
        Description { expected_shortfalls, ..self }
    }
}

/// A scaling shortfall a workload is built to show: under `strategy` its efficiency is expected to fall below the
/// floor, and the gate says so instead of failing the cell.
#[derive(Clone, Copy, Debug)]
pub struct ExpectedShortfall {
    /// The strategy, by name (`threads`, `rayon`, …).
    pub strategy: &'static str,
    /// Why the shortfall is the point of the workload.
    pub why: &'static str,
}

/// The inputs a workload is built from; equal configurations build equal workloads in any process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadConfig {
    /// The workload's registry name.
    pub name: String,
    /// What `--size` gave, in the workload's size unit.
    pub size: u64,
    /// The seed every random input is drawn from.
    pub seed: u64,
    /// The parameters given; those absent take their defaults.
    pub params: Params,
}

impl WorkloadConfig {
    /// The workload `name` at `size`, drawn from `seed`, every parameter at its default.
    pub fn new(name: &str, size: u64, seed: u64) -> Self {
        WorkloadConfig { name: name.to_owned(), size, seed, params: Params::new() }
    }

    /// This configuration with parameter `key` set to `value`.
    pub fn with_param(mut self, key: &str, value: impl ToString) -> Self {
        self.params.insert(key, value);
        self
    }

    /// The size, once it is at least `min`; otherwise an error naming the size and the least valid one.
    pub fn size_at_least(&self, min: u64, unit: &str) -> Result<u64, WorkloadError> {
        if self.size >= min {
            return Ok(self.size);
        }
        Err(WorkloadError::BadSize {
            workload: self.name.clone(),
            size: self.size,
            expected: format!("at least {min} {unit}"),
        })
    }
}

/// What a built workload holds in memory, estimated from its configuration alone (nothing is made), so that the
/// harness can refuse, before building, a size the machine cannot hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// The shared input once made; every worker process holds a copy of its own.
    pub shared_bytes: u64,
    /// Memory `run` keeps besides (e.g. output buffers), in every process that runs tasks.
    pub scratch_bytes: u64,
    /// How many tasks `tasks` lists.
    pub tasks: u64,
    /// One task's input and one output together, heap included.
    pub bytes_per_task: u64,
}

impl Footprint {
    /// What the harness assumes of a workload that gives no estimate: one task per unit of size, whose input,
    /// output and shared input hold nothing beyond their inline bytes.
    pub fn assumed<W: Workload>(size: u64) -> Self {
        Footprint {
            shared_bytes: std::mem::size_of::<W::Shared>() as u64,
            scratch_bytes: 0,
            tasks: size,
            bytes_per_task: (std::mem::size_of::<W::Task>() + std::mem::size_of::<W::Output>()) as u64,
        }
    }

    /// The bytes of one process that builds the workload and runs every task, keeping `runner_bytes_per_task`
    /// of its own per task (saturating: an absurd size is simply too large).
    pub fn in_one_process(&self, runner_bytes_per_task: u64) -> u64 {
        let per_task = self.bytes_per_task.saturating_add(runner_bytes_per_task);
        self.shared_bytes.saturating_add(self.scratch_bytes).saturating_add(self.tasks.saturating_mul(per_task))
    }

    /// What every worker process adds: its own copy of the shared input, and its scratch.
    pub fn per_worker_process(&self) -> u64 {
        self.shared_bytes.saturating_add(self.scratch_bytes)
    }
}

/// A unit of parallel work, split into independent tasks over a read-only shared input.
///
/// `build` must be cheap and deterministic: the same [`WorkloadConfig`] yields the same shared input, the same
/// tasks and, task by task, the same outputs, whichever thread or process runs them. Task inputs, outputs and the
/// shared input are plain serde data, so that worker processes can receive them as bytes.
pub trait Workload: Sized + Send + Sync + 'static {
    /// Read-only data every task may read (may be large).
    type Shared: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The input of one task.
    type Task: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// The result of one task.
    type Output: Serialize + DeserializeOwned + Send + 'static;

    /// Everything the harness shows before building: name, kind, sizes, parameters.
    fn describe() -> Description;

    /// Reads the parameters; must not do the expensive work of making the shared input.
    fn build(config: &WorkloadConfig) -> Result<Self, WorkloadError>;

    /// Makes the shared input, deterministically from the configuration's seed. A workload without one writes
    /// `type Shared = ();` and leaves this out.
    ///
    /// Stable Rust has neither defaults for associated types nor a default method for `Shared = ()` alone, and a
    /// `Shared: Default` bound would hand an empty vector, silently, to a workload that forgot its shared input.
    /// So the default returns `()` and refuses every other type: one that holds data when the workload is
    /// compiled into a binary (a constant assertion, which `cargo build` evaluates and `cargo check` does not),
    /// a data-less one with a panic when the workload is prepared.
    fn shared_input(&self) -> Self::Shared {
        nothing_shared()
    }

    /// The tasks, in the order their outputs are digested.
    fn tasks(&self) -> Vec<Self::Task>;

    /// Runs one task. Must depend only on `shared` and `task` (and scratch space of its own).
    fn run(&self, shared: &Self::Shared, task: &Self::Task) -> Self::Output;

    /// What the workload will hold once built, estimated without making anything (see [`Footprint`]). `None`,
    /// the default, lets the harness assume one task per unit of size, each as large as its types' inline bytes
    /// ([`Footprint::assumed`]); a workload whose data live on the heap, or whose size is not a task count,
    /// says better.
    fn footprint(&self) -> Option<Footprint> {
        None
    }

    /// Bytes of memory traffic in one pass over all tasks, for memory-bound workloads' GB/s (STREAM counting).
    fn bytes_touched(&self) -> Option<u64> {
        None
    }
}

/// `()` as the shared input of a workload that has none; any other type refused (see [`Workload::shared_input`]).
/// A workload whose shared input holds data and that leaves out `shared_input` does not build:
///
/// ```compile_fail,E0080
/// use ablate_workloads::{Description, Registry, Workload, WorkloadConfig, WorkloadError};
/// struct Forgot;
/// impl Workload for Forgot {
///     type Shared = Vec<f64>;
///     type Task = u64;
///     type Output = u64;
///     fn describe() -> Description { unimplemented!() }
///     fn build(_: &WorkloadConfig) -> Result<Self, WorkloadError> { Ok(Forgot) }
///     fn tasks(&self) -> Vec<u64> { vec![1] }
///     fn run(&self, shared: &Vec<f64>, task: &u64) -> u64 { task + shared.len() as u64 }
/// }
/// Registry::new().register::<Forgot>().unwrap();
/// ```
fn nothing_shared<S: 'static>() -> S {
    const { assert!(size_of::<S>() == 0, "a workload whose `type Shared` holds data must define `fn shared_input`") };
    match (Box::new(()) as Box<dyn Any>).downcast::<S>() {
        Ok(unit) => *unit,
        Err(_) => panic!("a workload whose `type Shared` is not `()` must define `fn shared_input`"),
    }
}
