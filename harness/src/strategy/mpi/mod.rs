//! `mpi`: the same cells across MPI ranks. Rank 0 runs ablate as usual and hands tasks out dynamically; every
//! other rank rebuilds the workload from its name and parameters and computes. It needs a build with the cargo
//! feature `mpi` (rsmpi on OpenMPI) and a launch by `mpirun`; without either, asking for it says how to get it.

#[cfg(feature = "mpi")]
mod enabled;
mod traffic;
#[cfg(feature = "mpi")]
pub use enabled::{Session, join, launch, worker_ranks};
#[cfg(feature = "mpi")]
use traffic::group_by_host;
pub use traffic::{HostBytes, HostRanks, NetworkBytes, RankBytes};

#[cfg(not(feature = "mpi"))]
mod disabled;
#[cfg(not(feature = "mpi"))]
pub use disabled::{Session, join, launch, worker_ranks};

use std::process::ExitCode;

/// What this process is, once it has looked for an MPI launch.
pub enum Role {
    /// Not under `mpirun` (or a world of one rank without MPI support): ablate as usual.
    Alone,
    /// Rank 0 of an MPI world: ablate as usual, with the other ranks available as `mpi` workers until the
    /// session is dropped.
    #[cfg_attr(not(feature = "mpi"), expect(dead_code, reason = "without the feature no rank coordinates"))]
    Coordinator(Session),
    /// A worker rank that has served until the coordinator finished, or a launch that cannot work; exit now.
    Finished(ExitCode),
}

/// How to launch the strategy, for messages.
#[cfg(feature = "mpi")]
pub const HOW_TO_LAUNCH: &str = "launch ablate under mpirun with one rank more than the most workers, e.g. mpirun -np 3 ablate run --strategies \
     mpi --workers 2 (rank 0 coordinates)";

/// The size of the MPI world this process was started in, from the launcher's environment; `None` outside one.
pub fn launched_world_size() -> Option<usize> {
    launcher_number(&["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"])
}

/// This process's rank in the world it was started in, from the launcher's environment.
pub fn launched_rank() -> Option<usize> {
    launcher_number(&["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"])
}

fn launcher_number(variables: &[&str]) -> Option<usize> {
    variables.iter().find_map(|name| std::env::var(name).ok()?.parse().ok())
}
