//! Large arrays of plain numbers that cross process boundaries as one block of little-endian bytes. Encoding and
//! decoding are a copy, not a serde call per element into a vector that grows by doubling, so a worker process
//! loads a shared input of hundreds of MiB at memory speed.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A plain number of fixed width that travels as its little-endian bytes: `u8`…`u128`, `i8`…`i128`, `f32`,
/// `f64`.
///
/// `usize` and `isize` are left out on purpose: their width is the platform's, and the bytes a `Bulk` writes must
/// mean the same to every process that reads them (an MPI rank may run on another machine) and to the payload
/// sizes the record reports. Store indices as `u32` (half the memory traffic of `u64`) or `u64`.
pub trait Word: bytemuck::Pod + Send + Sync + sealed::Sealed {
    /// The word read from exactly `size_of::<Self>()` little-endian bytes.
    fn from_le_slice(bytes: &[u8]) -> Self;
    /// The word's little-endian bytes appended to `out`.
    fn extend_le(self, out: &mut Vec<u8>);
}

mod sealed {
    /// Only the fixed-width numbers are words: the wire format is theirs.
    pub trait Sealed {}
}

macro_rules! words {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Word for $t {
            fn from_le_slice(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("a slice of exactly one word"))
            }
            fn extend_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}

words!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128, f32, f64);

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
            let mut bytes = Vec::with_capacity(size_of_val(self.0.as_slice()));
            self.0.iter().for_each(|w| w.extend_le(&mut bytes));
            serializer.serialize_bytes(&bytes)
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
        write!(f, "a byte string whose length is a multiple of {}", size_of::<T>())
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Bulk<T>, E> {
        let width = size_of::<T>();
        if bytes.len() % width != 0 {
            return Err(E::invalid_length(bytes.len(), &self));
        }
        let mut words = Vec::with_capacity(bytes.len() / width);
        words.extend(bytes.chunks_exact(width).map(T::from_le_slice));
        Ok(Bulk(words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Word + fmt::Debug + PartialEq>(values: Vec<T>) {
        let bulk = Bulk(values);
        let bytes = postcard::to_allocvec(&bulk).unwrap();
        let payload = size_of::<T>() * bulk.len();
        assert_eq!(bytes.len(), payload + postcard::to_allocvec(&(payload as u64)).unwrap().len(), "length, words");
        assert_eq!(postcard::from_bytes::<Bulk<T>>(&bytes).unwrap(), bulk);
    }

    #[test]
    fn every_word_type_round_trips_as_one_byte_string_of_its_width() {
        round_trip((0..1000).map(|i| i as f64 * 0.5 - 3.0).collect());
        round_trip(vec![f32::MIN, -0.0, 1.5, f32::MAX]);
        round_trip(vec![u8::MAX, 0, 7]);
        round_trip(vec![u16::MAX, 0, 300]);
        round_trip((0..300u32).map(|i| i.wrapping_mul(2_654_435_761)).collect());
        round_trip(vec![u64::MAX, 0, 42]);
        round_trip(vec![u128::MAX, 1 << 100]);
        round_trip(vec![i8::MIN, -1, i8::MAX]);
        round_trip(vec![i16::MIN, -1, i16::MAX]);
        round_trip(vec![i32::MIN, -1, i32::MAX]);
        round_trip(vec![i64::MIN, -1, i64::MAX]);
        round_trip(vec![i128::MIN, -1, i128::MAX]);
    }

    #[test]
    fn a_u32_column_takes_four_bytes_a_word() {
        let columns: Bulk<u32> = (0..1024).collect();
        assert_eq!(postcard::to_allocvec(&columns).unwrap().len(), 2 + 4 * 1024);
    }

    #[test]
    fn a_length_that_is_not_whole_words_is_an_error() {
        let bytes = postcard::to_allocvec(&serde_bytes_like(&[1, 2, 3, 4, 5, 6, 7, 8, 9])).unwrap();
        assert!(postcard::from_bytes::<Bulk<u64>>(&bytes).is_err());
        assert!(postcard::from_bytes::<Bulk<u16>>(&bytes).is_err());
        assert_eq!(postcard::from_bytes::<Bulk<u8>>(&bytes).unwrap().len(), 9);
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
