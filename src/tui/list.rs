//! The packet list: only the visible window of rows is decoded and handed
//! to the table, so drawing costs the same at ten packets or ten million.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Row, Table, Widget};

use crate::app::columns::Column;
use crate::app::flows::Colouring;
use crate::app::{App, Pane, TimeMode, store::empty_frame};
use crate::decode::summary::{columns, tcpdump_line};
use crate::decode::{Detail, Dissection, Proto, Severity, tcp, udp};
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
    /// The delta and field columns' text, in the order of `app.columns`.
    pub extra: Vec<String>,
    pub style: Style,
}

/// Decode store frame `index` (in `frame`, as reassembly decided on its
/// first look) and fill in its columns.
pub fn row_text(app: &App, index: usize, frame: &FrameRecord, d: &mut Dissection) -> RowText {
    app.reassembled.decode(index, frame, Detail::Fields, d);
    // The previous packet shown in frame order, whatever the sort (as
    // Wireshark's delta displayed time), for the delta times.
    let previous = app
        .list
        .previous_shown(index as u32)
        .and_then(|i| app.store.ts(i as usize))
        .or(frame.ts);
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
        TimeMode::Delta => (TimeFormat::Relative, previous),
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
    // Wireshark gives a retransmitted or out-of-order segment to no
    // dissector above TCP: its columns are TCP's.
    let held =
        app.flows.held_back(index) && d.layers.iter().any(|l| l.proto == Proto::Tcp && !l.quoted);
    let mut info = match held {
        true => columns::tcp_words(&frame.data, d, app.flows.tcp_of(index)).unwrap_or_default(),
        false => info(app, index, frame, d),
    };
    // Wireshark's one-pass pairing, which the model keeps.
    if let Some(request) = app.flows.echo_request_of(index) {
        info.push_str(&format!(" (request in {request})"));
    }
    info.insert_str(0, &app.flows.info_labels(index));
    let style = match Colouring::of(flags) {
        Some(Colouring::BadTcp) => theme::BAD_TCP,
        Some(Colouring::TcpRst) => theme::TCP_RST,
        None => theme::protocol(top, warn),
    };
    let mut extra = Vec::new();
    for c in &app.columns {
        match c {
            Column::Delta => {
                let mut t = String::new();
                write_ts(
                    &mut t,
                    frame.ts,
                    frame.precision,
                    TimeFormat::Relative,
                    previous,
                );
                extra.push(t);
            }
            Column::Field(key) => extra.push(field_text(app, index, frame, d, key)),
            _ => {}
        }
    }
    RowText {
        extra,
        no: frame.number.to_string(),
        time,
        src,
        dst,
        proto: if held {
            Proto::Tcp.short().to_string()
        } else {
            columns::protocol(&frame.data, d).to_string()
        },
        len: frame.orig_len.to_string(),
        info,
        style,
    }
}

/// A custom column's text: every occurrence of the field, by commas; the
/// stream indices, which the flow table computes, from the app's flows.
fn field_text(app: &App, index: usize, frame: &FrameRecord, d: &Dissection, key: &str) -> String {
    let values: Vec<String> = d
        .fields
        .iter()
        .filter(|f| f.key == key)
        .map(|f| to_text(&f.value, &frame.data))
        .collect();
    if !values.is_empty() {
        return values.join(",");
    }
    let proto = match key {
        k if k == tcp::STREAM.key => 6,
        k if k == udp::STREAM.key => 17,
        _ => return String::new(),
    };
    app.flows
        .row_of(index)
        .and_then(|r| app.flows.rows.get(r as usize))
        .filter(|state| state.key.proto == proto)
        .map_or(String::new(), |state| state.stream.to_string())
}

/// Source and destination: the innermost IP or link-layer addresses, as
/// Wireshark's columns have them (the inner packet of a tunnel).
fn endpoints(frame: &FrameRecord, d: &Dissection) -> (String, String) {
    match columns::addresses(d) {
        Some((src, dst)) => (
            to_text(&src.value, &frame.data),
            dst.map_or(String::new(), |f| to_text(&f.value, &frame.data)),
        ),
        None => (String::new(), String::new()),
    }
}

/// The Info column: Wireshark's words where wirepeek has them (a TCP
/// segment's with what the flow knows of it), else tcpdump's line without
/// the addresses, which have their own columns; ports lead, as in
/// Wireshark.
fn info(app: &App, index: usize, frame: &FrameRecord, d: &Dissection) -> String {
    let flow = app.flows.tcp_of(index);
    if let Some(text) = columns::tcp_info(&frame.data, d, flow) {
        return text;
    }
    if let Some(text) = columns::info(&frame.data, d) {
        return text;
    }
    if let Some(text) = columns::tcp_words(&frame.data, d, flow) {
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
            let index = app.list.at(pos)? as usize;
            app.store.load_into(index, &mut frame).then(|| {
                let mut row = row_text(app, index, &frame, &mut d);
                if app.marks.contains(&(index as u32)) {
                    row.style = row.style.patch(theme::MARKED);
                }
                (Some(pos) == app.list.selected, row)
            })
        })
        .collect();

    let addr_cap = (inner.width as usize / 5).max(8);
    let width_of = |c: &Column, cell: &dyn Fn(&RowText) -> usize, min: usize, max: usize| {
        let w = rows.iter().map(|(_, r)| cell(r)).max().unwrap_or(0);
        let head = header(app, c).chars().count();
        w.max(head).clamp(min, max.max(min))
    };
    // Narrow screens drop the length, then the time.
    let narrow = inner.width < 70;
    let very_narrow = inner.width < 50;
    let mut extra_at = 0;
    let mut cols: Vec<(Constraint, String, usize, Option<usize>)> = Vec::new();
    for c in &app.columns {
        let (width, extra) = match c {
            Column::No => (width_of(c, &|r| r.no.len(), 3, 12), None),
            Column::Time if very_narrow => continue,
            Column::Time => (width_of(c, &|r| r.time.len(), 4, 30), None),
            Column::Source | Column::Destination => {
                let w = |r: &RowText| r.src.chars().count().max(r.dst.chars().count());
                (width_of(c, &w, 11, addr_cap), None)
            }
            Column::Protocol => (width_of(c, &|r| r.proto.len(), 8, 12), None),
            Column::Length if narrow => continue,
            Column::Length => (header(app, c).chars().count().max(6), None),
            Column::Info => (0, None),
            Column::Delta | Column::Field(_) => {
                let k = extra_at;
                extra_at += 1;
                let w = move |r: &RowText| r.extra.get(k).map_or(0, |t| t.chars().count());
                (width_of(c, &w, 5, 24), Some(k))
            }
        };
        let constraint = if *c == Column::Info {
            Constraint::Fill(1)
        } else {
            Constraint::Length(width as u16)
        };
        cols.push((constraint, header(app, c), width, extra));
    }
    let widths: Vec<Constraint> = cols.iter().map(|c| c.0).collect();
    let header: Vec<String> = cols.iter().map(|c| c.1.clone()).collect();
    let shown: Vec<&Column> = app
        .columns
        .iter()
        .filter(|c| !(very_narrow && **c == Column::Time || narrow && **c == Column::Length))
        .collect();

    let table_rows = rows.into_iter().map(|(selected, mut r)| {
        let cells: Vec<String> = shown
            .iter()
            .zip(&cols)
            .map(|(c, (_, _, w, extra))| match c {
                Column::No => r.no.clone(),
                Column::Time => r.time.clone(),
                // Long addresses (IPv6) lose their middle, not their end,
                // so two of them never look alike.
                Column::Source => shorten_middle(r.src.clone(), *w),
                Column::Destination => shorten_middle(r.dst.clone(), *w),
                Column::Protocol => r.proto.clone(),
                Column::Length => r.len.clone(),
                Column::Info => std::mem::take(&mut r.info),
                Column::Delta | Column::Field(_) => extra
                    .and_then(|k| r.extra.get(k).cloned())
                    .map(|t| shorten_middle(t, *w))
                    .unwrap_or_default(),
            })
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

/// A column's header, with the sort's arrow on the column the rows are
/// sorted by (`Length ▼`).
fn header(app: &App, c: &Column) -> String {
    match &app.sort.applied {
        Some(s) if s.column == *c && app.list.order.is_some() => s.label(),
        _ => c.header().to_string(),
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
