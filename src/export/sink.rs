//! The export as a pipeline sink: each frame becomes a packets row, and
//! each frame the flow table tracks feeds its conversation's Zeek facts
//! (kept here, one small record per conversation, until its conn row is
//! written when the input ends).

use std::sync::atomic::{AtomicU64, Ordering};

use super::packets::PacketColumns;
use super::writer::TableWriter;
use crate::decode::{Detail, Dissection, Proto};
use crate::error::AppError;
use crate::flow::conn_log::ConnLog;
use crate::flow::table::proto_slot;
use crate::flow::{FlowInfo, ICMP, ICMPV6, Packet, TCP, UDP};
use crate::frame::FrameRecord;
use crate::pipeline::Sink;

/// Packets counted locally before they are added to the shared total.
const PROGRESS_EVERY: u64 = 4096;

pub struct ExportSink<'a> {
    pub source_file: String,
    pub columns: PacketColumns,
    pub packets: TableWriter,
    /// Zeek facts per conversation, by protocol slot (TCP, UDP, ICMP) and
    /// stream index (dense from 0 in each).
    pub conns: [Vec<ConnLog>; 3],
    pub progress: &'a AtomicU64,
    unreported: u64,
}

impl<'a> ExportSink<'a> {
    pub fn new(
        source_file: String,
        columns: PacketColumns,
        packets: TableWriter,
        progress: &'a AtomicU64,
    ) -> ExportSink<'a> {
        ExportSink {
            source_file,
            columns,
            packets,
            conns: Default::default(),
            progress,
            unreported: 0,
        }
    }

    /// The Zeek facts of a conversation, once it is over.
    pub fn take_conn(&mut self, proto: u8, stream: u32) -> Option<ConnLog> {
        let log = self.conns[proto_slot(proto)].get_mut(stream as usize)?;
        Some(std::mem::take(log))
    }

    pub fn report(&mut self) {
        self.progress.fetch_add(self.unreported, Ordering::Relaxed);
        self.unreported = 0;
    }
}

fn be16(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u16::from_be_bytes(
        data.get(at..at + 2)?.try_into().ok()?,
    )))
}

/// The IP total length (IPv6: payload length + 40) of the innermost
/// unquoted IP header, and the transport payload by the headers' account.
fn ip_sizes(frame: &FrameRecord, d: &Dissection, p: &Packet) -> (u64, u64) {
    let data = &frame.data[..];
    let transport = d.layers.iter().position(|l| {
        !l.quoted
            && matches!(
                l.proto,
                Proto::Tcp | Proto::Udp | Proto::Icmp | Proto::Icmpv6
            )
    });
    let upto = transport.unwrap_or(d.layers.len());
    let Some(ip) = d.layers[..upto]
        .iter()
        .rev()
        .find(|l| !l.quoted && matches!(l.proto, Proto::Ipv4 | Proto::Ipv6))
    else {
        return (0, 0);
    };
    let h = ip.header.start;
    let ip_len = match ip.proto {
        Proto::Ipv4 => be16(data, h + 2),
        _ => be16(data, h + 4).map(|n| n + 40),
    }
    .unwrap_or(0);
    let payload = match p.key.proto {
        TCP => p.tcp.map_or(0, |t| u64::from(t.len)),
        UDP => d
            .tuple
            .and_then(|t| be16(data, t.header_at + 4))
            .map_or(0, |n| n.saturating_sub(8)),
        ICMP | ICMPV6 => transport.map_or(0, |i| {
            let start = d.layers[i].header.start;
            let ip_end = h as u64 + ip_len;
            ip_end.saturating_sub(start as u64 + 8)
        }),
        _ => 0,
    };
    (ip_len, payload)
}

impl Sink for ExportSink<'_> {
    fn detail(&self) -> Option<Detail> {
        Some(Detail::Fields)
    }

    fn wanted(&self) -> Option<std::sync::Arc<crate::decode::want::Wanted>> {
        Some(self.columns.wanted.clone())
    }

    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        let ns = frame
            .ts
            .and_then(|t| i64::try_from(t.as_nanos()).ok())
            .unwrap_or(0);
        let batch = self.packets.batch(ns).map_err(AppError::Output)?;
        self.columns.fill(batch, &self.source_file, frame, d);
        self.packets.row_done().map_err(AppError::Output)?;
        self.unreported += 1;
        if self.unreported >= PROGRESS_EVERY {
            self.report();
        }
        Ok(true)
    }

    fn flow(&mut self, frame: &FrameRecord, d: &Dissection, info: &FlowInfo, p: &Packet) {
        self.columns.conversation = super::community_id::transport_ends(p)
            .filter(|_| matches!(info.proto, TCP | UDP))
            .map(|ends| (frame.number, info.stream, ends));
        let (ip_len, payload) = ip_sizes(frame, d, p);
        let logs = &mut self.conns[proto_slot(info.proto)];
        let i = info.stream as usize;
        if i >= logs.len() {
            logs.resize(i + 1, ConnLog::default());
        }
        logs[i].packet(p, ip_len, payload);
        logs[i].saw(d);
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}
