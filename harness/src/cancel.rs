//! Cancellation: a [`Cancel`] token that a command hands down to everything that should stop early (the runner,
//! each strategy's pool, an A/B run, a bisection), and the stop signals — SIGINT (Ctrl-C), SIGTERM and SIGHUP —
//! wired to the command's token.
//!
//! The first stop signal cancels the token: workers stop, child processes are ended with their process groups,
//! temporary directories and the bisection's worktree are removed as their owners unwind, partial results are
//! written, and the process exits with 128 + that signal (130, 143, 129; see [`crate::exit`]). A second one also
//! kills every child process group at once ([`crate::child_group::kill_all`]), so that nothing waits for a child
//! to stop by itself, and the command still unwinds and cleans up before it exits. Only a third ends the process
//! at once, as the default action would.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};

/// Whether a stop was asked for; clones share one flag, so cancelling any clone cancels them all.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A token not cancelled yet.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Asks everything holding this token (or a clone) to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The token a stop signal cancels, once [`install_interrupt_handler`] has made it.
static INTERRUPTED: OnceLock<Cancel> = OnceLock::new();

/// The first stop signal received (0: none yet).
static FIRST_SIGNAL: AtomicI32 = AtomicI32::new(0);

/// Stop signals received so far.
static SIGNALS: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_stop_signal(signal: i32) {
    let _ = FIRST_SIGNAL.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    if let Some(token) = INTERRUPTED.get() {
        token.cancel();
    }
    if SIGNALS.fetch_add(1, Ordering::SeqCst) == 1 {
        crate::child_group::kill_all();
        // A third signal ends the process.
        crate::platform::default_stop_signals();
    }
}

/// Routes SIGINT, SIGTERM and SIGHUP to the token returned, which the command passes down; every call returns the
/// same token.
pub fn install_interrupt_handler() -> Cancel {
    let token = INTERRUPTED.get_or_init(Cancel::new).clone();
    if SIGNALS.load(Ordering::SeqCst) < 2 {
        // The handler only reads an initialised OnceLock, updates atomics and calls kill(2) and signal(2), all
        // async-signal-safe.
        crate::platform::catch_stop_signals(on_stop_signal);
    }
    token
}

/// The first stop signal this process received, if any: the command exits with 128 + it once it has cleaned up.
pub fn received_signal() -> Option<i32> {
    Some(FIRST_SIGNAL.load(Ordering::SeqCst)).filter(|&signal| signal != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelling_a_clone_cancels_the_token_and_no_other() {
        let (token, other) = (Cancel::new(), Cancel::new());
        let held = token.clone();
        assert!(!token.is_cancelled());
        held.cancel();
        assert!(token.is_cancelled() && held.is_cancelled());
        assert!(!other.is_cancelled(), "tokens are independent: no global flag");
    }
}
