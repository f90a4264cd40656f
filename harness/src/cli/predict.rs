//! The arguments of `ablate predict` and `ablate probe`, and `--predict-for N` of `run`, `report` and `gate`.

use std::path::PathBuf;

use clap::Args;

use crate::config::{Prediction, Probing};
use crate::error::HarnessError;

/// The most workers a prediction is asked for.
const MAX_WORKERS: usize = 4096;

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The results file to predict from: its serial cells' task costs and each strategy's cell at 1 worker.
    #[arg(default_value = "reports/results.json")]
    pub file: PathBuf,
    /// The profile of the machine to predict for (`ablate probe` there) [default: this machine's, from
    /// baselines/profiles/ when kept there, else probed now]
    #[arg(long, value_name = "FILE")]
    pub machine: Option<PathBuf>,
    /// Worker counts to predict, comma-separated [default: powers of two up to the machine's logical cores]
    #[arg(long, short = 'j', value_name = "N,...")]
    pub workers: Option<String>,
    /// A results file of serial cells run on the target machine: its per-core speed, for predicted times.
    #[arg(long, value_name = "FILE")]
    pub target_serial: Option<PathBuf>,
    /// The efficiency a strategy must keep to pay for its workers.
    #[arg(long, default_value_t = 0.7, value_name = "FRACTION")]
    pub min_efficiency: f64,
    /// The baseline store, whose profiles/ holds machine profiles.
    #[arg(long, default_value = "baselines")]
    pub baseline_dir: PathBuf,
    /// Print the predictions as JSON (every prediction, its interval, its loss and where each strategy stops
    /// paying) instead of the table.
    #[arg(long)]
    pub json: bool,
}

impl PredictArgs {
    /// The plain values, checked: `--min-efficiency` a fraction, `--workers` whole numbers in range.
    pub fn plain(&self) -> Result<Prediction, HarnessError> {
        if !(0.0..=1.0).contains(&self.min_efficiency) {
            let why = format!("invalid --min-efficiency {}; expected a fraction in [0, 1]", self.min_efficiency);
            return Err(HarnessError::Usage(why));
        }
        Ok(Prediction {
            file: self.file.clone(),
            machine: self.machine.clone(),
            workers: self.workers.as_deref().map(worker_list).transpose()?,
            target_serial: self.target_serial.clone(),
            min_efficiency: self.min_efficiency,
            baseline_dir: self.baseline_dir.clone(),
            json: self.json,
        })
    }
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Where to write the profile [default: baselines/profiles/<fingerprint>.json]
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The baseline store, whose profiles/ holds machine profiles.
    #[arg(long, default_value = "baselines")]
    pub baseline_dir: PathBuf,
}

impl ProbeArgs {
    pub fn plain(&self) -> Probing {
        Probing { out: self.out.clone(), baseline_dir: self.baseline_dir.clone() }
    }
}

/// `4,8,16`: whole numbers from 1 to [`MAX_WORKERS`], in increasing order.
fn worker_list(text: &str) -> Result<Vec<usize>, HarnessError> {
    let mut workers = Vec::new();
    for part in text.split(',') {
        match part.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_WORKERS).contains(&n) => workers.push(n),
            _ => {
                return Err(HarnessError::Usage(format!(
                    "invalid --workers {part:?}; expected whole numbers from 1 to {MAX_WORKERS}, comma-separated"
                )));
            }
        }
    }
    workers.sort_unstable();
    workers.dedup();
    Ok(workers)
}

/// `--predict-for N`: the outputs of `run`, `report` and `gate` carry each strategy's scaling predicted at N workers.
#[derive(Clone, Debug, Args)]
#[command(next_help_heading = "Predicting scaling beyond this machine")]
pub struct PredictForArgs {
    /// Add each workload × strategy's predicted speedup and efficiency at N workers, with its interval and where it
    /// stops paying, to the table, the markdown summary and the report's charts (see `ablate predict`); at most
    /// 4096
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(super::bounds::PREDICT_FOR))]
    pub predict_for: Option<u32>,
    /// The profile of the machine to predict for (`ablate probe` there) [default: this machine's, from
    /// baselines/profiles/ when kept there, else probed now]
    #[arg(long, value_name = "FILE", requires = "predict_for")]
    pub machine: Option<PathBuf>,
}
