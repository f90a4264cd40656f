//! Processes on Linux: children told to die with ablate (`PR_SET_PDEATHSIG`), wider pipes to workers
//! (`F_SETPIPE_SZ`), and pinning threads and processes to CPUs (`sched_setaffinity`).

use std::io;
use std::mem;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, ChildStdout, Command};

/// `PR_SET_PDEATHSIG` follows the thread that forked: spawn from one that outlives the child. A SIGKILLed ablate,
/// which can run no code, still takes its direct child down; what that child started is only ever reached by the
/// group kill.
pub fn spawn_group_leader(command: &mut Command) -> io::Result<Child> {
    // SAFETY: getpid(2) has no preconditions.
    let parent = unsafe { libc::getpid() };
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
    super::super::unix::spawn_in_group(command)
}

pub fn tie_worker_to_parent(command: &mut Command) {
    // SAFETY: only async-signal-safe calls (prctl, setpgid) between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            libc::setpgid(0, 0);
            Ok(())
        });
    }
}

/// Pipes hold 64 KiB by default; the kernel caps the size (`/proc/sys/fs/pipe-max-size`), and a refusal only
/// costs speed.
pub fn widen_pipes(stdin: &ChildStdin, stdout: &ChildStdout) {
    const PIPE_BYTES: libc::c_int = 1 << 20;
    for fd in [stdin.as_raw_fd(), stdout.as_raw_fd()] {
        // SAFETY: F_SETPIPE_SZ on a pipe descriptor this process owns.
        unsafe { libc::fcntl(fd, libc::F_SETPIPE_SZ, PIPE_BYTES) };
    }
}

pub fn allowed_cpus() -> Option<Vec<usize>> {
    // SAFETY: an all-zero cpu_set_t is an empty set, and sched_getaffinity only writes into it.
    let mut set: libc::cpu_set_t = unsafe { mem::zeroed() };
    // SAFETY: `set` is a valid cpu_set_t of the size passed; pid 0 is the calling thread.
    let rc = unsafe { libc::sched_getaffinity(0, mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if rc != 0 {
        return None;
    }
    // SAFETY: CPU_ISSET only reads the set, for indices below its capacity.
    Some((0..libc::CPU_SETSIZE as usize).filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) }).collect())
}

pub fn pin_thread(cpu: usize) {
    pin(0, cpu);
}

pub fn pin_process(pid: u32, cpu: usize) {
    pin(pid as libc::pid_t, cpu);
}

fn pin(pid: libc::pid_t, cpu: usize) {
    // SAFETY: an all-zero cpu_set_t is an empty set; CPU_SET writes one bit below CPU_SETSIZE.
    let mut set: libc::cpu_set_t = unsafe { mem::zeroed() };
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: `set` is a valid cpu_set_t of the size passed.
    unsafe { libc::sched_setaffinity(pid, mem::size_of::<libc::cpu_set_t>(), &set) };
}
