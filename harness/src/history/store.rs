//! The history store: one results file per run under `runs/`, named by the measured project's commit, the time
//! and the machine fingerprint, and `index.json` listing them one run per line — plain files that diff and merge,
//! so CI can keep the store on a branch or as an artifact.
//!
//! The index is a convenience, never the truth: a store whose index disagrees with `runs/` (after a merge, or a
//! file copied in by hand) is read from `runs/`, and the next write puts the index right.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::HarnessError;
use crate::record::RunRecord;
use crate::verdict::baseline::read_results;
use crate::write::write_atomic;

/// The version of `index.json`'s layout.
const INDEX_FORMAT: u64 = 1;

/// One kept run, as the index lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The file under `runs/`.
    pub file: String,
    /// The measured project's commit; absent when the run was not made in a git repository.
    pub commit: Option<String>,
    /// The project had uncommitted changes: its numbers belong to no commit.
    pub dirty: bool,
    /// When the commit was made (RFC 3339, UTC), where git knew it when the run was kept: runs are ordered by it,
    /// so runs of old commits measured later still fall in commit order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_time: Option<String>,
    /// When the run was made (RFC 3339, UTC).
    pub created: String,
    pub fingerprint: String,
    pub ablate_version: String,
}

impl Entry {
    fn of(file: String, record: &RunRecord) -> Self {
        let commit = record.machine.git_commit.clone();
        Entry {
            commit_time: commit.as_deref().and_then(commit_time),
            commit,
            dirty: record.machine.git_dirty,
            created: record.created.clone(),
            fingerprint: record.machine.fingerprint.clone(),
            ablate_version: record.ablate_version.clone(),
            file,
        }
    }

    /// The commit abbreviated to 7 characters with `+dirty` when dirty, or `no commit`.
    pub fn short_commit(&self) -> String {
        match &self.commit {
            Some(commit) => format!("{}{}", commit.get(..7).unwrap_or(commit), if self.dirty { "+dirty" } else { "" }),
            None => "no commit".to_owned(),
        }
    }

    /// Commit order: by the commit's time where known, else the run's, then by the run's time.
    fn order_key(&self) -> (&str, &str, &str) {
        (self.commit_time.as_deref().unwrap_or(&self.created), &self.created, &self.file)
    }
}

#[derive(Serialize, Deserialize)]
struct Index {
    format: u64,
    runs: Vec<Entry>,
}

/// A history store at a directory, its runs in commit order.
pub struct Store {
    dir: PathBuf,
    entries: Vec<Entry>,
    /// The index disagreed with `runs/` (or was missing) and was rebuilt from it.
    pub rebuilt: bool,
}

/// What adding a run did.
#[derive(Debug, PartialEq, Eq)]
pub enum Added {
    Kept(PathBuf),
    /// The same results were kept already, at this path.
    AlreadyKept(PathBuf),
}

impl Store {
    /// Opens the store at `dir`; a directory that does not exist is an empty store.
    pub fn open(dir: &Path) -> Result<Self, HarnessError> {
        let runs_dir = dir.join("runs");
        let mut files: Vec<String> = match fs::read_dir(&runs_dir) {
            Ok(listing) => listing
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| name.ends_with(".json") && !name.starts_with('.'))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(HarnessError::io("cannot read the history store", &runs_dir, e)),
        };
        files.sort();
        let indexed = read_index(&dir.join("index.json"))?;
        let mut entries: Vec<Entry> = indexed.iter().filter(|e| files.contains(&e.file)).cloned().collect();
        let mut rebuilt = indexed.len() != entries.len();
        let unlisted: Vec<&String> = files.iter().filter(|f| !entries.iter().any(|e| &e.file == *f)).collect();
        for file in unlisted {
            rebuilt = true;
            entries.push(Entry::of(file.clone(), &read_results(&runs_dir.join(file))?));
        }
        entries.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        Ok(Store { dir: dir.to_owned(), entries, rebuilt })
    }

    /// Every kept run, in commit order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Reads the results of one kept run.
    pub fn load(&self, entry: &Entry) -> Result<RunRecord, HarnessError> {
        read_results(&self.dir.join("runs").join(&entry.file))
    }

    /// Keeps `record` (whose results file holds `bytes`) in the store, atomically, and rewrites the index.
    pub fn add(&mut self, record: &RunRecord, bytes: &[u8]) -> Result<Added, HarnessError> {
        let stem = file_stem(record);
        let runs_dir = self.dir.join("runs");
        let mut name = format!("{stem}.json");
        for copy in 2.. {
            let path = runs_dir.join(&name);
            match fs::read(&path) {
                Ok(existing) if existing == bytes => return Ok(Added::AlreadyKept(path)),
                Ok(_) => name = format!("{stem}-{copy}.json"),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(e) => return Err(HarnessError::io("cannot read", &path, e)),
            }
        }
        let path = runs_dir.join(&name);
        write_atomic(&path, bytes)?;
        self.entries.push(Entry::of(name, record));
        self.entries.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        self.write_index()?;
        self.rebuilt = false;
        Ok(Added::Kept(path))
    }

    /// Writes `index.json`: one run per line, so that two branches that each added runs merge line by line.
    fn write_index(&self) -> Result<(), HarnessError> {
        let path = self.dir.join("index.json");
        let encode =
            |e: &Entry| serde_json::to_string(e).map_err(|source| HarnessError::Encode { path: path.clone(), source });
        let lines: Vec<String> = self.entries.iter().map(encode).collect::<Result<_, _>>()?;
        let text = format!("{{\"format\": {INDEX_FORMAT}, \"runs\": [\n{}\n]}}\n", lines.join(",\n"));
        write_atomic(&path, text.as_bytes())
    }
}

fn read_index(path: &Path) -> Result<Vec<Entry>, HarnessError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(HarnessError::io("cannot read", path, e)),
    };
    match serde_json::from_slice::<Index>(&bytes) {
        Ok(index) if index.format == INDEX_FORMAT => Ok(index.runs),
        // A conflicted or foreign index is rebuilt from the runs themselves.
        _ => Ok(Vec::new()),
    }
}

/// `<commit12>[-dirty]-<YYYYMMDDTHHMMSSZ>-<fingerprint>`, or `nocommit-…` outside a repository.
fn file_stem(record: &RunRecord) -> String {
    let machine = &record.machine;
    let commit = machine.git_commit.as_deref().map_or("nocommit", |c| c.get(..12).unwrap_or(c));
    let dirty = if machine.git_dirty { "-dirty" } else { "" };
    let time: String = record.created.chars().filter(char::is_ascii_alphanumeric).collect();
    let plain = |text: &str| -> String {
        text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
    };
    format!("{}{dirty}-{}-{}", plain(commit), plain(&time), plain(&machine.fingerprint))
}

/// When `commit` was made, as git in the working directory knows it (UTC); `None` where git does not.
fn commit_time(commit: &str) -> Option<String> {
    if !commit.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let out = std::process::Command::new("git")
        .args(["show", "-s", "--format=%ct", commit])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let seconds: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok().filter(|_| out.status.success())?;
    Some(humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(seconds)).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(created: &str, commit: &str) -> (RunRecord, Vec<u8>) {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json"));
        let mut record = read_results(path).unwrap();
        record.created = created.to_owned();
        record.machine.git_commit = Some(commit.to_owned());
        let bytes = serde_json::to_vec(&record).unwrap();
        (record, bytes)
    }

    #[test]
    fn runs_are_kept_once_in_order_and_a_stale_index_is_rebuilt_from_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let (late, late_bytes) = fixture("2026-11-02T00:00:00Z", "bbbbbbbbbbbbbbbbbbbb");
        let (early, early_bytes) = fixture("2026-11-01T00:00:00Z", "aaaaaaaaaaaaaaaaaaaa");
        assert!(matches!(store.add(&late, &late_bytes).unwrap(), Added::Kept(_)));
        assert!(matches!(store.add(&early, &early_bytes).unwrap(), Added::Kept(_)));
        assert!(matches!(store.add(&early, &early_bytes).unwrap(), Added::AlreadyKept(_)));
        let commits = |s: &Store| s.entries().iter().map(Entry::short_commit).collect::<Vec<_>>();
        assert_eq!(commits(&store), ["aaaaaaa+dirty", "bbbbbbb+dirty"]);
        let reopened = Store::open(dir.path()).unwrap();
        assert!(!reopened.rebuilt);
        assert_eq!(reopened.entries(), store.entries());

        fs::write(dir.path().join("index.json"), "<<<<<<< conflict\n").unwrap();
        let rebuilt = Store::open(dir.path()).unwrap();
        assert!(rebuilt.rebuilt);
        assert_eq!(commits(&rebuilt), commits(&store));
        fs::remove_file(dir.path().join("runs").join(&store.entries()[0].file)).unwrap();
        let fewer = Store::open(dir.path()).unwrap();
        assert_eq!(commits(&fewer), ["bbbbbbb+dirty"]);
    }
}
