//! `--predict-for N` on `run`, `report` and `gate`: the profile of the machine predicted for, read (or probed)
//! once per command, each judged run given its scaling predicted at N, and the gate's exit code read from it.

use std::path::Path;

use super::predict::machine_profile;
use crate::config::PredictFor;
use crate::error::HarnessError;
use crate::predict::predicted_for::PredictedFor;
use crate::predict::profile::MachineProfile;
use crate::report::judged::JudgedRun;
use crate::store::thresholds::ThresholdSet;
use crate::terminal::say;

/// The worker count predicted at, and the machine.
pub(super) struct Target {
    workers: usize,
    profile: MachineProfile,
}

impl Target {
    /// The target `--predict-for` asks for, if it does: `--machine`'s profile, else this machine's kept in
    /// `baseline_dir`, else this machine probed now.
    pub fn of(predict_for: Option<&PredictFor>, baseline_dir: &Path) -> Result<Option<Self>, HarnessError> {
        let Some(asked) = predict_for else { return Ok(None) };
        let profile = machine_profile(asked.machine.as_deref(), baseline_dir)?;
        Ok(Some(Target { workers: asked.workers, profile }))
    }

    /// `run` with its strategies predicted at N, each against its floor in `thresholds`; where nothing could be
    /// predicted (a results file from before task costs were kept), a warning saying why and what to run.
    pub fn predict(&self, run: JudgedRun, thresholds: &ThresholdSet) -> JudgedRun {
        let predicted = PredictedFor::new(&run.record, self.profile.clone(), self.workers, thresholds);
        if let Err(why) = &predicted.outcome {
            say(format_args!("warning: {}: no prediction at {} workers: {why}", run.label, self.workers));
        }
        run.with_prediction(Some(predicted))
    }
}

/// `run` predicted at the `target` asked for, if one was.
pub(super) fn predicted(run: JudgedRun, target: Option<&Target>, thresholds: &ThresholdSet) -> JudgedRun {
    match target {
        Some(target) => target.predict(run, thresholds),
        None => run,
    }
}

/// The gate's exit code once its prediction is read: `measured` (the measured verdicts'), or with `required`
/// (`--require-predicted-scaling`) [`crate::exit::PREDICTED_SCALING`] when that passed and a strategy is
/// predicted below the floor; says on stderr what was predicted. A prediction required but impossible (too little
/// recorded) is a usage error, not a pass.
pub(super) fn gate_code(run: &JudgedRun, measured: u8, required: bool) -> Result<u8, HarnessError> {
    let Some(predicted) = &run.predicted else { return Ok(measured) };
    if let (Err(why), true) = (&predicted.outcome, required) {
        return Err(HarnessError::Usage(format!("--require-predicted-scaling cannot judge {}: {why}", run.label)));
    }
    if predicted.outcome.is_ok() {
        say(format_args!("{}", predicted.gate_summary(required)));
    }
    Ok(predicted.gate_code(measured, required))
}

/// The gate's last stdout line: `measured_line` (the measured verdicts' PASS or FAIL), unless the prediction is what
/// failed the gate (`code` is [`crate::exit::PREDICTED_SCALING`]), when the line says so.
pub(super) fn verdict_line(run: &JudgedRun, code: u8, measured_line: String) -> String {
    match &run.predicted {
        Some(predicted) if code == crate::exit::PREDICTED_SCALING => {
            format!("FAIL (exit {code}): {}", predicted.gate_summary(true))
        }
        _ => measured_line,
    }
}
