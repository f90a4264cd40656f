//! A user's binary whose workload has a name that is not an identifier: refused when the description is a
//! constant (a compile error, see `Description::new`), a panic naming the rule when `Description::new` is called at
//! run time, and — for a name set otherwise, the fields being public — a stop before parsing any argument: one line
//! naming the workload and the rule, exit 1 (error).

use std::process::ExitCode;

use ablate_harness::exit;
use ablate_harness::workloads::{Description, Kind, Workload, WorkloadConfig, WorkloadError};

struct Spaced;

impl Workload for Spaced {
    type Shared = ();
    type Task = u64;
    type Output = u64;

    fn describe() -> Description {
        Description { name: "my work", ..Description::new("placeholder", Kind::Cpu, "a name with a space") }
    }

    fn build(_: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(Spaced)
    }

    fn tasks(&self) -> Vec<u64> {
        vec![1]
    }

    fn run(&self, _: &(), task: &u64) -> u64 {
        *task
    }
}

#[test]
fn a_workload_name_that_is_not_an_identifier_is_refused_with_exit_1() {
    let mut refusal = None;
    let code = ablate_harness::main_with_own(|registry| {
        let refused = registry.register::<Spaced>().map(drop);
        refusal = refused.as_ref().err().map(ToString::to_string);
        refused
    });
    assert_eq!(code, ExitCode::from(exit::ERROR));
    let refusal = refusal.expect("refused at registration");
    assert!(refusal.starts_with("workload name 'my work' is refused: it contains ' '"), "{refusal}");
    assert!(refusal.contains("lowercase letter"), "names the rule: {refusal}");
}

#[test]
#[should_panic(expected = "a workload name contains a character other than a lowercase letter")]
fn a_bad_name_given_to_description_new_at_run_time_panics_naming_the_rule() {
    let name = std::hint::black_box("my work");
    let _ = Description::new(name, Kind::Cpu, "a workload whose name has a space");
}
