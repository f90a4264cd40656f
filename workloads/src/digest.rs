//! A stable 64-bit digest of a workload's outputs in task order, used to check every strategy against serial.

use std::fmt;

use serde::{Deserialize, Serialize};

/// FNV-1a over the serialized outputs, each prefixed by its length so that boundaries count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Digest(pub u64);

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

impl Digest {
    /// Digests byte strings in order.
    pub fn of_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut digester = Digester::new();
        for part in parts {
            digester.start_part(part.len() as u64);
            digester.feed(part);
        }
        digester.finish()
    }
}

/// A digest fed as it goes, so that parts need never be held together: each part's length, then its bytes in
/// as many pieces as come.
pub(crate) struct Digester(u64);

impl Digester {
    pub(crate) fn new() -> Self {
        Digester(OFFSET)
    }

    /// Begins a part of `len` bytes, which [`Digester::feed`] then gives.
    pub(crate) fn start_part(&mut self, len: u64) {
        self.feed(&len.to_le_bytes());
    }

    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(PRIME);
        }
    }

    pub(crate) fn finish(self) -> Digest {
        Digest(self.0)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl From<Digest> for String {
    fn from(d: Digest) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for Digest {
    type Error = std::num::ParseIntError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        u64::from_str_radix(&s, 16).map(Digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_stable_and_sensitive_to_order_and_boundaries() {
        let ab = Digest::of_parts([b"a".as_slice(), b"b".as_slice()]);
        assert_eq!(ab, Digest::of_parts([b"a".as_slice(), b"b".as_slice()]));
        assert_ne!(ab, Digest::of_parts([b"b".as_slice(), b"a".as_slice()]));
        assert_ne!(ab, Digest::of_parts([b"ab".as_slice()]));
        assert_eq!(Digest::of_parts([]).to_string(), "cbf29ce484222325");
    }

    #[test]
    fn digest_round_trips_through_hex() {
        let d = Digest(0x0123_4567_89ab_cdef);
        assert_eq!(Digest::try_from(d.to_string()).unwrap(), d);
    }
}
