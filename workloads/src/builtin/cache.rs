//! The size of this machine's last-level cache, which memory-bound workloads must exceed to measure memory.

use std::fs;

/// Used when sysfs does not say: a common server L3 size.
const FALLBACK_BYTES: u64 = 32 << 20;

const CACHE_DIR: &str = "/sys/devices/system/cpu/cpu0/cache";

/// The largest cache size listed for CPU 0 in sysfs (e.g. `32768K`), in bytes.
pub fn last_level_cache_bytes() -> u64 {
    listed_cache_bytes().unwrap_or(FALLBACK_BYTES)
}

/// The largest cache size sysfs lists for CPU 0; `None` where it lists none.
fn listed_cache_bytes() -> Option<u64> {
    (0..8)
        .filter_map(|index| fs::read_to_string(format!("{CACHE_DIR}/index{index}/size")).ok())
        .filter_map(|text| parse_size(text.trim()))
        .max()
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
    }

    /// Where sysfs lists caches, the largest listed is read (never the fallback); where it lists none, the
    /// fallback is used.
    #[test]
    fn the_listed_cache_is_read_where_sysfs_has_one() {
        let listed = fs::read_dir(CACHE_DIR)
            .is_ok_and(|mut entries| entries.any(|e| e.is_ok_and(|e| e.path().join("size").is_file())));
        match listed_cache_bytes() {
            Some(bytes) => {
                assert!(listed, "a size was read where none is listed");
                assert!(bytes >= 1 << 10, "a cache of {bytes} bytes");
                assert_eq!(last_level_cache_bytes(), bytes);
            }
            None => {
                assert!(!listed, "sysfs lists a cache size that was not read");
                assert_eq!(last_level_cache_bytes(), FALLBACK_BYTES);
            }
        }
    }
}
