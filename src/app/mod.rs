//! The TUI's model: every piece of state the screen shows, the one message
//! type that changes it, and `App::update`. No I/O, no terminal: frames,
//! keys and clock ticks arrive as `Msg`s, and anything that needs the
//! outside world (saving a file, quitting) goes back out as an `Effect`.
//!
//! May use `frame`, `decode`, `filter`, `flow`, `stream` (the reassembler
//! its first look at each frame decodes through) and `teach`; must not
//! import `tui`, ratatui, crossterm, pnet or pcap-file.

pub mod columns;
pub mod details;
pub mod echo_pairs;
pub mod filter;
pub mod flows;
pub mod follow;
pub mod graph;
pub mod list;
pub mod marks;
pub mod prompt;
pub mod reassembled;
pub mod replay;
pub mod save;
pub mod search;
pub mod sort;
pub mod stats;
pub mod store;
mod tcp_facts;
mod update;

use std::sync::Arc;

use crate::decode::{Detail, Dissection};
use crate::flow::FlowKey;
use crate::frame::{FrameRecord, Process};

pub use details::{DetailTree, TreeRow};
pub use filter::{FilterCompiler, FlowPick, PacketFilter, ViewFilter};
pub use flows::FlowList;
pub use follow::{FollowChunk, FollowView};
pub use list::PacketList;
pub use prompt::{History, Prompt, PromptFor};
pub use reassembled::Reassembled;
pub use replay::Replay;
pub use save::SaveScope;
pub use store::{FrameBytes, FrameStore, Indexed};

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Msg {
    /// A batch of frames handed over whole, kept in memory (the demo).
    Frames(Vec<FrameRecord>),
    /// Where the frames' bytes are read back from, before any `Indexed`.
    Backing(Box<dyn FrameBytes>),
    /// A batch of frames from the file or capture thread, whose bytes stay
    /// in the backing file.
    Indexed(Vec<Indexed>),
    /// File loading progress: bytes read so far of `total`.
    Progress { done: u64, total: u64 },
    /// The source has no more frames; `warning` says why it ended early.
    SourceEnded { warning: Option<String> },
    /// A followed file was read to its end and is watched for more;
    /// `pending`: the start and the bytes so far of a record not yet
    /// complete there.
    Watching { pending: Option<(u64, u64)> },
    /// The source failed; frames already received stay.
    SourceFailed(String),
    /// Drop counters: the kernel's, and frames wirepeek had no room for.
    Drops { kernel: u64, wirepeek: u64 },
    /// The local processes of conversations a live capture found
    /// (`capture::process`), each told once.
    Processes(Vec<(FlowKey, Arc<Process>)>),
    /// A key, click or wheel turn.
    Input(Input),
    /// The clock: nanoseconds since the app started.
    Tick(u64),
    /// How many rows each pane has on screen, from the last layout.
    Viewport {
        list: usize,
        details: usize,
        bytes: usize,
    },
    /// How many conversations the Flows tab has room for.
    FlowRows(usize),
    /// How many interval bins the Graphs tab's I/O plot has columns for.
    GraphWidth(usize),
    /// The Encapsulation tab's text: `lines` long, `height` of it on screen.
    Lesson { lines: usize, height: usize },
    /// A save finished.
    Saved { path: String, count: u64 },
    /// A save failed.
    SaveFailed(String),
    /// The save target exists: ask before replacing it.
    SaveExists { path: String, frames: Vec<u32> },
    /// Follow job `job` got this far (`done` of its frames) and delivered
    /// these pieces.
    Followed {
        job: u64,
        done: usize,
        chunks: Vec<FollowChunk>,
    },
    /// Follow job `job` has looked at every frame: its conversation's ends
    /// and what its pieces do not show.
    FollowEnded {
        job: u64,
        nodes: Option<[String; 2]>,
        notes: Vec<String>,
    },
    /// Stats job `job` has counted `done` of its packets.
    StatsProgress { job: u64, done: usize },
    /// Stats job `job` has counted every packet.
    StatsDone {
        job: u64,
        tally: Box<crate::flow::stats::Tally>,
    },
    /// The sort job's progress and its answer.
    Sort(sort::SortMsg),
}

/// User input, already translated from the terminal's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Key(Key),
    /// A click on `row` lines below the top of `pane`'s first data row.
    Click {
        pane: Pane,
        row: usize,
    },
    /// A wheel turn over `pane`.
    Wheel {
        pane: Pane,
        down: bool,
    },
}

/// Keys the app knows, independent of the terminal library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
}

/// The panes of the Packets tab, in `Tab` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    List,
    Details,
    Bytes,
}

/// The tabs along the top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Packets,
    /// The conversation table.
    Flows,
    /// The teaching view of the selected packet.
    Encapsulation,
    /// One conversation's byte stream (`F`).
    Follow,
    /// Protocol hierarchy, endpoints and conversations of the displayed
    /// packets.
    Statistics,
    /// The I/O graph and the TCP stream graph (`6`).
    Graphs,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Packets,
        Tab::Flows,
        Tab::Encapsulation,
        Tab::Follow,
        Tab::Statistics,
        Tab::Graphs,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Packets => "Packets",
            Tab::Flows => "Flows",
            Tab::Encapsulation => "Encapsulation",
            Tab::Follow => "Follow",
            Tab::Statistics => "Statistics",
            Tab::Graphs => "Graphs",
        }
    }
}

/// How the time column reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeMode {
    /// Seconds since the first frame.
    Relative,
    /// Local time of day.
    Absolute,
    /// Seconds since the previous packet shown.
    Delta,
}

/// Where the frames come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Live {
        interface: String,
    },
    File {
        path: String,
    },
    Replay {
        path: String,
    },
    /// Frames handed over whole (the demo's conversation).
    Memory {
        label: String,
    },
}

/// A message for the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub warn: bool,
    /// Tick time after which it is cleared.
    pub until: u64,
}

/// Something `update` asks the outside world to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Write these store indices to a capture file at `path` (pcapng when
    /// it ends in `.pcapng`); an existing file only when `replace`, and
    /// never the file being browsed.
    Save {
        path: String,
        frames: Vec<u32>,
        replace: bool,
    },
    /// Put this text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Start follow job `job` over these store indices (one conversation's
    /// frames, in order), replacing any job before it; `Msg::Followed`
    /// brings its pieces back.
    Follow {
        job: u64,
        frames: Vec<u32>,
    },
    /// Start stats job `job` counting these store indices (the displayed
    /// packets), replacing any job before it; `Msg::StatsProgress` and
    /// `Msg::StatsDone` bring its figures back.
    Stats {
        job: u64,
        frames: Vec<u32>,
    },
    Quit,
    /// Stop the process as a shell's Ctrl-Z would, giving the terminal
    /// back first; `fg` brings the TUI back as it was.
    Suspend,
}

/// Counters for the status bar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counters {
    pub kernel_dropped: u64,
    pub wirepeek_dropped: u64,
    /// Frames per second over the last second or so.
    pub rate: f64,
    /// File loading: bytes read and total.
    pub loading: Option<(u64, u64)>,
    /// The source has ended.
    pub ended: bool,
    /// The source failed with this message.
    pub failed: Option<String>,
    /// A followed file was read to its end: Some, with the record not yet
    /// complete there (start, bytes so far), if any.
    pub watching: Option<Option<(u64, u64)>>,
    rate_mark: (u64, usize),
}

/// Where the Encapsulation tab's text is scrolled to. The text itself is
/// drawn by the view, which reports its length (`Msg::Lesson`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LessonScroll {
    /// The first line shown.
    pub top: usize,
    /// Show the header diagrams (`d`) instead of the lesson.
    pub diagram: bool,
    pub lines: usize,
    pub height: usize,
}

impl LessonScroll {
    /// Move by `delta` lines, staying within the text.
    pub fn scroll(&mut self, delta: isize) {
        self.top = self.top.saturating_add_signed(delta);
        self.clamp();
    }

    fn clamp(&mut self) {
        self.top = self.top.min(self.lines.saturating_sub(self.height));
    }
}

/// The whole state of the TUI.
#[derive(Debug)]
pub struct App {
    pub source: SourceKind,
    /// The tcpdump expression frames had to match to arrive, if any.
    pub capture_filter: Option<String>,
    pub store: FrameStore,
    /// What reassembly decided for each frame on its first look; every
    /// later decode of a frame goes through it.
    pub reassembled: Reassembled,
    pub list: PacketList,
    pub details: DetailTree,
    pub view: ViewFilter,
    /// The conversations of the frames considered so far.
    pub flows: FlowList,
    /// The Encapsulation tab's scroll position and extent.
    pub lesson: LessonScroll,
    pub replay: Option<Replay>,
    /// Frames of the store the view has looked at; the rest wait (paused,
    /// or not yet released by the replay).
    pub considered: usize,
    pub paused: bool,
    pub focus: Pane,
    pub tab: Tab,
    pub time: TimeMode,
    pub help: bool,
    pub prompt: Option<Prompt>,
    /// Lines entered before at the filter, `:` and find prompts.
    pub filter_history: History,
    pub command_history: History,
    pub find_history: History,
    pub columns_history: History,
    /// The packet list's columns (`c`).
    pub columns: Vec<columns::Column>,
    /// Which packets `s` writes.
    pub save_scope: SaveScope,
    /// Marked frames (`m`), by store index.
    pub marks: std::collections::BTreeSet<u32>,
    /// The frame times are counted from (Ctrl-T), by store index.
    pub time_ref: Option<usize>,
    /// The last search (Ctrl-F), for `n`/`N`, and the kind the next is.
    pub find: Option<search::Find>,
    pub find_kind: search::FindKind,
    /// The search under way, worked on between events.
    pub search: Option<search::Search>,
    /// The Follow tab's stream (`F`), and the number of the latest job.
    pub follow: Option<FollowView>,
    follow_jobs: u64,
    /// The Statistics tab (`5`).
    pub stats: stats::StatsTab,
    /// The Graphs tab (`6`).
    pub graph: graph::Graphs,
    /// The packet list's sort (`o`, `O`).
    pub sort: sort::Sorting,
    /// What a confirmed replace saves.
    pending_save: Option<Vec<u32>>,
    pub notice: Option<Notice>,
    pub counters: Counters,
    /// The hex pane's first row when the user has scrolled it; None keeps
    /// the selected layer or field in view.
    pub hex_scroll: Option<usize>,
    pub hex_rows: usize,
    /// The latest tick time.
    pub now: u64,
    pub quit: bool,
    scratch: FrameRecord,
    scratch_d: Dissection,
}

impl App {
    /// A fresh app for this source. Live captures and replays follow new
    /// packets; a file opens at its first packet.
    pub fn new(source: SourceKind, replay_speed: Option<f64>) -> App {
        let follow = !matches!(source, SourceKind::File { .. } | SourceKind::Memory { .. });
        App {
            replay: match source {
                SourceKind::Replay { .. } => Some(Replay::new(replay_speed.unwrap_or(1.0))),
                _ => None,
            },
            source,
            capture_filter: None,
            store: FrameStore::default(),
            reassembled: Reassembled::default(),
            list: PacketList::new(follow),
            details: DetailTree::default(),
            view: ViewFilter::default(),
            flows: FlowList::default(),
            lesson: LessonScroll::default(),
            considered: 0,
            paused: false,
            focus: Pane::List,
            tab: Tab::Packets,
            time: TimeMode::Relative,
            help: false,
            prompt: None,
            filter_history: History::default(),
            command_history: History::default(),
            find_history: History::default(),
            columns_history: History::default(),
            columns: columns::Column::defaults(),
            save_scope: SaveScope::default(),
            marks: Default::default(),
            time_ref: None,
            find: None,
            find_kind: search::FindKind::default(),
            search: None,
            follow: None,
            follow_jobs: 0,
            stats: stats::StatsTab::default(),
            graph: graph::Graphs::default(),
            sort: sort::Sorting::default(),
            pending_save: None,
            notice: None,
            counters: Counters::default(),
            hex_scroll: None,
            hex_rows: 1,
            now: 0,
            quit: false,
            scratch: store::empty_frame(),
            scratch_d: Dissection::default(),
        }
    }

    /// Frames the view may show now: all received, or those the replay
    /// has released.
    pub fn available(&self) -> usize {
        match &self.replay {
            Some(r) => r.released.min(self.store.len()),
            None => self.store.len(),
        }
    }

    /// Frames received but not yet looked at by the paused view.
    pub fn waiting(&self) -> usize {
        self.available().saturating_sub(self.considered)
    }

    /// Set a status-bar message for a few seconds.
    pub fn notify(&mut self, text: impl Into<String>, warn: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            warn,
            until: self.now + 5_000_000_000,
        });
    }

    /// Keep at most `max` frames (`--max-packets`), dropping the oldest.
    /// Call before any frame arrives.
    pub fn set_max_packets(&mut self, max: Option<usize>) {
        self.store = FrameStore::with_limit(max);
    }

    /// Frames that aged out of a limited store.
    pub fn aged_out(&self) -> usize {
        self.store.first()
    }

    /// Forget frames that aged out of the store: their rows, their flow
    /// membership, and any claim the view or replay had on them.
    fn age_out(&mut self) {
        let first = self.store.first();
        if first == 0 {
            return;
        }
        self.list.drop_before(first as u32);
        self.flows.forget_before(first);
        self.reassembled.forget_before(first);
        if let Some(r) = &mut self.replay {
            r.released = r.released.max(first);
        }
        self.considered = self.considered.max(first);
        self.sync_details();
    }

    /// Bring the view up to date with the available frames, unless paused.
    fn ingest(&mut self) {
        self.age_out();
        let available = self.available();
        if available < self.considered {
            // A replay stepped back.
            self.list.truncate_from(available as u32);
            self.considered = available;
        }
        if self.paused {
            return;
        }
        if self.view.display.is_some() != self.flows.restricted() {
            // A filter set before any frame (`-Y`).
            self.flows.restrict(self.view.display.is_some());
        }
        while self.considered < available {
            let i = self.considered;
            let pass = if i == self.flows.ingested() {
                self.first_look(i)
            } else {
                // Seen before a replay stepped back: its flow is known.
                self.passes(i, true)
            };
            if pass {
                self.list.push(i as u32);
            }
            self.considered += 1;
        }
        self.sync_details();
    }

    /// Decode frame `i` once for the flow table (with every field when a
    /// display filter needs them too) and say whether it passes the view.
    fn first_look(&mut self, i: usize) -> bool {
        if !self.store.load_into(i, &mut self.scratch) {
            self.flows.skip();
            return false;
        }
        let detail = if self.view.display.is_some() {
            Detail::Fields
        } else {
            Detail::Layers
        };
        let at = self.store.file_offset(i);
        let refused =
            self.reassembled
                .first_look(i, at, &self.scratch, detail, &mut self.scratch_d);
        if refused {
            self.notify(
                format!(
                    "reassembly keeps at most {} MiB: later reassembled PDUs and datagrams decode alone",
                    reassembled::KEPT_BYTES_BUDGET >> 20
                ),
                true,
            );
        }
        self.flows.ingest(&self.scratch, &self.scratch_d);
        self.display_pass(i, true) && self.in_picked_flow(i)
    }

    /// True when frame `i` belongs to the picked flow, or none is picked.
    fn in_picked_flow(&self, i: usize) -> bool {
        self.view
            .flow
            .as_ref()
            .is_none_or(|pick| self.flows.row_of(i) == Some(pick.row))
    }

    /// True when frame `i` passes the display filter (`decoded`: it is in
    /// the scratch dissection with every field). A frame that passes lists
    /// its conversation on the Flows tab.
    fn display_pass(&mut self, i: usize, decoded: bool) -> bool {
        if self.view.display.is_none() {
            return true;
        }
        if !decoded {
            if !self.store.load_into(i, &mut self.scratch) {
                return false;
            }
            self.reassembled
                .decode(i, &self.scratch, Detail::Fields, &mut self.scratch_d);
        }
        // The conversation's index, as the pipeline gives it, so that
        // `tcp.stream == N` means what it means in `read -Y`.
        if let Some(f) = self
            .flows
            .row_of(i)
            .and_then(|r| self.flows.rows.get(r as usize))
        {
            crate::flow::push_stream(&mut self.scratch_d, f.key.proto, f.stream);
        }
        let pass = self.view.accepts(&self.scratch, &self.scratch_d);
        if pass {
            self.flows.shows(i);
        }
        pass
    }

    /// True when frame `i` (already seen by the flow table) passes the
    /// view's filters. `flows`: the display filter changed, so every frame
    /// is decoded, even outside the picked flow, for the Flows tab.
    fn passes(&mut self, i: usize, flows: bool) -> bool {
        if self.view.display.is_none() || !(flows || self.in_picked_flow(i)) {
            return self.in_picked_flow(i);
        }
        self.display_pass(i, false) && self.in_picked_flow(i)
    }

    /// Decode the selected frame for the details pane if it changed.
    fn sync_details(&mut self) {
        let before = self.details.frame_index;
        self.details
            .show(&self.store, &self.reassembled, self.list.selected_frame());
        if before != self.details.frame_index {
            self.hex_scroll = None;
        }
    }
}

#[cfg(test)]
mod tests;
