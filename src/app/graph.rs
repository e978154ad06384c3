//! The Graphs tab (`6`): the I/O graph (`i`, packets or bytes per second
//! over the capture, `io`) and the TCP stream graph of one conversation
//! (`t`, sequence numbers against time, `tcp`). Both are counted a slice
//! at a time by `App::graph_work`, which the TUI's loop calls between
//! events while `graph_pending` says there is work, so keys never wait.

pub mod io;
pub mod tcp;

use super::{App, Effect, Key, Tab};
pub use io::IoGraph;
pub use tcp::TcpGraph;

/// Which graph the tab shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GraphView {
    #[default]
    Io,
    Tcp,
}

/// The Graphs tab's state.
#[derive(Debug, Default)]
pub struct Graphs {
    pub view: GraphView,
    pub io: IoGraph,
    /// The stream graph, once a TCP conversation was asked for.
    pub tcp: Option<TcpGraph>,
    /// The conversation (Flows row) the stream graph is to show: the
    /// selected packet's, or the Flows tab's selected row when `6` was
    /// pressed there.
    pub want: Option<u32>,
}

impl App {
    /// `6`: the Graphs tab, the stream graph aimed at the selection.
    pub(super) fn open_graphs(&mut self) {
        self.graph.want = match self.tab {
            Tab::Flows => self.flows.selected_row(),
            _ => self
                .list
                .selected_frame()
                .and_then(|i| self.flows.row_of(i)),
        };
        self.tab = Tab::Graphs;
        if self.graph.view == GraphView::Tcp {
            self.aim_tcp_graph();
        }
    }

    /// Start the stream graph of the wanted conversation unless it is the
    /// one shown; say why when there is none.
    fn aim_tcp_graph(&mut self) {
        let Some(row) = self.graph.want else {
            self.notify(
                "t graphs a TCP conversation: select one of its packets (or a Flows row), then 6",
                true,
            );
            return;
        };
        if self.graph.tcp.as_ref().is_some_and(|g| g.row == row) {
            return;
        }
        let Some(state) = self.flows.rows.get(row as usize) else {
            return;
        };
        if state.key.proto != crate::flow::TCP {
            self.notify("t graphs TCP conversations only", true);
            return;
        }
        let title = format!("tcp stream {} ({})", state.stream, self.flows.label(row));
        self.graph.tcp = Some(TcpGraph::new(row, title, self.store.first()));
    }

    /// Keys on the Graphs tab.
    pub(super) fn graph_key(&mut self, key: Key) -> Option<Effect> {
        let g = &mut self.graph;
        match (g.view, key) {
            (_, Key::Char('i')) => {
                g.view = GraphView::Io;
                g.io.auto = true;
            }
            (_, Key::Char('t')) => {
                g.view = GraphView::Tcp;
                self.aim_tcp_graph();
            }
            (GraphView::Io, Key::Char('b')) => g.io.bytes = !g.io.bytes,
            (GraphView::Io, Key::Char('+') | Key::Char('=')) => self.change_interval(true),
            (GraphView::Io, Key::Char('-')) => self.change_interval(false),
            (GraphView::Io, Key::Left | Key::Char('h')) => {
                g.io.scroll = g.io.scroll.saturating_sub((g.io.width / 4).max(1));
            }
            (GraphView::Io, Key::Right | Key::Char('l')) => {
                let last = g.io.bins.len().saturating_sub(g.io.width);
                g.io.scroll = (g.io.scroll + (g.io.width / 4).max(1)).min(last);
            }
            (GraphView::Io, Key::Home) => g.io.scroll = 0,
            (GraphView::Io, Key::End) => {
                g.io.scroll = g.io.bins.len().saturating_sub(g.io.width);
            }
            (GraphView::Tcp, Key::Char('d')) => {
                if let Some(t) = &mut g.tcp {
                    t.chosen = Some(1 - t.dir());
                }
            }
            (_, Key::Esc | Key::Backspace) => self.tab = Tab::Packets,
            _ => return self.key(key),
        }
        None
    }

    /// `+` (longer) or `-` (shorter): the next interval, unless a shorter
    /// one would need more than `MAX_BINS` bins.
    fn change_interval(&mut self, longer: bool) {
        let io = &mut self.graph.io;
        let to = if longer {
            (io.step + 1).min(io::STEPS.len() - 1)
        } else {
            io.step.saturating_sub(1)
        };
        let span = self.span_ns();
        let needed = IoGraph::needed(span, to);
        if needed > io::MAX_BINS as u64 {
            self.notify(
                format!(
                    "a {} interval needs {needed} bins; the graph keeps at most {}",
                    io::step_name(io::STEPS[to]),
                    io::MAX_BINS
                ),
                true,
            );
            return;
        }
        let io = &mut self.graph.io;
        io.step = to;
        io.auto = false;
    }

    /// From the first frame's time to the newest frame's.
    pub fn span_ns(&self) -> i128 {
        let last = self.available().checked_sub(1);
        match (self.store.first_ts(), last.and_then(|i| self.store.ts(i))) {
            (Some(zero), Some(ts)) => io::rel_ns(ts, zero).max(0),
            _ => 0,
        }
    }

    /// The plot has room for `bins` columns.
    pub(super) fn graph_width(&mut self, bins: usize) {
        self.graph.io.width = bins.max(1);
    }

    /// What the I/O count is over now; a change restarts it.
    fn io_basis(&self) -> io::Basis {
        io::Basis {
            filter: self.view.display.as_ref().map(|a| a.text.clone()),
            flow: self.view.flow.as_ref().map(|f| f.row),
            first: self.store.first(),
            step: self.graph.io.step_ns(),
        }
    }

    /// True while the shown graph has frames left to count.
    pub fn graph_pending(&self) -> bool {
        if self.tab != Tab::Graphs {
            return false;
        }
        match self.graph.view {
            GraphView::Io => {
                let io = &self.graph.io;
                io.done < self.list.shown.len()
                    || io.basis != self.io_basis()
                    || (io.auto && io.step != io.fitting(self.span_ns()))
            }
            GraphView::Tcp => self
                .graph
                .tcp
                .as_ref()
                .is_some_and(|t| t.next() < self.flows.ingested()),
        }
    }

    /// Count up to `units` more frames of the shown graph; true while some
    /// are left (call again after looking at the events).
    pub fn graph_work(&mut self, units: usize) -> bool {
        match self.graph.view {
            GraphView::Io => {
                if self.graph.io.auto {
                    let fit = self.graph.io.fitting(self.span_ns());
                    self.graph.io.step = fit;
                }
                let basis = self.io_basis();
                let io = &mut self.graph.io;
                if io.basis != basis || io.done > self.list.shown.len() {
                    io.restart(basis);
                }
                io.work(&self.store, &self.list.shown, units)
            }
            GraphView::Tcp => match &mut self.graph.tcp {
                Some(t) => t.work(&self.store, &self.flows, units),
                None => false,
            },
        }
    }

    /// Run the shown graph's count to the end (tests).
    pub fn graph_finish(&mut self) {
        while self.graph_pending() && self.graph_work(1 << 16) {}
    }
}
