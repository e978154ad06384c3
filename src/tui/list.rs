//! The packet list: only the visible window of rows is decoded and handed
//! to the table, so drawing costs the same at ten packets or ten million.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Row, Table, Widget};

use crate::app::flows::{Colouring, analysis_label};
use crate::app::{App, Pane, TimeMode, store::empty_frame};
use crate::decode::summary::tcpdump_line;
use crate::decode::{Detail, Dissection, Severity, decode_into, ethernet, ipv4, ipv6};
use crate::frame::FrameRecord;
use crate::output::time::{TimeFormat, write_ts};
use crate::output::value::to_text;

use super::{pane_title, theme};

/// The columns of one row.
#[derive(Debug, Default, PartialEq)]
pub struct RowText {
    pub no: String,
    pub time: String,
    pub src: String,
    pub dst: String,
    pub proto: String,
    pub len: String,
    pub info: String,
    pub style: Style,
}

/// Decode the frame at `pos` in the list and fill in its columns.
pub fn row_text(app: &App, pos: usize, frame: &FrameRecord, d: &mut Dissection) -> RowText {
    let index = app.list.shown.get(pos).map_or(usize::MAX, |&i| i as usize);
    decode_into(frame, Detail::Fields, d);
    // The flow's annotation, as the pipeline gives the line: relative
    // sequence numbers, as Wireshark's Info column has them.
    d.line_seq = app.flows.line_seq_of(index);
    let mut time = String::new();
    let (format, zero) = match app.time {
        TimeMode::Relative => (
            TimeFormat::Relative,
            app.time_ref
                .and_then(|r| app.store.ts(r))
                .or(app.store.first_ts()),
        ),
        TimeMode::Absolute => (TimeFormat::Absolute, app.store.first_ts()),
        // Since the previous packet shown (the first: since itself).
        TimeMode::Delta => (
            TimeFormat::Relative,
            pos.checked_sub(1)
                .and_then(|p| app.list.shown.get(p))
                .and_then(|&i| app.store.ts(i as usize))
                .or(frame.ts),
        ),
    };
    if app.time_ref == Some(index) && app.time != TimeMode::Absolute {
        time.push_str("*REF*");
    } else {
        write_ts(&mut time, frame.ts, frame.precision, format, zero);
    }
    let (src, dst) = endpoints(frame, d);
    let top = d.top_proto();
    let warn = d.notes.iter().any(|n| n.severity == Severity::Warn);
    let flags = app.flows.analysis_of(index);
    let mut info = info(frame, d);
    if let Some(label) = analysis_label(flags) {
        info.insert_str(0, &format!("{label} "));
    }
    let style = match Colouring::of(flags) {
        Some(Colouring::BadTcp) => theme::BAD_TCP,
        Some(Colouring::TcpRst) => theme::TCP_RST,
        None => theme::protocol(top, warn),
    };
    RowText {
        no: frame.number.to_string(),
        time,
        src,
        dst,
        proto: top.short().to_string(),
        len: frame.orig_len.to_string(),
        info,
        style,
    }
}

/// Source and destination: IP addresses when there are any, else MACs.
fn endpoints(frame: &FrameRecord, d: &Dissection) -> (String, String) {
    let pairs = [
        (&ipv4::SRC, &ipv4::DST),
        (&ipv6::SRC, &ipv6::DST),
        (&ethernet::SRC, &ethernet::DST),
    ];
    for (s, t) in pairs {
        if let (Some(a), Some(b)) = (d.field(s.key), d.field(t.key)) {
            return (
                to_text(&a.value, &frame.data),
                to_text(&b.value, &frame.data),
            );
        }
    }
    (String::new(), String::new())
}

/// The Info column: tcpdump's line without the addresses, which have
/// their own columns; ports lead, as in Wireshark.
fn info(frame: &FrameRecord, d: &Dissection) -> String {
    if let Some(text) = crate::decode::summary::app::info(&frame.data, d) {
        return text;
    }
    let mut line = String::new();
    tcpdump_line(frame, d, false, &mut line);
    let rest = if line.starts_with("IP ") || line.starts_with("IP6 ") {
        line.split_once(": ").map_or(line.as_str(), |(_, r)| r)
    } else {
        line.as_str()
    };
    match d.tuple {
        Some(t) => format!("{} → {} {rest}", t.src_port, t.dst_port),
        None => rest.to_string(),
    }
}

/// Draw the list into `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Pane::List;
    let title = format!(
        " Packets {}/{}{}{} ",
        app.list.len(),
        app.store.held(),
        if app.list.follow { " · following" } else { "" },
        if app.counters.watching.is_some() {
            " · watching the file"
        } else {
            ""
        }
    );
    let block = Block::new().title(pane_title(title, focused));
    let inner = block.inner(area);
    block.render(area, buf);

    let mut frame = empty_frame();
    let mut d = Dissection::default();
    let rows: Vec<(bool, RowText)> = app
        .list
        .visible()
        .filter_map(|pos| {
            let index = *app.list.shown.get(pos)? as usize;
            app.store.load_into(index, &mut frame).then(|| {
                let mut row = row_text(app, pos, &frame, &mut d);
                if app.marks.contains(&(index as u32)) {
                    row.style = row.style.patch(theme::MARKED);
                }
                (Some(pos) == app.list.selected, row)
            })
        })
        .collect();

    let no_w = rows
        .iter()
        .map(|(_, r)| r.no.len())
        .max()
        .unwrap_or(1)
        .max(3);
    let time_w = rows.iter().map(|(_, r)| r.time.len()).max().unwrap_or(8);
    let addr_cap = (inner.width as usize / 5).max(8);
    let addr_w = rows
        .iter()
        .map(|(_, r)| r.src.len().max(r.dst.len()))
        .max()
        .unwrap_or(6)
        .clamp(11, addr_cap.max(11));
    let proto_w = rows
        .iter()
        .map(|(_, r)| r.proto.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut widths = vec![
        Constraint::Length(no_w as u16),
        Constraint::Length(time_w as u16),
        Constraint::Length(addr_w as u16),
        Constraint::Length(addr_w as u16),
        Constraint::Length(proto_w as u16),
        Constraint::Length(6),
        Constraint::Fill(1),
    ];
    let mut header = vec![
        "No.",
        "Time",
        "Source",
        "Destination",
        "Protocol",
        "Length",
        "Info",
    ];
    // Narrow screens drop the length, then the time.
    let narrow = inner.width < 70;
    let very_narrow = inner.width < 50;
    let keep = |i: usize| !(narrow && i == 5 || very_narrow && i == 1);
    let mut col = 0;
    widths.retain(|_| {
        col += 1;
        keep(col - 1)
    });
    col = 0;
    header.retain(|_| {
        col += 1;
        keep(col - 1)
    });

    let table_rows = rows.into_iter().map(|(selected, r)| {
        // Long addresses (IPv6) lose their middle, not their end, so two
        // of them never look alike.
        let (src, dst) = (shorten_middle(r.src, addr_w), shorten_middle(r.dst, addr_w));
        let cells = [r.no, r.time, src, dst, r.proto, r.len, r.info];
        let cells: Vec<String> = cells
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, c)| c)
            .collect();
        let style = if selected {
            r.style.patch(if focused {
                theme::SELECTED
            } else {
                theme::CURSOR_UNFOCUSED
            })
        } else {
            r.style
        };
        Row::new(cells).style(style)
    });
    let empty = app.list.is_empty();
    Table::new(table_rows, widths)
        .header(Row::new(header).style(theme::HEADER))
        .column_spacing(1)
        .render(inner, buf);
    if empty && inner.height > 1 {
        let msg = match (app.store.is_empty(), app.counters.ended) {
            (true, true) if app.capture_filter.is_some() => {
                "no packet in the capture matches the capture filter"
            }
            (true, true) => "the capture is empty: it holds no packets",
            (true, false) if app.counters.watching.is_some() => {
                "the capture is empty so far: following the file as it grows"
            }
            (true, false) => "waiting for packets…",
            _ => "no packet matches the view",
        };
        let area = Rect {
            y: inner.y + 1,
            height: 1,
            ..inner
        };
        Line::styled(msg, theme::HINT).render(area, buf);
    }
}

/// `text` cut to `width` characters by dropping its middle: `2001:db8…:1`.
pub fn shorten_middle(text: String, width: usize) -> String {
    let n = text.chars().count();
    if n <= width || width < 3 {
        return text;
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let mut out: String = text.chars().take(head).collect();
    out.push('…');
    out.extend(text.chars().skip(n - tail));
    out
}
