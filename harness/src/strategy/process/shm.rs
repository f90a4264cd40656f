//! The shared-memory transport's file: encoded once by the parent straight into a memory file of the platform
//! layer ([`crate::platform::MemoryFile`]), mapped read-only by each worker through the path it is given.
//!
//! On Linux it is an anonymous memory file (memfd), reached through `/proc/<parent>/fd/<n>`: it has no name in any
//! filesystem, so nothing is left behind whatever happens. Under the portable platform it is a temporary file,
//! removed when the parent drops it.

use std::io;

use crate::platform::Mapping;
use crate::platform::MemoryFile;

/// The parent's side: the memory file holding the encoded shared input.
pub struct SharedFile {
    file: MemoryFile,
    len: u64,
}

impl SharedFile {
    /// A memory file of `len` bytes, filled in place by `fill` through a writable mapping: the bytes are written
    /// once, straight into the pages the workers will map, with no intermediate buffer.
    pub fn create(len: u64, fill: impl FnOnce(&mut [u8]) -> io::Result<()>) -> io::Result<Self> {
        let file = MemoryFile::create("ablate-shared")?;
        file.file().set_len(len)?;
        let mut mapping = Mapping::writable(file.file(), len)?;
        fill(mapping.bytes_mut())?;
        Ok(SharedFile { file, len })
    }

    /// The path a worker (a child of this process) opens to reach the file.
    pub fn path_for_children(&self) -> String {
        self.file.path_for_children()
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
        let path = shared.path_for_children();
        drop(shared);
        assert!(Mapping::open(&path, 1).is_err(), "the file is gone with its owner");
    }
}
