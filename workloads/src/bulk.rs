//! Large arrays of 8-byte numbers that cross process boundaries as one block of little-endian bytes. Encoding
//! and decoding are a copy, not a serde call per element into a vector that grows by doubling, so a worker
//! process loads a shared input of hundreds of MiB at memory speed.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A numeric type that travels as its 8 little-endian bytes.
pub trait Word: bytemuck::Pod + Send + Sync {
    fn from_le(bytes: [u8; 8]) -> Self;
    fn to_le(self) -> [u8; 8];
}

impl Word for f64 {
    fn from_le(bytes: [u8; 8]) -> Self {
        f64::from_le_bytes(bytes)
    }
    fn to_le(self) -> [u8; 8] {
        self.to_le_bytes()
    }
}

impl Word for u64 {
    fn from_le(bytes: [u8; 8]) -> Self {
        u64::from_le_bytes(bytes)
    }
    fn to_le(self) -> [u8; 8] {
        self.to_le_bytes()
    }
}

/// A `Vec` of words, serialized as one byte string; it reads as a slice.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bulk<T>(pub Vec<T>);

impl<T> Deref for Bulk<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: Word> FromIterator<T> for Bulk<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Bulk(iter.into_iter().collect())
    }
}

impl<T: Word> Serialize for Bulk<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if cfg!(target_endian = "little") {
            serializer.serialize_bytes(bytemuck::cast_slice(&self.0))
        } else {
            serializer.serialize_bytes(&self.0.iter().flat_map(|w| w.to_le()).collect::<Vec<u8>>())
        }
    }
}

impl<'de, T: Word> Deserialize<'de> for Bulk<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_bytes(BulkVisitor(PhantomData))
    }
}

struct BulkVisitor<T>(PhantomData<T>);

impl<T: Word> Visitor<'_> for BulkVisitor<T> {
    type Value = Bulk<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a byte string whose length is a multiple of 8")
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Bulk<T>, E> {
        if bytes.len() % 8 != 0 {
            return Err(E::invalid_length(bytes.len(), &self));
        }
        let mut words = Vec::with_capacity(bytes.len() / 8);
        words.extend(bytes.chunks_exact(8).map(|c| T::from_le(c.try_into().expect("chunks of 8"))));
        Ok(Bulk(words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_one_byte_string() {
        let values: Bulk<f64> = (0..1000).map(|i| i as f64 * 0.5 - 3.0).collect();
        let bytes = postcard::to_allocvec(&values).unwrap();
        assert_eq!(bytes.len(), 2 + 8 * 1000, "a varint length, then the words");
        assert_eq!(postcard::from_bytes::<Bulk<f64>>(&bytes).unwrap(), values);
        let words = Bulk(vec![u64::MAX, 0, 42]);
        assert_eq!(postcard::from_bytes::<Bulk<u64>>(&postcard::to_allocvec(&words).unwrap()).unwrap(), words);
    }

    #[test]
    fn a_length_that_is_not_whole_words_is_an_error() {
        let bytes = postcard::to_allocvec(&serde_bytes_like(&[1, 2, 3, 4, 5, 6, 7, 8, 9])).unwrap();
        assert!(postcard::from_bytes::<Bulk<u64>>(&bytes).is_err());
    }

    /// Nine raw bytes encoded as a postcard byte string.
    fn serde_bytes_like(bytes: &[u8]) -> impl Serialize + '_ {
        struct Raw<'a>(&'a [u8]);
        impl Serialize for Raw<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        Raw(bytes)
    }
}
