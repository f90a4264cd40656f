//! The A/B driver's input cache: each build's group inputs, made once by the build's first fresh server and
//! handed to every later one, so that a round pays for warm-up and timed executions only. Pairs still come from
//! fresh processes every round: only the encoded bytes a server decodes its input from are kept.
//!
//! An input is keyed by the build's identity — the hash of its binary's bytes, so that two paths to one binary
//! share, and a binary rebuilt at the same path (a bisection's next commit) does not — and by the group's workload
//! configuration (name, size, seed, parameters) as the build itself reported it. Each is held in a sealed memory
//! file ([`InputFile`]) that exists in no filesystem: whatever ends the run, nothing is left behind. The cache
//! holds at most a quarter of the memory available when it was made; an input that would not fit is made afresh
//! every round, as are inputs of builds that predate the cache or whose workload's input does not encode.
//!
//! The cache is a handle: clones share it, so that a bisection keeps GOOD's inputs from one step to the next.

use std::cell::RefCell;
use std::fs::File;
use std::hash::{DefaultHasher, Hasher};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use ablate_workloads::WorkloadConfig;

use crate::measure::memory;
use crate::record::{GroupOpen, InputSource};
use crate::runner::group_input::{InputOffer, InputReport};
use crate::runner::input_file::InputFile;

/// A build's identity: the hash of its binary's bytes.
pub type BuildId = u64;

/// What the cache holds when the memory available cannot be read.
const FALLBACK_BUDGET: u64 = 1 << 30;

/// The builds' group inputs for a gate (or a bisection), and the record of every opening.
#[derive(Clone)]
pub struct InputCache(Rc<RefCell<Inner>>);

struct Inner {
    /// Each input's key, and where it stands.
    entries: Vec<(Key, Entry)>,
    /// The builds of the run under way: each binary's path and identity (`None` when it cannot be read).
    builds: Vec<(PathBuf, Option<BuildId>)>,
    /// The most bytes held at once.
    budget: u64,
    /// Whether anything is offered at all.
    on: bool,
    /// Every opening so far, by the label of the build ("base", "candidate").
    opens: Vec<(&'static str, GroupOpen)>,
}

type Key = (BuildId, WorkloadConfig);

enum Entry {
    /// Offered to a server to fill; sealed once it says it did.
    Filling(InputFile),
    /// Sealed: offered to every later server of the build.
    Ready { file: InputFile, len: u64 },
    /// Not offered again in this run: made afresh by each server.
    Declined,
}

impl Default for InputCache {
    fn default() -> Self {
        let budget = memory::available().map_or(FALLBACK_BUDGET, |available| available.bytes / 4);
        InputCache::with_budget(budget)
    }
}

impl InputCache {
    /// An empty cache that holds at most `budget` bytes.
    pub fn with_budget(budget: u64) -> Self {
        let inner = Inner { entries: Vec::new(), builds: Vec::new(), budget, on: true, opens: Vec::new() };
        InputCache(Rc::new(RefCell::new(inner)))
    }

    /// A cache that offers nothing: every server makes every input (`--no-input-cache`); openings are still
    /// recorded.
    pub fn off() -> Self {
        let cache = InputCache::with_budget(0);
        cache.0.borrow_mut().on = false;
        cache
    }

    /// Starts an A/B run of the binaries at `paths`: each identified by its bytes, the inputs of every other build
    /// dropped, and any input a server of an earlier run was still filling forgotten.
    pub fn start_run(&self, paths: &[&Path]) {
        let mut inner = self.0.borrow_mut();
        let identity = |path: &Path| if inner.on { identify(path) } else { None };
        let builds: Vec<(PathBuf, Option<BuildId>)> = paths.iter().map(|p| (p.to_path_buf(), identity(p))).collect();
        inner.entries.retain(|((build, _), entry)| {
            builds.iter().any(|(_, id)| *id == Some(*build)) && !matches!(entry, Entry::Filling(_))
        });
        inner.builds = builds;
        inner.opens.clear();
    }

    /// The identity of the binary at `path`, as [`InputCache::start_run`] found it.
    pub fn identity(&self, path: &Path) -> Option<BuildId> {
        self.0.borrow().builds.iter().find(|(p, _)| p == path).and_then(|(_, id)| *id)
    }

    /// What to offer a server of `build` opening the group of `key`: the sealed input, or an empty file to fill
    /// when there is none yet; nothing when the build or the key is unknown, when another server is filling it,
    /// or when it was declined.
    pub fn offer(&self, build: Option<BuildId>, key: Option<&WorkloadConfig>) -> Option<InputOffer> {
        let key = (build?, key?.clone());
        let mut inner = self.0.borrow_mut();
        if !inner.on {
            return None;
        }
        match inner.entries.iter().find(|(k, _)| *k == key).map(|(_, entry)| entry) {
            Some(Entry::Ready { file, len }) => {
                return Some(InputOffer::Read { path: file.path_for_children(), len: *len, key: key.1 });
            }
            Some(Entry::Filling(_) | Entry::Declined) => return None,
            None => {}
        }
        match InputFile::create() {
            Ok(file) => {
                let offer = InputOffer::Fill { path: file.path_for_children(), key: key.1.clone() };
                inner.entries.push((key, Entry::Filling(file)));
                Some(offer)
            }
            Err(_) => {
                inner.entries.push((key, Entry::Declined));
                None
            }
        }
    }

    /// Takes in how a server of `build`, offered `offer`, opened its group (`report`, absent from builds that
    /// predate the cache): an input it filled is sealed and kept while it fits the budget; one it could not fill
    /// or use is declined (made afresh by every server) for as long as the cache keeps the build.
    pub fn settle(&self, build: BuildId, offer: &InputOffer, report: Option<&InputReport>) {
        let key = match offer {
            InputOffer::Fill { key, .. } | InputOffer::Read { key, .. } => key,
        };
        let mut inner = self.0.borrow_mut();
        let (held, budget) = (inner.held(), inner.budget);
        let Some((_, entry)) = inner.entries.iter_mut().find(|((b, k), _)| *b == build && k == key) else { return };
        *entry = match (std::mem::replace(entry, Entry::Declined), report.map(|r| &r.source)) {
            (Entry::Filling(file), Some(InputSource::Exported { bytes }))
                if held.saturating_add(*bytes) <= budget && file.seal(*bytes).is_ok() =>
            {
                Entry::Ready { file, len: *bytes }
            }
            (ready @ Entry::Ready { .. }, Some(InputSource::Cached { .. })) => ready,
            _ => Entry::Declined,
        };
    }

    /// Notes an opening by the build labelled `label`.
    pub fn record(&self, label: &'static str, open: GroupOpen) {
        self.0.borrow_mut().opens.push((label, open));
    }

    /// The openings by the build labelled `label` in the run under way, in order.
    pub fn opens(&self, label: &str) -> Vec<GroupOpen> {
        self.0.borrow().opens.iter().filter(|(l, _)| *l == label).map(|(_, open)| open.clone()).collect()
    }
}

impl Inner {
    fn held(&self) -> u64 {
        self.entries.iter().map(|(_, e)| if let Entry::Ready { len, .. } = e { *len } else { 0 }).sum()
    }
}

/// The hash of the bytes of the file at `path`, or `None` when it cannot be read here (a name looked up on PATH):
/// such a build's inputs are not cached. The hash is std's SipHash with its fixed keys: stable within the driver,
/// which is as long as an identity is kept.
pub fn identify(path: &Path) -> Option<BuildId> {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path).ok()?);
    let mut hasher = DefaultHasher::new();
    loop {
        let buffer = reader.fill_buf().ok()?;
        if buffer.is_empty() {
            return Some(hasher.finish());
        }
        hasher.write(buffer);
        let n = buffer.len();
        reader.consume(n);
    }
}

#[cfg(test)]
mod tests;
