//! Ctrl-C: the first interrupt asks the run to stop (workers stopped, partial results written); a second one
//! ends the process at once, as usual.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

extern "C" fn on_interrupt(_signal: libc::c_int) {
    REQUESTED.store(true, Ordering::Relaxed);
    // SAFETY: restoring the default disposition is async-signal-safe; a second Ctrl-C then ends the process.
    unsafe { libc::signal(libc::SIGINT, libc::SIG_DFL) };
}

/// Routes SIGINT to a stop request, which [`requested`] then reports.
pub fn install_interrupt_handler() {
    // SAFETY: the handler only stores to an atomic and calls signal(2), both async-signal-safe.
    unsafe { libc::signal(libc::SIGINT, on_interrupt as *const () as libc::sighandler_t) };
}
