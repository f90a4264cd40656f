//! The wire between the parent and its worker processes: length-prefixed postcard frames over pipes.
//!
//! A frame is a little-endian `u32` length and that many bytes of one postcard-encoded message. A length above
//! the cap is refused before anything is allocated, so a garbled stream cannot make either side allocate wildly.
//! The first message a worker reads, `Load`, carries [`WIRE_VERSION`]: a worker built from another version of
//! these messages refuses to load instead of misreading what follows.

use std::io::{self, Read, Write};
use std::time::Duration;

use ablate_workloads::WorkloadConfig;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_bytes::{ByteBuf, Bytes};

/// The version of these messages; bumped whenever any of them changes.
pub const WIRE_VERSION: u32 = 2;

/// Messages from the parent to a worker. Byte payloads are borrowed: the parent encodes them straight from its
/// own buffers, and a worker decodes them in place from the frame it read, so a large shared input is not
/// copied more than the pipe itself requires.
#[derive(Debug, Serialize, Deserialize)]
pub enum ToWorker<'a> {
    /// Rebuild this workload; its shared input comes as `shared` says. While running tasks, say which task
    /// starts (`Started`) whenever `heartbeat` has passed since the last message sent; `None`: never.
    Load {
        version: u32,
        config: WorkloadConfig,
        shared: SharedSpec,
        heartbeat: Option<Duration>,
    },
    /// Run these tasks, in order; `shared` travels here under the copy transport.
    Run {
        #[serde(borrow)]
        shared: Option<&'a Bytes>,
        #[serde(borrow)]
        tasks: Vec<EncodedTask<'a>>,
    },
    Shutdown,
}

/// One task's index and encoded input.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct EncodedTask<'a> {
    pub index: u32,
    #[serde(borrow)]
    pub input: &'a Bytes,
}

/// How a worker gets the shared input.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum SharedSpec {
    Regenerate,
    /// A shared-memory file to map read-only (a path under `/proc/<pid>/fd` or `/dev/shm`) of `len` bytes.
    Mapped {
        path: String,
        len: u64,
    },
    PerDispatch,
}

/// Messages from a worker to the parent.
#[derive(Debug, Serialize, Deserialize)]
pub enum FromWorker {
    Loaded,
    LoadFailed {
        message: String,
    },
    /// One result per task of the oldest unanswered `Run`, in its order.
    Done {
        results: Vec<TaskOutcome>,
    },
    /// The worker starts this task of the oldest unanswered `Run`: its heartbeat.
    Started {
        index: u32,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TaskOutcome {
    pub index: u32,
    pub nanos: u64,
    /// The encoded output, or the panic message or decoding error.
    pub output: Result<ByteBuf, String>,
}

/// `Ok` when a `Load` of `version` is one this build understands; else why not, to send back as `LoadFailed`.
pub fn check_version(version: u32) -> Result<(), String> {
    match version {
        WIRE_VERSION => Ok(()),
        other => Err(format!(
            "the parent speaks worker protocol {other}, this worker {WIRE_VERSION}: run workers from the same build"
        )),
    }
}

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("the pipe failed: {0}")]
    Io(#[from] io::Error),
    #[error("a frame of {len} bytes exceeds the {cap}-byte cap")]
    TooLarge { len: u64, cap: u64 },
    #[error("a frame does not decode: {0}")]
    Garbled(#[from] postcard::Error),
}

/// Writes one frame; returns the bytes written.
pub fn write_frame<T: Serialize>(writer: &mut impl Write, message: &T, buffer: &mut Vec<u8>) -> io::Result<usize> {
    buffer.clear();
    buffer.extend_from_slice(&[0; 4]);
    let encoded = postcard::to_extend(message, std::mem::take(buffer)).map_err(io::Error::other)?;
    *buffer = encoded;
    let len = u32::try_from(buffer.len() - 4).map_err(|_| io::Error::other("frame larger than 4 GiB"))?;
    buffer[..4].copy_from_slice(&len.to_le_bytes());
    writer.write_all(buffer)?;
    writer.flush()?;
    Ok(buffer.len())
}

/// Reads one frame's bytes into `buffer`; `Ok(None)` on a clean end of stream before a frame starts.
pub fn read_frame_bytes(reader: &mut impl Read, cap: u64, buffer: &mut Vec<u8>) -> Result<Option<()>, FrameError> {
    let mut prefix = [0u8; 4];
    match reader.read_exact(&mut prefix) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let len = u64::from(u32::from_le_bytes(prefix));
    if len > cap {
        return Err(FrameError::TooLarge { len, cap });
    }
    buffer.clear();
    buffer.resize(len as usize, 0);
    reader.read_exact(buffer)?;
    Ok(Some(()))
}

/// Reads and decodes one frame into an owned message; returns it with the frame's size in bytes.
pub fn read_frame<T: DeserializeOwned>(
    reader: &mut impl Read,
    cap: u64,
    buffer: &mut Vec<u8>,
) -> Result<Option<(T, usize)>, FrameError> {
    match read_frame_bytes(reader, cap, buffer)? {
        None => Ok(None),
        Some(()) => Ok(Some((postcard::from_bytes(buffer)?, buffer.len() + 4))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_report_their_size() {
        let mut wire = Vec::new();
        let mut buffer = Vec::new();
        let task = || EncodedTask { index: 7, input: Bytes::new(&[1, 2, 3]) };
        let message = ToWorker::Run { shared: None, tasks: vec![task()] };
        let written = write_frame(&mut wire, &message, &mut buffer).unwrap();
        write_frame(&mut wire, &ToWorker::Shutdown, &mut buffer).unwrap();
        assert_eq!(written, wire.len() - 5);
        let mut reader = wire.as_slice();
        read_frame_bytes(&mut reader, 1 << 20, &mut buffer).unwrap().unwrap();
        assert_eq!(buffer.len() + 4, written);
        let first: ToWorker<'_> = postcard::from_bytes(&buffer).unwrap();
        assert!(matches!(first, ToWorker::Run { tasks, .. } if tasks == vec![task()]));
        read_frame_bytes(&mut reader, 1 << 20, &mut buffer).unwrap().unwrap();
        assert!(matches!(postcard::from_bytes(&buffer).unwrap(), ToWorker::Shutdown));
        assert!(read_frame_bytes(&mut reader, 1 << 20, &mut buffer).unwrap().is_none());
    }

    #[test]
    fn a_load_of_another_wire_version_is_refused_with_both_versions() {
        assert!(check_version(WIRE_VERSION).is_ok());
        let refusal = check_version(WIRE_VERSION + 1).unwrap_err();
        assert!(refusal.contains(&format!("protocol {}", WIRE_VERSION + 1)), "{refusal}");
        assert!(refusal.contains(&format!("this worker {WIRE_VERSION}")), "{refusal}");
    }

    #[test]
    fn an_oversized_length_is_refused_before_allocating() {
        let wire = u32::MAX.to_le_bytes();
        let mut buffer = Vec::new();
        let err = read_frame::<FromWorker>(&mut wire.as_slice(), 1 << 20, &mut buffer).unwrap_err();
        assert!(matches!(err, FrameError::TooLarge { len, .. } if len == u64::from(u32::MAX)));
        assert_eq!(buffer.capacity(), 0);
    }

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        let mut buffer = Vec::new();
        let garbage = [3u8, 0, 0, 0, 0xff, 0xff, 0xff];
        assert!(matches!(
            read_frame::<FromWorker>(&mut garbage.as_slice(), 64, &mut buffer),
            Err(FrameError::Garbled(_))
        ));
        let truncated = [9u8, 0, 0, 0, 1];
        assert!(matches!(read_frame::<FromWorker>(&mut truncated.as_slice(), 64, &mut buffer), Err(FrameError::Io(_))));
    }
}
