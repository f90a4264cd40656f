use ablate_workloads::Registry;

use super::*;
use crate::runner::group_input;

/// A server of build `build` opening the group of `key` in-process, as a fresh `ab-serve` would: offered what the
/// cache offers, preparing the workload as that offer allows, and reporting back. Where its input came from.
fn open(cache: &InputCache, build: BuildId, key: &WorkloadConfig) -> InputSource {
    let offer = cache.offer(Some(build), Some(key));
    let (_, source) = group_input::prepare(&Registry::builtin(), key, offer.as_ref()).unwrap();
    if let Some(offer) = &offer {
        let report = InputReport { source: source.clone(), prepare_ns: 1, open_ns: 1 };
        cache.settle(build, offer, Some(&report));
    }
    source
}

fn gather(size: u64, seed: u64) -> WorkloadConfig {
    WorkloadConfig::new("gather", size, seed)
}

fn ready(cache: &InputCache) -> usize {
    cache.0.borrow().entries.iter().filter(|(_, e)| matches!(e, Entry::Ready { .. })).count()
}

#[test]
fn each_builds_input_is_made_once_per_group_and_read_by_every_later_round() {
    let cache = InputCache::with_budget(1 << 30);
    let (base, candidate) = (11, 12);
    let groups = [gather(4096, 7), WorkloadConfig::new("payload", 64, 7)];
    let mut made = 0;
    for _round in 0..5 {
        for build in [base, candidate] {
            for key in &groups {
                match open(&cache, build, key) {
                    InputSource::Exported { .. } => made += 1,
                    InputSource::Cached { .. } => {}
                    other => panic!("{other:?}"),
                }
            }
        }
    }
    assert_eq!(made, 2 * groups.len(), "once per build and group, not once per round");
    assert_eq!(ready(&cache), 4);
}

#[test]
fn another_build_size_seed_or_parameter_is_another_input() {
    let cache = InputCache::with_budget(1 << 30);
    let key = gather(4096, 7);
    assert!(matches!(open(&cache, 1, &key), InputSource::Exported { .. }));
    assert!(matches!(open(&cache, 1, &key), InputSource::Cached { .. }));
    let others = [
        (2, gather(4096, 7)),
        (1, gather(2048, 7)),
        (1, gather(4096, 8)),
        (1, key.clone().with_param("per_task", 100)),
    ];
    for (build, other) in &others {
        let offer = cache.offer(Some(*build), Some(other));
        assert!(
            matches!(offer, Some(InputOffer::Fill { .. })),
            "build {build}, {}: {offer:?}",
            group_input::describe(other)
        );
    }
}

#[test]
fn a_new_run_keeps_only_the_inputs_of_its_own_builds() {
    let dir = tempfile::tempdir().unwrap();
    let [good, step, other] = ["good", "step", "other"].map(|name| {
        let path = dir.path().join(name);
        std::fs::write(&path, name).unwrap();
        path
    });
    let cache = InputCache::with_budget(1 << 30);
    cache.start_run(&[&good, &step]);
    let key = gather(4096, 7);
    for path in [&good, &step] {
        assert!(matches!(open(&cache, cache.identity(path).unwrap(), &key), InputSource::Exported { .. }));
    }
    cache.start_run(&[&good, &other]);
    assert_eq!(ready(&cache), 1, "the step's build is gone, GOOD's input kept for the next step");
    assert!(matches!(open(&cache, cache.identity(&good).unwrap(), &key), InputSource::Cached { .. }));
    std::fs::write(&good, "good, rebuilt").unwrap();
    cache.start_run(&[&good, &other]);
    assert_eq!(ready(&cache), 0, "a binary rebuilt at the same path is another build");
}

#[test]
fn a_build_is_its_bytes_not_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let (a, same, other) = (write("a", b"ablate 1"), write("b", b"ablate 1"), write("c", b"ablate 2"));
    assert_eq!(identify(&a), identify(&same));
    assert_ne!(identify(&a), identify(&other));
    assert_eq!(identify(Path::new("ablate-on-the-path")), None, "a name that is not a file here is not cached");
    let cache = InputCache::with_budget(1 << 30);
    cache.start_run(&[&a, Path::new("ablate-on-the-path")]);
    assert_eq!(cache.offer(cache.identity(Path::new("ablate-on-the-path")), Some(&gather(4096, 7))), None);
}

#[test]
fn while_one_server_fills_an_input_a_server_of_the_same_build_makes_its_own() {
    let cache = InputCache::with_budget(1 << 30);
    let key = gather(4096, 7);
    let first = cache.offer(Some(1), Some(&key));
    assert!(matches!(first, Some(InputOffer::Fill { .. })));
    assert_eq!(cache.offer(Some(1), Some(&key)), None, "an A/A run's two servers open the group at once");
}

#[test]
fn an_input_over_budget_or_not_filled_is_made_afresh_every_round() {
    let key = gather(4096, 7);
    let small = InputCache::with_budget(16);
    assert!(matches!(open(&small, 1, &key), InputSource::Exported { .. }));
    assert_eq!(small.offer(Some(1), Some(&key)), None, "over budget: not kept, not offered again");

    let cache = InputCache::with_budget(1 << 30);
    let offer = cache.offer(Some(1), Some(&key)).unwrap();
    cache.settle(1, &offer, None);
    assert_eq!(cache.offer(Some(1), Some(&key)), None, "a build that predates the cache fills nothing");
    let offer = cache.offer(Some(2), Some(&key)).unwrap();
    let unshared = InputSource::Unshared { why: "does not encode".into() };
    cache.settle(2, &offer, Some(&InputReport { source: unshared, prepare_ns: 1, open_ns: 1 }));
    assert_eq!(cache.offer(Some(2), Some(&key)), None);
    assert_eq!(ready(&cache), 0);
}

#[test]
fn a_cache_that_is_off_offers_nothing() {
    let cache = InputCache::off();
    for _round in 0..3 {
        assert_eq!(open(&cache, 1, &gather(4096, 7)), InputSource::Built);
    }
}
