//! A shared mapping of a whole file, every page faulted in at once: the view the process transport's workers and
//! the A/B servers' cached inputs read their memory files through.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

/// A mapping of a whole file, read-only or (for whoever fills the file) writable; unmapped when dropped.
pub struct Mapping {
    address: *mut libc::c_void,
    len: usize,
}

impl Mapping {
    /// Maps the file at `path` read-only, every page faulted in at once rather than one fault per page later.
    pub fn open(path: &str, len: u64) -> io::Result<Self> {
        Mapping::of(&File::open(path)?, len, libc::PROT_READ)
    }

    /// Maps `len` bytes of `file` with `protection` (`libc::PROT_READ`, with `PROT_WRITE` to fill it).
    pub fn of(file: &File, len: u64, protection: libc::c_int) -> io::Result<Self> {
        let len = usize::try_from(len).map_err(io::Error::other)?;
        if len == 0 {
            return Ok(Mapping { address: std::ptr::null_mut(), len });
        }
        let flags = libc::MAP_SHARED | libc::MAP_POPULATE;
        // SAFETY: a fresh shared mapping of an open file; checked for MAP_FAILED below.
        let address = unsafe { libc::mmap(std::ptr::null_mut(), len, protection, flags, file.as_raw_fd(), 0) };
        if address == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Mapping { address, len })
    }

    pub fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: the mapping is `len` readable bytes, alive as long as `self`; a read-only view's file is written by no one any more.
        unsafe { std::slice::from_raw_parts(self.address.cast(), self.len) }
    }

    /// The bytes of a mapping made writable.
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: the mapping is `len` writable bytes, alive as long as `self`, and borrowed mutably once.
        unsafe { std::slice::from_raw_parts_mut(self.address.cast(), self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: unmapping exactly the region this Mapping mapped.
            unsafe { libc::munmap(self.address, self.len) };
        }
    }
}
