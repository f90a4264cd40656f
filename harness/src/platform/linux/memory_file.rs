//! Memory files on Linux: anonymous memory files (memfd), which no filesystem names, so nothing is left behind
//! however the run ends; reached by a child of their owner through `/proc/<owner>/fd/<n>`; sealed against any
//! change once filled. Mapped with every page faulted in at once (`MAP_POPULATE`).

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};

/// The seals that make a filled file read-only for good: no write, no resize, no change of the seals.
const SEALED: libc::c_int = libc::F_SEAL_WRITE | libc::F_SEAL_GROW | libc::F_SEAL_SHRINK | libc::F_SEAL_SEAL;

/// An anonymous memory file, freed when its owner and every process that opened it have closed it.
pub struct MemoryFile {
    file: File,
}

impl MemoryFile {
    /// An empty memory file named `name` (for debugging only: no filesystem holds it).
    pub fn create(name: &str) -> io::Result<Self> {
        Self::with_flags(name, libc::MFD_CLOEXEC)
    }

    /// An empty memory file that [`MemoryFile::seal`] can make read-only for good once a child filled it.
    pub fn sealable(name: &str) -> io::Result<Self> {
        Self::with_flags(name, libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING)
    }

    fn with_flags(name: &str, flags: libc::c_uint) -> io::Result<Self> {
        let name = CString::new(name).map_err(io::Error::other)?;
        // SAFETY: `name` is a valid C string; on success the descriptor is owned by the File alone.
        let fd = unsafe { libc::memfd_create(name.as_ptr(), flags) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just created and is owned by nothing else.
        Ok(MemoryFile { file: unsafe { File::from_raw_fd(fd) } })
    }

    pub fn file(&self) -> &File {
        &self.file
    }

    /// The path a child of this process opens to reach the file.
    pub fn path_for_children(&self) -> String {
        format!("/proc/{}/fd/{}", std::process::id(), self.file.as_raw_fd())
    }

    /// Seals the file against writing, resizing and unsealing; an error while a writable mapping of it is open.
    pub fn seal(&self) -> io::Result<()> {
        // SAFETY: fcntl on a descriptor this File owns.
        if unsafe { libc::fcntl(self.file.as_raw_fd(), libc::F_ADD_SEALS, SEALED) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// An error unless `file` (opened from a path) is sealed against writing.
    pub fn check_sealed(file: &File) -> io::Result<()> {
        // SAFETY: fcntl on a descriptor the caller's File owns.
        let seals = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GET_SEALS) };
        if seals < 0 {
            return Err(io::Error::last_os_error());
        }
        if seals & SEALED != SEALED {
            return Err(io::Error::other("the input file is not sealed against writing"));
        }
        Ok(())
    }
}

/// A shared mapping of a whole file, read-only or (for whoever fills the file) writable; unmapped when dropped.
pub struct Mapping {
    address: *mut libc::c_void,
    len: usize,
}

impl Mapping {
    /// Maps the file at `path` read-only, every page faulted in at once rather than one fault per page later.
    pub fn open(path: &str, len: u64) -> io::Result<Self> {
        Mapping::read_only(&File::open(path)?, len)
    }

    /// Maps `len` bytes of `file` read-only.
    pub fn read_only(file: &File, len: u64) -> io::Result<Self> {
        Mapping::of(file, len, libc::PROT_READ)
    }

    /// Maps `len` bytes of `file` writable, to fill it.
    pub fn writable(file: &File, len: u64) -> io::Result<Self> {
        Mapping::of(file, len, libc::PROT_READ | libc::PROT_WRITE)
    }

    fn of(file: &File, len: u64, protection: libc::c_int) -> io::Result<Self> {
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
