//! The shared-memory transport's file: encoded once by the parent straight into an anonymous memory file (memfd),
//! mapped read-only by each worker through `/proc/<parent>/fd/<n>`.
//!
//! A memfd has no name in any filesystem, so nothing is left behind whatever happens: the memory is freed when
//! the parent and the last worker close it, crash or not.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};

use crate::mapping::Mapping;

/// The parent's side: the memory file holding the encoded shared input.
pub struct SharedFile {
    file: File,
    len: u64,
}

impl SharedFile {
    /// A memory file of `len` bytes, filled in place by `fill` through a writable mapping: the bytes are written
    /// once, straight into the pages the workers will map, with no intermediate buffer.
    pub fn create(len: u64, fill: impl FnOnce(&mut [u8]) -> io::Result<()>) -> io::Result<Self> {
        let name = CString::new("ablate-shared").expect("no NUL in a literal");
        // SAFETY: `name` is a valid C string; on success the descriptor is owned by the File alone.
        let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just created and is owned by nothing else.
        let file = unsafe { File::from_raw_fd(fd) };
        file.set_len(len)?;
        let mut mapping = Mapping::of(&file, len, libc::PROT_READ | libc::PROT_WRITE)?;
        fill(mapping.bytes_mut())?;
        Ok(SharedFile { file, len })
    }

    /// The path a worker (a child of this process) opens to reach the file.
    pub fn path_for_children(&self) -> String {
        format!("/proc/{}/fd/{}", std::process::id(), self.file.as_raw_fd())
    }

    pub fn len(&self) -> u64 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_reads_back_what_was_written() {
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let shared = SharedFile::create(bytes.len() as u64, |out| {
            out.copy_from_slice(&bytes);
            Ok(())
        })
        .unwrap();
        assert_eq!(shared.len(), 100_000);
        let mapping = Mapping::open(&shared.path_for_children(), shared.len()).unwrap();
        assert_eq!(mapping.bytes(), bytes.as_slice());
        assert!(Mapping::open("/proc/self/fd/999999", 1).is_err());
    }
}
