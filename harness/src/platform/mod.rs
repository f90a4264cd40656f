//! The operating system behind one facade: every facility ablate needs that a platform offers or not — memory
//! files, machine counters, pinning, process groups, parent death, signals — is called through the functions and
//! types here, and nowhere else. What a platform cannot measure comes back as `None` (or the record's own word
//! for unknown) and is recorded as absent, never guessed.
//!
//! Two implementations, chosen when the crate is built:
//! - `linux`: `/proc`, `/sys`, memfd with seals, `PR_SET_PDEATHSIG`, `sched_setaffinity` — what ablate measured
//!   with before this layer existed, unchanged. Selected on Linux unless the `portable-platform` feature is on.
//! - `portable`: std, POSIX calls behind `cfg(unix)` (each with a fallback for other systems) and one crate. It
//!   is what macOS and Windows builds get, and CI runs the whole test suite with it on Linux
//!   (`--features portable-platform`).
//!
//! The one crate, and the choices made instead of others:
//! - `memmap2` maps the shared input files read-only (and writable, for whoever fills them) on every platform:
//!   the mapping crate the ecosystem relies on (ripgrep among many), a thin safe layer over mmap and
//!   `MapViewOfFile`. The files themselves are `tempfile` temporaries, removed when their owner drops them.
//! - No `sysinfo`: its CPU usage is a percentage between two refreshes, not busy time since boot, so other
//!   processes' CPU time would be derived, not read. It would read memory (total, available), the CPU model and
//!   the kernel on macOS and Windows; those stay absent until CI can run there, since a reading no test has
//!   seen on its platform is worse than an absent one.
//! - No `core_affinity`: it pins the calling thread only, not a worker process by pid (and only hints on
//!   macOS); pinning threads but not processes would make cells incomparable, so the portable platform leaves
//!   pinning off and the record says so.
//! - Parent death: the portable worker ends when its stdin, the pipe from the parent, closes (the worker loop
//!   already does), instead of `PR_SET_PDEATHSIG`.
//!
//! The `mpi` strategy (feature `mpi`) stays Unix-only and reads `/proc` for itself: it needs OpenMPI.

#[cfg(all(target_os = "linux", not(feature = "portable-platform")))]
mod linux;
#[cfg(all(target_os = "linux", not(feature = "portable-platform")))]
use linux as chosen;
#[cfg(not(all(target_os = "linux", not(feature = "portable-platform"))))]
mod portable;
#[cfg(not(all(target_os = "linux", not(feature = "portable-platform"))))]
use portable as chosen;
#[cfg(unix)]
mod unix;

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus};
use std::time::Duration;

mod readings;

pub use chosen::{Mapping, MemoryFile};
pub use readings::{InterfaceBytes, WorkerCpu};

/// Which implementation this build uses, for tests that check what it records: `"linux"` or `"portable"`.
#[cfg(test)]
pub const NAME: &str = chosen::NAME;

/// CPU time consumed so far by every thread of this process (zero where the platform does not say).
pub fn own_cpu_time() -> Duration {
    chosen::own_cpu_time()
}

/// CPU time consumed by this process's reaped children (zero where the platform does not say).
pub fn children_cpu_time() -> Duration {
    chosen::children_cpu_time()
}

/// Minor page faults taken so far by this process's threads; `None` where the platform does not count them.
pub fn minor_faults() -> Option<u64> {
    chosen::minor_faults()
}

/// CPU time the whole machine has spent busy so far, in nanoseconds; `None` where it cannot be read.
pub fn machine_busy_ns() -> Option<u64> {
    chosen::machine_busy_ns()
}

/// Memory the system can still give without swapping (Linux `MemAvailable`); `None` where it does not say.
pub fn available_memory_bytes() -> Option<u64> {
    chosen::available_memory_bytes()
}

/// The address space this process has reserved (`VmSize`); `None` where unknown.
pub fn address_space_used_bytes() -> Option<u64> {
    chosen::address_space_used_bytes()
}

/// The soft address-space limit (`ulimit -v`), when one is set.
pub fn address_space_limit() -> Option<u64> {
    chosen::address_space_limit()
}

/// The soft stack-size limit (`ulimit -s`), when one is set.
pub fn stack_limit() -> Option<usize> {
    chosen::stack_limit()
}

/// The CPUs online, as the allocator counts them to cap its arenas (at least 1).
pub fn online_cores() -> u64 {
    chosen::online_cores()
}

/// Bytes of free memory lying in isolated single pages (`/proc/buddyinfo`); `None` where unknown.
pub fn single_free_page_bytes() -> Option<u64> {
    chosen::single_free_page_bytes()
}

/// Bytes every network interface but loopback has sent and received so far; `None` where none can be read.
pub fn host_interface_bytes() -> Option<InterfaceBytes> {
    chosen::host_interface_bytes()
}

/// Resets this process's peak-RSS mark; whether the platform did (if not, peaks cover the process's lifetime).
pub fn reset_peak_rss() -> bool {
    chosen::reset_peak_rss()
}

/// This process's peak resident set size in bytes, since the last reset or since it started.
pub fn peak_rss_bytes() -> Option<u64> {
    chosen::peak_rss_bytes()
}

/// Resets the peak-RSS mark of child process `pid`; whether the platform did.
pub fn reset_process_peak_rss(pid: u32) -> bool {
    chosen::reset_process_peak_rss(pid)
}

/// The peak resident set size of child process `pid`, in bytes; `None` where the platform does not say.
pub fn process_peak_rss_bytes(pid: u32) -> Option<u64> {
    chosen::process_peak_rss_bytes(pid)
}

/// The scheduler's counters of the calling thread: time run and time waited for a CPU.
pub fn this_thread_schedstat() -> Option<WorkerCpu> {
    chosen::this_thread_schedstat()
}

/// The scheduler's counters of thread `tid` of this process (an id from [`this_thread_id`]).
pub fn thread_schedstat(tid: i32) -> Option<WorkerCpu> {
    chosen::thread_schedstat(tid)
}

/// The scheduler's counters of process `pid`'s main thread.
pub fn process_schedstat(pid: u32) -> Option<WorkerCpu> {
    chosen::process_schedstat(pid)
}

/// The calling thread's id, for [`thread_schedstat`]; 0 where the platform keeps no such counters.
pub fn this_thread_id() -> i32 {
    chosen::this_thread_id()
}

/// The CPU's model name; `None` where the platform does not say.
pub fn cpu_model() -> Option<String> {
    chosen::cpu_model()
}

/// Physical cores (distinct package and core ids); `None` where the platform does not say.
pub fn physical_cores() -> Option<usize> {
    chosen::physical_cores()
}

/// The machine's memory in bytes; `None` where the platform does not say.
pub fn total_memory_bytes() -> Option<u64> {
    chosen::total_memory_bytes()
}

/// The kernel's release; `None` where the platform does not say.
pub fn kernel_release() -> Option<String> {
    chosen::kernel_release()
}

/// The CPU sharing a core with CPU `cpu` (SMT), if the platform says and it has one.
pub fn smt_sibling(cpu: usize) -> Option<usize> {
    chosen::smt_sibling(cpu)
}

/// The size of the last-level cache of CPU 0, in bytes; `None` where unknown.
pub fn last_level_cache_bytes() -> Option<u64> {
    chosen::last_level_cache_bytes()
}

/// The NUMA nodes; `None` where unknown.
pub fn numa_nodes() -> Option<usize> {
    chosen::numa_nodes()
}

/// The CPUs this process may run on, which pinning places workers on; `None` where the platform cannot pin.
pub fn allowed_cpus() -> Option<Vec<usize>> {
    chosen::allowed_cpus()
}

/// Pins the calling thread to `cpu` (one of [`allowed_cpus`]); a refusal leaves it where it was.
pub fn pin_thread(cpu: usize) {
    chosen::pin_thread(cpu)
}

/// Pins process `pid` (its main thread and the threads it starts afterwards) to `cpu`.
pub fn pin_process(pid: u32, cpu: usize) {
    chosen::pin_process(pid, cpu)
}

/// A signal for a child's process group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupSignal {
    /// Asks the group to stop (SIGINT), as Ctrl-C would.
    Interrupt,
    /// Ends the group at once (SIGKILL).
    Kill,
}

/// Spawns `command` as the leader of a process group of its own, told to die with the calling thread where the
/// platform can (`PR_SET_PDEATHSIG` on Linux; elsewhere a SIGKILLed ablate leaves it running).
pub fn spawn_group_leader(command: &mut Command) -> io::Result<Child> {
    chosen::spawn_group_leader(command)
}

/// Makes the worker process `command` will start lead a group of its own and, where the platform can, die with
/// this process; elsewhere the worker ends when its stdin, the pipe from this process, closes.
pub fn tie_worker_to_parent(command: &mut Command) {
    chosen::tie_worker_to_parent(command)
}

/// Whether `child` has exited, without reaping it (so that its group id stays its own).
pub fn has_exited(child: &mut Child) -> bool {
    chosen::has_exited(child)
}

/// Sends `signal` to every process of the group `pgid` leads; nothing where the platform has no groups.
pub fn signal_group(pgid: u32, signal: GroupSignal) {
    chosen::signal_group(pgid, signal)
}

/// Kills `child` with its whole group (the child alone where the platform has no groups).
pub fn kill_group(child: &mut Child) {
    chosen::kill_group(child)
}

/// The signal that ended a process, where one did.
pub fn exit_signal(status: ExitStatus) -> Option<i32> {
    chosen::exit_signal(status)
}

/// The system's description of `signal`, e.g. `Segmentation fault`.
pub fn signal_name(signal: i32) -> String {
    chosen::signal_name(signal)
}

/// Routes SIGINT, SIGTERM and SIGHUP to `handler` (which must be async-signal-safe); nothing where the platform
/// has no such signals (Ctrl-C then ends the process as it would by default).
pub fn catch_stop_signals(handler: extern "C" fn(i32)) {
    chosen::catch_stop_signals(handler)
}

/// Gives SIGINT, SIGTERM and SIGHUP back their default action; async-signal-safe.
pub fn default_stop_signals() {
    chosen::default_stop_signals()
}

/// Widens the pipes to a worker and back where the platform allows, so that big frames move with fewer
/// wake-ups; best effort.
pub fn widen_pipes(stdin: &ChildStdin, stdout: &ChildStdout) {
    chosen::widen_pipes(stdin, stdout)
}

/// In a worker: takes the process's original stdout for the protocol and points stdout at stderr, so that a
/// workload that prints cannot corrupt a frame.
pub fn take_stdout() -> Result<File, String> {
    chosen::take_stdout()
}

/// A file that is neither regular, a directory nor a link: what the history store refuses and the results
/// writer streams into (a character device or a FIFO) or refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(unix), allow(dead_code, reason = "only Unix has special files"))]
pub enum SpecialKind {
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
}

impl SpecialKind {
    /// `a FIFO`, `a character device`, …
    pub fn name(self) -> &'static str {
        match self {
            SpecialKind::Fifo => "a FIFO",
            SpecialKind::CharDevice => "a character device",
            SpecialKind::BlockDevice => "a block device",
            SpecialKind::Socket => "a socket",
        }
    }
}

/// The special kind of a file of type `kind`, if it is one; `None` for regular files, directories and links (and
/// everywhere on a platform without such files).
pub fn special_kind(kind: fs::FileType) -> Option<SpecialKind> {
    chosen::special_kind(kind)
}

/// Opens `path`, `options` saying how, without following a final link (an error [`is_link_refusal`] knows) and
/// without waiting on a FIFO.
pub fn open_no_follow(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    chosen::open_no_follow(path, options)
}

/// Whether `error` is [`open_no_follow`]'s refusal of a link.
pub fn is_link_refusal(error: &io::Error) -> bool {
    chosen::is_link_refusal(error)
}

/// Makes a file that `options` creates readable by all (mode 0644) where the platform has modes.
pub fn create_readable_by_all(options: &mut OpenOptions) {
    chosen::create_readable_by_all(options)
}

/// Makes `file` an ordinary file readable by all (0644 where the platform has modes).
pub fn make_readable_by_all(file: &File) -> io::Result<()> {
    chosen::make_readable_by_all(file)
}

/// Waits for an advisory lock of `file`, exclusive or shared; an `Interrupted` error is the caller's to retry.
pub fn lock_file(file: &File, exclusive: bool) -> io::Result<()> {
    chosen::lock_file(file, exclusive)
}

/// Releases [`lock_file`]'s lock (closing the file releases it too).
pub fn unlock_file(file: &File) {
    chosen::unlock_file(file)
}

/// An error unless this process may write to `path`, checked without opening it.
pub fn check_write_access(path: &Path) -> io::Result<()> {
    chosen::check_write_access(path)
}

/// Whether `a` and `b` name the same file (device and inode); `false` where the platform cannot tell.
pub fn same_file(a: &Path, b: &Path) -> bool {
    chosen::same_file(a, b)
}
