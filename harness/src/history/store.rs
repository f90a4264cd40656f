//! The history store: one results file per run under `runs/`, named by the measured project's commit, the time
//! and the machine fingerprint, and `index.json` listing them one run per line — plain files that diff and merge,
//! so CI can keep the store on a branch or as an artifact.
//!
//! The index is a convenience, never the truth: a store whose index disagrees with `runs/` (after a merge, or a
//! file copied in by hand) is read from `runs/`, and the next write puts the index right.
//!
//! Loose files and a lock rather than a database such as SQLite: users asked for a store that diffs and merges
//! on a git branch, which one binary file would not. Writers that run at once (several `run --history` in one CI
//! job) take turns under the lock ([`files::Lock`]), each run gets a name of its own, and nothing in the store
//! is followed, read or written through unless it is a plain file or directory ([`files`] says how).

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::files::{self, INDEX_BOUND, Lock, NewFile, RUN_BOUND};
use crate::error::HarnessError;
use crate::record::RunRecord;
use crate::record::parse_results;

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
        let _lock = Lock::shared(dir)?;
        Self::read(dir)
    }

    /// Opens the store at `dir` to read it, where a missing directory is a mistake (`report --history DIR`).
    pub fn open_existing(dir: &Path) -> Result<Self, HarnessError> {
        let missing = |reason: String| HarnessError::MissingStore { path: dir.to_owned(), reason };
        match std::fs::metadata(dir) {
            Ok(metadata) if metadata.is_dir() => Self::open(dir),
            Ok(_) => Err(missing("it is not a directory".to_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(missing("the directory does not exist".to_owned()))
            }
            Err(e) => Err(missing(e.to_string())),
        }
    }

    /// Readies the store at `dir` for a run still to be measured: makes it where missing, checks that it can be
    /// locked and `runs/` takes new files, and reads every run kept, so that a store the run could not be added
    /// to fails first.
    pub fn prepare(dir: &Path) -> Result<Self, HarnessError> {
        let runs_dir = make_directories(dir)?;
        drop(Lock::exclusive(dir)?);
        drop(NewFile::written(&runs_dir, b"")?);
        let store = Self::open(dir)?;
        for entry in store.entries() {
            store.load(entry)?;
        }
        Ok(store)
    }

    /// The store as its files say now; the caller holds the lock where it needs one.
    fn read(dir: &Path) -> Result<Self, HarnessError> {
        let runs_dir = dir.join("runs");
        let mut files = list_runs(&runs_dir)?;
        files.sort();
        let indexed = read_index(&dir.join("index.json"))?;
        let mut entries: Vec<Entry> = indexed.iter().filter(|e| files.contains(&e.file)).cloned().collect();
        let mut rebuilt = indexed.len() != entries.len();
        let unlisted: Vec<&String> = files.iter().filter(|f| !entries.iter().any(|e| &e.file == *f)).collect();
        for file in unlisted {
            rebuilt = true;
            entries.push(Entry::of(file.clone(), &read_run(&runs_dir.join(file))?));
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
        read_run(&self.dir.join("runs").join(&entry.file))
    }

    /// Keeps `record` (whose results file holds `bytes`) in the store and rewrites the index, under the store's
    /// lock: the store is read afresh, so runs another writer added since it was opened stay listed. The run gets
    /// the first free name of `<stem>.json`, `<stem>-2.json`, …; an existing file is never replaced.
    pub fn add(&mut self, record: &RunRecord, bytes: &[u8]) -> Result<Added, HarnessError> {
        let runs_dir = make_directories(&self.dir)?;
        let _lock = Lock::exclusive(&self.dir)?;
        *self = Self::read(&self.dir)?;
        let stem = file_stem(record);
        let mut unpublished = None;
        let mut copy = 0;
        loop {
            copy += 1;
            let name = if copy == 1 { format!("{stem}.json") } else { format!("{stem}-{copy}.json") };
            let path = runs_dir.join(&name);
            match files::read_bounded(&path, RUN_BOUND)? {
                Some(existing) if existing == bytes => return Ok(Added::AlreadyKept(path)),
                Some(_) => continue,
                None => {}
            }
            let file = match unpublished.take() {
                Some(file) => file,
                None => NewFile::written(&runs_dir, bytes)?,
            };
            // Taken meanwhile by a writer that does not lock (another tool, or a checkout): try the next name.
            unpublished = file.publish_new(&path)?;
            if unpublished.is_none() {
                self.entries.push(Entry::of(name, record));
                self.entries.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
                self.write_index()?;
                self.rebuilt = false;
                return Ok(Added::Kept(path));
            }
        }
    }

    /// Writes `index.json`: one run per line, so that two branches that each added runs merge line by line.
    fn write_index(&self) -> Result<(), HarnessError> {
        let path = self.dir.join("index.json");
        let encode =
            |e: &Entry| serde_json::to_string(e).map_err(|source| HarnessError::Encode { path: path.clone(), source });
        let lines: Vec<String> = self.entries.iter().map(encode).collect::<Result<_, _>>()?;
        let text = format!("{{\"format\": {INDEX_FORMAT}, \"runs\": [\n{}\n]}}\n", lines.join(",\n"));
        NewFile::written(&self.dir, text.as_bytes())?.replace(&path)
    }
}

/// Makes the store `dir` (a path the user named, followed where it is a link) and its `runs/` (never a link)
/// where they are missing; returns `runs/`.
fn make_directories(dir: &Path) -> Result<PathBuf, HarnessError> {
    std::fs::create_dir_all(dir).map_err(|e| HarnessError::io("cannot create the history store", dir, e))?;
    let runs_dir = dir.join("runs");
    files::make_directory(&runs_dir)?;
    Ok(runs_dir)
}

/// The names of the run files under `runs_dir` (none where it is missing), each checked to be a regular file.
fn list_runs(runs_dir: &Path) -> Result<Vec<String>, HarnessError> {
    if !files::check_directory(runs_dir)? {
        return Ok(Vec::new());
    }
    let listing =
        std::fs::read_dir(runs_dir).map_err(|e| HarnessError::io("cannot read the history store", runs_dir, e))?;
    let mut names = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|e| HarnessError::io("cannot read the history store", runs_dir, e))?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        if name.ends_with(".json") && !name.starts_with('.') {
            files::check_regular(&runs_dir.join(&name))?;
            names.push(name);
        }
    }
    Ok(names)
}

/// Reads and checks the run file at `path`.
fn read_run(path: &Path) -> Result<RunRecord, HarnessError> {
    match files::read_bounded(path, RUN_BOUND)? {
        Some(bytes) => parse_results(path, &bytes),
        None => Err(HarnessError::io("cannot read", path, std::io::ErrorKind::NotFound.into())),
    }
}

fn read_index(path: &Path) -> Result<Vec<Entry>, HarnessError> {
    let Some(bytes) = files::read_bounded(path, INDEX_BOUND)? else { return Ok(Vec::new()) };
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
