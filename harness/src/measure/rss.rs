//! Peak resident set size of this process, resettable per repetition on Linux.
//!
//! Writing `5` to `/proc/self/clear_refs` resets the kernel's high-water mark (`VmHWM`), so the peak read after a
//! repetition covers that repetition alone. Where the reset is refused the peak covers the process's lifetime,
//! and the record says so.

use std::fs;

/// Resets the peak RSS mark; returns whether the kernel accepted it.
pub fn reset_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The peak resident set size in bytes since the last reset (or since start), or 0 where unknown.
pub fn peak_rss_bytes() -> u64 {
    status_field_kib("VmHWM:").map_or(0, |kib| kib * 1024)
}

fn status_field_kib(field: &str) -> Option<u64> {
    super::memory::kib_field(&fs::read_to_string("/proc/self/status").ok()?, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_sees_a_touched_allocation() {
        reset_peak();
        let before = peak_rss_bytes();
        let block = vec![1u8; 64 << 20];
        let after = peak_rss_bytes();
        assert!(before > 0);
        assert!(after >= before + (60 << 20), "before {before} after {after} len {}", block.len());
    }
}
