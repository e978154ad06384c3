//! The bounded flow table: an index of `u32` slot numbers (see `index.rs`)
//! into a `Vec<FlowState>` of fixed-size records. Each record notes the
//! table's packet count when it last saw a packet; nothing else is written
//! per packet, so a packet costs one index probe and one record, however
//! many flows there are. (A linked least-recently-seen list would write two
//! more random records per packet: with a million flows, two cache misses.)
//!
//! Bounds: when the table is full, the least recently seen flow is evicted
//! (`evict.rs`). A flow idle past the timeout expires when its next packet
//! arrives (that packet opens a new conversation), and idle flows that never
//! see one are swept out within an eighth of the timeout. Expiries and
//! evictions are counted; evicted flows are only summed, and finished ones
//! are handed back (up to `max_flows` of them) only if the caller asked to
//! keep them (`listing.rs`), so memory is bounded by `max_flows` however
//! many conversations pass.

mod evict;
mod listing;

use listing::Retired;
pub use listing::Unlisted;

use super::Observation;
use super::analysis::Analysis;
use super::index::{Index, prefetch};
use super::records::Records;
use super::tcp_state::TcpFlow;
use super::{
    Client, Delivery, DeliveryReport, EPHEMERAL_FROM, FlowInfo, FlowKey, FlowState, ICMP, ICMPV6,
    Packet, SegmentSink, TCP,
};
use crate::decode::Dissection;
use crate::frame::FrameRecord;

/// `FlowState::seen` of a record on the free list.
const FREE: u64 = u64::MAX;

/// Limits of the table.
#[derive(Clone, Copy, Debug)]
pub struct FlowConfig {
    /// Flows idle longer than this (nanoseconds of capture time) expire;
    /// `None` keeps them (tshark's behaviour on files).
    pub idle_timeout_ns: Option<i64>,
    /// Most flows tracked at once; beyond it the oldest idle flow is evicted.
    pub max_flows: u32,
    /// Keep finished (expired, superseded) flows for the caller's listing,
    /// up to `max_flows` of them; evicted flows and finished ones beyond
    /// that are only summed (`FlowTable::unlisted`).
    pub keep_finished: bool,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            idle_timeout_ns: None,
            max_flows: 2_000_000,
            keep_finished: false,
        }
    }
}

/// How the table was used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableCounters {
    /// Conversations seen, including finished ones.
    pub created: u64,
    pub expired: u64,
    pub evicted: u64,
    /// TCP 4-tuples reused by a new connection (a new stream index).
    pub reused: u64,
    /// Packets that belonged to a tracked conversation.
    pub packets: u64,
    /// Most flows tracked at once.
    pub peak: u64,
}

/// Every live conversation, bounded.
pub struct FlowTable {
    config: FlowConfig,
    map: Index,
    flows: Records,
    free: Vec<u32>,
    /// Eviction candidates `(seen, record)`, the oldest last.
    victims: Vec<(u64, u32)>,
    /// No live flow was last seen before this (capture time, ns).
    oldest_ns: i64,
    /// When idle flows were last swept out (capture time, ns).
    swept_ns: i64,
    /// Next stream index for TCP, UDP and ICMP.
    next_stream: [u32; 3],
    /// Finished flows kept for the listing, at most `max_flows` of them.
    finished: Vec<FlowState>,
    unlisted: Unlisted,
    counters: TableCounters,
    last_ns: i64,
    /// Reassembly of the TCP conversations, when asked for.
    streams: Option<Box<dyn SegmentSink>>,
}

pub(crate) fn proto_slot(proto: u8) -> usize {
    match proto {
        TCP => 0,
        ICMP | ICMPV6 => 2,
        _ => 1,
    }
}

impl FlowTable {
    pub fn new(config: FlowConfig) -> FlowTable {
        FlowTable {
            config,
            map: Index::default(),
            flows: Records::default(),
            free: Vec::new(),
            victims: Vec::new(),
            oldest_ns: i64::MAX,
            swept_ns: i64::MIN,
            next_stream: [0; 3],
            finished: Vec::new(),
            unlisted: Unlisted::default(),
            counters: TableCounters::default(),
            last_ns: 0,
            streams: None,
        }
    }

    /// Reassemble every TCP conversation through `streams`, so each record
    /// counts what its readers got (`FlowState::delivery`). Set before the
    /// first packet.
    pub fn reassemble_with(&mut self, streams: Box<dyn SegmentSink>) {
        self.streams = Some(streams);
    }

    /// What reassembly did, when the table reassembles.
    pub fn delivery_report(&self) -> Option<DeliveryReport> {
        self.streams.as_ref().map(|s| s.report())
    }

    pub fn counters(&self) -> TableCounters {
        self.counters
    }

    /// Flows tracked now.
    pub fn live(&self) -> usize {
        self.map.len()
    }

    /// Conversations seen so far per protocol: [TCP, UDP, ICMP echo].
    pub fn conversations(&self) -> [u32; 3] {
        self.next_stream
    }

    /// The live conversation with this key, as tracked so far.
    pub fn get(&self, key: &FlowKey) -> Option<&FlowState> {
        let i = self.map.get(key, &self.flows)?;
        self.flows.get(i)
    }

    /// Track one decoded frame; `None` when it belongs to no conversation.
    pub fn ingest(&mut self, frame: &FrameRecord, d: &Dissection) -> Option<FlowInfo> {
        self.ingest_packet(frame, Packet::from_dissection(frame, d).as_ref())
    }

    /// Start fetching the index slot of this packet's flow (the first of
    /// the two memory reads a packet costs; see `Lookahead`).
    pub fn prefetch_slot(&self, p: &Packet) {
        self.map.prefetch(p.hash_hi);
    }

    /// Start fetching this packet's flow record, once its slot is likely in
    /// cache (the second read).
    pub fn prefetch_record(&self, p: &Packet) {
        let Some(i) = self.map.guess(p.hash_hi) else {
            return;
        };
        if let Some(f) = self.flows.get(i) {
            let start = std::ptr::from_ref(f).cast::<u8>();
            let size = std::mem::size_of::<FlowState>();
            // One address in every cache line the record spans.
            for offset in (0..size).step_by(64).chain([size - 1]) {
                prefetch(start.wrapping_add(offset));
            }
        }
        // A TCP segment is handed to the streams with the same record.
        if p.tcp.is_some()
            && let Some(streams) = &self.streams
        {
            streams.prefetch(i);
        }
    }

    /// Track one frame whose flow facts (`Packet::from_dissection`) are
    /// known; `None` when it belongs to no conversation.
    pub fn ingest_packet(&mut self, frame: &FrameRecord, p: Option<&Packet>) -> Option<FlowInfo> {
        let ts_ns = frame.ts.map(|t| t.as_nanos() as i64);
        self.ingest_parts(ts_ns, frame.orig_len, p)
    }

    /// Track one frame observed elsewhere (see `Background`).
    pub fn ingest_observation(&mut self, o: &Observation) -> Option<FlowInfo> {
        self.ingest_parts(o.ts_ns, o.wire_len, o.packet.as_ref())
    }

    /// Track a run of observed frames, fetching the flows of later ones
    /// while earlier ones are handled (the batch is all in memory, so the
    /// fetches can run as far ahead as is useful).
    pub fn ingest_batch(&mut self, batch: &[Observation]) {
        const SLOT_AHEAD: usize = 16;
        const RECORD_AHEAD: usize = 8;
        for (i, o) in batch.iter().enumerate() {
            if let Some(p) = batch.get(i + SLOT_AHEAD).and_then(|o| o.packet.as_ref()) {
                self.prefetch_slot(p);
            }
            if let Some(p) = batch.get(i + RECORD_AHEAD).and_then(|o| o.packet.as_ref()) {
                self.prefetch_record(p);
            }
            self.ingest_observation(o);
        }
    }

    fn ingest_parts(
        &mut self,
        ts_ns: Option<i64>,
        wire_len: u32,
        p: Option<&Packet>,
    ) -> Option<FlowInfo> {
        let now = ts_ns.unwrap_or(self.last_ns);
        self.last_ns = now;
        self.sweep_if_due(now);
        let p = p?;
        self.counters.packets += 1;
        let seen = self.counters.packets;
        let len = u64::from(wire_len);
        let (i, first) = match self.map.get_hashed(&p.key, p.hash_hi, &self.flows) {
            Some(i) => {
                let f = &self.flows[i];
                // TCP state is indexed by key direction (lower → higher = 0).
                let kd = usize::from(!p.forward);
                let reused = p
                    .tcp
                    .as_ref()
                    .is_some_and(|seg| seg.analysed && f.tcp.is_new_connection(kd, seg));
                let idle = self
                    .config
                    .idle_timeout_ns
                    .is_some_and(|timeout| now - f.last_ns > timeout);
                if reused || idle {
                    if idle {
                        self.counters.expired += 1;
                    } else {
                        self.counters.reused += 1;
                    }
                    if let Some(s) = &mut self.streams {
                        s.close(i);
                    }
                    let fresh = self.fresh(p, now);
                    let old = std::mem::replace(&mut self.flows[i], fresh);
                    self.retire(&old, Retired::Finished);
                    (i, true)
                } else {
                    (i, false)
                }
            }
            None => {
                if self.map.len() as u64 >= u64::from(self.config.max_flows.max(1)) {
                    self.evict_oldest();
                }
                let fresh = self.fresh(p, now);
                let i = match self.free.pop() {
                    Some(i) => {
                        self.flows[i] = fresh;
                        i
                    }
                    None => self.flows.push(fresh),
                };
                self.map.insert(i, &self.flows);
                self.oldest_ns = self.oldest_ns.min(now);
                self.counters.peak = self.counters.peak.max(self.map.len() as u64);
                (i, true)
            }
        };
        let f = &mut self.flows[i];
        f.seen = seen;
        if p.counted && f.total_packets() == 0 {
            // A is the sender of the first packet counted (tshark's rule),
            // which need not be the first packet tracked.
            if f.a_is_lo != p.forward {
                f.a_is_lo = p.forward;
                f.client = match f.client {
                    Client::A => Client::B,
                    Client::B => Client::A,
                    Client::Unknown => Client::Unknown,
                };
            }
            f.first_ns = now;
            f.last_ns = now;
        }
        let dir = usize::from(f.a_is_lo != p.forward);
        if p.counted {
            f.packets[dir] += 1;
            f.bytes[dir] += len;
            if now > f.last_ns {
                f.last_ns = now;
            }
        }
        // Wrapping on purpose: TCP analysis takes differences only.
        let now_us = now.div_euclid(1000) as u32;
        let mut info = FlowInfo {
            proto: p.key.proto,
            stream: f.stream,
            a_to_b: dir == 0,
            rel_seq: None,
            rel_ack: None,
            line_seq: None,
            analysis: Analysis::default(),
        };
        if let Some(seg) = &p.tcp {
            if seg.analysed {
                let s = f.tcp.segment(usize::from(!p.forward), seg, now_us, first);
                info.rel_seq = Some(s.rel_seq);
                info.rel_ack = Some(s.rel_ack);
                info.line_seq = s.line_seq;
                // Reassembled as tshark's follow takes segments: a header
                // of sane length the capture holds whole.
                if p.counted
                    && let Some(streams) = &mut self.streams
                {
                    streams.segment(i, dir, seg, (s.rel_seq, s.rel_ack), &mut f.delivery);
                }
                info.analysis = s.analysis;
            } else {
                info.rel_seq = Some(seg.seq);
                info.rel_ack = Some(seg.ack);
            }
            if first && seg.flags & 0x12 == 0x12 {
                // A SYN-ACK first: its receiver is the client.
                f.client = if dir == 0 { Client::B } else { Client::A };
            }
        }
        if let Some(echo) = &p.echo {
            if echo.request {
                f.tcp.echo_seq = Some(echo.seq);
            } else if f.tcp.echo_seq == Some(echo.seq) {
                f.tcp.matched += 1;
                f.tcp.echo_seq = None;
            }
        }
        Some(info)
    }

    fn fresh(&mut self, p: &Packet, now: i64) -> FlowState {
        self.counters.created += 1;
        let slot = proto_slot(p.key.proto);
        let stream = self.next_stream[slot];
        self.next_stream[slot] += 1;
        // A is the first packet's sender.
        let a_is_lo = p.forward;
        let client = if let Some(seg) = &p.tcp
            && seg.flags & 0x12 == 0x02
        {
            Client::A
        } else if let Some(echo) = &p.echo {
            if echo.request { Client::A } else { Client::B }
        } else {
            let (a_port, b_port) = (p.src_port, p.dst_port);
            match (a_port >= EPHEMERAL_FROM, b_port >= EPHEMERAL_FROM) {
                (true, false) => Client::A,
                (false, true) => Client::B,
                _ => Client::Unknown,
            }
        };
        FlowState {
            key: p.key,
            a_is_lo,
            client,
            stream,
            first_ns: now,
            last_ns: now,
            packets: [0; 2],
            bytes: [0; 2],
            tcp: TcpFlow::default(),
            reassembled: self.streams.is_some() && p.key.proto == TCP,
            delivery: Delivery::default(),
            seen: self.counters.packets,
        }
    }

    fn remove(&mut self, i: u32, how: Retired) {
        if let Some(s) = &mut self.streams {
            s.close(i);
        }
        let key = self.flows[i].key;
        self.map.remove(&key, &self.flows);
        self.free.push(i);
        let f = self.flows[i].clone();
        self.retire(&f, how);
        self.flows[i].seen = FREE;
    }
}

#[cfg(test)]
mod tests;
