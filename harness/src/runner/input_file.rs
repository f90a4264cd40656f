//! A group's encoded shared input kept for the rounds of an A/B run: a memory file of the platform layer
//! ([`crate::platform::MemoryFile`]) that the driver creates and owns, that a build's first server fills through
//! the path it is given, and that the driver then seals, so that every later server maps bytes nobody can change
//! any more.
//!
//! On Linux it is an anonymous memory file (memfd), reached through `/proc/<driver>/fd/<n>` and sealed: it has no
//! name in any filesystem, so nothing is left behind however the run ends (an error, Ctrl-C, a kill). Under the
//! portable platform it is a temporary file, made read-only for sealing and removed when the driver drops it.

use std::fs::{File, OpenOptions};
use std::io;

use crate::platform::Mapping;
use crate::platform::MemoryFile;

/// The driver's side: one memory file, empty until a server fills it, then sealed.
pub struct InputFile {
    file: MemoryFile,
}

impl InputFile {
    /// An empty memory file that a child can fill and the driver can then seal.
    pub fn create() -> io::Result<Self> {
        Ok(InputFile { file: MemoryFile::sealable("ablate-input")? })
    }

    /// The path a child of this process opens to reach the file.
    pub fn path_for_children(&self) -> String {
        self.file.path_for_children()
    }

    /// Seals the file once a child filled it with `len` bytes; an error when it holds another length (the child
    /// wrote something else, or nothing) or cannot be sealed (a writable mapping of it is still open).
    pub fn seal(&self, len: u64) -> io::Result<()> {
        let found = self.len()?;
        if found != len {
            return Err(io::Error::other(format!("the input file holds {found} bytes, the build reported {len}")));
        }
        self.file.seal()
    }

    pub fn len(&self) -> io::Result<u64> {
        Ok(self.file.file().metadata()?.len())
    }
}

/// Fills the memory file at `path` (a parent's [`InputFile`]) with `len` bytes written by `fill` through a
/// writable mapping, unmapped before this returns so that the parent can seal it.
pub fn fill(path: &str, len: u64, fill: impl FnOnce(&mut [u8]) -> io::Result<()>) -> io::Result<()> {
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    file.set_len(len)?;
    let mut mapping = Mapping::writable(&file, len)?;
    fill(mapping.bytes_mut())
}

/// The sealed memory file at `path`, `len` bytes, mapped read-only; an error when it is not sealed against
/// writing or holds another length, so that the bytes read are the bytes the driver kept.
pub fn map_sealed(path: &str, len: u64) -> io::Result<Mapping> {
    let file = File::open(path)?;
    MemoryFile::check_sealed(&file)?;
    let found = file.metadata()?.len();
    if found != len {
        return Err(io::Error::other(format!("the input file holds {found} bytes, the driver said {len}")));
    }
    Mapping::read_only(&file, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_file_is_sealed_and_then_read_back_but_never_written_again() {
        let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let file = InputFile::create().unwrap();
        let path = file.path_for_children();
        assert!(map_sealed(&path, 0).is_err(), "an unsealed file is not read as a cached input");
        fill(&path, bytes.len() as u64, |out| {
            out.copy_from_slice(&bytes);
            Ok(())
        })
        .unwrap();
        assert!(file.seal(7).is_err(), "a length other than the one written is refused");
        file.seal(bytes.len() as u64).unwrap();
        assert_eq!(map_sealed(&path, bytes.len() as u64).unwrap().bytes(), bytes.as_slice());
        assert!(map_sealed(&path, 3).is_err(), "the length the driver states must be the file's");
        let refused = fill(&path, 10, |_| Ok(())).is_err();
        // The superuser writes a read-only file: only a seal (Linux) stops every writer.
        // SAFETY: geteuid(2) has no preconditions.
        let superuser = unsafe { libc::geteuid() } == 0;
        assert!(refused || (crate::platform::NAME == "portable" && superuser), "sealed: no resize, no write");
        let gone = file.path_for_children();
        drop(file);
        assert!(map_sealed(&gone, bytes.len() as u64).is_err(), "the file is gone with its driver");
    }
}
