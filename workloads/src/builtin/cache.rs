//! The size of this machine's last-level cache, which memory-bound workloads must exceed to measure memory.

use std::fs;

/// Used when sysfs does not say: a common server L3 size.
const FALLBACK_BYTES: u64 = 32 << 20;

/// The largest cache size listed for CPU 0 in sysfs (e.g. `32768K`), in bytes.
pub fn last_level_cache_bytes() -> u64 {
    (0..8)
        .filter_map(|index| fs::read_to_string(format!("/sys/devices/system/cpu/cpu0/cache/index{index}/size")).ok())
        .filter_map(|text| parse_size(text.trim()))
        .max()
        .unwrap_or(FALLBACK_BYTES)
}

fn parse_size(text: &str) -> Option<u64> {
    let (digits, scale) = match text.chars().last()? {
        'K' => (&text[..text.len() - 1], 1 << 10),
        'M' => (&text[..text.len() - 1], 1 << 20),
        'G' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok().map(|n| n * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysfs_sizes_parse() {
        assert_eq!(parse_size("32768K"), Some(32 << 20));
        assert_eq!(parse_size("2M"), Some(2 << 20));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("lots"), None);
        assert!(last_level_cache_bytes() >= 1 << 10);
    }
}
