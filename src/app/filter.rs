//! The seam where display filters and flow selection plug into the view.
//!
//! The TUI does not know any filter language: it holds a compiler (a closure
//! from text to a predicate) that the caller supplies, and at most two
//! tests at a time: the display filter typed after `/`, and the flow picked
//! in the Flows tab (a conversation of `FlowList`, matched by the frame's
//! place in the store, so it needs no decoding). A frame is shown when both
//! accept it. Without a
//! compiler, `/` says filters are not available in this build;
//! `display_compiler` is the real one, over `crate::filter`'s
//! Wireshark-style display filters.

use crate::decode::Dissection;
use crate::frame::FrameRecord;

/// A test over one decoded frame (a display filter, a flow, ...).
pub trait PacketFilter: Send {
    /// True when the frame should be shown.
    fn matches(&self, frame: &FrameRecord, d: &Dissection) -> bool;
}

impl<F> PacketFilter for F
where
    F: Fn(&FrameRecord, &Dissection) -> bool + Send,
{
    fn matches(&self, frame: &FrameRecord, d: &Dissection) -> bool {
        self(frame, d)
    }
}

/// Turns filter text into a predicate, or says what is wrong with it.
pub type FilterCompiler = Box<dyn Fn(&str) -> Result<Box<dyn PacketFilter>, String> + Send>;

/// The compiler for Wireshark-style display filters (`tcp.flags.syn == 1`).
/// Their predicates read fields, so frames must be decoded with
/// `Detail::Fields` before they are asked.
pub fn display_compiler() -> FilterCompiler {
    Box::new(|text: &str| {
        let filter = crate::filter::Filter::parse(None, Some(text))
            .map_err(|e| format!("{} (column {})", e.message, e.column + 1))?;
        let matches = move |frame: &FrameRecord, d: &Dissection| filter.matches(frame, d);
        Ok(Box::new(matches) as Box<dyn PacketFilter>)
    })
}

/// A predicate with the text it came from, for the status bar.
pub struct Active {
    pub text: String,
    pub filter: Box<dyn PacketFilter>,
}

impl std::fmt::Debug for Active {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Active").field("text", &self.text).finish()
    }
}

/// What decides which frames the list shows.
#[derive(Default)]
pub struct ViewFilter {
    pub compiler: Option<FilterCompiler>,
    /// The display filter from `/` or the command line.
    pub display: Option<Active>,
    /// The flow chosen in the Flows tab.
    pub flow: Option<FlowPick>,
}

/// A conversation picked in the Flows tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowPick {
    /// How the status bar names it.
    pub text: String,
    /// Its position in `FlowList::rows`.
    pub row: u32,
}

impl std::fmt::Debug for ViewFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewFilter")
            .field("compiler", &self.compiler.is_some())
            .field("display", &self.display)
            .field("flow", &self.flow)
            .finish()
    }
}

impl ViewFilter {
    /// True when every frame is shown, so nothing needs decoding to decide.
    pub fn passes_all(&self) -> bool {
        self.display.is_none() && self.flow.is_none()
    }

    /// True when the frame (decoded with `Detail::Fields`) passes the
    /// display filter. The flow is checked by the app, by store index.
    pub fn accepts(&self, frame: &FrameRecord, d: &Dissection) -> bool {
        self.display
            .as_ref()
            .is_none_or(|a| a.filter.matches(frame, d))
    }

    /// Compile `text` without applying it: the prompt's live validation.
    pub fn check(&self, text: &str) -> Result<(), String> {
        if text.trim().is_empty() {
            return Ok(());
        }
        match &self.compiler {
            Some(compile) => compile(text).map(|_| ()),
            None => Err("display filters are not available in this build".to_string()),
        }
    }

    /// Compile and install `text` as the display filter (empty clears it).
    /// On error the old filter stays.
    pub fn set_display(&mut self, text: &str) -> Result<(), String> {
        let text = text.trim();
        if text.is_empty() {
            self.display = None;
            return Ok(());
        }
        let Some(compile) = &self.compiler else {
            return Err("display filters are not available in this build".to_string());
        };
        let filter = compile(text)?;
        self.display = Some(Active {
            text: text.to_string(),
            filter,
        });
        Ok(())
    }
}

impl super::App {
    /// Rebuild the list after the filters changed; `display`: the display
    /// filter did, so the Flows tab's list is rebuilt too. A sort applies
    /// to the new rows too.
    pub(super) fn refilter(&mut self, display: bool) {
        if display {
            self.flows.restrict(self.view.display.is_some());
        }
        let mut shown = Vec::new();
        for i in self.store.first()..self.considered {
            if self.passes(i, display) {
                shown.push(i as u32);
            }
        }
        self.list.replace(shown);
        self.resort();
        self.sync_details();
    }
}
