//! The binary's edge: parse arguments, dispatch the command, print, and map every outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use ablate_workloads::Registry;
use anyhow::Context;
use clap::Parser;

use crate::cli::{self, Cli, Command, RunArgs};
use crate::error::HarnessError;
use crate::exit;
use crate::measure::machine::Machine;
use crate::strategy::process::serve_if_worker;
use crate::strategy::{StrategyKind, install_quiet_panic_hook};
use crate::{cancel, progress, report, runner, write};

/// The whole `ablate` CLI over `registry`. A user's binary calls this from `main` with its own workloads
/// registered (see `ablate_main!`), and gets every command, strategy and output of `ablate`.
pub fn main_with(registry: Registry) -> ExitCode {
    if let Some(code) = serve_if_worker(&registry) {
        return code;
    }
    install_quiet_panic_hook();
    let cli = match Cli::try_parse_from(cli::with_default_command(std::env::args_os())) {
        Ok(cli) => cli,
        Err(err) => return clap_exit(&err),
    };
    let outcome = match cli.command {
        Command::List => list(&registry),
        Command::Run(args) => run(&args, &registry),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("ablate: {err:#}");
            ExitCode::from(err.downcast_ref::<HarnessError>().map_or(exit::ERROR, HarnessError::exit_code))
        }
    }
}

/// Help and version print as clap renders them; usage errors print their first line and exit with 2.
fn clap_exit(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = err.print();
        return ExitCode::from(exit::SUCCESS);
    }
    if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let _ = err.print();
        return ExitCode::from(exit::USAGE);
    }
    let rendered = err.render().to_string();
    let first = rendered.lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ");
    eprintln!("ablate: {first} (see ablate --help)");
    ExitCode::from(exit::USAGE)
}

fn run(args: &RunArgs, registry: &Registry) -> anyhow::Result<u8> {
    let cores = Machine::detect().logical_cores;
    let (config, format) = cli::parse::run_config(args, registry, cores)?;
    write::check_writable(&args.out)?;
    cancel::install_interrupt_handler();
    let record = runner::run(&config, registry, progress::for_stderr().as_ref())?;
    let json =
        serde_json::to_vec_pretty(&record).map_err(|source| HarnessError::Encode { path: args.out.clone(), source })?;
    write::write_atomic(&args.out, &json)?;
    print_stdout(&report::render(&record, format))?;
    eprintln!("ablate: results written to {}", args.out.display());
    let failed: Vec<_> = record.failed_cells().collect();
    for (cell, reason) in &failed {
        eprintln!("ablate: cell {} failed: {reason}", cell.id);
    }
    if record.cancelled {
        eprintln!("ablate: interrupted; the results file holds what was measured before");
        return Ok(exit::INTERRUPTED);
    }
    Ok(if failed.is_empty() { exit::SUCCESS } else { exit::ERROR })
}

fn list(registry: &Registry) -> anyhow::Result<u8> {
    let mut out = String::from("workloads:\n");
    for d in registry.descriptions() {
        out.push_str(&format!(
            "  {:<12} {:<7} {}\n  {:<12} size: {} (default {}, quick {})\n",
            d.name, d.kind, d.summary, "", d.size_unit, d.default_size, d.quick_size
        ));
        for p in d.params {
            out.push_str(&format!("  {:<12}   -p {}.{}={}  {}\n", "", d.name, p.name, p.default, p.help));
        }
    }
    out.push_str("strategies:\n");
    for s in StrategyKind::ALL {
        out.push_str(&format!("  {:<12} {}\n", s.name(), s.summary()));
    }
    out.push_str("transports (process strategy, --transport):\n");
    out.push_str("  copy         the shared input inside every dispatch, as a naive pickling pool does\n");
    out.push_str("  shm          written once to a memory file each worker maps read-only (default)\n");
    out.push_str("  regen        rebuilt by each worker from the seed\n");
    print_stdout(&out)?;
    Ok(exit::SUCCESS)
}

/// Prints to stdout, treating a closed pipe (`ablate list | head`) as success rather than a panic.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

/// Defines `main` for a user's binary: the whole `ablate` CLI over the built-ins plus the listed workloads.
///
/// ```ignore
/// ablate_harness::ablate_main!(my_crate::MyWorkload);
/// ```
#[macro_export]
macro_rules! ablate_main {
    ($($workload:ty),* $(,)?) => {
        fn main() -> ::std::process::ExitCode {
            let mut registry = $crate::workloads::Registry::builtin();
            $( registry.register::<$workload>(); )*
            $crate::main_with(registry)
        }
    };
}
