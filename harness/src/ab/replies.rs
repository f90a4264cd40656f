//! Reading an A/B build's stdout on a thread of its own, so that the driver waits for a reply with a deadline
//! and never blocks on the pipe. Reply lines (those that start with [`REPLY_PREFIX`]) are passed on, each at most
//! [`MAX_REPLY`] bytes; anything else the build prints is skipped, at most [`MAX_NOISE`] bytes between two
//! replies. A longer reply line, more output that is not a reply, or the end of the output ends the reading, with
//! an [`Ending`] that says which — never an unbounded buffer, and never a driver spinning on a flood.

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{self, Receiver};

use crate::runner::serve::REPLY_PREFIX;

/// The longest reply line read (64 MiB): a whole run's record fits many times over.
pub const MAX_REPLY: usize = 64 << 20;

/// The most output that is not a reply (a workload's prints) skipped between two replies (64 MiB).
pub const MAX_NOISE: usize = 64 << 20;

/// What the reading thread passes on.
pub enum Incoming {
    /// A reply line's JSON, the prefix and the newline taken off.
    Reply(Vec<u8>),
    /// The last message: why the reading stopped.
    Ended(Ending),
}

/// Why the reading of a build's stdout stopped.
#[derive(Debug)]
pub enum Ending {
    /// The build closed its stdout (it exited, most likely), or it could not be read.
    Closed,
    /// A reply line went on past [`MAX_REPLY`] bytes.
    ReplyTooLong,
    /// More than [`MAX_NOISE`] bytes that were not replies came between two replies.
    TooMuchNoise,
}

impl Ending {
    /// What the build did, for an error message.
    pub fn describe(&self) -> String {
        let mib = |bytes: usize| bytes >> 20;
        match self {
            Ending::Closed => "closed its output".to_owned(),
            Ending::ReplyTooLong => format!("sent a reply line longer than {} MiB", mib(MAX_REPLY)),
            Ending::TooMuchNoise => format!(
                "printed more than {} MiB on stdout that were not A/B replies (lines starting `{}`)",
                mib(MAX_NOISE),
                REPLY_PREFIX.trim_end()
            ),
        }
    }
}

/// Starts a thread that reads `output` until it ends, passing each reply on; the channel's far end.
pub fn read_on_a_thread(output: impl Read + Send + 'static, label: &str) -> std::io::Result<Receiver<Incoming>> {
    let (sender, receiver) = mpsc::channel();
    let mut output = BufReader::with_capacity(1 << 16, output);
    std::thread::Builder::new().name(format!("ablate-ab-{label}")).spawn(move || {
        loop {
            let incoming = match next_reply(&mut output) {
                Ok(json) => Incoming::Reply(json),
                Err(ending) => Incoming::Ended(ending),
            };
            let last = matches!(incoming, Incoming::Ended(_));
            if sender.send(incoming).is_err() || last {
                return;
            }
        }
    })?;
    Ok(receiver)
}

/// Where a line being read stands.
#[derive(Clone, Copy, PartialEq)]
enum Line {
    /// Shorter than the prefix so far.
    Undecided,
    Reply,
    /// Not a reply: skipped, not kept.
    Noise,
}

/// The next reply line's JSON in `input`, past any other lines, within the bounds.
fn next_reply(input: &mut impl BufRead) -> Result<Vec<u8>, Ending> {
    let prefix = REPLY_PREFIX.as_bytes();
    let (mut line, mut kind, mut noise) = (Vec::new(), Line::Undecided, 0usize);
    loop {
        let buffer = input.fill_buf().map_err(|_| Ending::Closed)?;
        if buffer.is_empty() {
            return Err(Ending::Closed);
        }
        let newline = buffer.iter().position(|&b| b == b'\n');
        let chunk = &buffer[..newline.unwrap_or(buffer.len())];
        let used = chunk.len() + usize::from(newline.is_some());
        if kind != Line::Noise {
            line.extend_from_slice(chunk);
            if line.len() >= prefix.len() || newline.is_some() {
                kind = if line.starts_with(prefix) { Line::Reply } else { Line::Noise };
            }
        }
        input.consume(used);
        match kind {
            Line::Reply if line.len() > MAX_REPLY + prefix.len() => return Err(Ending::ReplyTooLong),
            Line::Reply if newline.is_some() => return Ok(line.split_off(prefix.len())),
            Line::Noise => {
                noise += used;
                line.clear();
                if noise > MAX_NOISE {
                    return Err(Ending::TooMuchNoise);
                }
            }
            _ => {}
        }
        if newline.is_some() {
            kind = Line::Undecided;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The replies in `text` read `capacity` bytes at a time, and how the reading ended.
    fn replies(text: &[u8], capacity: usize) -> (Vec<String>, Ending) {
        let mut input = BufReader::with_capacity(capacity, text);
        let mut found = Vec::new();
        loop {
            match next_reply(&mut input) {
                Ok(json) => found.push(String::from_utf8(json).unwrap()),
                Err(ending) => return (found, ending),
            }
        }
    }

    #[test]
    fn replies_are_found_past_other_lines_however_the_reads_split_them() {
        let text = b"a workload says hi\nablate-ab {\"reply\":\"closed\"}\nablate\nablate-ab {}\nablate-ab";
        let (found, ending) = replies(text, 7);
        assert_eq!(found, ["{\"reply\":\"closed\"}", "{}"]);
        assert!(matches!(ending, Ending::Closed), "an unfinished line is not a reply");
    }

    #[test]
    fn an_endless_reply_or_endless_noise_ends_the_reading_within_its_bound() {
        let mut long_reply = REPLY_PREFIX.as_bytes().to_vec();
        long_reply.resize(MAX_REPLY + REPLY_PREFIX.len() + 2, b'x');
        assert!(matches!(replies(&long_reply, 1 << 16).1, Ending::ReplyTooLong));
        let zeros = vec![0u8; MAX_NOISE + 2];
        assert!(matches!(replies(&zeros, 1 << 16).1, Ending::TooMuchNoise), "one endless line");
        let yes = b"y\n".repeat(MAX_NOISE / 2 + 2);
        assert!(matches!(replies(&yes, 1 << 16).1, Ending::TooMuchNoise), "endless short lines");
    }
}
