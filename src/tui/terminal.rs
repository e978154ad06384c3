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

/// Put `text` on the terminal's clipboard with OSC 52, which terminals
/// (and tmux with `set-clipboard on`) honour over SSH too.
pub fn copy(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    write!(out, "\x1b]52;c;{}\x07", base64(text.as_bytes()))?;
    out.flush()
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[cfg(test)]
mod base64_tests {
    #[test]
    fn base64_matches_the_rfc_4648_test_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in cases {
            assert_eq!(super::base64(plain.as_bytes()), coded, "{plain}");
        }
    }
}
