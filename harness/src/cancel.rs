//! Cancellation: a [`Cancel`] token that a command hands down to everything that should stop early (the runner,
//! each strategy's pool, an A/B run, a bisection), and Ctrl-C wired to the command's token. The first interrupt
//! cancels it (workers stopped, partial results written); a second one ends the process at once, as usual.

use std::sync::atomic::{AtomicBool, Ordering};
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

/// The token SIGINT cancels, once [`install_interrupt_handler`] has made it.
static INTERRUPTED: OnceLock<Cancel> = OnceLock::new();

extern "C" fn on_interrupt(_signal: libc::c_int) {
    if let Some(token) = INTERRUPTED.get() {
        token.cancel();
    }
    // SAFETY: restoring the default disposition is async-signal-safe; a second Ctrl-C then ends the process.
    unsafe { libc::signal(libc::SIGINT, libc::SIG_DFL) };
}

/// Routes SIGINT to the token returned, which the command passes down; every call returns the same token.
pub fn install_interrupt_handler() -> Cancel {
    let token = INTERRUPTED.get_or_init(Cancel::new).clone();
    // SAFETY: the handler only reads an initialised OnceLock, stores to an atomic and calls signal(2), all
    // async-signal-safe.
    unsafe { libc::signal(libc::SIGINT, on_interrupt as *const () as libc::sighandler_t) };
    token
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
