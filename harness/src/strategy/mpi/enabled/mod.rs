//! The `mpi` strategy on rsmpi: joining the world at start-up, rank 0's pool, and the worker ranks' loop.

mod dispatch;
mod link;
mod places;
mod pool;
mod rank;

use std::process::ExitCode;
use std::sync::OnceLock;

use ::mpi::Threading;
use ::mpi::environment::Universe;
use ::mpi::point_to_point::Destination;
use ::mpi::topology::Communicator;
use ablate_workloads::Registry;

use super::{HOW_TO_LAUNCH, Role, launched_world_size};
use crate::exit;
pub use pool::launch;

/// The worker ranks of this world, set once rank 0 has joined it.
static WORKER_RANKS: OnceLock<usize> = OnceLock::new();

/// Rank 0's hold on the MPI world: dropping it releases the worker ranks and finalizes MPI.
pub struct Session {
    universe: Universe,
}

/// Joins the MPI world when started by `mpirun`. Worker ranks serve here until rank 0 releases them.
pub fn join(registry: &Registry) -> Role {
    if launched_world_size().is_none() {
        return Role::Alone;
    }
    let Some((universe, _)) = ::mpi::initialize_with_threading(Threading::Serialized) else {
        eprintln!("ablate: MPI was initialized twice");
        return Role::Finished(ExitCode::from(exit::ERROR));
    };
    let world = universe.world();
    if world.rank() != 0 {
        places::tell_host(&world);
        return Role::Finished(rank::serve(&world, registry));
    }
    places::learn_hosts(&world);
    let _ = WORKER_RANKS.set(world.size() as usize - 1);
    Role::Coordinator(Session { universe })
}

/// Releases the worker ranks; with a rank lost, ends the whole job instead (MPI cannot finalize without it), once
/// the results are written.
impl Drop for Session {
    fn drop(&mut self) {
        let world = self.universe.world();
        if let Some((_, why)) = places::first_lost() {
            eprintln!("ablate: {why}; ending the MPI job (MPI_Abort, exit {})", exit::ERROR);
            world.abort(exit::ERROR.into());
        }
        for rank in 1..world.size() {
            world.process_at_rank(rank).send_with_tag(&[0u8; 0][..], link::TAG_FINISH);
        }
    }
}

/// How many worker ranks the `mpi` strategy has, or why it has none.
pub fn worker_ranks() -> Result<usize, String> {
    match WORKER_RANKS.get() {
        None => Err(format!("the mpi strategy runs only under mpirun; {HOW_TO_LAUNCH}")),
        Some(0) => Err(format!("mpirun started one rank, and rank 0 only coordinates; {HOW_TO_LAUNCH}")),
        Some(&ranks) => Ok(ranks),
    }
}
