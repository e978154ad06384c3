//! The Follow tab: the follow job that turns one conversation's frames
//! into pieces with the `follow` command's engine (`pipeline::follow`,
//! which runs `stream::TcpStream`), a slice at a time between events so a
//! key never waits long, and the tab's drawing: node 0's bytes in one
//! colour, node 1's in another, only the visible lines handed to ratatui.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::app::store::empty_frame;
use crate::app::{App, FollowChunk, Msg};
use crate::decode::{Detail, Dissection};
use crate::flow::{FlowConfig, FlowTable, Packet};
use crate::frame::FrameRecord;
use crate::pipeline::follow::Followed;
use crate::pipeline::{Reassembler, Reassembly, decode_frame};

use super::{pane_title, slice, theme};

/// Node 0's (usually the client's) colour and node 1's, as Wireshark's
/// red and blue.
const SIDE: [Style; 2] = [
    Style::new().fg(Color::LightRed),
    Style::new().fg(Color::LightBlue),
];

/// A follow in progress: the conversation's store indices and how far it
/// got.
pub struct Job {
    pub id: u64,
    frames: Vec<u32>,
    next: usize,
    engine: Followed,
    flows: FlowTable,
    reassembler: Reassembler,
    frame: FrameRecord,
    d: Dissection,
}

impl Job {
    pub fn new(id: u64, frames: Vec<u32>) -> Job {
        Job {
            id,
            frames,
            next: 0,
            engine: Followed::default(),
            flows: FlowTable::new(FlowConfig::default()),
            // IP fragments are reassembled, as `wirepeek follow` does.
            reassembler: Reassembler::new(Reassembly::default()),
            frame: empty_frame(),
            d: Dissection::default(),
        }
    }

    /// Work for up to `budget`, hand the pieces to the app, and say whether
    /// the job is finished (or no longer wanted).
    pub fn step(&mut self, app: &mut App, budget: Duration) -> bool {
        if app.follow.as_ref().is_none_or(|v| v.job != self.id) {
            return true;
        }
        let mut chunks = Vec::new();
        let n = self.frames.len();
        let mut next = self.next;
        slice::run(&mut next, n, budget, 64, |k| {
            if app
                .store
                .load_into(self.frames[k] as usize, &mut self.frame)
            {
                self.packet(&mut chunks);
            }
        });
        self.next = next;
        app.update(Msg::Followed {
            job: self.id,
            done: self.next,
            chunks,
        });
        if self.next < self.frames.len() {
            return false;
        }
        let nodes = self
            .engine
            .nodes
            .map(|n| n.map(|(addr, port)| endpoint(addr, port)));
        app.update(Msg::FollowEnded {
            job: self.id,
            nodes,
            notes: self.engine.notes(),
        });
        true
    }

    /// Run every frame now (tests).
    pub fn run(&mut self, app: &mut App) {
        while !self.step(app, Duration::from_secs(3600)) {}
    }

    fn packet(&mut self, chunks: &mut Vec<FollowChunk>) {
        decode_frame(
            &self.frame,
            Detail::Layers,
            &mut self.d,
            &mut self.reassembler,
        );
        let p = Packet::from_dissection(&self.frame, &self.d);
        let Some(info) = self.flows.ingest_packet(&self.frame, p.as_ref()) else {
            return;
        };
        let Some(p) = p else { return };
        self.engine.packet(
            &self.frame,
            &self.d,
            &p,
            (info.rel_seq, info.rel_ack),
            &mut |piece| {
                chunks.push(FollowChunk {
                    side: piece.side.min(1) as u8,
                    frame: piece.frame,
                    bytes: piece.bytes.to_vec(),
                    missing: piece.missing,
                })
            },
        );
    }
}

fn endpoint(addr: std::net::IpAddr, port: u16) -> String {
    if addr.is_ipv6() {
        format!("[{addr}]:{port}")
    } else {
        format!("{addr}:{port}")
    }
}

/// Draw the Follow tab.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(v) = &app.follow else {
        let block = Block::new().title(pane_title(" Follow ".into(), true));
        let inner = block.inner(area);
        block.render(area, buf);
        Paragraph::new("F on a TCP or UDP packet (or a Flows row) follows its stream here.")
            .style(theme::HINT)
            .render(inner, buf);
        return;
    };
    let title = format!(
        " Follow {} · {} · {} · x hex/ASCII  d sides  / find  Enter go to packet  Esc back ",
        v.title,
        if v.hex { "hex" } else { "ASCII" },
        v.sides.name()
    );
    let block = Block::new().title(pane_title(title, true));
    let inner = block.inner(area);
    block.render(area, buf);
    let [text, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let lines: Vec<Line> = v
        .lines
        .iter()
        .enumerate()
        .skip(v.top)
        .take(usize::from(text.height))
        .map(|(i, l)| {
            let mut style = SIDE[usize::from(l.side.min(1))];
            if i == v.cursor {
                style = style.patch(theme::SELECTED);
            }
            Line::styled(l.text.clone(), style)
        })
        .collect();
    Paragraph::new(lines).render(text, buf);

    let mut spans = Vec::new();
    if let Some([a, b]) = &v.nodes {
        spans.push(Span::styled(format!("node 0 {a}"), SIDE[0]));
        spans.push(Span::raw("  "));
        spans.push(Span::styled(format!("node 1 {b}"), SIDE[1]));
        spans.push(Span::raw("  "));
    }
    let (done, total) = v.progress;
    if !v.done {
        spans.push(Span::raw(format!("following… {done}/{total} frames  ")));
    }
    spans.push(Span::raw(format!(
        "{} bytes, {} lines",
        v.held,
        v.lines.len()
    )));
    if let Some(f) = v.cursor_frame() {
        spans.push(Span::raw(format!(
            " · line {} from frame {f}",
            v.cursor + 1
        )));
    }
    if v.cut > 0 {
        spans.push(Span::styled(
            format!(
                " · {} bytes past {} MiB not kept (wirepeek follow shows all)",
                v.cut,
                crate::app::follow::MAX_BYTES >> 20
            ),
            theme::WARN,
        ));
    }
    for n in &v.notes {
        spans.push(Span::styled(format!(" · {n}"), theme::NOTE));
    }
    Line::from(spans).render(foot, buf);
}
