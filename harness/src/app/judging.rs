//! The [`Judge`] of a command: its thresholds, the baseline store and the baseline chosen, loaded from the plain
//! [`Judging`] values before anything runs: `run`, `report`, `compare`, `gate` and `bisect` judge with it, and
//! `history check` finds its thresholds file as it does.

use std::path::{Path, PathBuf};

use crate::config::{BaselineSource, Judging};
use crate::error::HarnessError;
use crate::record::RunRecord;
use crate::store::baseline::BaselineStore;
use crate::store::thresholds::ThresholdSet;
use crate::terminal::say;
use crate::verdict::gate::{BaselineChoice, GateReport, nothing_compared};

/// The thresholds file used when none is named and it exists.
const DEFAULT_THRESHOLDS: &str = "ci/thresholds.toml";

/// The thresholds file to load: the one `named`, else [`DEFAULT_THRESHOLDS`] when it exists, else none.
pub(super) fn thresholds_file(named: Option<&Path>) -> Option<PathBuf> {
    let default = Path::new(DEFAULT_THRESHOLDS);
    named.map(Path::to_owned).or_else(|| default.is_file().then(|| default.to_owned()))
}

/// Thresholds, the baseline store and the chosen baseline, validated before anything runs.
pub(super) struct Judge {
    pub thresholds: ThresholdSet,
    pub store: BaselineStore,
    /// Where baselines (and machine profiles, under `profiles/`) are kept.
    pub baseline_dir: PathBuf,
    /// The baseline named, if any.
    pub source: Option<BaselineSource>,
    allow_foreign: bool,
}

impl Judge {
    /// Loads the thresholds `judging` names (or the default file, when it exists).
    pub fn new(judging: &Judging) -> Result<Self, HarnessError> {
        let file = thresholds_file(judging.thresholds.as_deref());
        Ok(Judge {
            thresholds: ThresholdSet::load(file.as_deref(), judging.overrides.clone())?,
            store: BaselineStore::new(&judging.baseline_dir),
            baseline_dir: judging.baseline_dir.clone(),
            source: judging.baseline.clone(),
            allow_foreign: judging.allow_foreign_baseline,
        })
    }

    /// How reports name the chosen baseline: its name in the store or its file.
    pub fn baseline_label(&self) -> Option<String> {
        self.source.as_ref().map(|source| match source {
            BaselineSource::Named(name) => name.clone(),
            BaselineSource::File(path) => path.display().to_string(),
        })
    }

    /// An error (exit 5) saying why, when comparing `candidate` with `baseline` compared no cell.
    pub fn compared_something(
        &self,
        report: &GateReport,
        candidate: (&RunRecord, &str),
        baseline: &RunRecord,
    ) -> Result<(), HarnessError> {
        let label = self.baseline_label().unwrap_or_else(|| "given".to_owned());
        match nothing_compared(report, candidate, (baseline, &label)) {
            Some(why) => Err(HarnessError::Baseline(why)),
            None => Ok(()),
        }
    }

    /// The baseline for results measured on machine `fingerprint`, or `None` when none was asked for. A missing
    /// baseline (or one of another machine) is an error, or with `lenient` a warning and `None`; a broken one
    /// (truncated, of a future schema, mislabelled) is an error either way.
    pub fn baseline_for(&self, fingerprint: &str, lenient: bool) -> Result<Option<RunRecord>, HarnessError> {
        let Some(source) = &self.source else { return Ok(None) };
        let choice = BaselineChoice { source: source.clone(), store: &self.store, allow_foreign: self.allow_foreign };
        match choice.load(fingerprint) {
            Ok(baseline) => Ok(Some(baseline)),
            Err(HarnessError::NoBaseline(message)) if lenient => {
                say(format_args!("warning: {message}"));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}
