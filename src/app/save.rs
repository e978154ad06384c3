//! `s`: which packets to save (Tab in the prompt: displayed, all or
//! marked), where, and asking before an existing file is replaced. The
//! writing itself, and the refusal to write over the file being browsed,
//! is the TUI's (`tui::save`): the model opens no file.

use super::{App, Effect, Key, Prompt, PromptFor};

/// The file name `s` offers.
pub const DEFAULT_SAVE_PATH: &str = "wirepeek-saved.pcap";

/// Which packets `s` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SaveScope {
    /// The packets the list shows (display filter, picked flow).
    #[default]
    Displayed,
    /// Every packet held.
    All,
    /// The marked packets (`m`).
    Marked,
}

impl SaveScope {
    /// The next scope, for Tab.
    pub fn next(self) -> SaveScope {
        match self {
            SaveScope::Displayed => SaveScope::All,
            SaveScope::All => SaveScope::Marked,
            SaveScope::Marked => SaveScope::Displayed,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SaveScope::Displayed => "displayed",
            SaveScope::All => "all",
            SaveScope::Marked => "marked",
        }
    }
}

/// The format a save path asks for.
pub fn format_of(path: &str) -> &'static str {
    if path.ends_with(".pcapng") {
        "pcapng"
    } else {
        "pcap"
    }
}

impl App {
    /// The store indices the current scope saves, in order.
    pub fn save_frames(&self) -> Vec<u32> {
        match self.save_scope {
            SaveScope::Displayed => self.list.shown.clone(),
            SaveScope::All => (self.store.first()..self.considered)
                .map(|i| i as u32)
                .collect(),
            SaveScope::Marked => self
                .marks
                .iter()
                .copied()
                .filter(|&i| i as usize >= self.store.first())
                .collect(),
        }
    }

    pub(super) fn open_save(&mut self) {
        self.prompt = Some(Prompt::new(
            PromptFor::SavePath,
            DEFAULT_SAVE_PATH.to_string(),
        ));
    }

    pub(super) fn submit_save(&mut self, text: &str) -> Option<Effect> {
        let path = text.trim().to_string();
        if path.is_empty() {
            self.notify("nothing saved: no file name given", true);
            return None;
        }
        let frames = self.save_frames();
        if frames.is_empty() {
            let scope = self.save_scope.name();
            self.notify(format!("nothing saved: no {scope} packets"), true);
            return None;
        }
        Some(Effect::Save {
            path,
            frames,
            replace: false,
        })
    }

    /// The target exists: ask, keeping what would be written.
    pub(super) fn ask_replace(&mut self, path: String, frames: Vec<u32>) {
        self.pending_save = Some(frames);
        self.prompt = Some(Prompt::new(PromptFor::Replace, path));
    }

    /// The answer to "replace it?": `y` saves, anything else does not.
    pub(super) fn replace_key(&mut self, key: Key) -> Option<Effect> {
        let prompt = self.prompt.take()?;
        let frames = self.pending_save.take()?;
        if matches!(key, Key::Char('y') | Key::Char('Y')) {
            return Some(Effect::Save {
                path: prompt.text,
                frames,
                replace: true,
            });
        }
        self.notify(format!("nothing saved: {} kept", prompt.text), false);
        None
    }
}
