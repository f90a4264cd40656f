//! The baseline store: results files kept under `baselines/<machine-fingerprint>/<name>.json`, written
//! atomically, read back with their schema version and samples checked.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::HarnessError;
use crate::record::{RunRecord, read_results};

/// Where baselines live, one folder per machine fingerprint.
pub struct BaselineStore {
    root: PathBuf,
}

/// A baseline just saved: where, and what it replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    pub path: PathBuf,
    /// The baseline that was there before, as [`describe_stored`] says it; `None` when there was none.
    pub replaced: Option<String>,
}

/// A baseline found in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBaseline {
    pub fingerprint: String,
    pub name: String,
    pub path: PathBuf,
}

impl BaselineStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BaselineStore { root: root.into() }
    }

    /// Saves `record` as `name` for the record's own machine; replaces an older baseline of that name whole.
    pub fn save(&self, record: &RunRecord, name: &str) -> Result<Saved, HarnessError> {
        let path = self.path(&record.machine.fingerprint, name)?;
        let replaced = path.exists().then(|| describe_stored(&path));
        record.write_to(&path)?;
        Ok(Saved { path, replaced })
    }

    /// Loads baseline `name` of machine `fingerprint`. A baseline of that name kept only for other machines is
    /// refused unless `allow_foreign`, and then the first such one is used; so is one in this machine's folder
    /// whose record says it was measured elsewhere.
    pub fn load(&self, name: &str, fingerprint: &str, allow_foreign: bool) -> Result<RunRecord, HarnessError> {
        let own = self.path(fingerprint, name)?;
        if own.exists() {
            let record = read_baseline(&own, fingerprint, true)?;
            if record.machine.fingerprint != fingerprint && !allow_foreign {
                return Err(HarnessError::Baseline(format!(
                    "baseline {} is in this machine's folder but was measured on machine {}: the store is \
                     mislabelled; pass --allow-foreign-baseline to compare across machines, or move it to {}",
                    own.display(),
                    record.machine.fingerprint,
                    self.root.join(&record.machine.fingerprint).display()
                )));
            }
            return Ok(record);
        }
        let foreign: Vec<StoredBaseline> = self.list()?.into_iter().filter(|b| b.name == name).collect();
        match (foreign.first(), allow_foreign) {
            (Some(other), true) => read_baseline(&other.path, fingerprint, true),
            (Some(other), false) => Err(HarnessError::NoBaseline(format!(
                "baseline '{name}' exists only for machine {} (this machine is {fingerprint}); pass \
                 --allow-foreign-baseline to compare across machines",
                other.fingerprint
            ))),
            (None, _) => Err(HarnessError::NoBaseline(format!(
                "no baseline '{name}' in {}; save one with `ablate run --save-baseline {name}`",
                self.root.join(fingerprint).display()
            ))),
        }
    }

    /// Every stored baseline, sorted by machine and name.
    pub fn list(&self) -> Result<Vec<StoredBaseline>, HarnessError> {
        let mut found = Vec::new();
        let Ok(machines) = fs::read_dir(&self.root) else { return Ok(found) };
        for machine in machines.flatten().filter(|e| e.path().is_dir()) {
            let entries =
                fs::read_dir(machine.path()).map_err(|e| HarnessError::io("cannot list", machine.path(), e))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if let (Some(name), Some("json")) =
                    (path.file_stem().and_then(|s| s.to_str()), path.extension().and_then(|e| e.to_str()))
                {
                    let fingerprint = machine.file_name().to_string_lossy().into_owned();
                    found.push(StoredBaseline { fingerprint, name: name.to_owned(), path: path.clone() });
                }
            }
        }
        found.sort_by(|a, b| (&a.fingerprint, &a.name).cmp(&(&b.fingerprint, &b.name)));
        Ok(found)
    }

    /// Deletes baseline `name` of machine `fingerprint`.
    pub fn delete(&self, name: &str, fingerprint: &str) -> Result<PathBuf, HarnessError> {
        let path = self.path(fingerprint, name)?;
        if !path.exists() {
            return Err(HarnessError::Baseline(format!("no baseline '{name}' at {}", path.display())));
        }
        fs::remove_file(&path).map_err(|e| HarnessError::io("cannot delete", &path, e))?;
        Ok(path)
    }

    /// Where baseline `name` of machine `fingerprint` is kept.
    pub fn path(&self, fingerprint: &str, name: &str) -> Result<PathBuf, HarnessError> {
        validate_name(name)?;
        Ok(self.root.join(fingerprint).join(format!("{name}.json")))
    }
}

/// A stored baseline as a person tells it from another: `the one of 2026-11-25T10:00:00Z at commit 9284f39`. Read
/// leniently, since it is only named: a file that is not a readable record says so.
pub fn describe_stored(path: &Path) -> String {
    let Some(value) = fs::read(path).ok().and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
    else {
        return "a file that was not a readable baseline".to_owned();
    };
    let created = value.get("created").and_then(serde_json::Value::as_str).unwrap_or("an unknown date");
    let machine = value.get("machine");
    let commit = match machine.and_then(|m| m.get("git_commit")).and_then(serde_json::Value::as_str) {
        Some(commit) => format!("commit {}", commit.get(..7).unwrap_or(commit)),
        None => "an unknown commit".to_owned(),
    };
    let dirty = machine.and_then(|m| m.get("git_dirty")).and_then(serde_json::Value::as_bool) == Some(true);
    format!("the one of {created} at {commit}{}", if dirty { " (with uncommitted changes)" } else { "" })
}

/// A baseline name is a plain file name: letters, digits, `.`, `_`, `-`, not starting with `.`, 1–100 long.
pub fn validate_name(name: &str) -> Result<(), HarnessError> {
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if name.is_empty() || name.len() > 100 || name.starts_with('.') || !plain {
        return Err(HarnessError::Usage(format!(
            "invalid baseline name {name:?}; expected 1-100 letters, digits, '.', '_' or '-', not starting with '.'"
        )));
    }
    Ok(())
}

/// Reads a baseline for results measured on machine `fingerprint`, whether it was named in the store or given as
/// a file: any fault in it is a baseline error, a file that is not there or a record from another machine (unless
/// `allow_foreign`) means there is no baseline for this machine (both exit code 5).
pub fn read_baseline(path: &Path, fingerprint: &str, allow_foreign: bool) -> Result<RunRecord, HarnessError> {
    if !path.exists() && fs::symlink_metadata(path).is_err() {
        return Err(HarnessError::NoBaseline(format!("no baseline at {}: the file does not exist", path.display())));
    }
    let record = read_results(path).map_err(|e| HarnessError::Baseline(format!("baseline {e}")))?;
    if record.machine.fingerprint != fingerprint && !allow_foreign {
        return Err(HarnessError::NoBaseline(format!(
            "baseline {} was measured on machine {}, this run on {fingerprint}; pass --allow-foreign-baseline to \
             compare across machines",
            path.display(),
            record.machine.fingerprint
        )));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_leave_the_folder_are_refused() {
        for bad in ["", "a/b", "..", "../x", ".hidden", "nul\0byte", "spaced name", &"x".repeat(101)] {
            let err = validate_name(bad).unwrap_err();
            assert_eq!(err.exit_code(), crate::exit::USAGE, "{bad:?}");
        }
        for good in ["main", "v1.2", "pr-17_a"] {
            validate_name(good).unwrap();
        }
    }

    #[test]
    fn missing_and_foreign_baselines_are_baseline_errors() {
        let dir = tempfile::tempdir().unwrap();
        let store = BaselineStore::new(dir.path());
        let missing = store.load("main", "here", false).unwrap_err();
        assert_eq!(missing.exit_code(), crate::exit::BASELINE);
        std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
        std::fs::write(dir.path().join("elsewhere/main.json"), b"{}").unwrap();
        let foreign = store.load("main", "here", false).unwrap_err().to_string();
        assert!(foreign.contains("elsewhere") && foreign.contains("--allow-foreign-baseline"), "{foreign}");
        let malformed = store.load("main", "here", true).unwrap_err();
        assert_eq!(malformed.exit_code(), crate::exit::BASELINE, "{malformed}");
        assert_eq!(store.list().unwrap().len(), 1);
    }
}
