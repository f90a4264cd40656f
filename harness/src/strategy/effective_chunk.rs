//! The chunk a cell actually used: a fixed number of tasks per dispatch, or adaptive chunks sized while it ran.
//!
//! In the results file a fixed chunk is its number and an adaptive one the word `"adaptive"` (schema 2). Schema 1
//! wrote `0` for adaptive; reading accepts that spelling, so older files and older builds' A/B records still read.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Tasks per dispatch as a cell ran them (see [`super::StrategyKind::effective_chunk`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EffectiveChunk {
    /// This many tasks per dispatch (at least one).
    Fixed(usize),
    /// Each dispatch sized from how long the worker's last one took (`crossbeam`, `process`, `mpi` under
    /// `--chunk auto`).
    Adaptive,
}

/// How schema 1 spelled [`EffectiveChunk::Adaptive`].
const SCHEMA_1_ADAPTIVE: usize = 0;

/// The word for [`EffectiveChunk::Adaptive`] in the results file and in tables.
const ADAPTIVE_WORD: &str = "adaptive";

impl fmt::Display for EffectiveChunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EffectiveChunk::Fixed(tasks) => write!(f, "{tasks}"),
            EffectiveChunk::Adaptive => f.write_str(ADAPTIVE_WORD),
        }
    }
}

/// The JSON spellings read: a number of tasks, or a word.
#[derive(Deserialize)]
#[serde(untagged)]
enum Spelled {
    Tasks(usize),
    Word(String),
}

impl Serialize for EffectiveChunk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            EffectiveChunk::Fixed(tasks) => serializer.serialize_u64(tasks as u64),
            EffectiveChunk::Adaptive => serializer.serialize_str(ADAPTIVE_WORD),
        }
    }
}

impl<'de> Deserialize<'de> for EffectiveChunk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Spelled::deserialize(deserializer)? {
            Spelled::Tasks(SCHEMA_1_ADAPTIVE) => Ok(EffectiveChunk::Adaptive),
            Spelled::Tasks(tasks) => Ok(EffectiveChunk::Fixed(tasks)),
            Spelled::Word(word) if word == ADAPTIVE_WORD => Ok(EffectiveChunk::Adaptive),
            Spelled::Word(other) => {
                Err(serde::de::Error::custom(format!("effective_chunk {other:?}; expected a number or \"adaptive\"")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_chunks_are_numbers_and_adaptive_is_a_word() {
        assert_eq!(serde_json::to_string(&EffectiveChunk::Fixed(4)).unwrap(), "4");
        assert_eq!(serde_json::to_string(&EffectiveChunk::Adaptive).unwrap(), "\"adaptive\"");
        for chunk in [EffectiveChunk::Fixed(1), EffectiveChunk::Fixed(250), EffectiveChunk::Adaptive] {
            let json = serde_json::to_string(&chunk).unwrap();
            assert_eq!(serde_json::from_str::<EffectiveChunk>(&json).unwrap(), chunk);
        }
    }

    #[test]
    fn schema_1_zero_reads_as_adaptive_and_other_words_are_refused() {
        assert_eq!(serde_json::from_str::<EffectiveChunk>("0").unwrap(), EffectiveChunk::Adaptive);
        let refused = serde_json::from_str::<EffectiveChunk>("\"dynamic\"").unwrap_err().to_string();
        assert!(refused.contains("dynamic"), "{refused}");
    }

    #[test]
    fn tables_say_adaptive_or_the_number() {
        assert_eq!(EffectiveChunk::Adaptive.to_string(), "adaptive");
        assert_eq!(EffectiveChunk::Fixed(8).to_string(), "8");
    }
}
