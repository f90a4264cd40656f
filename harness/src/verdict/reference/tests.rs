use ablate_workloads::Kind;

use super::*;
use crate::config::RunConfig;
use crate::measure::machine::Machine;
use crate::record::{PayloadBytes, RssScope};
use crate::strategy::StrategyKind::{Process, Rayon, Serial, Threads};
use crate::verdict::fixtures::{cell, walls};

fn run_of(cells: Vec<CellRecord>) -> RunRecord {
    RunRecord::new(RunConfig::for_tests(), Machine::for_tests(), RssScope::PerRepetition, cells, false)
}

fn at(strategy: StrategyKind, workers: usize, center: f64) -> CellRecord {
    cell("w", Kind::Cpu, strategy, workers, &walls(center, 0.02, 15))
}

#[test]
fn one_worker_cells_that_agree_with_serial_leave_it_trusted() {
    let run = run_of(vec![at(Serial, 1, 100e6), at(Threads, 1, 99e6), at(Rayon, 1, 101e6), at(Rayon, 2, 51e6)]);
    assert_eq!(suspect_references(&run, 0.05), Vec::new());
}

#[test]
fn a_one_worker_cell_much_faster_than_serial_makes_the_reference_suspect() {
    let run = run_of(vec![at(Serial, 1, 100e6), at(Threads, 1, 99e6), at(Process, 1, 85e6), at(Process, 2, 43e6)]);
    let suspect = suspect_references(&run, 0.05);
    assert_eq!(suspect.len(), 1, "{suspect:?}");
    assert_eq!(suspect[0].faster.len(), 1, "only the process cell: {:?}", suspect[0].faster);
    let faster = &suspect[0].faster[0];
    assert!(faster.id.contains("process/1"), "{}", faster.id);
    assert!((faster.ratio - 0.85).abs() < 0.01 && faster.interval.high < 0.97, "{faster:?}");
    let line = suspect[0].describe();
    assert!(line.starts_with("the reference is suspect for w at size 100") && line.contains("0.85×"), "{line}");
    assert!(suspect[0].covers(&at(Process, 2, 43e6)));
}

#[test]
fn slower_than_serial_is_overhead_not_a_suspect_reference() {
    let run = run_of(vec![at(Serial, 1, 100e6), at(Process, 1, 125e6)]);
    assert_eq!(suspect_references(&run, 0.05), Vec::new());
}

#[test]
fn faster_within_the_tolerance_or_on_too_few_samples_is_not_called() {
    let run = run_of(vec![at(Serial, 1, 100e6), at(Threads, 1, 98.5e6)]);
    assert_eq!(suspect_references(&run, 0.05), Vec::new(), "1.5 % is within ±3 %");
    let few = |strategy, center| cell("w", Kind::Cpu, strategy, 1, &walls(center, 0.02, 3));
    let run = run_of(vec![few(Serial, 100e6), few(Threads, 70e6)]);
    assert_eq!(suspect_references(&run, 0.05), Vec::new(), "three samples each cannot tell");
}

#[test]
fn a_faster_cell_that_reused_memory_serial_touched_afresh_says_so() {
    let counted = |mut cell: CellRecord, faults: u64| {
        cell.samples.iter_mut().for_each(|s| s.minor_page_faults = Some(faults));
        cell
    };
    let run = run_of(vec![counted(at(Serial, 1, 121e6), 65_600), counted(at(Rayon, 1, 45e6), 300)]);
    let line = suspect_references(&run, 0.05)[0].describe();
    assert!(line.contains("with 300 minor page faults an execution to serial's 65600"), "{line}");
    let run = run_of(vec![counted(at(Serial, 1, 121e6), 310), counted(at(Rayon, 1, 45e6), 300)]);
    let line = suspect_references(&run, 0.05)[0].describe();
    assert!(!line.contains("page faults"), "alike faults say nothing: {line}");
}

#[test]
fn a_worker_process_faster_than_serial_names_the_copy_of_the_shared_input_it_reads() {
    let sharing = |mut cell: CellRecord, shared_bytes: u64| {
        let (input_bytes_total, output_bytes_total, input_bytes_max, output_bytes_max) = (0, 0, 0, 0);
        let sizes =
            PayloadBytes { input_bytes_total, output_bytes_total, input_bytes_max, output_bytes_max, shared_bytes };
        cell.payload = Some(sizes);
        cell
    };
    let run = run_of(vec![sharing(at(Serial, 1, 800e6), 256 << 20), sharing(at(Process, 1, 600e6), 256 << 20)]);
    let line = suspect_references(&run, 0.05)[0].describe();
    assert!(line.contains("its worker reads its own copy of the 256.0 MiB shared input, in other"), "{line}");
    let scattered = |cell: CellRecord| CellRecord { single_free_page_bytes: Some(240 << 20), ..cell };
    let serial = scattered(sharing(at(Serial, 1, 800e6), 256 << 20));
    let run = run_of(vec![serial, scattered(sharing(at(Process, 1, 600e6), 256 << 20))]);
    let line = suspect_references(&run, 0.05)[0].describe();
    assert!(line.contains("serial's, made while 240.0 MiB of free memory lay in single pages:"), "{line}");
    let run = run_of(vec![sharing(at(Serial, 1, 800e6), 256 << 20), sharing(at(Threads, 1, 600e6), 256 << 20)]);
    assert!(!suspect_references(&run, 0.05)[0].describe().contains("own copy"), "threads share serial's input");
    let run = run_of(vec![sharing(at(Serial, 1, 800e6), 0), sharing(at(Process, 1, 600e6), 0)]);
    assert!(!suspect_references(&run, 0.05)[0].describe().contains("own copy"), "no shared input, no copy");
}
