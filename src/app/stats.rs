//! The Statistics tab's model (`5`): the protocol hierarchy (`h`), the
//! endpoints (`e`) and the conversations (`c`) of the displayed packets,
//! per layer (`l`, ← →: Ethernet, IPv4, IPv6, TCP, UDP), sorted by a
//! column (`s`), and Enter turning the selected row into a display filter.
//!
//! The counting is `flow::stats::Tally`, the same as `read --stats`'s; the
//! TUI's stats job computes it a slice at a time off the key path
//! (`Effect::Stats` out, `Msg::StatsProgress` and `Msg::StatsDone` back)
//! over the packets the list shows when it starts. The model knows which
//! list (filter, picked flow, length) its figures are of, so it can say
//! when they are stale and start a new count.

use crate::flow::stats::{Addr, Conversation, End, Endpoint, HierRow, MAX_ROWS, StatLayer, Tally};

/// Which of the three views the tab shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatsView {
    #[default]
    Hierarchy,
    Endpoints,
    Conversations,
}

/// The column rows are sorted by (`s` cycles): most packets, most bytes,
/// or by address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Packets,
    Bytes,
    Address,
}

impl SortBy {
    pub fn next(self) -> SortBy {
        match self {
            SortBy::Packets => SortBy::Bytes,
            SortBy::Bytes => SortBy::Address,
            SortBy::Address => SortBy::Packets,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SortBy::Packets => "packets",
            SortBy::Bytes => "bytes",
            SortBy::Address => "address",
        }
    }
}

/// What a count is of: the display filter, the picked flow and how many
/// packets the list showed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Basis {
    pub filter: Option<String>,
    pub flow: Option<String>,
    pub shown: usize,
}

/// The Statistics tab.
#[derive(Debug, Default)]
pub struct StatsTab {
    pub view: StatsView,
    pub layer: StatLayer,
    pub sort: SortBy,
    /// The latest finished count, and what it is of.
    pub tally: Option<Box<Tally>>,
    pub basis: Option<Basis>,
    /// The count in progress: its job, what it is of, packets done of all.
    pub job: u64,
    pub running: Option<Basis>,
    pub progress: (usize, usize),
    /// Rows of the current view, in sorted order (indices into the table).
    pub order: Vec<usize>,
    pub cursor: usize,
    pub top: usize,
    pub height: usize,
}

impl StatsTab {
    /// Rows of the current view.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The hierarchy rows of the finished count.
    pub fn hierarchy(&self) -> Vec<HierRow> {
        self.tally
            .as_ref()
            .map(|t| t.hierarchy.rows())
            .unwrap_or_default()
    }

    /// The endpoints of the current layer, unsorted.
    pub fn endpoints(&self) -> &[Endpoint] {
        self.tally
            .as_ref()
            .map_or(&[], |t| &t.table(self.layer).endpoints[..])
    }

    /// The conversations of the current layer, unsorted.
    pub fn conversations(&self) -> &[Conversation] {
        self.tally
            .as_ref()
            .map_or(&[], |t| &t.table(self.layer).conversations[..])
    }

    /// Headers of the current layer not counted because its table was
    /// full.
    pub fn capped(&self) -> Option<u64> {
        let t = self.tally.as_ref()?.table(self.layer);
        (t.capped > 0).then_some(t.capped)
    }

    /// Rebuild the sorted order after the count, the view, the layer or
    /// the sort changed; the cursor goes back to the top.
    pub fn reorder(&mut self) {
        let mut order: Vec<usize>;
        match self.view {
            StatsView::Hierarchy => {
                // The tree's own order: a protocol under its parent.
                order = (0..self.hierarchy().len()).collect();
            }
            StatsView::Endpoints => {
                let rows = self.endpoints();
                order = (0..rows.len()).collect();
                let key = |e: &Endpoint| (e.total(), e.end);
                sort(&mut order, self.sort, |i| key(&rows[i]));
            }
            StatsView::Conversations => {
                let rows = self.conversations();
                order = (0..rows.len()).collect();
                let key = |c: &Conversation| (c.total(), c.a.min(c.b));
                sort(&mut order, self.sort, |i| key(&rows[i]));
            }
        }
        self.order = order;
        self.cursor = 0;
        self.top = 0;
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.order.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + self.height.max(1) {
            self.top = self.cursor + 1 - self.height.max(1);
        }
    }

    pub fn set_height(&mut self, height: usize) {
        self.height = height.max(1);
        self.move_by(0);
    }

    /// The display filter that shows the selected row's packets.
    pub fn row_filter(&self) -> Option<String> {
        let i = *self.order.get(self.cursor)?;
        match self.view {
            StatsView::Hierarchy => {
                let row = self.hierarchy().get(i).copied()?;
                // Undecoded bytes have no protocol to name.
                (row.proto != crate::decode::Proto::Unsupported)
                    .then(|| row.proto.key().to_string())
            }
            StatsView::Endpoints => Some(end_filter(self.layer, &self.endpoints().get(i)?.end)),
            StatsView::Conversations => {
                let c = self.conversations().get(i)?;
                Some(format!(
                    "{} && {}",
                    end_filter(self.layer, &c.a),
                    end_filter(self.layer, &c.b)
                ))
            }
        }
    }

    /// Tell the user what the rows are capped at, when they are.
    pub fn cap_note(&self) -> Option<String> {
        self.capped()
            .map(|n| format!("capped at {MAX_ROWS} rows: {n} packets not counted"))
    }
}

/// Sort descending by packets or bytes (ties by address), or ascending by
/// address; stable, so equal rows keep the order they were first seen in.
fn sort(order: &mut [usize], by: SortBy, key: impl Fn(usize) -> (crate::flow::stats::Count, End)) {
    match by {
        SortBy::Packets => order.sort_by_key(|&i| std::cmp::Reverse(key(i).0.packets)),
        SortBy::Bytes => order.sort_by_key(|&i| std::cmp::Reverse(key(i).0.bytes)),
        SortBy::Address => order.sort_by_key(|&i| key(i).1),
    }
}

/// The display filter for one end: `ip.addr == A`, and `&& tcp.port == P`
/// for TCP and UDP ends (Wireshark's "Apply as Filter" words).
pub fn end_filter(layer: StatLayer, end: &End) -> String {
    let addr = match end.addr {
        Addr::Mac(_) => format!("eth.addr == {}", end.addr),
        Addr::Ip(ip) if ip.is_ipv6() => format!("ipv6.addr == {}", end.addr),
        Addr::Ip(_) => format!("ip.addr == {}", end.addr),
    };
    match (layer, end.port) {
        (StatLayer::Tcp, Some(p)) => format!("{addr} && tcp.port == {p}"),
        (StatLayer::Udp, Some(p)) => format!("{addr} && udp.port == {p}"),
        _ => addr,
    }
}

/// The layer's name in the title bar.
pub fn layer_name(layer: StatLayer) -> &'static str {
    layer.proto().short()
}

impl super::App {
    /// What the list shows now, as a count's basis.
    fn stats_basis(&self) -> Basis {
        Basis {
            filter: self.view.display.as_ref().map(|a| a.text.clone()),
            flow: self.view.flow.as_ref().map(|f| f.text.clone()),
            shown: self.list.len(),
        }
    }

    /// Start a count when the figures are not of what the list shows (and
    /// no count of it is running); `force`: count again anyway (`r`).
    pub(super) fn stats_refresh(&mut self, force: bool) -> Option<super::Effect> {
        let basis = self.stats_basis();
        let current = self.stats.running.as_ref().or(self.stats.basis.as_ref());
        if !force && current == Some(&basis) {
            return None;
        }
        // A live list that only grew is counted again on `r` only, so a
        // busy capture does not restart the count with every batch.
        if !force
            && self.stats.running.is_none()
            && let Some(b) = &self.stats.basis
            && b.filter == basis.filter
            && b.flow == basis.flow
            && !self.counters.ended
        {
            return None;
        }
        self.stats.job += 1;
        self.stats.progress = (0, basis.shown);
        self.stats.running = Some(basis);
        Some(super::Effect::Stats {
            job: self.stats.job,
            frames: self.list.shown.clone(),
        })
    }

    pub(super) fn stats_progress(&mut self, job: u64, done: usize) {
        if job == self.stats.job && self.stats.running.is_some() {
            self.stats.progress.0 = done;
        }
    }

    pub(super) fn stats_done(&mut self, job: u64, tally: Box<Tally>) {
        if job != self.stats.job {
            return;
        }
        self.stats.basis = self.stats.running.take();
        self.stats.progress.0 = self.stats.progress.1;
        self.stats.tally = Some(tally);
        self.stats.reorder();
    }

    /// Keys on the Statistics tab.
    pub(super) fn stats_key(&mut self, key: super::Key) -> Option<super::Effect> {
        use super::Key;
        let s = &mut self.stats;
        let page = s.height.saturating_sub(1).max(1) as isize;
        match key {
            Key::Up | Key::Char('k') => s.move_by(-1),
            Key::Down | Key::Char('j') => s.move_by(1),
            Key::PageUp => s.move_by(-page),
            Key::PageDown | Key::Char(' ') => s.move_by(page),
            Key::Home | Key::Char('g') => s.move_by(isize::MIN),
            Key::End | Key::Char('G') => s.move_by(isize::MAX),
            Key::Char('h') => {
                s.view = StatsView::Hierarchy;
                s.reorder();
            }
            Key::Char('e') => {
                s.view = StatsView::Endpoints;
                s.reorder();
            }
            Key::Char('c') => {
                s.view = StatsView::Conversations;
                s.reorder();
            }
            Key::Char('l') | Key::Right | Key::Left if s.view != StatsView::Hierarchy => {
                s.layer = s.layer.cycle(key != Key::Left);
                s.reorder();
            }
            Key::Char('s') if s.view != StatsView::Hierarchy => {
                s.sort = s.sort.next();
                s.reorder();
            }
            Key::Char('r') => return self.stats_refresh(true),
            Key::Enter => {
                let Some(filter) = self.stats.row_filter() else {
                    self.notify(
                        "no row to filter on (undecoded bytes have no filter name)",
                        false,
                    );
                    return None;
                };
                self.filter_history.push(&filter);
                self.view.flow = None;
                self.apply_filter(&filter);
                self.tab = super::Tab::Packets;
                self.focus = super::Pane::List;
            }
            Key::Esc | Key::Backspace => self.tab = super::Tab::Packets,
            _ => return self.key(key),
        }
        None
    }
}
