//! How broken up the kernel's free memory is (`/proc/buddyinfo`): the free memory lying in isolated single pages.
//! A page fault takes single pages from the smallest free blocks first, so a large allocation made while much
//! free memory lies that way lands on scattered physical pages, and random reads over it cost more on a virtual
//! machine (README, "Where the input's pages are").

/// Bytes of free memory in blocks of a single page (order 0), over every zone; `None` where the kernel does not
/// say (and under the portable platform).
pub fn single_free_page_bytes() -> Option<u64> {
    crate::platform::single_free_page_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_kernel_says_or_the_figure_is_absent() {
        let readable = crate::platform::NAME == "linux" && std::fs::read_to_string("/proc/buddyinfo").is_ok();
        assert_eq!(single_free_page_bytes().is_some(), readable);
    }
}
