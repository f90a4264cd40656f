//! Thresholds in force for verdicts: defaults, a checked-in file of per-workload/strategy rules, and command-line
//! overrides — each value remembering where it came from, so the verdict output can say.
//!
//! The file is TOML: a `[defaults]` table and `[[rule]]` entries whose `match` is a `workload/strategy` pattern
//! where `*` matches any run of characters (e.g. `skewed/threads`, `*/rayon`; see [`super::glob`]). Later rules
//! win. The file is an argument: one missing, larger than [`MAX_FILE_BYTES`], malformed or holding a value that
//! cannot be a threshold is a usage error (exit 2) naming it.

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::glob;
use crate::config::Overrides;
use crate::error::HarnessError;

/// The largest thresholds file read: 1 MiB, thousands of rules.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The one floor the product promises, for per-core efficiency and for the bandwidth fraction alike: a parallel
/// cell must keep 0.7 of serial's throughput per worker.
pub const FLOOR: f64 = 0.7;

/// The candidate/baseline ratio of medians above which a cell counts as regressed, unless a thresholds file or a
/// flag says otherwise.
pub const REGRESSION_RATIO: f64 = 1.10;

/// One threshold's value and its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub value: f64,
    pub source: String,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.value, self.source)
    }
}

/// The thresholds that apply to one cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    /// A cell regresses when candidate/baseline median exceeds this (and the change is significant).
    pub regression_ratio: Setting,
    /// Significance level of the one-sided rank tests: the chance, over the whole gate, of calling any unchanged cell
    /// regressed (and, separately, improved); the confidence of intervals is 1 − alpha.
    pub alpha: Setting,
    /// CPU-bound cells fail when their whole efficiency interval lies below this.
    pub min_efficiency: Setting,
    /// Memory-bound cells fail when their bandwidth is below this fraction of serial's.
    pub min_bandwidth_fraction: Setting,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Values {
    regression_ratio: Option<f64>,
    alpha: Option<f64>,
    min_efficiency: Option<f64>,
    min_bandwidth_fraction: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    #[serde(rename = "match")]
    pattern: String,
    reason: Option<String>,
    #[serde(flatten)]
    values: Values,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    defaults: Values,
    #[serde(default, rename = "rule")]
    rules: Vec<Rule>,
}

/// Everything that decides thresholds: built-in defaults, the file, the flags.
#[derive(Debug)]
pub struct ThresholdSet {
    file: File,
    file_name: String,
    overrides: Overrides,
}

impl ThresholdSet {
    /// Reads `path` when given (a missing or malformed file is an error naming it) and applies `overrides`.
    pub fn load(path: Option<&Path>, overrides: Overrides) -> Result<Self, HarnessError> {
        let (file, file_name) = match path {
            None => (File::default(), String::new()),
            Some(path) => {
                let bytes = read_bounded(path)?;
                let text = String::from_utf8(bytes).map_err(|e| {
                    HarnessError::Usage(format!("{}: not UTF-8 text ({e}); expected a TOML file", path.display()))
                })?;
                let file: File = toml::from_str(&text)
                    .map_err(|e| HarnessError::Usage(format!("{}: {}", path.display(), e.message())))?;
                (file, path.display().to_string())
            }
        };
        let set = ThresholdSet { file, file_name, overrides };
        set.check()?;
        Ok(set)
    }

    /// The thresholds for one `workload` under one `strategy`.
    pub fn for_cell(&self, workload: &str, strategy: &str) -> Thresholds {
        let key = format!("{workload}/{strategy}");
        let pick = |builtin: f64, flag: Option<f64>, get: fn(&Values) -> Option<f64>| -> Setting {
            if let Some(value) = flag {
                return Setting { value, source: "command line".to_owned() };
            }
            let rule =
                self.file.rules.iter().rev().find(|r| get(&r.values).is_some() && glob::matches(&r.pattern, &key));
            match (rule, get(&self.file.defaults)) {
                (Some(rule), _) => Setting {
                    value: get(&rule.values).expect("found by its value"),
                    source: format!(
                        "{} rule '{}'{}",
                        self.file_name,
                        rule.pattern,
                        rule.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default()
                    ),
                },
                (None, Some(value)) => Setting { value, source: format!("{} defaults", self.file_name) },
                (None, None) => Setting { value: builtin, source: "built-in default".to_owned() },
            }
        };
        let o = &self.overrides;
        Thresholds {
            regression_ratio: pick(REGRESSION_RATIO, o.regression_ratio, |v| v.regression_ratio),
            alpha: pick(0.01, o.alpha, |v| v.alpha),
            min_efficiency: pick(FLOOR, o.min_efficiency, |v| v.min_efficiency),
            min_bandwidth_fraction: pick(FLOOR, o.min_bandwidth_fraction, |v| v.min_bandwidth_fraction),
        }
    }

    /// Refuses values that cannot be thresholds, naming where each came from: the file and its table, or the flag.
    fn check(&self) -> Result<(), HarnessError> {
        let o = &self.overrides;
        let flags = Values {
            regression_ratio: o.regression_ratio,
            alpha: o.alpha,
            min_efficiency: o.min_efficiency,
            min_bandwidth_fraction: o.min_bandwidth_fraction,
        };
        let in_file = |table: String| format!("{}: {table}: invalid ", self.file_name);
        let tables = std::iter::once((in_file("[defaults]".to_owned()), &self.file.defaults))
            .chain(self.file.rules.iter().map(|r| (in_file(format!("rule '{}'", r.pattern)), &r.values)));
        for (origin, values) in tables {
            check_values(values, |name| format!("{origin}{name}"))?;
        }
        check_values(&flags, |name| {
            let flag = if name == "regression_ratio" { "threshold".to_owned() } else { name.replace('_', "-") };
            format!("invalid --{flag}: {name}")
        })
    }
}

/// Refuses the first value of `values` that cannot be a threshold; `named` says how to name one in the message.
fn check_values(values: &Values, named: impl Fn(&str) -> String) -> Result<(), HarnessError> {
    let checks = [
        ("regression_ratio", values.regression_ratio, 1.0, f64::MAX, "a ratio above 1, e.g. 1.10"),
        ("alpha", values.alpha, f64::MIN_POSITIVE, 0.5, "a probability in (0, 0.5], e.g. 0.01"),
        ("min_efficiency", values.min_efficiency, 0.0, 1.0, "a fraction in [0, 1], e.g. 0.7"),
        ("min_bandwidth_fraction", values.min_bandwidth_fraction, 0.0, 1.0, "a fraction in [0, 1], e.g. 0.7"),
    ];
    for (name, value, low, high, expected) in checks {
        if let Some(v) =
            value.filter(|v| !(v.is_finite() && *v >= low && *v <= high) || (name == "regression_ratio" && *v <= 1.0))
        {
            return Err(HarnessError::Usage(format!("{} {v}; expected {expected}", named(name))));
        }
    }
    Ok(())
}

/// The bytes of the thresholds file at `path`, at most [`MAX_FILE_BYTES`] of them: a larger file (or a device or
/// FIFO that never ends) is refused, as is a missing one, by name.
fn read_bounded(path: &Path) -> Result<Vec<u8>, HarnessError> {
    let refused = |why: String| {
        HarnessError::Usage(format!("thresholds file {}: {why}; expected a TOML file of at most 1 MiB", path.display()))
    };
    let file = std::fs::File::open(path).map_err(|e| refused(format!("cannot open it ({e})")))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| refused(format!("cannot read it ({e})")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refused("larger than 1 MiB".to_owned()));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(toml_text: &str, overrides: Overrides) -> ThresholdSet {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("thresholds.toml");
        std::fs::write(&path, toml_text).unwrap();
        ThresholdSet::load(Some(&path), overrides).unwrap()
    }

    #[test]
    fn flags_beat_rules_beat_defaults_beat_built_ins_and_each_says_where_from() {
        let text = "[defaults]\nalpha = 0.05\n\n[[rule]]\nmatch = \"skewed/threads\"\nmin_efficiency = 0.4\nreason = \"imbalance is the point\"\n";
        let set = set(text, Overrides { regression_ratio: Some(1.2), ..Overrides::default() });
        let t = set.for_cell("skewed", "threads");
        assert_eq!(t.regression_ratio, Setting { value: 1.2, source: "command line".into() });
        assert_eq!(t.min_efficiency.value, 0.4);
        assert!(
            t.min_efficiency.source.contains("rule 'skewed/threads': imbalance is the point"),
            "{}",
            t.min_efficiency
        );
        assert_eq!(t.alpha.value, 0.05);
        assert!(t.alpha.source.ends_with("defaults"));
        assert_eq!(t.min_bandwidth_fraction, Setting { value: 0.7, source: "built-in default".into() });
        assert_eq!(set.for_cell("skewed", "rayon").min_efficiency.value, 0.7);
    }

    #[test]
    fn bad_files_and_values_are_refused_with_their_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(&path, "[defaults]\nregression_ratio = 0.9\n").unwrap();
        let err = ThresholdSet::load(Some(&path), Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("regression_ratio 0.9"), "{err}");
        std::fs::write(&path, "[defaults]\ncolour = 1\n").unwrap();
        let err = ThresholdSet::load(Some(&path), Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("t.toml") && err.contains("colour"), "{err}");
        let err = ThresholdSet::load(None, Overrides { alpha: Some(0.0), ..Overrides::default() }).unwrap_err();
        assert!(err.to_string().contains("alpha 0"), "{err}");
    }

    #[test]
    fn item_27_7_a_thresholds_file_past_the_size_bound_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.toml");
        std::fs::write(&path, "# a comment, over and over\n".repeat(80_000)).unwrap();
        let err = ThresholdSet::load(Some(&path), Overrides::default()).unwrap_err();
        assert_eq!(err.exit_code(), crate::exit::USAGE, "{err}");
        let text = err.to_string();
        assert!(text.contains("huge.toml") && text.contains("at most 1 MiB"), "{text}");
    }

    #[test]
    fn item_27_10_a_missing_thresholds_file_is_a_usage_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.toml");
        let err = ThresholdSet::load(Some(&path), Overrides::default()).unwrap_err();
        assert_eq!(err.exit_code(), crate::exit::USAGE, "{err}");
        assert!(err.to_string().contains("absent.toml"), "{err}");
    }

    #[test]
    fn item_27_10_an_invalid_value_names_the_file_and_where_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(&path, "[defaults]\nalpha = nan\n").unwrap();
        let err = ThresholdSet::load(Some(&path), Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("t.toml") && err.contains("alpha NaN") && err.contains("[defaults]"), "{err}");
        std::fs::write(&path, "[[rule]]\nmatch = \"*/rayon\"\nmin_efficiency = 2\n").unwrap();
        let err = ThresholdSet::load(Some(&path), Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("t.toml") && err.contains("rule '*/rayon'"), "{err}");
        let err = ThresholdSet::load(None, Overrides { alpha: Some(f64::NAN), ..Overrides::default() }).unwrap_err();
        assert!(err.to_string().contains("invalid --alpha: alpha NaN"), "{err}");
    }
}
