//! The Graphs tab's drawing: the I/O graph as one bar per interval
//! (ratatui's `Sparkline`) and the TCP stream graph as tcptrace draws it
//! (a `Canvas`: each segment a vertical bar from its sequence number to
//! its end, the other side's acknowledgments as a step line, marks in the
//! packet list's warning colours), both with labelled axes; and the slice
//! of counting the loop does between events.

use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Painter, Shape};
use ratatui::widgets::{Block, Paragraph, Sparkline, Widget};

use crate::app::flows::Analysis;
use crate::app::graph::tcp::TcpGraph;
use crate::app::graph::{GraphView, io};
use crate::app::{App, Msg};

use super::{pane_title, theme};

/// Columns left of the plot for the y axis's labels and line.
const GUTTER: u16 = 9;
/// Colours: the bars and segments, the ACK line, and the marks, which are
/// the packet list's "Bad TCP" red and its note and warning colours.
const DATA: Color = Color::LightBlue;
const ACK: Color = Color::LightGreen;
const RETRANSMITTED: Color = Color::Rgb(0xf7, 0x87, 0x87);
const OUT_OF_ORDER: Color = Color::Yellow;
const MISSING: Color = Color::LightRed;

/// Count for up to `budget`, handing the app a few thousand frames at a
/// time.
pub fn work(app: &mut App, budget: Duration) {
    let began = Instant::now();
    while app.graph_work(2048) && began.elapsed() < budget {}
}

/// The bins the I/O plot has columns for in a body `width` wide.
pub fn plot_width(width: u16) -> usize {
    usize::from(width.saturating_sub(GUTTER).max(1))
}

/// Tell the app the plot's width (from the last layout).
pub fn sync(app: &mut App, body: Rect) {
    app.update(Msg::GraphWidth(plot_width(body.width)));
}

/// A number as people read it on an axis: `0`, `2.5`, `830`, `12.4k`, `3.1M`.
pub fn si(v: f64) -> String {
    let (v, unit) = match v.abs() {
        a if a >= 1e9 => (v / 1e9, "G"),
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e3 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    if unit.is_empty() && v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 100.0 {
        format!("{v:.0}{unit}")
    } else {
        format!("{v:.1}{unit}")
    }
}

/// A time from the start: `0 s`, `350 ms`, `2.5 s`, `51 s`, `12 min`, `3.5 h`, `40 d`.
pub fn time(ns: f64) -> String {
    let s = ns / 1e9;
    match s {
        0.0 => "0 s".to_string(),
        s if s < 1.0 => format!("{:.0} ms", s * 1e3),
        s if s < 10.0 => format!("{s:.2} s"),
        s if s < 120.0 => format!("{s:.1} s"),
        s if s < 7200.0 => format!("{:.1} min", s / 60.0),
        s if s < 172_800.0 => format!("{:.1} h", s / 3600.0),
        s => format!("{:.1} d", s / 86_400.0),
    }
}

/// The tab's rows: title, the y axis's name, plot, x axis, x labels,
/// footer.
fn rows(area: Rect) -> [Rect; 6] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The y axis in the gutter: its name above the plot, then the top
/// value, the middle one and 0 at the plot's top, middle and bottom rows.
fn y_axis(name: &str, top: f64, plot: Rect, buf: &mut Buffer) {
    let gutter = Rect::new(plot.x.saturating_sub(GUTTER), plot.y, GUTTER, plot.height);
    if let Some(y) = plot.y.checked_sub(1) {
        let text = format!("{name:>w$}│", w = usize::from(GUTTER - 1));
        buf.set_string(gutter.x, y, text, theme::HINT);
    }
    let last = plot.height.saturating_sub(1);
    for r in 0..plot.height {
        let label = match r {
            r if r == last => "0".to_string(),
            0 => si(top),
            r if r == plot.height / 2 && plot.height > 4 => si(top / 2.0),
            _ => String::new(),
        };
        let tick = if label.is_empty() { '│' } else { '┤' };
        let text = format!("{label:>w$}{tick}", w = usize::from(GUTTER - 1));
        buf.set_string(gutter.x, gutter.y + r, text, theme::HINT);
    }
}

/// The x axis under the plot and its labels: `left` at the start, `name`
/// in the middle, `right` at the end.
fn x_axis(plot: Rect, axis: Rect, labels: Rect, texts: [&str; 3], buf: &mut Buffer) {
    let line = format!(
        "{:>w$}└{}",
        "",
        "─".repeat(usize::from(plot.width)),
        w = usize::from(GUTTER - 1)
    );
    buf.set_string(axis.x, axis.y, line, theme::HINT);
    let [left, name, right] = texts;
    let start = plot.x.saturating_sub(1);
    buf.set_string(start, labels.y, left, theme::HINT);
    let mid = plot.x + (plot.width / 2).saturating_sub(name.chars().count() as u16 / 2);
    buf.set_string(mid, labels.y, name, theme::HINT);
    let w = right.chars().count() as u16;
    buf.set_string(plot.right().saturating_sub(w), labels.y, right, theme::HINT);
}

/// Draw the Graphs tab.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    match app.graph.view {
        GraphView::Io => render_io(app, area, buf),
        GraphView::Tcp => render_tcp(app, area, buf),
    }
}

fn render_io(app: &App, area: Rect, buf: &mut Buffer) {
    let g = &app.graph.io;
    let [title, _, body, axis, labels, foot] = rows(area);
    let what = match (&app.view.display, &app.view.flow) {
        (None, None) => "all packets".to_string(),
        (Some(f), None) => format!("packets shown by filter {}", f.text),
        (None, Some(p)) => format!("packets of {}", p.text),
        (Some(f), Some(p)) => format!("packets of {} shown by filter {}", p.text, f.text),
    };
    let text = format!(
        " I/O graph · {}, {} intervals{} · {what} ",
        if g.bytes { "bytes/s" } else { "packets/s" },
        io::step_name(g.step_ns()),
        if g.auto { " (fit)" } else { "" },
    );
    Block::new()
        .title(pane_title(text, true))
        .render(title, buf);
    let [_, plot] =
        Layout::horizontal([Constraint::Length(GUTTER), Constraint::Fill(1)]).areas(body);
    let shown = g.visible();
    let bins = &g.bins[shown.clone()];
    let value = |b: &io::Bin| if g.bytes { b.bytes } else { b.frames };
    let max = bins.iter().map(value).max().unwrap_or(0);
    Sparkline::default()
        .data(bins.iter().map(value))
        .max(max.max(1))
        .style(Style::new().fg(DATA))
        .render(plot, buf);
    let top = g.rate(io::Bin {
        frames: max,
        bytes: max,
    });
    y_axis(if g.bytes { "bytes/s" } else { "pkt/s" }, top, plot, buf);
    let step = g.step_ns() as f64;
    let start = time(shown.start as f64 * step);
    let end = time((shown.start + usize::from(plot.width)) as f64 * step);
    x_axis(
        plot,
        axis,
        labels,
        [&start, "time from the first packet", &end],
        buf,
    );

    // What was not counted where it belongs first: it must not scroll off.
    let mut spans = Vec::new();
    for (n, why) in [
        (g.early, "before the first packet, in interval 1"),
        (g.untimed, "without a time, not counted"),
        (g.past, "past the last interval, not counted"),
    ] {
        if n > 0 {
            spans.push(Span::styled(format!(" {n} {why} ·"), theme::WARN));
        }
    }
    let total = app.list.shown.len();
    if g.done < total || app.graph_pending() {
        spans.push(Span::styled(
            format!(" counting… {}/{total} packets", g.done.min(total)),
            theme::NOTE,
        ));
    } else {
        let (frames, bytes) = g
            .bins
            .iter()
            .fold((0, 0), |(f, b), x| (f + x.frames, b + x.bytes));
        spans.push(Span::raw(format!(
            " {frames} packets, {bytes} bytes, {} bins",
            g.bins.len()
        )));
    }
    spans.push(Span::raw(format!(
        " · b {}  +/- interval  ←→ scroll",
        if g.bytes { "packets" } else { "bytes" }
    )));
    Line::from(spans).render(foot, buf);
}

/// tcptrace's picture of one direction.
struct Stevens<'a> {
    g: &'a TcpGraph,
    dir: u8,
}

/// Paint a vertical run from `y1` to `y2` at `x`.
fn vertical(p: &mut Painter, x: f64, y1: f64, y2: f64, colour: Color) {
    let (Some((gx, a)), Some((_, b))) = (p.get_point(x, y1), p.get_point(x, y2)) else {
        return;
    };
    for gy in a.min(b)..=a.max(b) {
        p.paint(gx, gy, colour);
    }
}

/// Paint a horizontal run from `x1` to `x2` at `y`.
fn horizontal(p: &mut Painter, x1: f64, x2: f64, y: f64, colour: Color) {
    let (Some((a, gy)), Some((b, _))) = (p.get_point(x1, y), p.get_point(x2, y)) else {
        return;
    };
    for gx in a.min(b)..=a.max(b) {
        p.paint(gx, gy, colour);
    }
}

impl Shape for Stevens<'_> {
    fn draw(&self, p: &mut Painter) {
        let mut last: Option<(f64, f64)> = None;
        for pt in self
            .g
            .points
            .iter()
            .filter(|pt| pt.dir != self.dir && pt.acks())
        {
            let (t, ack) = (pt.t_ns as f64, f64::from(pt.ack));
            if let Some((t0, a0)) = last {
                horizontal(p, t0, t, a0, ACK);
                vertical(p, t, a0, ack, ACK);
            }
            last = Some((t, ack));
        }
        // The last acknowledgment holds to the end.
        if let Some((t0, a0)) = last {
            let right = p.bounds().0[1];
            horizontal(p, t0, right, a0, ACK);
        }
        // The data, then the marks over it.
        for marks in [false, true] {
            for pt in self.g.points.iter().filter(|pt| pt.dir == self.dir) {
                let colour = if pt.marks & Analysis::RETRANSMISSION != 0 {
                    RETRANSMITTED
                } else if pt.marks & Analysis::OUT_OF_ORDER != 0 {
                    OUT_OF_ORDER
                } else {
                    DATA
                };
                if (colour != DATA) != marks || (pt.len == 0 && pt.flags & 0x03 == 0) {
                    continue;
                }
                let (t, seq) = (pt.t_ns as f64, f64::from(pt.seq));
                vertical(p, t, seq, seq + f64::from(pt.len.max(1)), colour);
            }
        }
        for gap in self.g.gaps.iter().filter(|g| g.dir == self.dir) {
            let t = gap.t_ns as f64;
            vertical(p, t, f64::from(gap.from), f64::from(gap.to), MISSING);
        }
    }
}

fn render_tcp(app: &App, area: Rect, buf: &mut Buffer) {
    let [title, _, body, axis, labels, foot] = rows(area);
    let Some(g) = &app.graph.tcp else {
        Block::new()
            .title(pane_title(
                " TCP stream graph · i I/O  t TCP stream ".into(),
                true,
            ))
            .render(title, buf);
        Paragraph::new(
            "Select a TCP packet (or a Flows row) and press 6 to graph its conversation here.",
        )
        .style(theme::HINT)
        .render(body, buf);
        return;
    };
    let dir = g.dir();
    let ends = app.flows.rows.get(g.row as usize).map(|s| {
        let (a, b) = (s.a(), s.b());
        let name = |e: (std::net::IpAddr, u16)| match e.0 {
            std::net::IpAddr::V6(v) => format!("[{v}]:{}", e.1),
            v => format!("{v}:{}", e.1),
        };
        if dir == 0 {
            (name(a), name(b))
        } else {
            (name(b), name(a))
        }
    });
    let (from, to) = ends.unwrap_or_default();
    let text = format!(
        " TCP stream {} graph · {from} → {to} (d: the other way, i: I/O) ",
        app.flows.rows.get(g.row as usize).map_or(0, |s| s.stream),
    );
    Block::new()
        .title(pane_title(text, true))
        .render(title, buf);
    let [_, plot] =
        Layout::horizontal([Constraint::Length(GUTTER), Constraint::Fill(1)]).areas(body);
    let mut t_max: f64 = 0.0;
    let mut y_max: f64 = 0.0;
    for pt in &g.points {
        if pt.dir == dir {
            y_max = y_max.max(f64::from(pt.seq) + f64::from(pt.len));
        } else if pt.acks() {
            y_max = y_max.max(f64::from(pt.ack));
        }
        t_max = t_max.max(pt.t_ns as f64);
    }
    let (t_max, y_max) = (t_max.max(1.0), y_max.max(1.0));
    Canvas::default()
        .marker(Marker::Braille)
        .x_bounds([0.0, t_max])
        .y_bounds([0.0, y_max])
        .paint(|ctx| ctx.draw(&Stevens { g, dir }))
        .render(plot, buf);
    y_axis("rel seq", y_max, plot, buf);
    x_axis(
        plot,
        axis,
        labels,
        [
            "0 s",
            "time from the conversation's first packet",
            &time(t_max),
        ],
        buf,
    );

    let [data, retrans, ooo, gaps, missing] = g.counts(dir);
    let gap_word = if gaps == 1 { "gap" } else { "gaps" };
    let mut spans = vec![
        Span::styled(format!(" ┃ {data} segments "), Style::new().fg(DATA)),
        Span::styled(
            format!("┃ {retrans} retransmitted "),
            Style::new().fg(RETRANSMITTED),
        ),
        Span::styled(
            format!("┃ {ooo} out of order "),
            Style::new().fg(OUT_OF_ORDER),
        ),
        Span::styled(
            format!("┃ {gaps} {gap_word}, {missing} B missing "),
            Style::new().fg(MISSING),
        ),
        Span::styled("─ ACKs", Style::new().fg(ACK)),
    ];
    let total = app.flows.ingested().max(1);
    if app.graph_pending() {
        spans.push(Span::styled(
            format!(" reading… {}% ", g.next().min(total) * 100 / total),
            theme::NOTE,
        ));
    }
    if g.cut > 0 {
        spans.push(Span::styled(
            format!(
                " · first {} packets drawn, {} more not",
                crate::app::graph::tcp::MAX_POINTS,
                g.cut
            ),
            theme::WARN,
        ));
    }
    Line::from(spans).render(foot, buf);
}
