//! The terminal is restored however the TUI ends: the guard's Drop runs
//! during a panic's unwinding, and the panic hook restores before the
//! message prints. Tested with counting restore functions, no terminal.

use std::sync::atomic::{AtomicUsize, Ordering};

use wirepeek::tui::terminal::{TerminalGuard, install_panic_hook};

static HOOK_RESTORES: AtomicUsize = AtomicUsize::new(0);
static GUARD_RESTORES: AtomicUsize = AtomicUsize::new(0);

fn count_hook() {
    HOOK_RESTORES.fetch_add(1, Ordering::SeqCst);
}

fn count_guard() {
    GUARD_RESTORES.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_panic_runs_the_restore_hook_before_the_default_report() {
    install_panic_hook(count_hook);
    let before = HOOK_RESTORES.load(Ordering::SeqCst);
    let result = std::panic::catch_unwind(|| panic!("boom inside the TUI"));
    assert!(result.is_err());
    assert!(HOOK_RESTORES.load(Ordering::SeqCst) > before);
    assert!(
        wirepeek::tui::terminal::panicked(),
        "the loop can see a panic in another thread"
    );
}

#[test]
fn the_guard_restores_when_a_panic_unwinds_through_it() {
    let before = GUARD_RESTORES.load(Ordering::SeqCst);
    let result = std::panic::catch_unwind(|| {
        let _guard = TerminalGuard::with_restore(count_guard);
        panic!("boom while the terminal is in raw mode");
    });
    assert!(result.is_err());
    assert_eq!(GUARD_RESTORES.load(Ordering::SeqCst), before + 1);
}

#[test]
fn the_guard_restores_on_an_ordinary_return_too() {
    static PLAIN: AtomicUsize = AtomicUsize::new(0);
    fn count() {
        PLAIN.fetch_add(1, Ordering::SeqCst);
    }
    {
        let _guard = TerminalGuard::with_restore(count);
        assert_eq!(PLAIN.load(Ordering::SeqCst), 0, "not before the scope ends");
    }
    assert_eq!(PLAIN.load(Ordering::SeqCst), 1);
}
