use super::*;
use crate::{Kind, Param, Params};

fn config(name: &str, size: u64, params: Params) -> WorkloadConfig {
    WorkloadConfig { name: name.into(), size, seed: 1, params }
}

#[test]
fn footprints_are_estimated_without_making_anything() {
    let registry = Registry::builtin();
    let gather = registry.footprint(&config("gather", 64 << 30, Params::new())).unwrap();
    assert_eq!(gather.shared_bytes, 8 * (64 << 30), "512 GiB estimated, not allocated");
    assert_eq!(gather.tasks, (32u64 << 30).div_ceil(65_536));
    let triad = registry.footprint(&config("triad", 1 << 20, Params::new())).unwrap();
    assert_eq!((triad.shared_bytes, triad.tasks), (16 << 20, 4));
    assert!(triad.per_worker_process() >= 24 << 20, "b and c, and a of its own");
    let spin = registry.footprint(&config("spin", 1_000_000_000, Params::new())).unwrap();
    assert_eq!(spin.tasks, 1_000_000_000, "the default: one task per unit of size");
    assert!(spin.in_one_process(0) >= 24_000_000_000);
    let absurd = Params::new().with("lookups", u64::MAX);
    assert!(registry.footprint(&config("gather", 1, absurd)).unwrap().in_one_process(64) > 1 << 50);
    let overflowing = Footprint { shared_bytes: u64::MAX, scratch_bytes: 1, tasks: 2, bytes_per_task: u64::MAX };
    assert_eq!(overflowing.in_one_process(64), u64::MAX, "saturates instead of wrapping to a small number");
}

/// A workload whose name and parameters a test picks.
struct Named<const N: usize>;

const NAMES: [&str; 7] = ["my work", "a<b>", "all", "builtins", "bad-param", "twice", "ok"];
const GOOD: Param<u64> = Param::new("good", 1, 0..=9, "a parameter");
const BAD: Param<u64> = Param::new("Bad.key", 1, 0..=9, "a parameter that is no identifier");

impl<const N: usize> Workload for Named<N> {
    type Shared = ();
    type Task = u64;
    type Output = u64;

    fn describe() -> Description {
        let params: &'static [&'static dyn crate::ParamSpec] = match NAMES[N] {
            "bad-param" => &[&BAD],
            "twice" => &[&GOOD, &GOOD],
            _ => &[&GOOD],
        };
        Description {
            name: NAMES[N],
            kind: Kind::Cpu,
            expected_shortfalls: &[],
            summary: "a test workload",
            size_unit: "tasks",
            default_size: 1,
            quick_size: 1,
            params,
        }
    }

    fn build(_: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(Named)
    }

    fn tasks(&self) -> Vec<u64> {
        vec![1]
    }

    fn run(&self, _: &(), task: &u64) -> u64 {
        *task
    }
}

#[test]
fn names_that_are_not_identifiers_are_refused_at_registration_with_the_rule() {
    let mut registry = Registry::new();
    let refusals = [
        registry.register::<Named<0>>().err(),
        registry.register::<Named<1>>().err(),
        registry.register::<Named<2>>().err(),
        registry.register::<Named<3>>().err(),
        registry.register::<Named<4>>().err(),
        registry.register::<Named<5>>().err(),
    ]
    .map(|e| e.expect("refused").to_string());
    assert_eq!(
        refusals[0],
        "workload name 'my work' is refused: it contains ' '; expected a lowercase letter, then lowercase letters, \
         digits, '_' or '-'"
    );
    assert!(refusals[1].contains("'a<b>'") && refusals[1].contains("contains '<'"), "{}", refusals[1]);
    assert!(refusals[2].contains("'all' is refused: it is reserved"), "{}", refusals[2]);
    assert!(refusals[3].contains("'builtins' is refused: it is reserved"), "{}", refusals[3]);
    assert!(refusals[4].starts_with("workload 'bad-param': parameter name 'Bad.key' is refused"), "{}", refusals[4]);
    assert!(refusals[5].contains("parameter name 'good' is refused: it is declared twice"), "{}", refusals[5]);
    assert!(registry.names().is_empty(), "nothing refused was registered");
}

#[test]
fn all_means_the_binary_s_own_workloads_and_builtins_the_built_in_suite() {
    let suite = Registry::builtin();
    assert_eq!(suite.select(Registry::ALL).unwrap(), suite.names(), "the ablate binary: all is the built-ins");
    assert_eq!(suite.select(Registry::BUILTINS).unwrap(), suite.names());
    assert!(!suite.is_on_request("spin"));

    struct Mine;
    impl Workload for Mine {
        type Shared = ();
        type Task = u64;
        type Output = u64;
        fn describe() -> Description {
            Description { name: "mine", ..Named::<6>::describe() }
        }
        fn build(_: &WorkloadConfig) -> Result<Self, WorkloadError> {
            Ok(Mine)
        }
        fn tasks(&self) -> Vec<u64> {
            vec![7]
        }
        fn run(&self, _: &(), task: &u64) -> u64 {
            *task
        }
    }
    let mut user = Registry::new();
    user.register::<Mine>().unwrap();
    let user = user.with_builtins_on_request();
    assert_eq!(user.select(Registry::ALL).unwrap(), ["mine"]);
    assert_eq!(user.select(Registry::BUILTINS).unwrap(), suite.names());
    assert_eq!(user.select("spin").unwrap(), ["spin"], "a built-in runs when named");
    assert!(user.is_on_request("spin") && !user.is_on_request("mine"));
    assert_eq!(user.names()[0], "mine", "the binary's own are listed first");
    let unknown = user.select("nope").unwrap_err().to_string();
    assert!(unknown.contains("'nope'") && unknown.contains("mine, spin"), "{unknown}");
}

#[test]
fn outputs_digested_as_they_are_encoded_give_the_digest_of_their_encodings() {
    let registry = Registry::builtin();
    let job = registry.prepare(config("triad", 5000, Params::new().with("block", 700u64))).unwrap();
    let outputs: Vec<_> = (0..job.task_count()).map(|task| job.run_task(task)).collect();
    let encoded: Vec<Vec<u8>> = outputs
        .iter()
        .enumerate()
        .map(|(task, output)| {
            let bytes = job.codec().output_bytes(task, output).unwrap() as usize;
            let triple = output.downcast_ref::<[f64; 3]>().unwrap();
            let encoded = postcard::to_allocvec(triple).unwrap();
            assert_eq!(encoded.len(), bytes);
            encoded
        })
        .collect();
    assert_eq!(job.digest(&outputs).unwrap(), crate::Digest::of_parts(encoded.iter().map(Vec::as_slice)));
}

/// A workload sized in nonzeros whose data sit on the heap; `DECLARES` says whether it gives its footprint.
struct Sparse<const DECLARES: bool>;

impl<const DECLARES: bool> Workload for Sparse<DECLARES> {
    type Shared = Vec<f64>;
    type Task = (u64, u64);
    type Output = f64;

    fn describe() -> Description {
        const { Description::new("sparse", Kind::Memory, "a test workload sized in nonzeros") }.sizes("nonzeros", 8, 8)
    }

    fn build(_: &WorkloadConfig) -> Result<Self, WorkloadError> {
        Ok(Sparse)
    }

    fn shared_input(&self) -> Vec<f64> {
        vec![1.0; 8]
    }

    fn tasks(&self) -> Vec<(u64, u64)> {
        vec![(0, 8)]
    }

    fn run(&self, shared: &Vec<f64>, &(start, end): &(u64, u64)) -> f64 {
        shared[start as usize..end as usize].iter().sum()
    }

    fn footprint(&self) -> Option<Footprint> {
        DECLARES.then_some(Footprint { shared_bytes: 64, scratch_bytes: 0, tasks: 1, bytes_per_task: 24 })
    }
}

#[test]
fn a_workload_the_assumed_footprint_does_not_fit_is_named_with_why() {
    let mut registry = Registry::new();
    registry.register::<Sparse<false>>().unwrap();
    let doubt = registry.assumed_footprint(&config("sparse", 8, Params::new())).unwrap().expect("in doubt");
    assert_eq!(
        (doubt.size_unit, doubt.heap_types.as_slice()),
        (Some("nonzeros"), &["Shared = Vec<f64>".to_owned()][..])
    );
    let text = doubt.to_string();
    assert!(text.starts_with("workload 'sparse' declares no footprint") && text.contains("fn footprint"), "{text}");
    assert!(text.contains("its size counts nonzeros") && text.contains("Shared = Vec<f64> holds data on the heap"));

    registry.register::<Sparse<true>>().unwrap();
    assert_eq!(registry.assumed_footprint(&config("sparse", 8, Params::new())).unwrap(), None, "declared");
    let builtins = Registry::builtin();
    for name in builtins.names() {
        let size = builtins.describe(name).unwrap().quick_size;
        assert_eq!(builtins.assumed_footprint(&config(name, size, Params::new())).unwrap(), None, "{name}");
    }
}
