//! POSIX calls both implementations share on Unix (Linux, macOS, the BSDs): CPU times, faults and limits from
//! `getrusage`/`getrlimit`, process groups, stop signals, the worker's stdout, signal names; and the file calls
//! the history store and the results writer make (`O_NOFOLLOW`, `flock`, `access`, modes, device kinds).

use std::fs::{self, File, OpenOptions, Permissions};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::time::Duration;

use super::{GroupSignal, SpecialKind};

/// The signals that stop a command.
const STOP_SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

pub fn own_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a constant the system supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// This process's (`RUSAGE_SELF`) or its reaped children's (`RUSAGE_CHILDREN`) resource usage.
pub fn usage(who: libc::c_int) -> Option<libc::rusage> {
    // SAFETY: an all-zero rusage is a valid value, and getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    (unsafe { libc::getrusage(who, &mut usage) } == 0).then_some(usage)
}

pub fn children_cpu_time() -> Duration {
    let Some(usage) = usage(libc::RUSAGE_CHILDREN) else { return Duration::ZERO };
    let micros = |tv: libc::timeval| Duration::from_micros(tv.tv_sec as u64 * 1_000_000 + tv.tv_usec as u64);
    micros(usage.ru_utime) + micros(usage.ru_stime)
}

pub fn minor_faults() -> Option<u64> {
    u64::try_from(usage(libc::RUSAGE_SELF)?.ru_minflt).ok()
}

/// The soft limit of `resource`, when one is set.
fn soft_limit(resource: libc::c_int) -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes one rlimit into the struct we own.
    let read = unsafe { libc::getrlimit(resource as _, &mut limit) } == 0;
    (read && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

pub fn address_space_limit() -> Option<u64> {
    soft_limit(libc::RLIMIT_AS as libc::c_int)
}

pub fn stack_limit() -> Option<usize> {
    soft_limit(libc::RLIMIT_STACK as libc::c_int).map(|bytes| usize::try_from(bytes).unwrap_or(usize::MAX))
}

pub fn online_cores() -> u64 {
    // SAFETY: sysconf reads a value and touches no memory of ours.
    let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    u64::try_from(online).unwrap_or(1).max(1)
}

/// Spawns `command` leading a group of its own; the group is made here too, so that a kill sent before the child
/// ran reaches it (the call fails harmlessly once the child has exec'd, by when it has made it).
pub fn spawn_in_group(command: &mut Command) -> io::Result<Child> {
    command.process_group(0);
    let child = command.spawn()?;
    let pgid = child.id() as libc::pid_t;
    // SAFETY: setpgid(2) on our own child; no memory is involved.
    unsafe { libc::setpgid(pgid, pgid) };
    Ok(child)
}

pub fn has_exited(child: &mut Child) -> bool {
    // SAFETY: waitid(2) with WNOWAIT on our own child writes only into `info`, which it is given.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
    let found = unsafe { libc::waitid(libc::P_PID, child.id() as libc::id_t, &mut info, flags) };
    // SAFETY: si_pid is set by waitid when a child changed state, and zero (as zeroed) when none did.
    found != 0 || unsafe { info.si_pid() } != 0
}

pub fn signal_group(pgid: u32, signal: GroupSignal) {
    let signal = match signal {
        GroupSignal::Interrupt => libc::SIGINT,
        GroupSignal::Kill => libc::SIGKILL,
    };
    // SAFETY: kill(2), async-signal-safe, on a group whose leader is not reaped yet; no memory is involved.
    unsafe { libc::kill(-(pgid as libc::pid_t), signal) };
}

pub fn kill_group(child: &mut Child) {
    signal_group(child.id(), GroupSignal::Kill);
}

pub fn exit_signal(status: ExitStatus) -> Option<i32> {
    status.signal()
}

pub fn signal_name(signal: i32) -> String {
    // SAFETY: strsignal returns a pointer to a NUL-terminated string (or null), read at once, before any other
    // call could reuse its buffer.
    let name = unsafe { libc::strsignal(signal) };
    if name.is_null() {
        return format!("signal {signal}");
    }
    // SAFETY: non-null, and NUL-terminated as above.
    unsafe { std::ffi::CStr::from_ptr(name) }.to_string_lossy().into_owned()
}

pub fn catch_stop_signals(handler: extern "C" fn(i32)) {
    for stop in STOP_SIGNALS {
        // SAFETY: the caller's handler is async-signal-safe, as the facade requires.
        unsafe { libc::signal(stop, handler as *const () as libc::sighandler_t) };
    }
}

pub fn default_stop_signals() {
    for stop in STOP_SIGNALS {
        // SAFETY: restoring the default disposition is async-signal-safe.
        unsafe { libc::signal(stop, libc::SIG_DFL) };
    }
}

pub fn take_stdout() -> Result<File, String> {
    // SAFETY: dup and dup2 on the standard descriptors; the duplicate is owned by the returned File alone.
    unsafe {
        let protocol = libc::dup(libc::STDOUT_FILENO);
        if protocol < 0 || libc::dup2(libc::STDERR_FILENO, libc::STDOUT_FILENO) < 0 {
            return Err(format!("cannot set up the protocol descriptor: {}", io::Error::last_os_error()));
        }
        Ok(File::from(OwnedFd::from_raw_fd(protocol)))
    }
}

pub fn special_kind(kind: fs::FileType) -> Option<SpecialKind> {
    if kind.is_fifo() {
        Some(SpecialKind::Fifo)
    } else if kind.is_char_device() {
        Some(SpecialKind::CharDevice)
    } else if kind.is_block_device() {
        Some(SpecialKind::BlockDevice)
    } else if kind.is_socket() {
        Some(SpecialKind::Socket)
    } else {
        None
    }
}

pub fn open_no_follow(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)
}

pub fn is_link_refusal(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

pub fn create_readable_by_all(options: &mut OpenOptions) {
    options.mode(0o644);
}

pub fn make_readable_by_all(file: &File) -> io::Result<()> {
    file.set_permissions(Permissions::from_mode(0o644))
}

pub fn lock_file(file: &File, exclusive: bool) -> io::Result<()> {
    let operation = if exclusive { libc::LOCK_EX } else { libc::LOCK_SH };
    // SAFETY: flock(2) on a descriptor the caller's File owns.
    if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

pub fn unlock_file(file: &File) {
    // SAFETY: flock(2) on a descriptor the caller's File owns. Should it fail, closing the descriptor releases
    // the lock as well.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
}

pub fn check_write_access(path: &Path) -> io::Result<()> {
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).map_err(io::Error::other)?;
    // SAFETY: a NUL-terminated path; access(2) only reads it.
    if unsafe { libc::access(name.as_ptr(), libc::W_OK) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

pub fn same_file(a: &Path, b: &Path) -> bool {
    let identity = |path: &Path| fs::metadata(path).ok().map(|m| (m.dev(), m.ino()));
    identity(a).is_some_and(|file| identity(b) == Some(file))
}
