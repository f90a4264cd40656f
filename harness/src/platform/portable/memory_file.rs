//! Memory files anywhere: a temporary file (`tempfile`) in the system's temporary directory, reached by its path,
//! removed when its owner drops it (on success, error and unwinding alike; a process killed outright leaves it
//! behind), and mapped with `memmap2`. No platform but Linux can seal a file, so a filled file is made read-only
//! by its permissions instead, which stops every writer but the superuser.

use std::fs::File;
use std::io;

use memmap2::{Mmap, MmapMut, MmapOptions};
use tempfile::NamedTempFile;

/// A temporary file holding a run's memory, removed when dropped.
pub struct MemoryFile {
    file: NamedTempFile,
}

impl MemoryFile {
    /// An empty file whose name starts with `name`.
    pub fn create(name: &str) -> io::Result<Self> {
        Ok(MemoryFile { file: tempfile::Builder::new().prefix(name).tempfile()? })
    }

    /// An empty file that [`MemoryFile::seal`] can make read-only once a child filled it.
    pub fn sealable(name: &str) -> io::Result<Self> {
        Self::create(name)
    }

    pub fn file(&self) -> &File {
        self.file.as_file()
    }

    /// The path a child of this process opens to reach the file.
    pub fn path_for_children(&self) -> String {
        self.file.path().to_string_lossy().into_owned()
    }

    /// Makes the file read-only.
    pub fn seal(&self) -> io::Result<()> {
        let mut permissions = self.file().metadata()?.permissions();
        permissions.set_readonly(true);
        self.file().set_permissions(permissions)
    }

    /// An error unless `file` (opened from a path) is read-only.
    pub fn check_sealed(file: &File) -> io::Result<()> {
        if !file.metadata()?.permissions().readonly() {
            return Err(io::Error::other("the input file is not read-only"));
        }
        Ok(())
    }
}

/// A shared mapping of a whole file, read-only or (for whoever fills the file) writable; unmapped when dropped.
pub enum Mapping {
    Empty,
    ReadOnly(Mmap),
    Writable(MmapMut),
}

impl Mapping {
    /// Maps the file at `path` read-only, every page faulted in at once where the platform can.
    pub fn open(path: &str, len: u64) -> io::Result<Self> {
        Mapping::read_only(&File::open(path)?, len)
    }

    /// Maps `len` bytes of `file` read-only.
    pub fn read_only(file: &File, len: u64) -> io::Result<Self> {
        if len == 0 {
            return Ok(Mapping::Empty);
        }
        // SAFETY: the file is a memory file of this run, which nobody writes while it is mapped read-only.
        unsafe { options(len)?.map(file) }.map(Mapping::ReadOnly)
    }

    /// Maps `len` bytes of `file` writable, to fill it.
    pub fn writable(file: &File, len: u64) -> io::Result<Self> {
        if len == 0 {
            return Ok(Mapping::Empty);
        }
        // SAFETY: the file is a memory file of this run, written through this mapping alone while it is filled.
        unsafe { options(len)?.map_mut(file) }.map(Mapping::Writable)
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Mapping::Empty => &[],
            Mapping::ReadOnly(map) => map,
            Mapping::Writable(map) => map,
        }
    }

    /// The bytes of a mapping made writable (none of one made read-only).
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        match self {
            Mapping::Writable(map) => map,
            Mapping::Empty | Mapping::ReadOnly(_) => &mut [],
        }
    }
}

fn options(len: u64) -> io::Result<MmapOptions> {
    let mut options = MmapOptions::new();
    options.len(usize::try_from(len).map_err(io::Error::other)?).populate();
    Ok(options)
}
