//! How much memory a run may still take: the kernel's estimate of what can be allocated without swapping
//! (`MemAvailable`), or less where an address-space limit (`ulimit -v`) leaves this process less. Under such a
//! limit threads cost address space besides their data: their stacks and the allocator's arenas.

use std::fs;

/// Memory this process may still take, and which limit says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Available {
    pub bytes: u64,
    /// `MemAvailable`, or `the address-space limit (ulimit -v)`.
    pub source: &'static str,
    /// What the threads the run starts take of `bytes` besides their data.
    pub threads: ThreadCost,
}

/// What threads take of the memory available besides their data: nothing under `MemAvailable` (stacks and arenas
/// are reserved, not resident), but under an address-space limit, which counts reservations too, each thread's
/// stack and each allocator arena. An arena is glibc's: every new thread that allocates gets one, reserving
/// `HEAP_MAX_SIZE` (64 MiB on 64-bit targets), until there are eight per online core. A failed arena ends the
/// process (Rust aborts when an allocation fails), so arenas must fit; a stack is counted at std's default only,
/// since a thread whose larger stack (`RUST_MIN_STACK`) the limit refuses is not started, and fails its cell alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadCost {
    pub stack: u64,
    pub arena: u64,
    /// The most arenas besides the main one.
    pub arenas: u64,
}

impl ThreadCost {
    pub const NONE: ThreadCost = ThreadCost { stack: 0, arena: 0, arenas: 0 };

    /// Under an address-space limit on a machine of `online_cores`.
    pub fn under_address_space_limit(online_cores: u64) -> Self {
        ThreadCost { stack: 2 << 20, arena: 64 << 20, arenas: online_cores.max(1).saturating_mul(8) - 1 }
    }

    /// What `threads` threads take, each allocating.
    pub fn of(&self, threads: u64) -> u64 {
        threads.saturating_mul(self.stack).saturating_add(threads.min(self.arenas).saturating_mul(self.arena))
    }
}

/// What this process may still allocate; `None` where the kernel does not say (no `/proc/meminfo`).
pub fn available() -> Option<Available> {
    let meminfo = fs::read_to_string("/proc/meminfo").ok()?;
    let machine = Available {
        bytes: kib_field(&meminfo, "MemAvailable:")?.saturating_mul(1024),
        source: "MemAvailable",
        threads: ThreadCost::NONE,
    };
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let used = kib_field(&status, "VmSize:").unwrap_or(0).saturating_mul(1024);
    let limited = address_space_limit().map(|limit| Available {
        bytes: limit.saturating_sub(used),
        source: "the address-space limit (ulimit -v)",
        threads: ThreadCost::under_address_space_limit(online_cores()),
    });
    Some(limited.filter(|l| l.bytes < machine.bytes).unwrap_or(machine))
}

/// The cores online, as glibc counts them to cap its arenas.
fn online_cores() -> u64 {
    // SAFETY: sysconf reads a value and touches no memory of ours.
    let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    u64::try_from(online).unwrap_or(1).max(1)
}

/// The soft `RLIMIT_AS`, when one is set.
fn address_space_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes one rlimit into the struct we own.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    (read && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// A `Name:   1234 kB` field of a /proc file (`field` with its colon), in KiB.
pub(crate) fn kib_field(text: &str, field: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_fields_parse_and_this_machine_has_memory_available() {
        assert_eq!(kib_field("MemTotal: 10 kB\nMemAvailable:    2048 kB\n", "MemAvailable:"), Some(2048));
        assert_eq!(kib_field("VmSize:\t  77 kB", "VmSize:"), Some(77));
        assert_eq!(kib_field("nothing", "VmSize:"), None);
        let here = available().expect("Linux says");
        assert!(here.bytes > 0, "{here:?}");
    }

    #[test]
    fn threads_take_a_stack_each_and_an_arena_each_up_to_eight_a_core() {
        let two_cores = ThreadCost::under_address_space_limit(2);
        assert_eq!(two_cores.arenas, 15);
        assert_eq!(two_cores.of(3), 3 * ((2 << 20) + (64 << 20)));
        assert_eq!(two_cores.of(48), 48 * (2 << 20) + 15 * (64 << 20), "no more arenas than glibc makes");
        assert_eq!(ThreadCost::NONE.of(1000), 0);
        assert_eq!(two_cores.of(u64::MAX), u64::MAX, "saturates");
        assert!(online_cores() >= 1);
    }
}
