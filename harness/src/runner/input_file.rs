//! A group's encoded shared input kept for the rounds of an A/B run: an anonymous memory file (memfd) that the
//! driver creates and owns, that a build's first server fills through `/proc/<driver>/fd/<n>`, and that the driver
//! then seals, so that every later server maps bytes nobody can change any more.
//!
//! A memfd has no name in any filesystem: nothing is left behind however the run ends (an error, Ctrl-C, a kill),
//! since the memory is freed when the driver and the last server close it.

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};

use crate::mapping::Mapping;

/// The seals that make a filled file read-only for good: no write, no resize, no change of the seals.
const SEALED: libc::c_int = libc::F_SEAL_WRITE | libc::F_SEAL_GROW | libc::F_SEAL_SHRINK | libc::F_SEAL_SEAL;

/// The driver's side: one memory file, empty until a server fills it, then sealed.
pub struct InputFile {
    file: File,
}

impl InputFile {
    /// An empty memory file that a child can fill and the driver can then seal.
    pub fn create() -> io::Result<Self> {
        let name = CString::new("ablate-input").expect("no NUL in a literal");
        // SAFETY: `name` is a valid C string; on success the descriptor is owned by the File alone.
        let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just created and is owned by nothing else.
        Ok(InputFile { file: unsafe { File::from_raw_fd(fd) } })
    }

    /// The path a child of this process opens to reach the file.
    pub fn path_for_children(&self) -> String {
        format!("/proc/{}/fd/{}", std::process::id(), self.file.as_raw_fd())
    }

    /// Seals the file once a child filled it with `len` bytes; an error when it holds another length (the child
    /// wrote something else, or nothing) or cannot be sealed (a writable mapping of it is still open).
    pub fn seal(&self, len: u64) -> io::Result<()> {
        let found = self.len()?;
        if found != len {
            return Err(io::Error::other(format!("the input file holds {found} bytes, the build reported {len}")));
        }
        // SAFETY: fcntl on a descriptor this File owns.
        if unsafe { libc::fcntl(self.file.as_raw_fd(), libc::F_ADD_SEALS, SEALED) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    pub fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }
}

/// Fills the memory file at `path` (a parent's [`InputFile`]) with `len` bytes written by `fill` through a
/// writable mapping, unmapped before this returns so that the parent can seal it.
pub fn fill(path: &str, len: u64, fill: impl FnOnce(&mut [u8]) -> io::Result<()>) -> io::Result<()> {
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    file.set_len(len)?;
    let mut mapping = Mapping::of(&file, len, libc::PROT_READ | libc::PROT_WRITE)?;
    fill(mapping.bytes_mut())
}

/// The sealed memory file at `path`, `len` bytes, mapped read-only; an error when it is not sealed against
/// writing or holds another length, so that the bytes read are the bytes the driver kept.
pub fn map_sealed(path: &str, len: u64) -> io::Result<Mapping> {
    let file = File::open(path)?;
    // SAFETY: fcntl on a descriptor this File owns.
    let seals = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GET_SEALS) };
    if seals < 0 {
        return Err(io::Error::last_os_error());
    }
    if seals & SEALED != SEALED {
        return Err(io::Error::other("the input file is not sealed against writing"));
    }
    let found = file.metadata()?.len();
    if found != len {
        return Err(io::Error::other(format!("the input file holds {found} bytes, the driver said {len}")));
    }
    Mapping::of(&file, len, libc::PROT_READ)
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
        assert!(fill(&path, 10, |_| Ok(())).is_err(), "sealed: no resize, no write");
    }
}
