//! Workload parameters: string key/value pairs from the command line, read back as typed values.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::contract::WorkloadError;

/// The `key=value` parameters of one workload, kept sorted so records and digests are stable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.insert(key, value);
        self
    }

    pub fn insert(&mut self, key: &str, value: impl ToString) {
        self.0.insert(key.to_owned(), value.to_string());
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of `key` parsed as `T`, or `default` when absent; `expected` names valid values in the error.
    pub fn get_or<T: FromStr>(
        &self,
        workload: &str,
        key: &str,
        default: T,
        expected: &str,
    ) -> Result<T, WorkloadError> {
        match self.0.get(key) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|_| WorkloadError::BadParam {
                workload: workload.to_owned(),
                key: key.to_owned(),
                value: raw.clone(),
                expected: expected.to_owned(),
            }),
        }
    }

    /// Like [`Params::get_or`], and also rejects values outside `range`.
    pub fn get_in<T>(
        &self,
        workload: &str,
        key: &str,
        default: T,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T, WorkloadError>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let expected = format!("a number in {}..={}", range.start(), range.end());
        let value = self.get_or(workload, key, default, &expected)?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(WorkloadError::BadParam {
                workload: workload.to_owned(),
                key: key.to_owned(),
                value: value.to_string(),
                expected,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_key_gives_default_and_bad_value_names_key_and_value() {
        let params = Params::new().with("iters", "12x");
        assert_eq!(params.get_or("spin", "cost", 1.5f64, "a number").unwrap(), 1.5);
        let err = params.get_or("spin", "iters", 0u64, "a whole number").unwrap_err().to_string();
        assert!(err.contains("iters=12x") && err.contains("a whole number"), "{err}");
    }

    #[test]
    fn out_of_range_value_is_refused() {
        let params = Params::new().with("cost", "0");
        let err = params.get_in("spin", "cost", 1.0f64, 0.01..=100.0).unwrap_err().to_string();
        assert!(err.contains("cost=0") && err.contains("0.01..=100"), "{err}");
    }
}
