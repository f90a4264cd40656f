//! Which exit codes each command may return, written under its `--help` as `Exit codes: …`, so that no summary
//! lists some of them by hand and misses others. The codes themselves are [`crate::exit`]'s.

use clap::Command;

use crate::exit::{
    BASELINE, ERROR, INCONCLUSIVE, INTERRUPTED, NOTHING_TO_BISECT, PREDICTED_SCALING, REGRESSION, SCALING, SUCCESS,
    USAGE,
};

/// What stopping a measuring command by a signal returns; every command that measures may.
const STOPPED: (u8, &str) = (INTERRUPTED, "interrupted by Ctrl-C (143 after SIGTERM, 129 after SIGHUP)");
const FAILED: (u8, &str) = (ERROR, "error");
const MISUSED: (u8, &str) = (USAGE, "usage: a bad flag or value");

/// Each command (a subcommand by its path, e.g. `history check`) with the codes it may return and what each means
/// there.
const BY_COMMAND: &[(&str, &[(u8, &str)])] = &[
    (
        "run",
        &[
            (SUCCESS, "every cell ran"),
            (ERROR, "error or a failed cell"),
            MISUSED,
            (REGRESSION, "regression against --baseline"),
            (BASELINE, "--baseline missing or incompatible"),
            STOPPED,
        ],
    ),
    ("list", &[(SUCCESS, "listed"), FAILED, MISUSED]),
    (
        "compare",
        &[
            (SUCCESS, "no regression"),
            FAILED,
            MISUSED,
            (REGRESSION, "regression"),
            (BASELINE, "baseline missing or incompatible, or no cell compared"),
        ],
    ),
    (
        "gate",
        &[
            (SUCCESS, "pass"),
            (ERROR, "error or a failed cell"),
            MISUSED,
            (REGRESSION, "regression"),
            (SCALING, "scaling below threshold"),
            (BASELINE, "baseline missing or incompatible, or nothing compared"),
            (INCONCLUSIVE, "inconclusive verdicts with --require-power"),
            (PREDICTED_SCALING, "predicted below the floor with --require-predicted-scaling"),
            STOPPED,
        ],
    ),
    (
        "report",
        &[
            (SUCCESS, "written"),
            FAILED,
            MISUSED,
            (BASELINE, "--baseline missing or incompatible, or --history DIR missing"),
        ],
    ),
    (
        "bisect",
        &[
            (SUCCESS, "first bad commit named"),
            FAILED,
            MISUSED,
            (BASELINE, "the builds share no cell"),
            (INCONCLUSIVE, "skipped commits or --max-time leave a range"),
            (NOTHING_TO_BISECT, "BAD is not slower than GOOD"),
            STOPPED,
        ],
    ),
    (
        "history",
        &[
            (SUCCESS, "done"),
            FAILED,
            MISUSED,
            (REGRESSION, "`history check`: a cell regressed"),
            (BASELINE, "no store, or no run in it"),
        ],
    ),
    ("history list", &[(SUCCESS, "listed"), FAILED, MISUSED, (BASELINE, "no store at --history")]),
    ("history import", &[(SUCCESS, "kept"), FAILED, MISUSED, (BASELINE, "no store at --history")]),
    ("history show", &[(SUCCESS, "shown"), FAILED, MISUSED, (BASELINE, "no store at --history")]),
    (
        "history check",
        &[
            (SUCCESS, "no cell regressed"),
            FAILED,
            MISUSED,
            (REGRESSION, "a cell regressed over its history"),
            (BASELINE, "no store, or no run in it"),
        ],
    ),
    ("predict", &[(SUCCESS, "predicted"), FAILED, MISUSED]),
    ("probe", &[(SUCCESS, "profile written"), FAILED, MISUSED]),
    ("baseline", &[(SUCCESS, "done"), FAILED, MISUSED, (BASELINE, "no such baseline for this machine")]),
    ("baseline list", &[(SUCCESS, "listed"), FAILED, MISUSED]),
    ("baseline show", &[(SUCCESS, "shown"), FAILED, MISUSED, (BASELINE, "no such baseline for this machine")]),
    ("baseline delete", &[(SUCCESS, "deleted"), FAILED, MISUSED, (BASELINE, "no such baseline for this machine")]),
];

/// `command` with every listed subcommand's exit codes after its help.
pub fn add_to(mut command: Command) -> Command {
    for (path, codes) in BY_COMMAND {
        let text = listed(codes);
        command = at_path(command, &path.split(' ').collect::<Vec<_>>(), text);
    }
    command
}

/// `Exit codes: 0 pass; 1 error; …`.
fn listed(codes: &[(u8, &str)]) -> String {
    let each: Vec<String> = codes.iter().map(|(code, meaning)| format!("{code} {meaning}")).collect();
    format!("Exit codes: {}.", each.join("; "))
}

fn at_path(command: Command, path: &[&str], text: String) -> Command {
    match path {
        [] => command.after_help(text),
        [first, rest @ ..] => {
            let rest = rest.to_vec();
            command.mut_subcommand(*first, move |sub| at_path(sub, &rest, text))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_command_exists_and_every_command_is_listed() {
        let command = add_to(<super::super::Cli as clap::CommandFactory>::command());
        let mut paths = Vec::new();
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
            paths.push(sub.get_name().to_owned());
            for nested in sub.get_subcommands().filter(|s| s.get_name() != "help") {
                paths.push(format!("{} {}", sub.get_name(), nested.get_name()));
            }
        }
        let listed: Vec<&str> = BY_COMMAND.iter().map(|(path, _)| *path).collect();
        assert_eq!(listed, paths, "the table follows the commands, in order");
    }
}
