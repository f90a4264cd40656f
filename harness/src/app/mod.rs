//! The binary's edge: parse arguments, dispatch the command, print, and map every outcome to an exit code.

mod bisect;
mod history;
mod judge;
mod judging;
mod list;
mod predict;
mod predict_for;
mod report;
mod run;

use std::io::Write;
use std::process::ExitCode;

use ablate_workloads::{Registry, WorkloadError};
use anyhow::Context;

use crate::cancel;
use crate::cli::{self, Command, parse, plain};
use crate::error::HarnessError;
use crate::exit;
use crate::measure::machine::Machine;
use crate::strategy::install_quiet_panic_hook;
use crate::strategy::mpi::{self, Role};
use crate::strategy::process::serve_if_worker;
use crate::terminal::{printable, program_name, say};

/// The whole `ablate` CLI over `registry`: every command, strategy and output of `ablate`, over workloads of the
/// caller's choosing (a user's binary: [`main_with_own`], or `ablate_main!`).
pub fn main_with(registry: Registry) -> ExitCode {
    if let Some(code) = serve_if_worker(&registry) {
        return code;
    }
    let mpi_session = match mpi::join(&registry) {
        Role::Finished(code) => return code,
        Role::Coordinator(session) => Some(session),
        Role::Alone => None,
    };
    install_quiet_panic_hook();
    let cli = match cli::parse(cli::with_default_command(std::env::args_os())) {
        Ok(cli) => cli,
        Err(err) => return clap_exit(&err),
    };
    let code = match dispatch(cli.command, &registry) {
        Ok(code) => code,
        Err(err) => {
            say(format_args!("{}", one_line(&err)));
            err.downcast_ref::<HarnessError>().map_or(exit::ERROR, HarnessError::exit_code)
        }
    };
    // Everything the command owned (children, temporary directories, a worktree) is gone by now: a stopped
    // command says which signal stopped it.
    let code = cancel::received_signal().map_or(code, exit::after_signal);
    if let Some(session) = mpi_session {
        session.end(code);
    }
    ExitCode::from(code)
}

/// Runs `command`, its arguments first turned into plain values (see [`cli::plain`]); a command that measures
/// detects the machine once, here, and hands it down.
fn dispatch(command: Command, registry: &Registry) -> anyhow::Result<u8> {
    let run_config = |args: &cli::RunArgs, machine: &Machine| parse::run_config(args, registry, machine.logical_cores);
    match command {
        Command::List => list::list(registry),
        Command::Run(args) => {
            let machine = Machine::detect_with_project();
            let (output, judging) = (plain::output(&args)?, plain::judging(&args.verdict)?);
            run::run(&run_config(&args, &machine)?, &output, &judging, registry, &machine)
        }
        Command::AbServe(args) => {
            let machine = Machine::detect_with_project();
            run::serve(&run_config(&args, &machine)?, registry, &machine)
        }
        Command::Bisect(args) => {
            let thresholds = judging::Judge::new(&args.judging()?)?.thresholds;
            bisect::bisect(&args.settings(thresholds)?)
        }
        Command::Compare(args) => judge::compare(&args.file, &plain::judging(&args.verdict)?),
        Command::Gate(args) => {
            let (output, judging) = (plain::output(&args.run)?, plain::judging(&args.run.verdict)?);
            let machine = Machine::detect_with_project();
            let options = plain::gate(&args, registry, machine.logical_cores)?;
            judge::gate(&options, &output, &judging, registry, &machine)
        }
        Command::Report(args) => {
            let judging = plain::judging(&args.verdict)?;
            let predict_for = plain::predict_for(&args.predict);
            report::report(
                &args.files,
                plain::report_dir(&args)?,
                args.history.as_deref(),
                &judging,
                predict_for.as_ref(),
            )
        }
        Command::History(args) => history::history(&plain::history(&args)?),
        Command::Baseline { action, baseline_dir } => judge::baseline(&plain::baselines(&action, &baseline_dir)),
        Command::Predict(args) => predict::predict(&args.plain()?),
        Command::Probe(args) => predict::probe(&args.plain()),
    }
}

/// The error and its causes on one line, each once: a message that already quotes its cause (most here do, so
/// that they read whole wherever they are turned into text) is not followed by that cause again.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// The whole `ablate` CLI over a user's own workloads, which `register` adds; the built-ins are there on request
/// (`-w builtins`, or by name) and `-w all`, the default, runs the user's. This is what
/// [`ablate_main!`](crate::ablate_main) calls. A workload refused at registration (its name or a parameter's not
/// an identifier) prints why and exits 1.
pub fn main_with_own(register: impl FnOnce(&mut Registry) -> Result<(), WorkloadError>) -> ExitCode {
    let mut registry = Registry::new();
    if let Err(err) = register(&mut registry) {
        say(format_args!("{err}"));
        return ExitCode::from(exit::ERROR);
    }
    main_with(registry.with_builtins_on_request())
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
    // The first paragraph, on one line: clap lists missing arguments on the lines below its first.
    let paragraph: Vec<&str> = rendered.lines().take_while(|line| !line.trim().is_empty()).map(str::trim).collect();
    let first = paragraph.join(" ");
    let first = first.trim_start_matches("error: ");
    let first = if first.is_empty() { "invalid arguments" } else { first };
    say(format_args!("{first} (see {} --help)", program_name()));
    ExitCode::from(exit::USAGE)
}

/// Prints to stdout, treating a closed pipe (`ablate list | head`) as success rather than a panic.
/// Control characters from files are escaped on the way (see [`crate::terminal`]).
pub(super) fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(printable(text).as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

/// Defines `main` for a user's binary: the whole `ablate` CLI over the listed workloads, which `-w all` (the
/// default) runs; the built-ins run on request (`-w builtins`, or by name). See [`main_with_own`].
///
/// ```ignore
/// ablate_harness::ablate_main!(my_crate::MyWorkload, my_crate::Another);
/// ```
#[macro_export]
macro_rules! ablate_main {
    ($($workload:ty),* $(,)?) => {
        fn main() -> ::std::process::ExitCode {
            $crate::main_with_own(|registry| {
                $( registry.register::<$workload>()?; )*
                let _ = registry;
                Ok(())
            })
        }
    };
}

/// Like criterion's `criterion_main!`, for bench binaries that run the `process` strategy: the binary is
/// re-executed as each worker process, so `main` first serves as a worker when it was started as one (over the
/// built-in workloads), and only otherwise runs the benchmark groups. The bench crate depends on `criterion`.
#[macro_export]
macro_rules! criterion_main_serving_workers {
    ($($group:path),+ $(,)?) => {
        fn main() -> ::std::process::ExitCode {
            if let Some(code) =
                $crate::strategy::process::serve_if_worker(&$crate::workloads::Registry::builtin())
            {
                return code;
            }
            $( $group(); )+
            ::criterion::Criterion::default().configure_from_args().final_summary();
            ::std::process::ExitCode::SUCCESS
        }
    };
}
