//! Ending an MPI job that cannot finalize: a rank was lost (`MPI_Finalize` would wait for it), or the job runs
//! under `mpirun --enable-recovery`, which keeps a job going past a dead rank but reports 0 for any job whose ranks
//! all exited. Rank 0, its results written, tells the live ranks to exit and has mpirun end the job; mpirun then
//! exits 1.

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use ::mpi::topology::{Communicator, SimpleCommunicator};

use super::{link, places};
use crate::exit;

/// How long rank 0 waits for the live ranks to take the message that ends the job before it exits itself.
const ABANDON_WAIT: Duration = Duration::from_secs(5);

/// Open MPI's launchers, by process name.
const LAUNCHERS: [&str; 6] = ["mpirun", "mpiexec", "orterun", "orted", "prterun", "prted"];

/// Whether this job runs under `mpirun --enable-recovery`.
pub fn under_recovery() -> bool {
    std::env::var("OMPI_MCA_orte_enable_recovery").is_ok_and(|v| v == "1")
}

/// Says `why` the job ends, tells every live worker rank to exit, asks the launcher to end the job and exits 1.
pub fn abandon(world: &SimpleCommunicator, why: &str) -> ! {
    eprintln!("ablate: {why}; ending the MPI job without finalizing it (exit {})", exit::ERROR);
    let live = (1..world.size()).filter(|&rank| places::lost(rank).is_none());
    link::deliver_within(world, live, &[link::ABANDON], link::TAG_FINISH, ABANDON_WAIT);
    end_launcher();
    std::process::exit(exit::ERROR.into());
}

/// Under `mpirun --enable-recovery` a job that lost a rank does not end when its other ranks exit: the launcher
/// that started this rank (its parent, Open MPI's `mpirun` or `orted`) is asked to end it as Ctrl-C would, which
/// kills whatever the job still runs on every host it can reach, and asked again 3 s later (within the 5 s Open
/// MPI allows for it), which makes it stop waiting for a host it cannot reach. The asking is done by a shell in a
/// session of its own, since the launcher kills this rank meanwhile. Any other parent is left alone.
pub fn end_launcher() {
    let parent = std::os::unix::process::parent_id();
    let name = std::fs::read_to_string(format!("/proc/{parent}/comm")).unwrap_or_default();
    if LAUNCHERS.contains(&name.trim()) {
        let twice = "kill -TERM \"$0\" && sleep 3 && kill -TERM \"$0\"";
        let mut shell = Command::new("sh");
        shell.args(["-c", twice, &parent.to_string()]).process_group(0).stdin(Stdio::null());
        if let Err(e) = shell.spawn() {
            eprintln!("ablate: could not ask mpirun (pid {parent}) to end the job: {e}");
        }
    }
}
