//! How much memory a run may still take: the kernel's estimate of what can be allocated without swapping
//! (`MemAvailable`), or less where an address-space limit (`ulimit -v`) leaves this process less.

use std::fs;

/// Memory this process may still take, and which limit says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Available {
    pub bytes: u64,
    /// `MemAvailable`, or `the address-space limit (ulimit -v)`.
    pub source: &'static str,
}

/// What this process may still allocate; `None` where the kernel does not say (no `/proc/meminfo`).
pub fn available() -> Option<Available> {
    let meminfo = fs::read_to_string("/proc/meminfo").ok()?;
    let machine = Available { bytes: kib_field(&meminfo, "MemAvailable:")? * 1024, source: "MemAvailable" };
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let used = kib_field(&status, "VmSize:").unwrap_or(0) * 1024;
    let limited = address_space_limit()
        .map(|limit| Available { bytes: limit.saturating_sub(used), source: "the address-space limit (ulimit -v)" });
    Some(limited.filter(|l| l.bytes < machine.bytes).unwrap_or(machine))
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
}
