//! Peak resident set size of this process, resettable per repetition on Linux.
//!
//! Writing `5` to `/proc/self/clear_refs` resets the kernel's high-water mark (`VmHWM`), so the peak read after a
//! repetition covers that repetition alone. Where the reset is refused the peak covers the process's lifetime,
//! and the record says so: so it is under the portable platform, which reads `getrusage`'s peak on Unix.

/// Resets the peak RSS mark; returns whether the kernel accepted it.
pub fn reset_peak() -> bool {
    crate::platform::reset_peak_rss()
}

/// The peak resident set size in bytes since the last reset (or since start), or 0 where unknown.
pub fn peak_rss_bytes() -> u64 {
    crate::platform::peak_rss_bytes().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_sees_a_touched_allocation() {
        let reset = reset_peak();
        if crate::platform::NAME == "portable" {
            assert!(!reset, "only Linux resets the mark: the record says the peak covers the process's lifetime");
        }
        let before = peak_rss_bytes();
        let block = vec![1u8; 64 << 20];
        let after = peak_rss_bytes();
        assert!(before > 0);
        // A peak over the process's lifetime may lie above the block already; it cannot lie below it.
        let least = if reset { before + (60 << 20) } else { before.max(60 << 20) };
        assert!(after >= least, "before {before} after {after} len {}", block.len());
    }
}
