//! Writing results where the user asked: a regular file is replaced atomically (a temporary file in its directory,
//! synced, then renamed over it), so a reader sees the old file or the new one, never half of one, and a failed run
//! leaves the old file untouched. A symlink is followed, and its target is what gets replaced; a character device
//! or a FIFO (`/dev/null`, `/dev/stdout`, a pipe a reader waits on) is written through, never replaced by a file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::HarnessError;
use crate::platform::{self, SpecialKind};

/// Symlinks followed before giving up, as the kernel's own limit (`ELOOP`).
const MAX_LINKS: usize = 40;

/// What a destination path leads to.
enum Destination {
    /// A regular file, or nothing yet: replaced atomically at this path (a symlink's target).
    File(PathBuf),
    /// A character device or a FIFO: opened and written through.
    Stream(PathBuf),
}

/// Follows `path` through any symlinks (`/dev/stdout` and its `/proc/self/fd` link included) to what it names,
/// and says how to write there.
fn destination(path: &Path) -> Result<Destination, HarnessError> {
    let kind = match fs::metadata(path) {
        Ok(metadata) => metadata.file_type(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return dangling_target(path).map(Destination::File),
        Err(e) => return Err(HarnessError::io("cannot inspect", path, e)),
    };
    if kind.is_file() {
        let target = fs::canonicalize(path).map_err(|e| HarnessError::io("cannot follow", path, e))?;
        return Ok(Destination::File(target));
    }
    let special = platform::special_kind(kind);
    if matches!(special, Some(SpecialKind::CharDevice | SpecialKind::Fifo)) {
        return Ok(Destination::Stream(path.to_owned()));
    }
    let what = match special {
        Some(special) => format!("it is {}", special.name()),
        None if kind.is_dir() => "it is a directory".to_owned(),
        None => "it is an entry of another kind".to_owned(),
    };
    let why = format!("{what}; expected a regular file, a character device or a FIFO");
    Err(HarnessError::io("cannot write", path, std::io::Error::other(why)))
}

/// Where a path that names nothing yet is to be made: the path itself, or the end of its chain of symlinks when
/// it is a dangling one. The directories of a path the user typed are made when missing; those of a symlink's
/// target are not (a link could otherwise make directories anywhere), so its target's directory must exist.
fn dangling_target(path: &Path) -> Result<PathBuf, HarnessError> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = fs::read_link(&current).map_err(|e| HarnessError::io("cannot follow", path, e))?;
                current = parent_dir(&current).join(target);
            }
            _ if current != path && !parent_dir(&current).is_dir() => {
                let why = format!(
                    "it is a symlink to {}, whose directory does not exist (a symlink's directories are not made)",
                    current.display()
                );
                return Err(HarnessError::io("cannot write", path, std::io::Error::other(why)));
            }
            _ => return Ok(current),
        }
    }
    let source = std::io::Error::other(format!("more than {MAX_LINKS} symlinks"));
    Err(HarnessError::io("cannot follow", path, source))
}

/// Fails early, before a long run, when `path` could not be written: its directory is missing and cannot be
/// made, or refuses new files, or the path names a directory or a device that is not a character device. Opens
/// no device or FIFO (a FIFO would wait for its reader) and leaves nothing behind but the directory.
pub fn check_writable(path: &Path) -> Result<(), HarnessError> {
    match destination(path)? {
        Destination::File(file) => {
            let dir = parent_dir(&file);
            fs::create_dir_all(dir).map_err(|e| HarnessError::io("cannot create the directory of", path, e))?;
            tempfile::NamedTempFile::new_in(dir).map(drop).map_err(|e| HarnessError::io("cannot write", path, e))
        }
        Destination::Stream(stream) => {
            platform::check_write_access(&stream).map_err(|e| HarnessError::io("cannot write", path, e))
        }
    }
}

/// Fails early, before a long run, when files could not be written into directory `dir`: it is missing and
/// cannot be made, or refuses new files. Leaves nothing behind but the directory.
pub fn check_directory(dir: &Path) -> Result<(), HarnessError> {
    fs::create_dir_all(dir).map_err(|e| HarnessError::io("cannot create the directory", dir, e))?;
    tempfile::NamedTempFile::new_in(dir).map(drop).map_err(|e| HarnessError::io("cannot write into", dir, e))
}

/// Writes `bytes` to `path`: a regular file (or a symlink's target) atomically, readable by all (0644); a
/// character device or FIFO through, ended by a newline so that what a terminal or pipe shows next starts a line.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), HarnessError> {
    match destination(path)? {
        Destination::File(file) => replace_file(path, &file, bytes),
        Destination::Stream(stream) => {
            let newline: &[u8] = if bytes.ends_with(b"\n") { b"" } else { b"\n" };
            fs::OpenOptions::new()
                .write(true)
                .open(&stream)
                .and_then(|mut device| device.write_all(&[bytes, newline].concat()).and_then(|()| device.flush()))
                .map_err(|e| HarnessError::io("cannot write", path, e))
        }
    }
}

/// Replaces regular file `file` (what `path` names) whole with `bytes`.
fn replace_file(path: &Path, file: &Path, bytes: &[u8]) -> Result<(), HarnessError> {
    prepared(path, file, bytes)?.persist(file).map_err(|e| HarnessError::io("cannot replace", path, e.error))?;
    Ok(())
}

/// `bytes` written in full and synced to a temporary file beside `file` (what `path` names), ready to be renamed
/// over it: a full disk or a refusal shows here, before anything is replaced.
fn prepared(path: &Path, file: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, HarnessError> {
    let dir = parent_dir(file);
    fs::create_dir_all(dir).map_err(|e| HarnessError::io("cannot create the directory of", path, e))?;
    let mut temporary = tempfile::NamedTempFile::new_in(dir).map_err(|e| HarnessError::io("cannot write", path, e))?;
    // Temporary files are private (0600); what replaces the target is an ordinary readable file.
    temporary
        .write_all(bytes)
        .and_then(|()| platform::make_readable_by_all(temporary.as_file()))
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|e| HarnessError::io("cannot write", path, e))?;
    Ok(temporary)
}

/// Files written in full beside their destinations first, then put in place together by [`Staged::publish`]:
/// a command that fails while writing its outputs (a full disk halfway through a report) replaces none of them,
/// and dropping a `Staged` unpublished removes what it wrote.
#[derive(Default)]
pub struct Staged {
    files: Vec<(PathBuf, PathBuf, StagedBytes)>,
}

enum StagedBytes {
    /// Renamed over the destination when published.
    File(tempfile::NamedTempFile),
    /// Written through to a character device or FIFO when published.
    Stream(Vec<u8>),
}

impl Staged {
    /// Prepares `bytes` for `path`, as [`write_atomic`] would write them.
    pub fn add(&mut self, path: &Path, bytes: &[u8]) -> Result<(), HarnessError> {
        let staged = match destination(path)? {
            Destination::File(file) => {
                (path.to_owned(), file.clone(), StagedBytes::File(prepared(path, &file, bytes)?))
            }
            Destination::Stream(stream) => (path.to_owned(), stream, StagedBytes::Stream(bytes.to_vec())),
        };
        self.files.push(staged);
        Ok(())
    }

    /// Puts every prepared file in place, in the order they were added.
    pub fn publish(self) -> Result<(), HarnessError> {
        for (path, target, bytes) in self.files {
            match bytes {
                StagedBytes::File(temporary) => {
                    temporary.persist(&target).map_err(|e| HarnessError::io("cannot replace", &path, e.error))?;
                }
                StagedBytes::Stream(bytes) => write_atomic(&path, &bytes)?,
            }
        }
        Ok(())
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_whole_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/results.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn a_path_under_a_regular_file_is_refused_and_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, b"x").unwrap();
        let target = blocker.join("results.json");
        let err = check_writable(&target).unwrap_err();
        assert!(err.to_string().contains("file/results.json"), "{err}");
        assert!(write_atomic(&target, b"x").is_err());
        assert_eq!(fs::read(&blocker).unwrap(), b"x");
    }

    #[test]
    fn a_directory_is_not_a_results_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_writable(dir.path()).is_err());
        assert!(write_atomic(dir.path(), b"x").is_err());
    }

    #[test]
    fn a_chain_of_relative_symlinks_leads_to_the_file_that_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("deep")).unwrap();
        std::os::unix::fs::symlink("deep/second", dir.path().join("first")).unwrap();
        std::os::unix::fs::symlink("target.json", dir.path().join("deep/second")).unwrap();
        write_atomic(&dir.path().join("first"), b"through").unwrap();
        assert_eq!(fs::read(dir.path().join("deep/target.json")).unwrap(), b"through");
        assert!(fs::symlink_metadata(dir.path().join("first")).unwrap().file_type().is_symlink());
        std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
        let err = check_writable(&dir.path().join("loop")).unwrap_err().to_string();
        assert!(err.contains("symbolic links") && err.contains("loop"), "{err}");
    }
}
