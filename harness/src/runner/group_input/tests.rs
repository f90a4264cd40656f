use ablate_workloads::Digest;

use super::*;
use crate::runner::input_file::InputFile;

/// The digest of every task's output, run one after another as serial runs them.
fn serial_digest(job: &dyn Job) -> Digest {
    let outputs: Vec<_> = (0..job.task_count()).map(|i| job.run_task(i)).collect();
    job.digest(&outputs).unwrap()
}

/// `config`'s input made and written by a first server into a file the driver then seals: the file, its length.
fn exported(registry: &Registry, config: &WorkloadConfig) -> (InputFile, u64) {
    let file = InputFile::create().unwrap();
    let offer = InputOffer::Fill { path: file.path_for_children(), key: config.clone() };
    let (_, source) = prepare(registry, config, Some(&offer)).unwrap();
    let InputSource::Exported { bytes } = source else { panic!("{} not exported: {source:?}", describe(config)) };
    file.seal(bytes).unwrap();
    (file, bytes)
}

fn read(file: &InputFile, len: u64, key: &WorkloadConfig) -> InputOffer {
    InputOffer::Read { path: file.path_for_children(), len, key: key.clone() }
}

#[test]
fn every_builtin_gives_the_same_digest_from_a_cached_input_as_from_a_fresh_one() {
    let registry = Registry::builtin();
    for description in registry.descriptions() {
        let config = WorkloadConfig::new(description.name, description.quick_size, 7);
        let (fresh, source) = prepare(&registry, &config, None).unwrap();
        assert_eq!(source, InputSource::Built);
        let (file, len) = exported(&registry, &config);
        assert_eq!(len, fresh.codec().shared_bytes().unwrap(), "{}", description.name);
        let (cached, source) = prepare(&registry, &config, Some(&read(&file, len, &config))).unwrap();
        assert_eq!(source, InputSource::Cached { bytes: len }, "{}", description.name);
        assert_eq!(serial_digest(cached.as_ref()), serial_digest(fresh.as_ref()), "{}", description.name);
    }
}

#[test]
fn an_input_cached_for_another_size_seed_or_parameter_is_not_used() {
    let registry = Registry::builtin();
    let config = WorkloadConfig::new("gather", 4096, 7);
    let (file, len) = exported(&registry, &config);
    let others = [
        WorkloadConfig::new("gather", 2048, 7),
        WorkloadConfig::new("gather", 4096, 8),
        WorkloadConfig::new("gather", 4096, 7).with_param("per_task", 100),
    ];
    for other in &others {
        let (job, source) = prepare(&registry, other, Some(&read(&file, len, &config))).unwrap();
        let InputSource::Rebuilt { why } = source else {
            panic!("{} used {}'s input", describe(other), describe(&config))
        };
        assert!(why.contains(&describe(&config)) && why.contains(&describe(other)), "{why}");
        let (fresh, _) = prepare(&registry, other, None).unwrap();
        assert_eq!(serial_digest(job.as_ref()), serial_digest(fresh.as_ref()), "made afresh for its own group");
    }
    let fill = InputOffer::Fill { path: file.path_for_children(), key: config.clone() };
    assert!(matches!(prepare(&registry, &others[0], Some(&fill)).unwrap().1, InputSource::Rebuilt { .. }));
}

#[test]
fn an_unsealed_or_missing_file_is_not_read_and_the_input_is_made_instead() {
    let registry = Registry::builtin();
    let config = WorkloadConfig::new("payload", 64, 7);
    let unsealed = InputFile::create().unwrap();
    let offers = [
        read(&unsealed, 0, &config),
        InputOffer::Read { path: "/proc/self/fd/999999".into(), len: 8, key: config.clone() },
    ];
    for offer in &offers {
        let (_, source) = prepare(&registry, &config, Some(offer)).unwrap();
        assert!(matches!(&source, InputSource::Rebuilt { why } if why.contains("cannot map")), "{source:?}");
    }
    let gone = InputOffer::Fill { path: "/proc/self/fd/999999".into(), key: config.clone() };
    let (_, source) = prepare(&registry, &config, Some(&gone)).unwrap();
    assert!(matches!(&source, InputSource::Unshared { why } if why.contains("cannot write")), "{source:?}");
}

#[test]
fn a_workload_that_does_not_build_is_an_error_whatever_the_cache_offers() {
    let registry = Registry::builtin();
    let bad = WorkloadConfig::new("gather", 4096, 7).with_param("no_such", 1);
    assert!(prepare(&registry, &bad, None).is_err());
    let (file, len) = exported(&registry, &WorkloadConfig::new("gather", 4096, 7));
    assert!(prepare(&registry, &bad, Some(&read(&file, len, &bad))).is_err());
}

#[test]
fn drivers_and_builds_that_predate_the_cache_still_understand_each_other() {
    use crate::runner::serve::{Reply, Request};
    let old_open: Request = serde_json::from_str(r#"{"do":"open","group":2,"cells":null}"#).unwrap();
    assert!(matches!(old_open, Request::Open { group: 2, input: None, .. }), "an old driver offers nothing");
    let old_hello: Reply = serde_json::from_str(r#"{"reply":"hello","protocol":1,"groups":[["a"]]}"#).unwrap();
    assert!(matches!(old_hello, Reply::Hello { inputs, .. } if inputs.is_empty()), "an old build keys nothing");
    let old_opened: Reply = serde_json::from_str(r#"{"reply":"opened","cells":["a"]}"#).unwrap();
    assert!(matches!(old_opened, Reply::Opened { input: None, .. }), "an old build reports nothing");

    let offer = InputOffer::Read { path: "/proc/1/fd/3".into(), len: 8, key: WorkloadConfig::new("gather", 8, 1) };
    let open = serde_json::to_string(&Request::Open { group: 0, cells: None, input: Some(offer.clone()) }).unwrap();
    let legacy: serde_json::Value = serde_json::from_str(&open).unwrap();
    assert_eq!(legacy["do"], "open", "an old build reads the request and ignores the offer: {open}");
    assert!(matches!(serde_json::from_str(&open).unwrap(), Request::Open { input: Some(o), .. } if o == offer));
}
