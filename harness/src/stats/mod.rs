//! Statistics, pure functions on samples with no I/O: median, quantiles and spread here; rank tests and their
//! intervals ([`inference`]), what a cell's pairs could have seen ([`detectable`]), the Hodges–Lehmann pseudo-median ([`pseudo_median`]), the looks' exact sequential
//! boundaries ([`sequential`]) and where the looks fall ([`looks`]), and the pairs a busy machine spoiled ([`preempted`]).

pub mod detectable;
pub mod inference;
pub mod looks;
pub mod preempted;
pub mod pseudo_median;
pub mod sequential;

/// The `q` quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics; `None` for no values.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    Some(sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64))
}

pub fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

/// Median absolute deviation from the median: a spread that one outlier cannot inflate.
pub fn median_abs_deviation(values: &[f64]) -> Option<f64> {
    let center = median(values)?;
    median(&values.iter().map(|v| (v - center).abs()).collect::<Vec<_>>())
}

pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(quantile(&[10.0, 20.0, 30.0, 40.0, 50.0], 0.25), Some(20.0));
        assert_eq!(median_abs_deviation(&[1.0, 1.0, 2.0, 2.0, 4.0, 6.0, 9.0]), Some(1.0));
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN]), None);
    }

    proptest! {
        #[test]
        fn median_lies_between_min_and_max(values in proptest::collection::vec(-1e9f64..1e9, 1..50)) {
            let m = median(&values).unwrap();
            let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(lo <= m && m <= hi);
        }
    }
}
