//! Minor page faults of this process: how many pages its threads touched for the first time (or touched again
//! after the allocator returned them to the kernel) — the cost of fresh memory that a wall time hides.

/// Minor page faults taken so far by every thread of this process (not by its children or worker processes), or
/// `None` where the kernel does not say.
pub fn minor_faults() -> Option<u64> {
    crate::platform::minor_faults()
}

/// The minor page faults taken since `before` (a [`minor_faults`] reading), where both readings exist.
pub fn minor_faults_since(before: Option<u64>) -> Option<u64> {
    minor_faults().zip(before).map(|(after, before)| after.saturating_sub(before))
}

/// Fewest extra faults an execution (4 MiB of 4 KiB pages) that count as touching fresh memory rather than noise.
const FRESH_MEMORY_FAULTS: f64 = 1024.0;

/// What [`fresh_in_one`] means, in the words every line that reports it uses.
pub const FRESH_IN_ONE: &str = "the memory the work touched was fresh in one and reused in the other";

/// Whether two executions of the same work, taking `a` and `b` minor page faults, touched fresh memory in one
/// and reused memory in the other: twice as many faults or more, and at least [`FRESH_MEMORY_FAULTS`] more.
pub fn fresh_in_one(a: f64, b: f64) -> bool {
    let (fewer, more) = (a.min(b), a.max(b));
    more >= 2.0 * fewer && more - fewer >= FRESH_MEMORY_FAULTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touching_fresh_pages_counts_their_faults() {
        let before = minor_faults().expect("Linux counts minor faults");
        let pages = 4096;
        let mut block = vec![0u8; pages * 4096];
        for page in block.chunks_mut(4096) {
            page[0] = 1;
        }
        let after = minor_faults().unwrap();
        let touched: usize = std::hint::black_box(&block).iter().map(|&b| usize::from(b)).sum();
        assert_eq!(touched, pages);
        assert!(after - before >= pages as u64 / 2, "{pages} fresh pages touched, {} faults", after - before);
    }

    #[test]
    fn fresh_memory_is_many_more_faults_not_a_few() {
        assert!(fresh_in_one(65_600.0, 300.0) && fresh_in_one(300.0, 65_600.0));
        assert!(!fresh_in_one(3.0, 0.0), "a handful of faults is noise");
        assert!(!fresh_in_one(65_600.0, 40_000.0), "both touched fresh memory");
    }
}
