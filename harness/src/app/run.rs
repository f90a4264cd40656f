//! `ablate run`: measure, write the results file, print the table, and optionally save or compare a baseline.

use ablate_workloads::Registry;

use super::print_stdout;
use super::verdicts::Judge;
use crate::baseline::validate_name;
use crate::cli::{self, RunArgs};
use crate::exit;
use crate::gate::GateReport;
use crate::measure::machine::Machine;
use crate::record::RunRecord;
use crate::report::verdicts;
use crate::{cancel, progress, report, runner, write};

pub(super) fn run(args: &RunArgs, registry: &Registry) -> anyhow::Result<u8> {
    let judge = Judge::from_args(&args.verdict)?;
    if let Some(name) = &args.save_baseline {
        validate_name(name)?;
    }
    // Read before measuring: a missing baseline fails at once, and `--save-baseline X --baseline X` compares with
    // the old X before the new one replaces it.
    let baseline = judge.baseline_for(&Machine::detect().fingerprint, false)?;
    let record = measure(args, registry)?;
    if record.cancelled {
        return Ok(exit::INTERRUPTED);
    }
    let failed = record.failed_cells().count();
    if let Some(name) = &args.save_baseline {
        if failed > 0 {
            eprintln!(
                "ablate: not saving baseline '{name}': {failed} cells failed (a failed run never replaces a baseline)"
            );
        } else {
            let path = judge.store.save(&record, name)?;
            eprintln!("ablate: baseline '{name}' saved to {}", path.display());
        }
    }
    let mut code = if failed == 0 { exit::SUCCESS } else { exit::ERROR };
    if let Some(baseline) = baseline {
        let report = GateReport::new(&record, Some(&baseline), &judge.thresholds, None);
        print_stdout(&verdicts::render(&report))?;
        if code == exit::SUCCESS && report.regressions().next().is_some() {
            code = exit::REGRESSION;
        }
    }
    Ok(code)
}

/// Runs the configured cells, writes the results file atomically and prints the table; reports failed cells
/// and an interruption on stderr.
pub(super) fn measure(args: &RunArgs, registry: &Registry) -> anyhow::Result<RunRecord> {
    let cores = Machine::detect().logical_cores;
    let (config, format) = cli::parse::run_config(args, registry, cores)?;
    write::check_writable(&args.out)?;
    cancel::install_interrupt_handler();
    let record = runner::run(&config, registry, progress::for_stderr().as_ref())?;
    record.write_to(&args.out)?;
    print_stdout(&report::render(&record, format))?;
    eprintln!("ablate: results written to {}", args.out.display());
    for (cell, reason) in record.failed_cells() {
        eprintln!("ablate: cell {} failed: {reason}", cell.id);
    }
    if record.cancelled {
        eprintln!("ablate: interrupted; the results file holds what was measured before");
    }
    Ok(record)
}
