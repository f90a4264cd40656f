//! How the history store touches its files. A store is checked out from a git branch, which carries symlinks, so
//! nothing inside it is trusted: no symbolic link is followed (the store's own directory, which the user names, is
//! the one exception), only regular files are read and at most a bounded number of bytes of each, so a FIFO or a
//! device never hangs a reader or fills its memory. Writers take an exclusive `flock` on `.lock` in the store, a
//! new run is published under a name no file has yet and never renamed over one, and the index is replaced
//! atomically. Not for results files the user names (see `crate::write`, which follows links on purpose).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use crate::error::HarnessError;
use crate::platform;

/// The most a run file under `runs/` may hold: a results file takes a few KiB per cell (the fixture, 140 KiB for 36).
pub const RUN_BOUND: Bound = Bound { bytes: 256 << 20, what: "256 MiB a run file" };
/// The most `index.json` may hold: one line of about 300 bytes per run.
pub const INDEX_BOUND: Bound = Bound { bytes: 64 << 20, what: "64 MiB the index" };

/// The size a file of the store may have, and how an error names it.
#[derive(Clone, Copy)]
pub struct Bound {
    bytes: u64,
    what: &'static str,
}

/// The error for an entry of the store that is refused, and why.
fn refused(path: &Path, reason: impl Into<String>) -> HarnessError {
    HarnessError::StoreEntry { path: path.to_owned(), reason: reason.into() }
}

fn link_refused(path: &Path) -> HarnessError {
    refused(
        path,
        "is a symbolic link, and a history store follows none (one on a git branch could point anywhere); replace \
         it with the file or directory it names",
    )
}

/// What an entry is, in words, for one that is neither a regular file nor a directory nor a link.
fn kind_name(kind: fs::FileType) -> &'static str {
    if let Some(special) = platform::special_kind(kind) {
        special.name()
    } else if kind.is_dir() {
        "a directory"
    } else {
        "an entry of another kind"
    }
}

/// What `path` is, without following it: `None` when nothing is there.
fn entry_type(path: &Path) -> Result<Option<fs::FileType>, HarnessError> {
    match fs::symlink_metadata(path) {
        Ok(metadata) => Ok(Some(metadata.file_type())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(HarnessError::io("cannot inspect", path, e)),
    }
}

/// Refuses `path` unless it is a regular file (or nothing, `Ok(false)`).
pub fn check_regular(path: &Path) -> Result<bool, HarnessError> {
    match entry_type(path)? {
        None => Ok(false),
        Some(kind) if kind.is_symlink() => Err(link_refused(path)),
        Some(kind) if kind.is_file() => Ok(true),
        Some(kind) => Err(refused(
            path,
            format!(
                "is not a regular file but {}; a history store's runs and index are regular files",
                kind_name(kind)
            ),
        )),
    }
}

/// Refuses `path` unless it is a directory (or nothing, `Ok(false)`), not a link to one.
pub fn check_directory(path: &Path) -> Result<bool, HarnessError> {
    match entry_type(path)? {
        None => Ok(false),
        Some(kind) if kind.is_symlink() => Err(link_refused(path)),
        Some(kind) if kind.is_dir() => Ok(true),
        Some(kind) => {
            Err(refused(path, format!("is {}, not the directory a history store keeps its runs in", kind_name(kind))))
        }
    }
}

/// Makes directory `path` where it is missing, refusing a link or anything else in its place.
pub fn make_directory(path: &Path) -> Result<(), HarnessError> {
    if check_directory(path)? {
        return Ok(());
    }
    match fs::create_dir(path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            Err(HarnessError::io("cannot create the directory", path, e))
        }
        // Made, or made meanwhile by another writer: check what is there now.
        _ => check_directory(path).map(drop),
    }
}

/// Opens `path` without following a link and without waiting on a FIFO, `options` saying how.
fn open_no_follow(path: &Path, options: &mut OpenOptions) -> std::io::Result<File> {
    platform::open_no_follow(path, options)
}

/// The bytes of regular file `path`, at most `bound` of them; `None` when nothing is there.
pub fn read_bounded(path: &Path, bound: Bound) -> Result<Option<Vec<u8>>, HarnessError> {
    if !check_regular(path)? {
        return Ok(None);
    }
    let file = match open_no_follow(path, OpenOptions::new().read(true)) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if platform::is_link_refusal(&e) => return Err(link_refused(path)),
        Err(e) => return Err(HarnessError::io("cannot read", path, e)),
    };
    // What was opened, not what the path named a moment before.
    let metadata = file.metadata().map_err(|e| HarnessError::io("cannot inspect", path, e))?;
    if !metadata.is_file() {
        return Err(refused(path, format!("is not a regular file but {}", kind_name(metadata.file_type()))));
    }
    let too_big = |size: u64| refused(path, format!("holds {size} bytes, more than the {} may hold", bound.what));
    if metadata.len() > bound.bytes {
        return Err(too_big(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(bound.bytes + 1).read_to_end(&mut bytes).map_err(|e| HarnessError::io("cannot read", path, e))?;
    if bytes.len() as u64 > bound.bytes {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(Some(bytes))
}

/// `bytes` in a hidden temporary file of directory `dir` (readable by all, synced), to be published under a name.
pub struct NewFile(tempfile::NamedTempFile);

impl NewFile {
    pub fn written(dir: &Path, bytes: &[u8]) -> Result<Self, HarnessError> {
        let mut temporary =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| HarnessError::io("cannot write into", dir, e))?;
        temporary
            .write_all(bytes)
            .and_then(|()| platform::make_readable_by_all(temporary.as_file()))
            .and_then(|()| temporary.as_file().sync_all())
            .map_err(|e| HarnessError::io("cannot write into", dir, e))?;
        Ok(NewFile(temporary))
    }

    /// Gives the file the name `path` unless something has that name already, which is never replaced: then the
    /// file comes back, to be published under another name. The name is taken with `renameat2(RENAME_NOREPLACE)`
    /// (or `link(2)` where the filesystem lacks it): exclusive as `O_EXCL` is, and a reader never sees the run half
    /// written, as it could in a file made with `O_EXCL` and then filled.
    pub fn publish_new(self, path: &Path) -> Result<Option<Self>, HarnessError> {
        match self.0.persist_noclobber(path) {
            Ok(_) => sync_directory(path).map(|()| None),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(Some(NewFile(e.file))),
            Err(e) => Err(HarnessError::io("cannot write", path, e.error)),
        }
    }

    /// Gives the file the name `path`, replacing the regular file there (never a link's target).
    pub fn replace(self, path: &Path) -> Result<(), HarnessError> {
        check_regular(path)?;
        self.0.persist(path).map_err(|e| HarnessError::io("cannot replace", path, e.error))?;
        sync_directory(path)
    }
}

/// Makes the name `path` was just given durable.
fn sync_directory(path: &Path) -> Result<(), HarnessError> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    File::open(dir).and_then(|dir| dir.sync_all()).map_err(|e| HarnessError::io("cannot sync the directory", dir, e))
}

/// An `flock` on the store's `.lock` (an empty file, harmless to commit), released when dropped. Writers hold it
/// exclusively from reading the store to writing the index; readers share it, where a writer has made the file.
pub struct Lock(File);

impl Lock {
    /// Waits for the exclusive lock of the store at `dir`, making `.lock` where it is missing.
    pub fn exclusive(dir: &Path) -> Result<Self, HarnessError> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true);
        platform::create_readable_by_all(&mut options);
        Self::take(&dir.join(".lock"), &mut options, true)
    }

    /// Waits for a shared lock of the store at `dir`; `None` where no writer has made `.lock` yet.
    pub fn shared(dir: &Path) -> Result<Option<Self>, HarnessError> {
        let path = dir.join(".lock");
        if !check_regular(&path)? {
            return Ok(None);
        }
        Self::take(&path, OpenOptions::new().read(true), false).map(Some)
    }

    fn take(path: &Path, options: &mut OpenOptions, exclusive: bool) -> Result<Self, HarnessError> {
        let file = match open_no_follow(path, options) {
            Ok(file) => file,
            Err(e) if platform::is_link_refusal(&e) => return Err(link_refused(path)),
            Err(e) => return Err(HarnessError::io("cannot open the lock", path, e)),
        };
        let metadata = file.metadata().map_err(|e| HarnessError::io("cannot inspect", path, e))?;
        if !metadata.is_file() {
            let why =
                format!("is {}, not the empty regular file a history store locks", kind_name(metadata.file_type()));
            return Err(refused(path, why));
        }
        loop {
            match platform::lock_file(&file, exclusive) {
                Ok(()) => return Ok(Lock(file)),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(HarnessError::io("cannot lock", path, e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        platform::unlock_file(&self.0);
    }
}
