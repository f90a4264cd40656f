//! `ablate predict` and `ablate probe`: a results file's scaling predicted for another machine, and the profile of
//! the machine a prediction is for.

use std::path::{Path, PathBuf};

use super::print_stdout;
use crate::config::{Prediction, Probing};
use crate::error::HarnessError;
use crate::exit;
use crate::measure::machine::Machine;
use crate::predict::profile::MachineProfile;
use crate::predict::{self, probe};
use crate::record::read_results;
use crate::report::predicted;
use crate::terminal::say;

pub(super) fn predict(args: &Prediction) -> anyhow::Result<u8> {
    let record = read_results(&args.file)?;
    let profile = machine_profile(args.machine.as_deref(), &args.baseline_dir)?;
    let workers = args.workers.clone().unwrap_or_else(|| predict::default_workers(profile.logical_cores));
    let target_serial = args.target_serial.as_deref().map(read_results).transpose()?;
    let predicted = predict::predict(&record, &profile, target_serial.as_ref(), &workers, args.min_efficiency)
        .map_err(|e| HarnessError::Usage(format!("{}: {e}", args.file.display())))?;
    if args.json {
        let json = serde_json::json!({ "machine": profile, "floor": args.min_efficiency, "predicted": predicted });
        print_stdout(&(serde_json::to_string_pretty(&json).expect("predictions always encode") + "\n"))?;
    } else {
        print_stdout(&predicted::render(&predicted, &profile, args.min_efficiency))?;
    }
    Ok(exit::SUCCESS)
}

pub(super) fn probe(args: &Probing) -> anyhow::Result<u8> {
    let machine = Machine::detect_with_project();
    let path = args.out.clone().unwrap_or_else(|| MachineProfile::path_in(&args.baseline_dir, &machine.fingerprint));
    crate::write::check_writable(&path)?;
    say(format_args!("probing {} ({} logical cores)", machine.fingerprint, machine.logical_cores));
    let profile = probe::probe(&machine);
    profile.write_to(&path)?;
    say(format_args!("profile written to {}", path.display()));
    print_stdout(&(serde_json::to_string_pretty(&profile).expect("a profile always encodes") + "\n"))?;
    Ok(exit::SUCCESS)
}

/// The profile `--machine` names; else this machine's kept in `baseline_dir`; else this machine probed now.
pub(super) fn machine_profile(named: Option<&Path>, baseline_dir: &Path) -> Result<MachineProfile, HarnessError> {
    if let Some(path) = named {
        return MachineProfile::read(path);
    }
    let machine = Machine::detect_with_project();
    let kept: PathBuf = MachineProfile::path_in(baseline_dir, &machine.fingerprint);
    if kept.is_file() {
        return MachineProfile::read(&kept);
    }
    say(format_args!("no profile of this machine in {}; probing it now", kept.display()));
    Ok(probe::probe(&machine))
}
