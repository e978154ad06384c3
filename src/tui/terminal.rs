//! Putting the terminal into TUI mode and always taking it out again: on
//! return, on early error, and on panic (the hook restores before the
//! panic message prints, so the message is readable).

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};

/// Restores the terminal when dropped, however the scope is left.
pub struct TerminalGuard {
    restore: fn(),
}

impl TerminalGuard {
    /// Enter raw mode, the alternate screen and mouse capture. If any step
    /// fails, what was done is undone before the error returns.
    pub fn enter() -> std::io::Result<TerminalGuard> {
        install_panic_hook(restore_terminal);
        enable_raw_mode()?;
        let guard = TerminalGuard::with_restore(restore_terminal);
        execute!(
            std::io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            cursor::Hide
        )?;
        Ok(guard)
    }

    /// A guard that runs `restore` when dropped.
    pub fn with_restore(restore: fn()) -> TerminalGuard {
        TerminalGuard { restore }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        (self.restore)();
    }
}

/// Leave the alternate screen, show the cursor, stop mouse capture and
/// leave raw mode. Safe to call more than once.
pub fn restore_terminal() {
    let mut out = std::io::stdout();
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Give the terminal back and stop the process, as Ctrl-Z does outside raw
/// mode (raw mode turns the key into a plain key press, so the TUI sends
/// the stop signal itself); once `fg` continues it, take the terminal again.
/// The caller repaints the whole screen.
pub fn suspend() -> std::io::Result<()> {
    restore_terminal();
    // SAFETY: raise has no memory preconditions. SIGTSTP keeps its default
    // action (stop) in wirepeek; where job control does not apply (an
    // orphaned process group) the kernel discards it and raise returns.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enable_raw_mode()?;
    execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        cursor::Hide
    )
}

static HOOK: Once = Once::new();
static PANICKED: AtomicBool = AtomicBool::new(false);

/// True once any thread has panicked since the hook was installed: the loop
/// must stop drawing on a terminal that has been restored under it.
pub fn panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

/// Run `restore` before the default panic message (once per process).
pub fn install_panic_hook(restore: fn()) {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.store(true, Ordering::SeqCst);
            restore();
            previous(info);
        }));
    });
}
