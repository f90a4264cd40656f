//! How much memory a run may still take: the kernel's estimate of what can be allocated without swapping
//! (`MemAvailable`), or less where an address-space limit (`ulimit -v`) leaves this process less. Under such a
//! limit threads cost address space besides their data: their stacks and the allocator's arenas.

use crate::platform;

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

/// What this process may still allocate; `None` where neither the kernel says (no `MemAvailable`, as under the
/// portable platform) nor an address-space limit is set.
pub fn available() -> Option<Available> {
    let machine = platform::available_memory_bytes().map(|bytes| Available {
        bytes,
        source: "MemAvailable",
        threads: ThreadCost::NONE,
    });
    // Where the address space in use cannot be read (the portable platform), the whole limit: an upper bound, so
    // that only what could not fit even an empty process is refused.
    let used = platform::address_space_used_bytes().unwrap_or(0);
    let limited = platform::address_space_limit().map(|limit| Available {
        bytes: limit.saturating_sub(used),
        source: "the address-space limit (ulimit -v)",
        threads: ThreadCost::under_address_space_limit(platform::online_cores()),
    });
    match (machine, limited) {
        (Some(machine), Some(limited)) => Some(if limited.bytes < machine.bytes { limited } else { machine }),
        (machine, limited) => machine.or(limited),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_machine_has_memory_available_where_the_platform_says() {
        match platform::NAME {
            "linux" => assert!(available().expect("Linux says").bytes > 0),
            _ => assert_eq!(
                available().map(|a| a.source),
                platform::address_space_limit().map(|_| "the address-space limit (ulimit -v)"),
                "the portable platform reads no MemAvailable: absent, unless a limit is set"
            ),
        }
    }

    #[test]
    fn threads_take_a_stack_each_and_an_arena_each_up_to_eight_a_core() {
        let two_cores = ThreadCost::under_address_space_limit(2);
        assert_eq!(two_cores.arenas, 15);
        assert_eq!(two_cores.of(3), 3 * ((2 << 20) + (64 << 20)));
        assert_eq!(two_cores.of(48), 48 * (2 << 20) + 15 * (64 << 20), "no more arenas than glibc makes");
        assert_eq!(ThreadCost::NONE.of(1000), 0);
        assert_eq!(two_cores.of(u64::MAX), u64::MAX, "saturates");
        assert!(platform::online_cores() >= 1);
    }
}
