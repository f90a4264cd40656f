//! Item 10 of issue 14: random bytes and mutated JSON or TOML fed to the readers of results files, baselines and
//! thresholds. Nothing panics; every refusal carries its documented exit code (results 1, baseline 5,
//! thresholds 2); and a file that is read is judged and rendered without panicking either.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::gate::GateReport;
use crate::config::Format;
use crate::config::Overrides;
use crate::exit;
use crate::record::RunRecord;
use crate::record::read_results;
use crate::report;
use crate::report::judged::JudgedRun;
use crate::store::baseline::BaselineStore;
use crate::store::thresholds::ThresholdSet;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/run.json");
const THRESHOLDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ci/thresholds.toml");
const FINGERPRINT: &str = "hostile-machine";

/// The fixture cut to its first four cells, so that judging it stays quick.
fn small_fixture() -> Value {
    let mut value: Value = serde_json::from_slice(&std::fs::read(FIXTURE).unwrap()).unwrap();
    value["cells"].as_array_mut().unwrap().truncate(4);
    value["machine"]["fingerprint"] = json!(FINGERPRINT);
    value
}

/// Replaces the node that `walk` leads to (each step picks a child by index, modulo their number) with
/// `replacement`, or removes it from its object when `replacement` is `None`.
fn mutate(node: &mut Value, walk: &[usize], replacement: Option<Value>) {
    let Some((step, rest)) = walk.split_first() else {
        if let Some(replacement) = replacement {
            *node = replacement;
        }
        return;
    };
    match node {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(step % map.len()).unwrap().clone();
            match (rest.is_empty(), replacement) {
                (true, None) => drop(map.remove(&key)),
                (_, replacement) => mutate(map.get_mut(&key).unwrap(), rest, replacement),
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let len = items.len();
            mutate(&mut items[step % len], rest, replacement);
        }
        _ => mutate(node, &[], replacement),
    }
}

/// JSON pointers to every number in `value`: the values a reader accepts in any size, which later arithmetic
/// must survive.
fn number_leaves(value: &Value, at: String, found: &mut Vec<String>) {
    match value {
        Value::Number(_) => found.push(at),
        Value::Object(map) => map.iter().for_each(|(key, child)| number_leaves(child, format!("{at}/{key}"), found)),
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, child)| number_leaves(child, format!("{at}/{i}"), found))
        }
        _ => {}
    }
}

fn json_value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        any::<bool>().prop_map(|b| Some(json!(b))),
        any::<i64>().prop_map(|n| Some(json!(n))),
        any::<u64>().prop_map(|n| Some(json!(n))),
        prop_oneof![
            Just(0.0),
            Just(-1.0),
            Just(1e308),
            Just(-1e-300),
            any::<f64>().prop_filter("finite", |f| f.is_finite())
        ]
        .prop_map(|f| Some(json!(f))),
        ".{0,12}".prop_map(|s| Some(json!(s))),
        Just(Some(json!([]))),
        Just(Some(json!({}))),
    ]
}

/// Reads `bytes` as a results file and as a stored baseline; a record that is read is judged against the
/// fixture, and the fixture against it, and rendered in every format.
fn read_every_way(dir: &Path, bytes: &[u8]) {
    let results = dir.join("results.json");
    std::fs::write(&results, bytes).unwrap();
    match read_results(&results) {
        Ok(record) => judge_and_render(record),
        Err(e) => assert_eq!(e.exit_code(), exit::ERROR, "{e}"),
    }
    let store = dir.join("baselines");
    std::fs::create_dir_all(store.join(FINGERPRINT)).unwrap();
    std::fs::write(store.join(FINGERPRINT).join("main.json"), bytes).unwrap();
    if let Err(e) = BaselineStore::new(&store).load("main", FINGERPRINT, false) {
        assert_eq!(e.exit_code(), exit::BASELINE, "{e}");
    }
}

fn judge_and_render(record: RunRecord) {
    let fixture: RunRecord = serde_json::from_value(small_fixture()).unwrap();
    let thresholds = ThresholdSet::load(None, Overrides::default()).unwrap();
    for (candidate, baseline) in [(record.clone(), fixture.clone()), (fixture, record)] {
        let gate = GateReport::new(&candidate, Some(&baseline), &thresholds, None);
        let _ = gate.exit_code();
        let run = JudgedRun::new("hostile".to_owned(), candidate, gate, Some("fixture".to_owned()), &thresholds);
        for &format in Format::ALL {
            let _ = report::render(&run, format);
        }
    }
}

fn read_thresholds(dir: &Path, bytes: &[u8]) {
    let path = dir.join("thresholds.toml");
    std::fs::write(&path, bytes).unwrap();
    if let Err(e) = ThresholdSet::load(Some(&path), Overrides::default()) {
        assert_eq!(e.exit_code(), exit::USAGE, "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn item_10_random_bytes_are_refused_by_every_reader_with_its_exit_code(
        bytes in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let dir = tempfile::tempdir().unwrap();
        read_every_way(dir.path(), &bytes);
        read_thresholds(dir.path(), &bytes);
    }

    #[test]
    fn item_10_mutated_results_are_read_or_refused_without_panicking(
        mutations in proptest::collection::vec((proptest::collection::vec(any::<usize>(), 1..8), json_value()), 1..4),
    ) {
        let mut value = small_fixture();
        for (walk, replacement) in mutations {
            mutate(&mut value, &walk, replacement);
        }
        let dir = tempfile::tempdir().unwrap();
        read_every_way(dir.path(), &serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn item_10_results_with_extreme_numbers_are_read_or_refused_without_panicking(
        changes in proptest::collection::vec((any::<usize>(), prop_oneof![Just(0u64), Just(1), Just(u64::MAX), any::<u64>()]), 1..6),
    ) {
        let mut value = small_fixture();
        let mut leaves = Vec::new();
        number_leaves(&value, String::new(), &mut leaves);
        for (pick, number) in changes {
            *value.pointer_mut(&leaves[pick % leaves.len()]).unwrap() = json!(number);
        }
        let dir = tempfile::tempdir().unwrap();
        read_every_way(dir.path(), &serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn item_10_mutated_thresholds_are_read_or_refused_without_panicking(
        line in 0usize..40,
        replacement in prop_oneof![
            Just("alpha = nan".to_owned()),
            Just("regression_ratio = -inf".to_owned()),
            Just("[[rule]]\nmatch = \"*\"\nmin_efficiency = 1e999".to_owned()),
            Just("[[rule]]\nmatch = 3".to_owned()),
            Just("defaults = 1".to_owned()),
            "[a-z_\\[\\]=\". 0-9-]{0,24}",
        ],
    ) {
        let text = std::fs::read_to_string(THRESHOLDS).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let at = line % (lines.len() + 1);
        lines.insert(at, replacement);
        let dir = tempfile::tempdir().unwrap();
        read_thresholds(dir.path(), lines.join("\n").as_bytes());
    }
}
