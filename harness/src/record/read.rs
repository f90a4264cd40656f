//! Reading a results file back: its schema version checked (older readable versions upgraded) and every
//! successful cell's samples present.

use std::fs;
use std::path::Path;

use crate::error::HarnessError;
use crate::record::{CellStatus, OLDEST_READABLE_SCHEMA, RunRecord, SCHEMA_VERSION};

/// Reads and checks a results file: valid JSON of a schema version this ablate reads (an older one is read as the
/// current one, see [`OLDEST_READABLE_SCHEMA`]), every successful cell with samples.
pub fn read_results(path: &Path) -> Result<RunRecord, HarnessError> {
    let bytes = fs::read(path).map_err(|e| HarnessError::io("cannot read", path, e))?;
    parse_results(path, &bytes)
}

/// Checks `bytes`, read from `path` by a reader of its own (the history store's refuses links and devices), as
/// [`read_results`] does.
pub fn parse_results(path: &Path, bytes: &[u8]) -> Result<RunRecord, HarnessError> {
    let invalid = |reason: String| HarnessError::InvalidResults { path: path.to_owned(), reason };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| invalid(format!("not JSON ({e})")))?;
    match value.get("schema_version").and_then(serde_json::Value::as_u64) {
        Some(OLDEST_READABLE_SCHEMA..=SCHEMA_VERSION) => {}
        Some(other) => {
            return Err(invalid(format!(
                "schema version {other}; this ablate reads versions {OLDEST_READABLE_SCHEMA} to {SCHEMA_VERSION}"
            )));
        }
        None => return Err(invalid("no schema_version".to_owned())),
    }
    let mut record: RunRecord = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    record.schema_version = SCHEMA_VERSION;
    for cell in record.cells.iter().filter(|c| c.status == CellStatus::Ok) {
        if cell.samples.is_empty() {
            return Err(invalid(format!("cell {} has no samples", cell.id)));
        }
        if cell.samples.iter().any(|s| s.wall_ns == 0) {
            return Err(invalid(format!("cell {} has a zero wall time", cell.id)));
        }
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::EffectiveChunk;

    #[test]
    fn a_schema_1_file_reads_with_its_zero_chunks_adaptive() {
        let fixture = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json"));
        let mut value: serde_json::Value = serde_json::from_slice(&fs::read(fixture).unwrap()).unwrap();
        assert_eq!(value["schema_version"], 1, "the fixture is a schema 1 file");
        let adaptive = value["cells"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|cell| cell["strategy"] == "crossbeam")
            .expect("the fixture has a crossbeam cell");
        adaptive["effective_chunk"] = 0.into();
        let id = adaptive["id"].as_str().unwrap().to_owned();
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.json");
        fs::write(&old, serde_json::to_vec(&value).unwrap()).unwrap();

        let record = read_results(&old).unwrap();
        assert_eq!(record.schema_version, SCHEMA_VERSION, "read as the current schema");
        let cell = |id: &str| record.cells.iter().find(|c| c.id == id).unwrap();
        assert_eq!(cell(&id).effective_chunk, EffectiveChunk::Adaptive);
        assert_eq!(cell("spin/200/threads/w2/cauto").effective_chunk, EffectiveChunk::Fixed(100));
        let rewritten = serde_json::to_value(&record).unwrap();
        let written = rewritten["cells"].as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).unwrap();
        assert_eq!(written["effective_chunk"], "adaptive");
        assert_eq!(rewritten["schema_version"], SCHEMA_VERSION);
    }
}
