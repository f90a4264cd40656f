//! The `mpi` strategy on rsmpi: joining the world at start-up, rank 0's pool, and the worker ranks' loop.

mod dispatch;
mod ending;
mod link;
mod places;
mod pool;
mod rank;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ::mpi::Threading;
use ::mpi::environment::Universe;
use ::mpi::point_to_point::Destination;
use ::mpi::topology::Communicator;
use ablate_workloads::Registry;

use super::{HOW_TO_LAUNCH, Role, launched_rank, launched_world_size};
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
    let came_up = start_watchdog();
    let Some((universe, _)) = ::mpi::initialize_with_threading(Threading::Serialized) else {
        crate::terminal::say(format_args!("MPI was initialized twice"));
        return Role::Finished(ExitCode::from(exit::ERROR));
    };
    came_up.store(true, Ordering::Release);
    let world = universe.world();
    if world.rank() != 0 {
        places::tell_host(&world);
        return Role::Finished(rank::serve(&world, registry));
    }
    places::learn_hosts(&world);
    let _ = WORKER_RANKS.set(world.size() as usize - 1);
    Role::Coordinator(Session { universe })
}

/// How long the world may take to come up (`MPI_Init` waits for every rank) unless `ABLATE_MPI_START_TIMEOUT`
/// gives seconds: past it a rank never started.
const START_LIMIT: Duration = Duration::from_secs(120);

/// Bounds `MPI_Init`: a rank that never starts (its host refused it, its program is missing there) leaves every
/// other rank waiting in it, and, under `mpirun --enable-recovery`, the launcher too. Past the limit rank 0 says
/// so and ends the job. Which rank is missing no rank can tell: `MPI_Init` is collective.
fn start_watchdog() -> Arc<AtomicBool> {
    let came_up = Arc::new(AtomicBool::new(false));
    let limit = std::env::var("ABLATE_MPI_START_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(START_LIMIT, Duration::from_secs);
    let watched = came_up.clone();
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        if watched.load(Ordering::Acquire) {
            return;
        }
        if launched_rank() == Some(0) {
            let size = launched_world_size().unwrap_or(0);
            eprintln!(
                "ablate: rank 0 on host {}: the MPI world of {size} ranks did not come up within {limit:?}: a rank never \
                 started (its host refused it, or its program is missing there); ending the job (exit {})",
                places::own_host(),
                exit::ERROR
            );
            ending::end_launcher();
        }
        std::process::exit(exit::ERROR.into());
    });
    came_up
}

impl Session {
    /// Ends the session once the command is done with exit `code`. Under `mpirun --enable-recovery`, mpirun
    /// reports 0 for a job whose ranks all exited, whatever their codes: a failing `code` then ends the job through
    /// mpirun, which exits 1.
    pub fn end(self, code: u8) {
        if code != exit::SUCCESS && ending::under_recovery() {
            let why = format!("exit {code}, which mpirun --enable-recovery would report as 0");
            ending::abandon(&self.universe.world(), &why);
        }
    }
}

/// Releases the worker ranks; with a rank lost, MPI cannot finalize, and the job is ended instead (see
/// [`ending::abandon`]).
impl Drop for Session {
    fn drop(&mut self) {
        let world = self.universe.world();
        if let Some((_, why)) = places::first_lost() {
            ending::abandon(&world, &why);
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
