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
        let mut hash = OFFSET;
        let mut feed = |bytes: &[u8]| {
            for &b in bytes {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(PRIME);
            }
        };
        for part in parts {
            feed(&(part.len() as u64).to_le_bytes());
            feed(part);
        }
        Digest(hash)
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
