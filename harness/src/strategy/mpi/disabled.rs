//! The `mpi` strategy in a build without the `mpi` feature: never available, and every use says how to build it.

use std::process::ExitCode;

use ablate_workloads::Registry;

use super::{Role, launched_rank, launched_world_size};
use crate::error::HarnessError;
use crate::exit;
use crate::strategy::{Launch, Pool};

const NOT_BUILT: &str = "this ablate was built without MPI; build it with `cargo build --release --features ablate-harness/mpi` \
                         (needs OpenMPI and libclang: apt-get install openmpi-bin libopenmpi-dev libclang-dev)";

/// Stands in for the MPI session of a build with the feature; never made.
pub enum Session {}

impl Session {
    /// Never called: no session is made in this build.
    pub fn end(self, _code: u8) {
        match self {}
    }
}

/// Under `mpirun` with more than one rank, every rank would run the whole suite on its own: refuse, once.
pub fn join(_registry: &Registry) -> Role {
    match launched_world_size() {
        Some(size) if size > 1 => {
            if launched_rank() == Some(0) {
                crate::terminal::say(format_args!("started by mpirun with {size} ranks, but {NOT_BUILT}"));
            }
            Role::Finished(ExitCode::from(exit::USAGE))
        }
        _ => Role::Alone,
    }
}

/// The ranks available as workers: none in this build.
pub fn worker_ranks() -> Result<usize, String> {
    Err(NOT_BUILT.to_owned())
}

pub fn launch(spec: &Launch<'_>) -> Result<Box<dyn Pool>, HarnessError> {
    Err(HarnessError::PoolStart { strategy: "mpi", workers: spec.workers, reason: NOT_BUILT.to_owned() })
}
