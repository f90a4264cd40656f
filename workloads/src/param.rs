//! One typed declaration per workload parameter — name, default, valid values, help — that both documents the
//! parameter (for `ablate list`) and reads its value from a configuration, so the two cannot drift apart.

use std::fmt::{Debug, Display};
use std::ops::RangeInclusive;
use std::str::FromStr;

use crate::contract::WorkloadConfig;
use crate::error::WorkloadError;

/// A parameter a workload reads, declared once as a constant and listed in its
/// [`Description::params`](crate::Description::params).
///
/// ```
/// use ablate_workloads::{Param, ParamSpec, WorkloadConfig};
///
/// const COST: Param<f64> = Param::new("cost", 1.0, 0.01..=100.0, "multiplier on every task's work");
/// const MODE: Param<String> = Param::text("mode", "fast", "fast or exact", "how to compute");
/// assert_eq!(COST.listing().default, "1.0", "a float is listed as declared");
///
/// let config = WorkloadConfig::new("mine", 100, 1);
/// assert_eq!(COST.get(&config)?, 1.0, "absent: the default");
/// assert_eq!(MODE.get(&config)?, "fast");
/// assert_eq!(COST.get(&config.clone().with_param("cost", 2.5))?, 2.5);
/// let refused = COST.get(&config.with_param("cost", 0)).unwrap_err().to_string();
/// assert_eq!(refused, "workload 'mine': parameter cost=0 is invalid; expected a number in 0.01..=100.0");
/// # Ok::<(), ablate_workloads::WorkloadError>(())
/// ```
#[derive(Debug)]
pub struct Param<T: ParamValue> {
    name: &'static str,
    default: Fallback<T>,
    valid: Valid<T::Constant>,
    help: &'static str,
}

/// What a parameter is when the configuration does not set it.
#[derive(Debug)]
enum Fallback<T: ParamValue> {
    Value(T::Constant),
    /// Computed from the workload's size; `shown` says how, e.g. `size/2`.
    FromSize {
        shown: &'static str,
        compute: fn(u64) -> T,
    },
}

/// Which values a parameter accepts.
#[derive(Debug)]
enum Valid<C> {
    Range(RangeInclusive<C>),
    AtLeast(C),
    /// Any value that parses; the hint says which make sense, e.g. `a path`.
    Hinted(&'static str),
}

/// What a parameter's value can be: parsed from text, compared with its range, shown in listings and errors.
/// Implemented for the numbers and `String`; a type of a workload's own implements it too.
pub trait ParamValue: FromStr + PartialOrd + Display + Debug + Send + Sync + 'static {
    /// How a default or a bound is written in a constant declaration: the value itself for numbers, a
    /// `&'static str` for text (so that a `Param<String>` is a constant, too).
    type Constant: Copy + PartialOrd + Display + Debug + Send + Sync + 'static;
    /// The value a constant stands for.
    fn from_constant(constant: Self::Constant) -> Self;
    /// A default or a bound as it is declared, for listings and errors: `1.0` stays `1.0` (its `Display`, used
    /// unless a type says otherwise, would write `1`).
    fn declared(constant: Self::Constant) -> String {
        constant.to_string()
    }
}

macro_rules! plain_values {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            type Constant = $t;
            fn from_constant(constant: $t) -> $t {
                constant
            }
        }
    )*};
}

plain_values!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

macro_rules! float_values {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            type Constant = $t;
            fn from_constant(constant: $t) -> $t {
                constant
            }
            /// `Debug` keeps the decimal point of a whole number: `1.0`, `0.01`, `1e-7`.
            fn declared(constant: $t) -> String {
                format!("{constant:?}")
            }
        }
    )*};
}

float_values!(f32, f64);

impl ParamValue for String {
    type Constant = &'static str;
    fn from_constant(constant: &'static str) -> String {
        constant.to_owned()
    }
}

impl<T: ParamValue> Param<T> {
    /// A parameter with a constant default, accepting the values in `valid`.
    pub const fn new(
        name: &'static str,
        default: T::Constant,
        valid: RangeInclusive<T::Constant>,
        help: &'static str,
    ) -> Self {
        Param { name, default: Fallback::Value(default), valid: Valid::Range(valid), help }
    }

    /// A parameter with a constant default, accepting any value from `min` up.
    pub const fn at_least(name: &'static str, default: T::Constant, min: T::Constant, help: &'static str) -> Self {
        Param { name, default: Fallback::Value(default), valid: Valid::AtLeast(min), help }
    }

    /// A parameter whose default depends on the workload's size: `compute` gives it, `shown` says how (e.g.
    /// `size/2`) for listings; any value from `min` up is accepted.
    pub const fn from_size(
        name: &'static str,
        shown: &'static str,
        compute: fn(u64) -> T,
        min: T::Constant,
        help: &'static str,
    ) -> Self {
        Param { name, default: Fallback::FromSize { shown, compute }, valid: Valid::AtLeast(min), help }
    }

    /// The name, as written on the command line (`-p WORKLOAD.NAME=VALUE`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The value `config` sets, or the default; an error names the workload, the value and the valid ones.
    pub fn get(&self, config: &WorkloadConfig) -> Result<T, WorkloadError> {
        let value = match (config.params.get(self.name), &self.default) {
            (Some(raw), _) => raw.parse().map_err(|_| self.refuse(config, raw))?,
            (None, Fallback::Value(constant)) => T::from_constant(*constant),
            (None, Fallback::FromSize { compute, .. }) => compute(config.size),
        };
        let admitted = match &self.valid {
            Valid::Range(range) => T::from_constant(*range.start()) <= value && value <= T::from_constant(*range.end()),
            Valid::AtLeast(min) => T::from_constant(*min) <= value,
            Valid::Hinted(_) => true,
        };
        if admitted { Ok(value) } else { Err(self.refuse(config, &value.to_string())) }
    }

    fn refuse(&self, config: &WorkloadConfig, value: &str) -> WorkloadError {
        WorkloadError::BadParam {
            workload: config.name.clone(),
            key: self.name.to_owned(),
            value: value.to_owned(),
            expected: self.expected(),
        }
    }

    fn expected(&self) -> String {
        match &self.valid {
            Valid::Range(range) => {
                format!("a number in {}..={}", T::declared(*range.start()), T::declared(*range.end()))
            }
            Valid::AtLeast(min) => format!("a number ≥ {}", T::declared(*min)),
            Valid::Hinted(text) => (*text).to_owned(),
        }
    }
}

impl Param<String> {
    /// A text parameter: any value is accepted; `hint` says which make sense (e.g. `a path`, `fast or exact`),
    /// for `ablate list`, and is not checked.
    pub const fn text(name: &'static str, default: &'static str, hint: &'static str, help: &'static str) -> Self {
        Param { name, default: Fallback::Value(default), valid: Valid::Hinted(hint), help }
    }
}

/// A parameter as the harness sees it, whatever its type: a name to accept on the command line and a
/// [`ParamListing`] to list.
pub trait ParamSpec: Debug + Sync {
    /// The name, as written on the command line.
    fn name(&self) -> &'static str;
    /// Everything `ablate list` shows about the parameter.
    fn listing(&self) -> ParamListing;
}

impl<T: ParamValue> ParamSpec for Param<T> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn listing(&self) -> ParamListing {
        let default = match &self.default {
            Fallback::Value(constant) => T::declared(*constant),
            Fallback::FromSize { shown, .. } => (*shown).to_owned(),
        };
        ParamListing { name: self.name, default, values: self.expected(), help: self.help }
    }
}

/// One parameter as `ablate list` shows it, rendered from its [`Param`] declaration (the type that declares a
/// parameter is [`Param`]; this one only lists it).
#[derive(Clone, Debug, PartialEq)]
pub struct ParamListing {
    /// The name, as written on the command line.
    pub name: &'static str,
    /// The default as declared (e.g. `50000`, `1.0`, or `size/2` for one computed from the size).
    pub default: String,
    /// The values accepted, e.g. `a number in 1..=1000`; for a text parameter, its hint (not checked).
    pub values: String,
    /// What the parameter changes.
    pub help: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITERS: Param<u64> = Param::new("iters", 50_000, 0..=1_000_000, "loop iterations per task");
    const LOOKUPS: Param<u64> = Param::from_size("lookups", "size/2", |size| (size / 2).max(1), 1, "lookups");
    const PANIC_ON: Param<i64> = Param::at_least("panic_on", -1, -1, "a task that panics");
    const MODE: Param<String> = Param::text("mode", "none", "sleep | abort | none", "what misbehaves");

    fn config() -> WorkloadConfig {
        WorkloadConfig::new("spin", 10, 1)
    }

    #[test]
    fn one_declaration_gives_the_value_and_the_documentation() {
        assert_eq!(ITERS.get(&config()).unwrap(), 50_000);
        assert_eq!(ITERS.get(&config().with_param("iters", 12)).unwrap(), 12);
        let listed = ITERS.listing();
        assert_eq!(
            (listed.name, listed.default.as_str(), listed.values.as_str()),
            ("iters", "50000", "a number in 0..=1000000")
        );
        assert_eq!(LOOKUPS.get(&config()).unwrap(), 5);
        assert_eq!((LOOKUPS.listing().default.as_str(), LOOKUPS.listing().values.as_str()), ("size/2", "a number ≥ 1"));
        assert_eq!(PANIC_ON.get(&config().with_param("panic_on", 7)).unwrap(), 7);
        let below = PANIC_ON.get(&config().with_param("panic_on", -2)).unwrap_err().to_string();
        assert!(below.ends_with("panic_on=-2 is invalid; expected a number ≥ -1"), "{below}");
        assert_eq!(MODE.get(&config()).unwrap(), "none");
        assert_eq!(MODE.get(&config().with_param("mode", "abort")).unwrap(), "abort");
        assert_eq!(MODE.listing().values, "sleep | abort | none");
    }

    #[test]
    fn floats_are_listed_as_declared() {
        const COST: Param<f64> = Param::new("cost", 1.0, 0.0..=1000.0, "multiplier");
        const RATE: Param<f32> = Param::at_least("rate", 0.25, 1e-7, "rate");
        assert_eq!((COST.listing().default, COST.listing().values), ("1.0".into(), "a number in 0.0..=1000.0".into()));
        assert_eq!((RATE.listing().default, RATE.listing().values), ("0.25".into(), "a number ≥ 1e-7".into()));
        let refused = COST.get(&config().with_param("cost", 2000)).unwrap_err().to_string();
        assert!(refused.ends_with("cost=2000 is invalid; expected a number in 0.0..=1000.0"), "{refused}");
    }

    #[test]
    fn a_bad_value_names_the_workload_the_key_the_value_and_the_valid_ones() {
        let unparsable = ITERS.get(&config().with_param("iters", "12x")).unwrap_err().to_string();
        assert_eq!(unparsable, "workload 'spin': parameter iters=12x is invalid; expected a number in 0..=1000000");
        let out_of_range = ITERS.get(&config().with_param("iters", 2_000_000)).unwrap_err().to_string();
        assert!(out_of_range.contains("iters=2000000") && out_of_range.contains("0..=1000000"), "{out_of_range}");
    }
}
