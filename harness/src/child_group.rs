//! Child processes that never outlive their owner: each runs as the leader of a process group of its own, and the
//! whole group — whatever the child started, a script's `sleep`, cargo's rustc and build scripts — is killed
//! (SIGKILL) when the owner drops it, on success, error and cancellation alike. A second stop signal kills every
//! such group at once, from the signal handler ([`crate::cancel`]).
//!
//! On Linux the child is also told to die with ablate (`PR_SET_PDEATHSIG`; see [`crate::platform`]), so that a SIGKILLed ablate, which can run no
//! code, still takes its direct child down. What that child started is then orphaned and lives on: grandchildren
//! are only ever reached by the group kill, which needs an ablate alive to send it. (`PR_SET_CHILD_SUBREAPER`
//! would not help: orphans go to the nearest living subreaper, and a SIGKILLed ablate is not living.) Under the
//! portable platform a SIGKILLed ablate leaves its direct child running too.
//!
//! The group is killed before the leader is reaped: until then the leader, a zombie at worst, holds its pid, so
//! the group id cannot have been given to anyone else.

use std::io;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use crate::platform::{self, GroupSignal};

/// The groups alive now, for the signal handler (0: a free slot). More groups than slots at once are still
/// killed when dropped, only not by a second signal; ablate runs two at most (an A/B pair, or one cargo).
static GROUPS: [AtomicI32; 16] = [const { AtomicI32::new(0) }; 16];

/// How often a child is checked for having exited.
const POLL: Duration = Duration::from_millis(10);

/// A child process leading its own process group, which is killed whole when this is dropped.
pub struct ChildGroup {
    child: Child,
    /// Its slot in [`GROUPS`], while registered.
    slot: Option<usize>,
    /// The leader's status, once reaped.
    status: Option<ExitStatus>,
}

impl ChildGroup {
    /// Spawns `command` as the leader of a new process group, to be killed (on Linux) if the calling thread ends
    /// first (`PR_SET_PDEATHSIG` follows the thread that forked: spawn from one that outlives the child).
    pub fn spawn(command: &mut Command) -> io::Result<Self> {
        let child = platform::spawn_group_leader(command)?;
        let pgid = child.id() as i32;
        let slot = GROUPS.iter().position(|g| g.compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst).is_ok());
        Ok(ChildGroup { child, slot, status: None })
    }

    pub fn take_stdin(&mut self) -> Option<ChildStdin> {
        self.child.stdin.take()
    }

    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    /// Whether the leader has exited (it is not reaped, so its group can still be killed safely).
    pub fn has_exited(&mut self) -> bool {
        self.status.is_some() || platform::has_exited(&mut self.child)
    }

    /// Waits up to `limit` for the leader to exit by itself; whether it did.
    pub fn exits_within(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while !self.has_exited() && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        self.has_exited()
    }

    /// Sends `signal` to every process of the group.
    pub fn signal(&self, signal: GroupSignal) {
        if self.status.is_none() {
            platform::signal_group(self.child.id(), signal);
        }
    }

    /// Kills the whole group and reaps the leader: how the leader ended (its own exit, if it had exited).
    pub fn end(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        platform::kill_group(&mut self.child);
        if let Some(slot) = self.slot.take() {
            GROUPS[slot].store(0, Ordering::SeqCst);
        }
        let status = self.child.wait()?;
        self.status = Some(status);
        Ok(status)
    }
}

impl Drop for ChildGroup {
    fn drop(&mut self) {
        let _ = self.end();
    }
}

/// Kills every group alive now: called from the signal handler, so only atomics and kill(2).
pub fn kill_all() {
    for group in &GROUPS {
        let pgid = group.load(Ordering::SeqCst);
        if pgid > 0 {
            // A registered group's leader is not reaped yet.
            platform::signal_group(pgid as u32, GroupSignal::Kill);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether process `pid` is gone (or a zombie).
    fn gone(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map_or(true, |stat| stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')))
    }

    #[test]
    fn dropping_a_group_kills_what_its_leader_started() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("sleep.pid");
        let script = format!("trap '' TERM INT HUP; sleep 1000 & echo $! > {}; wait", pidfile.display());
        let mut group = ChildGroup::spawn(Command::new("sh").args(["-c", &script])).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !std::fs::read_to_string(&pidfile).is_ok_and(|p| p.ends_with('\n')) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        let sleep: u32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        assert!(!group.has_exited() && !gone(sleep));
        let leader = group.child.id();
        drop(group);
        assert!(gone(leader), "the leader was killed and reaped");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !gone(sleep) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        assert!(gone(sleep), "the leader's child {sleep} was killed with its group");
    }

    #[test]
    fn a_leader_that_exited_by_itself_keeps_its_own_status() {
        let mut group = ChildGroup::spawn(Command::new("sh").args(["-c", "exit 3"])).unwrap();
        assert!(group.exits_within(Duration::from_secs(10)));
        assert_eq!(group.end().unwrap().code(), Some(3));
    }
}
