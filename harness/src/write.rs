//! Atomic file writes: a temporary file in the target's directory, synced, then renamed over the target.
//! A reader sees the old file or the new one, never half of one; a failed run leaves the old file untouched.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::HarnessError;

/// Fails early, before a long run, when `path` could not be written: its directory is missing and cannot be
/// made, or refuses new files. Leaves nothing behind.
pub fn check_writable(path: &Path) -> Result<(), HarnessError> {
    let dir = parent_dir(path);
    fs::create_dir_all(dir).map_err(|e| HarnessError::io("cannot create the directory of", path, e))?;
    tempfile::NamedTempFile::new_in(dir).map(drop).map_err(|e| HarnessError::io("cannot write", path, e))?;
    if path.is_dir() {
        let source = std::io::Error::other("it is a directory");
        return Err(HarnessError::io("cannot write", path, source));
    }
    Ok(())
}

/// Fails early, before a long run, when files could not be written into directory `dir`: it is missing and
/// cannot be made, or refuses new files. Leaves nothing behind but the directory.
pub fn check_directory(dir: &Path) -> Result<(), HarnessError> {
    fs::create_dir_all(dir).map_err(|e| HarnessError::io("cannot create the directory", dir, e))?;
    tempfile::NamedTempFile::new_in(dir).map(drop).map_err(|e| HarnessError::io("cannot write into", dir, e))
}

/// Writes `bytes` to `path` atomically, readable by all (0644).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), HarnessError> {
    let dir = parent_dir(path);
    fs::create_dir_all(dir).map_err(|e| HarnessError::io("cannot create the directory of", path, e))?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| HarnessError::io("cannot write", path, e))?;
    // Temporary files are private (0600); what replaces the target is an ordinary readable file.
    let readable = std::os::unix::fs::PermissionsExt::from_mode(0o644);
    file.write_all(bytes)
        .and_then(|()| file.as_file().set_permissions(readable))
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| HarnessError::io("cannot write", path, e))?;
    file.persist(path).map_err(|e| HarnessError::io("cannot replace", path, e.error))?;
    Ok(())
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
    }
}
