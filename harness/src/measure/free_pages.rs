//! How broken up the kernel's free memory is (`/proc/buddyinfo`): the free memory lying in isolated single pages.
//! A page fault takes single pages from the smallest free blocks first, so a large allocation made while much
//! free memory lies that way lands on scattered physical pages, and random reads over it cost more on a virtual
//! machine (README, "Where the input's pages are").

/// Bytes of free memory in blocks of a single page (order 0), over every zone; `None` where the kernel does not
/// say.
pub fn single_free_page_bytes() -> Option<u64> {
    let buddyinfo = std::fs::read_to_string("/proc/buddyinfo").ok()?;
    // SAFETY: sysconf reads a constant of the system and has no preconditions.
    let page_bytes = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    single_page_bytes(&buddyinfo, u64::try_from(page_bytes).ok()?)
}

/// The order-0 counts of `buddyinfo` (`Node 0, zone   Normal  74139  32476 …`, one line per zone) in bytes.
fn single_page_bytes(buddyinfo: &str, page_bytes: u64) -> Option<u64> {
    let mut total = None;
    for line in buddyinfo.lines().filter(|line| !line.trim().is_empty()) {
        let (_, zone) = line.split_once("zone")?;
        let order_zero: u64 = zone.split_whitespace().nth(1)?.parse().ok()?;
        total = Some(total.unwrap_or(0) + order_zero * page_bytes);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_pages_are_summed_over_every_zone() {
        let buddyinfo = "Node 0, zone      DMA      0      0      1      1\n\
                         Node 0, zone    DMA32   1407   1418    917    469\n\
                         Node 0, zone   Normal  61106  32047  15203  12770\n";
        assert_eq!(single_page_bytes(buddyinfo, 4096), Some((1407 + 61106) * 4096));
    }

    #[test]
    fn text_of_another_shape_gives_no_figure() {
        assert_eq!(single_page_bytes("", 4096), None);
        assert_eq!(single_page_bytes("Node 0, zone Normal many", 4096), None);
        assert_eq!(single_page_bytes("no zones here", 4096), None);
    }

    #[test]
    fn this_kernel_says_or_the_figure_is_absent() {
        let readable = std::fs::read_to_string("/proc/buddyinfo").is_ok();
        assert_eq!(single_free_page_bytes().is_some(), readable);
    }
}
