//! SIGINT/SIGTERM handling for the foreground server: the handlers only set
//! a flag, which the command loop polls, so shutdown runs in normal code.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

static SHUTDOWN_REQUESTED: AtomicBool = AtomicBool::new(false);

extern "C" fn note_shutdown_request(_signal: libc::c_int) {
    // Only an atomic store: anything more is not async-signal-safe.
    SHUTDOWN_REQUESTED.store(true, Ordering::SeqCst);
}

/// Installs SIGINT and SIGTERM handlers that set a flag, and returns it.
pub(crate) fn install_shutdown_handlers() -> io::Result<&'static AtomicBool> {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: sigaction is plain data; zeroed is a valid starting point,
        // and the handler only touches an atomic.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = note_shutdown_request as *const () as libc::sighandler_t;
            // SA_RESTART keeps blocking calls in worker threads from failing with EINTR.
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    Ok(&SHUTDOWN_REQUESTED)
}
