//! The arguments of `ablate predict` and `ablate probe`.

use std::path::PathBuf;

use clap::Args;

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

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Where to write the profile [default: baselines/profiles/<fingerprint>.json]
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The baseline store, whose profiles/ holds machine profiles.
    #[arg(long, default_value = "baselines")]
    pub baseline_dir: PathBuf,
}
