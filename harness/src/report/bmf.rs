//! Bencher Metric Format: one entry per cell, keyed by its id, with measures a continuous-benchmarking service
//! can track — latency (median wall time with min and max), and efficiency and bandwidth where they apply.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::record::RunRecord;

pub(super) fn render(record: &RunRecord) -> String {
    let mut benchmarks: BTreeMap<&str, Value> = BTreeMap::new();
    for cell in &record.cells {
        let Some(s) = &cell.summary else { continue };
        let mut measures = serde_json::Map::new();
        measures.insert(
            "latency".into(),
            json!({ "value": s.median_wall_ns, "lower_value": s.min_wall_ns, "upper_value": s.max_wall_ns }),
        );
        if let Some(efficiency) = s.efficiency {
            measures.insert("efficiency".into(), json!({ "value": efficiency }));
        }
        if let Some(gbps) = s.gbps {
            measures.insert("bandwidth-gbps".into(), json!({ "value": gbps }));
        }
        if let Some((input, _)) = cell.bytes_per_task() {
            measures.insert("payload-bytes-per-task".into(), json!({ "value": input }));
        }
        benchmarks.insert(&cell.id, Value::Object(measures));
    }
    serde_json::to_string_pretty(&benchmarks).expect("plain values always encode") + "\n"
}
