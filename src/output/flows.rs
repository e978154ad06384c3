//! `wirepeek flows`: the conversation table as text, or as NDJSON (one
//! object per conversation, then, when the bounded table left some out, one
//! `{"unlisted":{…}}` object summing them). Formats `flow::FlowState`
//! records; computes nothing but sort order and column widths.

use std::fmt::Write;
use std::net::IpAddr;
use std::sync::Arc;

use crate::flow::{Client, FlowState, TCP, TableCounters, Unlisted};

use super::json::{string, write_process};
use crate::frame::Process;

/// The order of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Total bytes, largest first.
    Bytes,
    /// Total packets, most first.
    Packets,
    /// First seen, earliest first.
    First,
    /// Duration, longest first.
    Duration,
    /// Protocol, then stream index (tshark's order).
    Stream,
}

/// Put the flows in the order asked for; ties in order of appearance.
/// (Unstable sorts with appearance as the tie-break: the same order as a
/// stable sort of flows listed by appearance, without a stable sort's
/// buffer of half the table.)
pub fn sort(flows: &mut [FlowState], key: SortKey) {
    use std::cmp::Reverse;
    match key {
        SortKey::Bytes => {
            flows.sort_unstable_by_key(|f| (Reverse(f.total_bytes()), f.appearance()))
        }
        SortKey::Packets => {
            flows.sort_unstable_by_key(|f| (Reverse(f.total_packets()), f.appearance()))
        }
        SortKey::First => flows.sort_unstable_by_key(FlowState::appearance),
        SortKey::Duration => {
            flows.sort_unstable_by_key(|f| (Reverse(f.duration_ns()), f.appearance()))
        }
        SortKey::Stream => flows.sort_unstable_by_key(|f| (f.key.proto, f.stream, f.appearance())),
    }
}

/// `addr:port`, IPv6 as `[addr]:port`.
pub fn endpoint(out: &mut String, (addr, port): (IpAddr, u16)) {
    match addr {
        IpAddr::V4(a) => {
            let _ = write!(out, "{a}:{port}");
        }
        IpAddr::V6(a) => {
            let _ = write!(out, "[{a}]:{port}");
        }
    }
}

/// Both endpoints as `addr:port`, the client marked with ` *`, as the
/// table and the TUI's Flows tab show them.
pub fn endpoint_labels(f: &FlowState) -> (String, String) {
    let mut a = String::new();
    endpoint(&mut a, f.a());
    let mut b = String::new();
    endpoint(&mut b, f.b());
    match f.client {
        Client::A => a.push_str(" *"),
        Client::B => b.push_str(" *"),
        Client::Unknown => {}
    }
    (a, b)
}

fn seconds(ns: i64) -> String {
    format!(
        "{}.{:09}",
        ns.div_euclid(1_000_000_000),
        ns.rem_euclid(1_000_000_000)
    )
}

/// A stream count for the table: empty unless the flow was reassembled.
fn delivered(f: &FlowState, count: impl Fn(&crate::flow::Delivery) -> u64) -> String {
    if f.reassembled {
        count(&f.delivery).to_string()
    } else {
        String::new()
    }
}

fn client_name(c: Client) -> &'static str {
    match c {
        Client::A => "a",
        Client::B => "b",
        Client::Unknown => "",
    }
}

/// Append one conversation as a JSON object on one line. `start_ns` is the
/// capture's first packet time, for `rel_start`.
pub fn write_json(out: &mut String, f: &FlowState, start_ns: i64) {
    write_json_with(out, f, start_ns, None);
}

/// `write_json`, with the local process owning the conversation's socket
/// as a `process` object (absent when unknown).
pub fn write_json_with(out: &mut String, f: &FlowState, start_ns: i64, process: Option<&Process>) {
    let _ = write!(
        out,
        "{{\"proto\":\"{}\",\"stream\":{},\"a\":",
        f.key.proto_name(),
        f.stream
    );
    let mut ep = String::new();
    endpoint(&mut ep, f.a());
    string(out, &ep);
    ep.clear();
    endpoint(&mut ep, f.b());
    out.push_str(",\"b\":");
    string(out, &ep);
    let _ = write!(
        out,
        ",\"client\":{},\"packets_a_to_b\":{},\"packets_b_to_a\":{},\"bytes_a_to_b\":{},\"bytes_b_to_a\":{},\"first_seen\":\"{}\",\"rel_start\":\"{}\",\"duration\":\"{}\",\"state\":",
        match f.client {
            Client::Unknown => "null".to_string(),
            c => format!("\"{}\"", client_name(c)),
        },
        f.packets[0],
        f.packets[1],
        f.bytes[0],
        f.bytes[1],
        seconds(f.first_ns),
        seconds(f.first_ns - start_ns),
        seconds(f.duration_ns()),
    );
    string(out, f.state_name());
    if f.key.proto == TCP {
        out.push_str(",\"handshake_rtt\":");
        match f.tcp.rtt_us() {
            Some(us) => {
                let _ = write!(out, "\"{}\"", seconds(i64::from(us) * 1000));
            }
            None => out.push_str("null"),
        }
        let _ = write!(
            out,
            ",\"retransmissions\":{},\"out_of_order\":{}",
            f.tcp.retransmissions, f.tcp.out_of_order
        );
        let d = &f.delivery;
        if f.reassembled {
            let _ = write!(
                out,
                ",\"delivered_a_to_b\":{},\"delivered_b_to_a\":{},\"missing_a_to_b\":{},\"missing_b_to_a\":{}",
                d.delivered[0], d.delivered[1], d.missing[0], d.missing[1]
            );
        }
    }
    if let Some(p) = process {
        write_process(out, p);
    }
    out.push_str("}\n");
}

/// Append the summary of the conversations left out of the listing as one
/// JSON object on one line (it has no `proto` key, so a reader taking each
/// line with one for a conversation skips it); nothing if none were.
pub fn write_json_unlisted(out: &mut String, u: &Unlisted) {
    if u.conversations == 0 {
        return;
    }
    let [tcp, udp, icmp] = u.by_proto;
    let _ = writeln!(
        out,
        "{{\"unlisted\":{{\"conversations\":{},\"evicted\":{},\"packets\":{},\"bytes\":{},\"tcp\":{tcp},\"udp\":{udp},\"icmp\":{icmp}}}}}",
        u.conversations, u.evicted, u.packets, u.bytes
    );
}

/// The table's last line when the bounded table left conversations out.
fn write_unlisted_line(out: &mut String, u: &Unlisted) {
    if u.conversations == 0 {
        return;
    }
    let [tcp, udp, icmp] = u.by_proto;
    let ended = u.conversations - u.evicted;
    let why = match (u.evicted, ended) {
        (_, 0) => "evicted when the table was full".to_string(),
        (0, _) => "finished after the listing was full".to_string(),
        (e, _) => format!(
            "{e} evicted when the table was full, {ended} finished after the listing was full"
        ),
    };
    let _ = writeln!(
        out,
        "… and {} more conversations {why} ({} packets, {} bytes; {tcp} TCP, {udp} UDP, {icmp} ICMP echo), not listed: raise --max-flows to list them",
        u.conversations, u.packets, u.bytes
    );
}

/// Append the table, with, when the bounded table left conversations out,
/// a line summing them, and a footer of totals.
pub fn write_table(
    out: &mut String,
    flows: &[FlowState],
    start_ns: i64,
    counters: &TableCounters,
    unlisted: &Unlisted,
) {
    write_table_with(out, flows, start_ns, counters, unlisted, &|_| None);
}

/// A conversation's process as the table shows it: `PID COMMAND (USER)`.
pub fn process_label(p: &Process) -> String {
    format!("{} {} ({})", p.pid, p.command, p.user)
}

/// `write_table`, with a last column naming each conversation's local
/// process when `process` knows any.
pub fn write_table_with(
    out: &mut String,
    flows: &[FlowState],
    start_ns: i64,
    counters: &TableCounters,
    unlisted: &Unlisted,
    process: &dyn Fn(&FlowState) -> Option<Arc<Process>>,
) {
    let processes: Vec<String> = flows
        .iter()
        .map(|f| process(f).map_or(String::new(), |p| process_label(&p)))
        .collect();
    let with_process = processes.iter().any(|p| !p.is_empty());
    let rows: Vec<[String; 18]> = flows
        .iter()
        .zip(processes)
        .map(|(f, process)| {
            let (a, b) = endpoint_labels(f);
            let rel = (f.first_ns - start_ns) as f64 / 1e9;
            let rtt = f
                .tcp
                .rtt_us()
                .map_or(String::new(), |us| format!("{:.3}", f64::from(us) / 1000.0));
            let tcp = f.key.proto == TCP;
            [
                f.key.proto_name().to_string(),
                a,
                b,
                format!("{rel:.6}"),
                format!("{:.6}", f.duration_ns() as f64 / 1e9),
                f.packets[0].to_string(),
                f.bytes[0].to_string(),
                f.packets[1].to_string(),
                f.bytes[1].to_string(),
                f.state_name().to_string(),
                rtt,
                if tcp {
                    f.tcp.retransmissions.to_string()
                } else {
                    String::new()
                },
                if tcp {
                    f.tcp.out_of_order.to_string()
                } else {
                    String::new()
                },
                delivered(f, |d| d.delivered[0]),
                delivered(f, |d| d.missing[0]),
                delivered(f, |d| d.delivered[1]),
                delivered(f, |d| d.missing[1]),
                process,
            ]
        })
        .collect();
    let mut header = vec![
        "Proto",
        "A",
        "B",
        "First(s)",
        "Duration(s)",
        "Pkts A→B",
        "Bytes A→B",
        "Pkts B→A",
        "Bytes B→A",
        "State",
        "RTT(ms)",
        "Retr",
        "OOO",
    ];
    // Stream columns only when the table was reassembled.
    let with_streams = flows.iter().any(|f| f.reassembled);
    if with_streams {
        header.extend(["Read A→B", "Miss A→B", "Read B→A", "Miss B→A"]);
    }
    let process_column = header.len();
    if with_process {
        header.push("Process");
    }
    // Each row's cells for the columns shown.
    let shown = |i: usize| i < 13 || (with_streams && i < 17) || (with_process && i == 17);
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .filter(|&(i, _)| shown(i))
                .map(|(_, c)| c.as_str())
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |out: &mut String, cells: &[&str]| {
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            let pad = w.saturating_sub(c.chars().count());
            // Text left-aligned, numbers right-aligned.
            if matches!(i, 0..=2 | 9) || i == process_column {
                out.push_str(c);
                if i + 1 < cells.len() {
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            } else {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(c);
            }
        }
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    };
    line(out, &header);
    for r in &rows {
        line(out, r);
    }
    write_unlisted_line(out, unlisted);
    let _ = writeln!(
        out,
        "{} conversations (* marks the client: it sent the SYN or the echo request, or uses the ephemeral port)",
        flows.len()
    );
    let _ = writeln!(
        out,
        "Flow table: peak {} tracked, {} expired idle, {} evicted when full, {} TCP 4-tuples reused",
        counters.peak, counters.expired, counters.evicted, counters.reused
    );
}
