//! Child processes that never outlive their owner: each runs as the leader of a process group of its own, and the
//! whole group — whatever the child started, a script's `sleep`, cargo's rustc and build scripts — is killed
//! (SIGKILL) when the owner drops it, on success, error and cancellation alike. A second stop signal kills every
//! such group at once, from the signal handler ([`crate::cancel`]).
//!
//! The child is also told to die with ablate (`PR_SET_PDEATHSIG`), so that a SIGKILLed ablate, which can run no
//! code, still takes its direct child down. What that child started is then orphaned and lives on: grandchildren
//! are only ever reached by the group kill, which needs an ablate alive to send it. (`PR_SET_CHILD_SUBREAPER`
//! would not help: orphans go to the nearest living subreaper, and a SIGKILLed ablate is not living.)
//!
//! The group is killed before the leader is reaped: until then the leader, a zombie at worst, holds its pid, so
//! the group id cannot have been given to anyone else.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

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
    /// Spawns `command` as the leader of a new process group, to be killed if the calling thread ends first
    /// (`PR_SET_PDEATHSIG` follows the thread that forked: spawn from one that outlives the child).
    pub fn spawn(command: &mut Command) -> io::Result<Self> {
        // SAFETY: getpid(2) has no preconditions.
        let parent = unsafe { libc::getpid() };
        command.process_group(0);
        // SAFETY: only async-signal-safe calls (prctl, getppid, raise) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // The parent died before the request above was made: nothing would send the signal.
                if libc::getppid() != parent {
                    libc::raise(libc::SIGKILL);
                }
                Ok(())
            });
        }
        let child = command.spawn()?;
        let pgid = child.id() as i32;
        // The child makes its group itself; made here too, so that a kill sent before the child ran reaches it
        // (the call fails harmlessly once the child has exec'd, by when it has made it).
        // SAFETY: setpgid(2) on our own child; no memory is involved.
        unsafe { libc::setpgid(pgid, pgid) };
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
    pub fn has_exited(&self) -> bool {
        if self.status.is_some() {
            return true;
        }
        // SAFETY: waitid(2) with WNOWAIT on our own child writes only into `info`, which it is given.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        let found = unsafe { libc::waitid(libc::P_PID, self.child.id(), &mut info, flags) };
        // SAFETY: si_pid is set by waitid when a child changed state, and zero (as zeroed) when none did.
        found != 0 || unsafe { info.si_pid() } != 0
    }

    /// Waits up to `limit` for the leader to exit by itself; whether it did.
    pub fn exits_within(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while !self.has_exited() && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        self.has_exited()
    }

    /// Sends `signal` to every process of the group.
    pub fn signal(&self, signal: i32) {
        if self.status.is_none() {
            // SAFETY: kill(2) on the group this child leads, its leader not reaped yet; no memory is involved.
            unsafe { libc::kill(-(self.child.id() as i32), signal) };
        }
    }

    /// Kills the whole group and reaps the leader: how the leader ended (its own exit, if it had exited).
    pub fn end(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        self.signal(libc::SIGKILL);
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
            // SAFETY: kill(2) is async-signal-safe; a registered group's leader is not reaped yet.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
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
        let group = ChildGroup::spawn(Command::new("sh").args(["-c", &script])).unwrap();
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
