//! Stop requests for a running capture: SIGINT and SIGTERM set a flag the
//! capture loop checks on every frame and idle tick, and SIGPIPE is turned
//! into an ordinary write error.
//!
//! Owns process signal dispositions and nothing else; the handler only
//! stores to an atomic, which is async-signal-safe. Must not import decoding
//! or output code.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

static STOP_REQUESTED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

extern "C" fn request_stop(_signal: libc::c_int) {
    STOP_REQUESTED.store(true, Ordering::SeqCst);
}

/// Installs SIGINT/SIGTERM handlers (once) and returns the flag they set.
///
/// Handlers run without SA_RESTART so a blocked `poll` returns at once with
/// EINTR, and with SA_RESETHAND so a second Ctrl-C ends a stuck process.
pub fn install_stop_handlers() -> &'static AtomicBool {
    INSTALL.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: sigaction is plain data and all-zero is valid (empty
            // mask, no flags); the handler only stores to a static atomic,
            // which is async-signal-safe. sigaction can fail only for an
            // invalid signal number, which these are not.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = request_stop as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_RESETHAND;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
    &STOP_REQUESTED
}

/// Ignores SIGPIPE so that writing to a closed pipe (`wirepeek -w - | head`)
/// fails with EPIPE, which `save::is_broken_pipe` recognises, instead of
/// killing the process before it can report capture statistics. Rust
/// programs start this way already; calling it states the dependency.
pub fn ignore_sigpipe() {
    // SAFETY: SIG_IGN is a valid disposition for SIGPIPE; no handler runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigterm_sets_the_stop_flag() {
        let flag = install_stop_handlers();
        // SAFETY: raising a signal whose handler we just installed.
        unsafe {
            libc::raise(libc::SIGTERM);
        }
        assert!(flag.load(Ordering::SeqCst));
    }
}
