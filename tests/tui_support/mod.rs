//! What the TUI's tmux tests share: a private tmux server running the
//! TUI at a fixed size, keys sent to it and its screen read back.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use super::common;

/// A private tmux server, killed when the test ends however it ends.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A private server with one `cols`×`rows` session named `tui` running
    /// `command`; `None` (saying why) when tmux is not installed.
    pub fn start(name: &str, (cols, rows): (u16, u16), command: &[&str]) -> Option<Tmux> {
        if !have_tmux() {
            common::skip("tmux is not installed (apt-get install tmux)");
            return None;
        }
        let tmux = Tmux {
            socket: format!("wirepeek-{name}-{}", std::process::id()),
        };
        let (cols, rows) = (cols.to_string(), rows.to_string());
        let mut args = vec!["new-session", "-d", "-s", "tui", "-x", &cols, "-y", &rows];
        args.extend_from_slice(command);
        let started = tmux.run(&args);
        assert!(started.status.success(), "{started:?}");
        Some(tmux)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env("LANG", "C.UTF-8")
            .output()
            .expect("tmux runs")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "tui"]).stdout).into_owned()
    }

    pub fn format(&self, f: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "tui", f]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Wait until the screen contains `text`; the screen on timeout.
    pub fn wait_for(&self, text: &str) -> Result<String, String> {
        self.wait_until(|s| s.contains(text))
    }

    /// Wait until `ready` accepts the screen; the screen on timeout.
    pub fn wait_until(&self, ready: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return Ok(screen);
            }
            if Instant::now() > deadline {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

pub fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}
