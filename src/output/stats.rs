//! `--stats`: a summary instead of packets: packet and byte counts per
//! protocol layer (a protocol hierarchy, as `tshark -z io,phs`), capture
//! duration, link types, and how many packets carried notes.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::decode::{Dissection, NoteKind};
use crate::flow::FlowTable;
use crate::flow::stats::Hierarchy;
use crate::frame::{FrameRecord, LinkType, Timestamp};

/// Running totals over a stream of packets; constant memory per protocol path.
#[derive(Default)]
pub struct Stats {
    packets: u64,
    bytes: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    link_types: BTreeMap<LinkType, u64>,
    hierarchy: Hierarchy,
    truncated: u64,
    malformed: u64,
    unsupported: u64,
    tcp_udp: u64,
}

impl Stats {
    /// Count one packet.
    pub fn add(&mut self, frame: &FrameRecord, d: &Dissection) {
        let len = frame.orig_len as u64;
        self.packets += 1;
        self.bytes += len;
        if let Some(ts) = frame.ts {
            if self.first.is_none_or(|f| ts < f) {
                self.first = Some(ts);
            }
            if self.last.is_none_or(|l| ts > l) {
                self.last = Some(ts);
            }
        }
        *self.link_types.entry(frame.link).or_insert(0) += 1;
        self.hierarchy.add(d, len);
        if d.tuple.is_some() {
            self.tcp_udp += 1;
        }
        let mut kinds = (false, false, false);
        for note in &d.notes {
            match note.kind {
                NoteKind::Truncated => kinds.0 = true,
                NoteKind::Malformed | NoteKind::BadChecksum => kinds.1 = true,
                NoteKind::Unsupported => kinds.2 = true,
            }
        }
        self.truncated += kinds.0 as u64;
        self.malformed += kinds.1 as u64;
        self.unsupported += kinds.2 as u64;
    }

    /// Append the report.
    pub fn write(&self, out: &mut String) {
        let _ = writeln!(out, "Packets:        {}", self.packets);
        let _ = writeln!(out, "Bytes:          {}", self.bytes);
        if let (Some(first), Some(last)) = (self.first, self.last) {
            let span = (last.as_nanos() - first.as_nanos()).max(0) as f64 / 1e9;
            let _ = writeln!(out, "First packet:   {}.{:09}", first.secs, first.nanos);
            let _ = writeln!(out, "Last packet:    {}.{:09}", last.secs, last.nanos);
            let _ = writeln!(out, "Duration:       {span:.6} s");
            if span > 0.0 {
                let _ = writeln!(
                    out,
                    "Average rate:   {:.1} packets/s, {:.1} bytes/s",
                    self.packets as f64 / span,
                    self.bytes as f64 / span
                );
            }
        }
        out.push_str("Link types:\n");
        for (link, count) in &self.link_types {
            let _ = writeln!(out, "  {:<5} {:<32} {count} packets", link.0, link.name());
        }
        let _ = writeln!(out, "TCP/UDP packets with a 4-tuple: {}", self.tcp_udp);
        let _ = writeln!(
            out,
            "Packets with notes: {} truncated, {} malformed, {} partly undecoded",
            self.truncated, self.malformed, self.unsupported
        );
        out.push_str("Protocol hierarchy (packets, bytes, share of packets):\n");
        for row in self.hierarchy.rows() {
            let share = if self.packets > 0 {
                row.packets as f64 * 100.0 / self.packets as f64
            } else {
                0.0
            };
            let name = format!(
                "{:indent$}{}",
                "",
                row.proto.short(),
                indent = (row.depth + 1) * 2
            );
            let _ = writeln!(
                out,
                "{name:<40} {:>10} {:>14} {share:>6.2}%",
                row.packets, row.bytes
            );
        }
        if self.hierarchy.cut > 0 {
            let _ = writeln!(
                out,
                "  ({} packets counted only down to where the hierarchy's {} nodes ran out)",
                self.hierarchy.cut,
                crate::flow::stats::MAX_NODES
            );
        }
    }

    /// Append conversation and endpoint totals from the flow table.
    pub fn write_flows(&self, out: &mut String, table: &FlowTable) {
        let [tcp, udp, icmp] = table.conversations();
        let c = table.counters();
        let (addrs, ends) = table.endpoints();
        let _ = writeln!(
            out,
            "Conversations:  {} ({tcp} TCP, {udp} UDP, {icmp} ICMP echo), {} TCP 4-tuples reused",
            u64::from(tcp) + u64::from(udp) + u64::from(icmp),
            c.reused
        );
        let _ = writeln!(
            out,
            "Endpoints:      {addrs} IP addresses, {ends} address:port endpoints (among {} tracked flows)",
            table.live()
        );
        let _ = writeln!(
            out,
            "Flow table:     peak {} tracked, {} expired idle, {} evicted when full",
            c.peak, c.expired, c.evicted
        );
        if let Some(r) = table.delivery_report() {
            let _ = writeln!(
                out,
                "TCP streams:    {} bytes delivered in order, {} bytes missing (acknowledged, not in the capture)",
                r.delivered, r.missing
            );
            let _ = writeln!(
                out,
                "Reassembly:     peak {} bytes held out of order (bound {}), {} segments ({} bytes) dropped past the bound",
                r.peak_held, r.bound, r.dropped_segments, r.dropped_bytes
            );
        }
    }
}
