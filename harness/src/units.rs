//! Human-readable durations, byte counts and ratios for tables.

/// `812 ns`, `45.3 µs`, `201.3 ms`, `2.41 s`.
pub fn duration_ns(ns: f64) -> String {
    match ns {
        n if n < 1e3 => format!("{n:.0} ns"),
        n if n < 1e6 => format!("{:.1} µs", n / 1e3),
        n if n < 1e9 => format!("{:.1} ms", n / 1e6),
        n => format!("{:.2} s", n / 1e9),
    }
}

/// `18 B`, `4.0 KiB`, `16.0 MiB`, `1.50 GiB`.
pub fn bytes(b: f64) -> String {
    const KIB: f64 = 1024.0;
    match b {
        n if n < KIB => format!("{n:.0} B"),
        n if n < KIB * KIB => format!("{:.1} KiB", n / KIB),
        n if n < KIB * KIB * KIB => format!("{:.1} MiB", n / (KIB * KIB)),
        n => format!("{:.2} GiB", n / (KIB * KIB * KIB)),
    }
}

/// A ratio with two decimals, or `-` when absent.
pub fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_switch_at_their_boundaries() {
        assert_eq!(duration_ns(812.0), "812 ns");
        assert_eq!(duration_ns(45_300.0), "45.3 µs");
        assert_eq!(duration_ns(201_300_000.0), "201.3 ms");
        assert_eq!(duration_ns(2_410_000_000.0), "2.41 s");
        assert_eq!(bytes(18.0), "18 B");
        assert_eq!(bytes(16.0 * 1024.0 * 1024.0), "16.0 MiB");
        assert_eq!(ratio(None), "-");
        assert_eq!(ratio(Some(0.934)), "0.93");
    }
}
