//! Command-line types (clap) and their conversion into the engine's plain configuration.
//!
//! Arguments pass two stages: clap reads strings, then [`parse`] validates them into a [`crate::config::RunConfig`]
//! with one-line errors that name the bad value and the valid choices.

pub mod parse;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ablate",
    version,
    about = "Measure work serially, on threads and in worker processes, across core counts"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run workloads under strategies and worker counts, print a table and write the results file.
    Run(Box<RunArgs>),
    /// List the workloads (with kind, size unit and parameters) and the strategies.
    List,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Workloads to run: `all` or a comma-separated list of names (see `ablate list`).
    #[arg(long, short = 'w', default_value = "all", value_name = "all|NAME,...")]
    pub workloads: String,
    /// Strategies to run: `all` or a comma-separated list; serial always runs as the reference.
    #[arg(long, short = 's', default_value = "all", value_name = "all|NAME,...")]
    pub strategies: String,
    /// Worker counts: a comma-separated list of whole numbers and `max` (this machine's logical cores).
    /// Default: powers of two up to `max`, and `max`.
    #[arg(long, short = 'j', value_name = "N,...|max")]
    pub workers: Option<String>,
    /// Tasks per dispatch: `auto` (each strategy's default) or whole numbers, comma-separated.
    #[arg(long, short = 'c', default_value = "auto", value_name = "auto|N,...")]
    pub chunk: String,
    /// How worker processes get the shared input: copy (inside every dispatch), shm (one mapped memory file),
    /// regen (rebuilt by each worker from the seed); `all` or a comma-separated list.
    #[arg(long, short = 't', default_value = "shm", value_name = "all|copy,shm,regen")]
    pub transport: String,
    /// A task running longer than this is abandoned: its worker is killed and the task retried (e.g. 300s, 2m).
    #[arg(long, default_value = "300s", value_name = "DURATION")]
    pub task_timeout: String,
    /// Retries of a task whose worker timed out, crashed or sent garbage.
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
    /// Worker failures in one execution after which the rest runs serially in this process.
    #[arg(long, default_value_t = 8)]
    pub max_pool_failures: u32,
    /// Sizes in each workload's unit: `N` for every workload or `NAME=N` for one; suffixes k, M, G (×1000)
    /// and Ki, Mi, Gi (×1024). Default: the profile's size for each workload.
    #[arg(long, value_name = "[NAME=]N,...")]
    pub size: Option<String>,
    /// A workload parameter, e.g. `-p spin.iters=1000`; repeatable (see `ablate list`).
    #[arg(long = "param", short = 'p', value_name = "NAME.KEY=VALUE")]
    pub params: Vec<String>,
    /// Quick profile: small sizes, 1 warm-up and 3 timed repetitions (for CI).
    #[arg(long)]
    pub quick: bool,
    /// Timed repetitions per cell (default 10; 3 with --quick).
    #[arg(long)]
    pub reps: Option<u32>,
    /// Untimed warm-up executions per cell (default 1).
    #[arg(long)]
    pub warmup: Option<u32>,
    /// Where the results JSON is written (atomically).
    #[arg(long, short = 'o', default_value = "reports/results.json")]
    pub out: PathBuf,
    /// What to print on stdout.
    #[arg(long, default_value = "table", value_name = "table|json|csv|md")]
    pub format: String,
    /// The seed workloads are built from.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The seed of the shuffled repetition order (default: from the clock; recorded either way).
    #[arg(long)]
    pub order_seed: Option<u64>,
}

/// `ablate --strategies all …` is shorthand for `ablate run --strategies all …`: inserts `run` when the first
/// argument is an option other than help or version.
pub fn with_default_command(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    let first = args.get(1).and_then(|a| a.to_str()).unwrap_or("");
    let is_global = matches!(first, "-h" | "--help" | "-V" | "--version");
    if first.starts_with('-') && !is_global {
        args.insert(1, OsString::from("run"));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_first_means_run_but_help_and_subcommands_are_left_alone() {
        assert_eq!(with_default_command(strings(&["ablate", "--quick"])), strings(&["ablate", "run", "--quick"]));
        assert_eq!(with_default_command(strings(&["ablate", "--help"])), strings(&["ablate", "--help"]));
        assert_eq!(with_default_command(strings(&["ablate", "list"])), strings(&["ablate", "list"]));
        assert_eq!(with_default_command(strings(&["ablate"])), strings(&["ablate"]));
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
