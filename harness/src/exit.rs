//! The exit codes of the `ablate` binary, in one place.

/// The run completed and every cell passed.
pub const SUCCESS: u8 = 0;
/// An error: I/O, an invalid results file, a failed build in A/B mode, a failed cell (a task panicked, a digest
/// differed from serial's, or the system refused the cell's worker threads or processes), or an internal fault.
pub const ERROR: u8 = 1;
/// Bad usage: an unknown flag, workload or strategy, an unparsable value, a worker count absurd on its face (over
/// 64 per logical core), or a size whose estimated footprint exceeds the memory available.
pub const USAGE: u8 = 2;
/// A cell regressed against the baseline; or, in `history check`, over its history (a step or creep).
pub const REGRESSION: u8 = 3;
/// A cell's scaling efficiency fell below the threshold.
pub const SCALING: u8 = 4;
/// The baseline is missing, malformed or from another machine, or the comparison compared no cell (in `history
/// check`: the store holds no run; in `report --history DIR`: DIR does not exist).
pub const BASELINE: u8 = 5;
/// With `--require-power`: a cell's verdict was inconclusive (too noisy, near the threshold, or a busy machine).
/// `ablate bisect`: the first bad commit could not be told from its neighbours (skipped commits, or `--max-time`
/// spent); the range that holds it is printed.
pub const INCONCLUSIVE: u8 = 6;
/// `ablate bisect`: BAD regressed in no cell against GOOD, so there is nothing to bisect.
pub const NOTHING_TO_BISECT: u8 = 7;
/// `ablate gate --require-predicted-scaling`: every measured verdict passed, but a strategy's scaling predicted at
/// `--predict-for N` lies below the efficiency floor with its whole interval (an interval that straddles the floor
/// is inconclusive, never a failure).
pub const PREDICTED_SCALING: u8 = 8;
/// The run was interrupted (Ctrl-C); the results file holds what was measured before, cells without a timed
/// sample marked `unmeasured` (128 + SIGINT). SIGTERM and SIGHUP stop a command the same way, and it exits with
/// 128 + that signal instead: 143 or 129 (see [`after_signal`]).
pub const INTERRUPTED: u8 = 130;

/// The exit code of a command stopped by `signal` (SIGINT, SIGTERM or SIGHUP), once it has cleaned up: 128 + the
/// signal, as a shell reports a process the signal killed.
pub fn after_signal(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(INTERRUPTED)
}
