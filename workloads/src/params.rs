//! Workload parameters as given: string key/value pairs from the command line, which [`crate::Param`]
//! declarations read back as typed values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `key=value` parameters of one workload, kept sorted so records and digests are stable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// No parameters: every one at its default.
    pub fn new() -> Self {
        Self::default()
    }

    /// These parameters with `key` set to `value`.
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        self.insert(key, value);
        self
    }

    /// Sets `key` to `value`, replacing an earlier value.
    pub fn insert(&mut self, key: &str, value: impl ToString) {
        self.0.insert(key.to_owned(), value.to_string());
    }

    /// The value of `key` as given, unparsed.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The keys set, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The keys and values set, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether no parameter is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_kept_sorted_and_a_later_value_replaces_an_earlier_one() {
        let params = Params::new().with("iters", 12).with("cost", "1.5").with("iters", 13);
        assert_eq!(params.iter().collect::<Vec<_>>(), vec![("cost", "1.5"), ("iters", "13")]);
        assert_eq!(params.get("iters"), Some("13"));
        assert_eq!(params.get("seed"), None);
    }
}
