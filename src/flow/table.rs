//! The bounded flow table: an index of `u32` slot numbers (see `index.rs`)
//! into a `Vec<FlowState>` of fixed-size records. Each record notes the
//! table's packet count when it last saw a packet; nothing else is written
//! per packet, so a packet costs one index probe and one record, however
//! many flows there are. (A linked least-recently-seen list would write two
//! more random records per packet: with a million flows, two cache misses.)
//!
//! Bounds: when the table is full, the least recently seen flow is evicted;
//! candidates are the oldest sixty-fourth of the table, picked by one
//! sequential pass and used up before the next pass, which keeps the choice
//! exact (a candidate that saw a packet since is skipped) at a few record
//! reads per eviction. A flow idle past the timeout expires when its next
//! packet arrives (that packet opens a new conversation), and idle flows
//! that never see one are swept out within an eighth of the timeout.
//! Expiries and evictions are counted; finished flows are handed back to
//! the caller only if it asked to keep them.

use super::Observation;
use super::index::{Index, prefetch};
use super::records::Records;
use super::tcp_state::TcpFlow;
use super::{Client, EPHEMERAL_FROM, FlowInfo, FlowKey, FlowState, ICMP, ICMPV6, Packet, TCP};
use crate::decode::Dissection;
use crate::frame::FrameRecord;

/// `FlowState::seen` of a record on the free list.
const FREE: u64 = u64::MAX;

/// Each eviction pass picks this fraction of the table as candidates.
const EVICTION_BATCH_DIVISOR: usize = 64;

/// Limits of the table.
#[derive(Clone, Copy, Debug)]
pub struct FlowConfig {
    /// Flows idle longer than this (nanoseconds of capture time) expire;
    /// `None` keeps them (tshark's behaviour on files).
    pub idle_timeout_ns: Option<i64>,
    /// Most flows tracked at once; beyond it the oldest idle flow is evicted.
    pub max_flows: u32,
    /// Keep finished (expired, evicted, superseded) flows for the caller.
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
    finished: Vec<FlowState>,
    counters: TableCounters,
    last_ns: i64,
}

/// The number of distinct values in a sorted sequence.
fn distinct<T: PartialEq>(sorted: impl Iterator<Item = T>) -> usize {
    let mut count = 0;
    let mut last = None;
    for v in sorted {
        if last.as_ref() != Some(&v) {
            count += 1;
            last = Some(v);
        }
    }
    count
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
            counters: TableCounters::default(),
            last_ns: 0,
        }
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

    /// The flows tracked now, in no particular order.
    pub fn live_flows(&self) -> impl Iterator<Item = &FlowState> {
        self.flows.iter().filter(|f| f.seen != FREE)
    }

    /// Distinct IP addresses and distinct (address, port) endpoints among
    /// the flows tracked now.
    pub fn endpoints(&self) -> (usize, usize) {
        // Sorted lists rather than hash sets: a million flows' endpoints
        // sort in a fraction of the time random inserts take, in a fifth
        // of the memory. IPv4 endpoints pack into a u64 (address, protocol,
        // port); in each list a distinct endpoint is a change of value and
        // a distinct address a change of its address part.
        let mut v4: Vec<u64> = Vec::with_capacity(2 * self.live());
        let mut v6: Vec<(u128, u32)> = Vec::new();
        for f in self.live_flows() {
            let k = &f.key;
            let (lo, hi) = k.addr_bits();
            for (addr, port) in [(lo, k.lo_port), (hi, k.hi_port)] {
                let proto_port = u32::from(k.proto) << 16 | u32::from(port);
                if k.is_v6() {
                    v6.push((addr, proto_port));
                } else {
                    v4.push((addr as u64) << 24 | u64::from(proto_port));
                }
            }
        }
        v4.sort_unstable();
        v6.sort_unstable();
        let addrs = distinct(v4.iter().map(|e| e >> 24)) + distinct(v6.iter().map(|e| e.0));
        let ends = distinct(v4.iter().copied()) + distinct(v6.iter().copied());
        (addrs, ends)
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
        if let Some(f) = self.map.guess(p.hash_hi).and_then(|i| self.flows.get(i)) {
            let start = std::ptr::from_ref(f).cast::<u8>();
            let size = std::mem::size_of::<FlowState>();
            // One address in every cache line the record spans.
            for offset in (0..size).step_by(64).chain([size - 1]) {
                prefetch(start.wrapping_add(offset));
            }
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
                    let fresh = self.fresh(p, now);
                    let old = std::mem::replace(&mut self.flows[i], fresh);
                    if self.config.keep_finished {
                        self.finished.push(old);
                    }
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
        };
        if let Some(seg) = &p.tcp {
            if seg.analysed {
                let s = f.tcp.segment(usize::from(!p.forward), seg, now_us, first);
                info.rel_seq = Some(s.rel_seq);
                info.rel_ack = Some(s.rel_ack);
                info.line_seq = s.line_seq;
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
            seen: self.counters.packets,
        }
    }

    /// Sweep out flows idle past the timeout, when one may be (the oldest
    /// flow's last packet is that old) and an eighth of the timeout has
    /// passed since the last sweep, so sweeps cost O(1) per packet.
    fn sweep_if_due(&mut self, now: i64) {
        let Some(timeout) = self.config.idle_timeout_ns else {
            return;
        };
        if now.saturating_sub(self.oldest_ns) <= timeout
            || now < self.swept_ns.saturating_add(timeout / 8)
        {
            return;
        }
        self.swept_ns = now;
        let mut oldest = i64::MAX;
        for i in 0..self.flows.len() {
            let f = &self.flows[i];
            if f.seen == FREE {
                continue;
            }
            if now - f.last_ns > timeout {
                self.counters.expired += 1;
                self.remove(i);
            } else {
                oldest = oldest.min(f.last_ns);
            }
        }
        self.oldest_ns = oldest;
    }

    /// Evict the least recently seen flow.
    fn evict_oldest(&mut self) {
        loop {
            let Some((seen, i)) = self.victims.pop() else {
                if !self.pick_victims() {
                    return;
                }
                continue;
            };
            // A candidate that saw a packet since it was picked is now among
            // the newest; one freed and reused has another `seen` too.
            if self.flows[i].seen == seen {
                self.counters.evicted += 1;
                self.remove(i);
                return;
            }
        }
    }

    /// Pick the oldest sixty-fourth of the live flows as eviction
    /// candidates; false if there are none.
    fn pick_victims(&mut self) -> bool {
        let mut all: Vec<(u64, u32)> = self
            .flows
            .iter()
            .zip(0u32..)
            .filter(|(f, _)| f.seen != FREE)
            .map(|(f, i)| (f.seen, i))
            .collect();
        if all.is_empty() {
            return false;
        }
        let keep = (all.len() / EVICTION_BATCH_DIVISOR).max(1);
        if keep < all.len() {
            all.select_nth_unstable(keep);
            all.truncate(keep);
        }
        all.sort_unstable_by(|a, b| b.cmp(a));
        self.victims = all;
        true
    }

    fn remove(&mut self, i: u32) {
        let key = self.flows[i].key;
        self.map.remove(&key, &self.flows);
        self.free.push(i);
        if self.config.keep_finished {
            self.finished.push(self.flows[i].clone());
        }
        self.flows[i].seen = FREE;
    }

    /// Every conversation: finished ones (if kept) and live ones, in order
    /// of first appearance.
    pub fn into_flows(mut self) -> Vec<FlowState> {
        // Move the records out (no copy of the table): drop the index first,
        // then keep the records that are not free.
        let mut all = Vec::with_capacity(self.live() + self.finished.len());
        self.map = Index::default();
        all.extend(
            std::mem::take(&mut self.flows)
                .into_iter()
                .filter(|f| f.seen != FREE),
        );
        all.append(&mut self.finished);
        // Conversations whose packets tshark would not count are not listed.
        all.retain(|f| f.total_packets() > 0);
        // Unstable sorts need no buffer (a stable one would take half the
        // table again); the key is unique.
        all.sort_unstable_by_key(FlowState::appearance);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Detail, decode_into};
    use crate::frame::{LinkType, Timestamp, TsPrecision};

    /// An Ethernet/IPv4/UDP frame from 10.0.0.`src` port `sport` to
    /// 10.0.0.`dst` port `dport`.
    fn udp(no: u64, secs: i64, src: u8, sport: u16, dst: u8, dport: u16) -> FrameRecord {
        let mut b = vec![
            0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00, // Ethernet
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, // IPv4, total length 28
            10, 0, 0, src, 10, 0, 0, dst, // addresses
        ];
        b.extend_from_slice(&sport.to_be_bytes());
        b.extend_from_slice(&dport.to_be_bytes());
        b.extend_from_slice(&[0, 8, 0, 0]); // UDP length 8, checksum 0
        FrameRecord {
            number: no,
            ts: Some(Timestamp { secs, nanos: 0 }),
            precision: TsPrecision::Micro,
            link: LinkType::ETHERNET,
            orig_len: b.len() as u32,
            iface: 0,
            data: b,
        }
    }

    fn feed(t: &mut FlowTable, f: &FrameRecord) -> Option<FlowInfo> {
        let mut d = Dissection::default();
        decode_into(f, Detail::Layers, &mut d);
        t.ingest(f, &d)
    }

    #[test]
    fn get_shows_a_live_conversation_as_it_grows() {
        let mut t = FlowTable::new(FlowConfig::default());
        let f = udp(1, 0, 2, 5000, 1, 53);
        feed(&mut t, &f);
        feed(&mut t, &udp(2, 1, 1, 53, 2, 5000));
        let key_of = |f: &FrameRecord| {
            let mut d = Dissection::default();
            decode_into(f, Detail::Layers, &mut d);
            Packet::from_dissection(f, &d).expect("udp").key
        };
        assert_eq!(t.get(&key_of(&f)).map(|s| s.packets), Some([1, 1]));
        assert!(t.get(&key_of(&udp(3, 2, 3, 1, 4, 2))).is_none());
    }

    #[test]
    fn both_directions_of_a_conversation_count_once_with_a_first() {
        let mut t = FlowTable::new(FlowConfig::default());
        let i1 = feed(&mut t, &udp(1, 0, 2, 5000, 1, 53)).expect("udp");
        let i2 = feed(&mut t, &udp(2, 1, 1, 53, 2, 5000)).expect("udp");
        assert_eq!((i1.stream, i1.a_to_b), (0, true));
        assert_eq!((i2.stream, i2.a_to_b), (0, false));
        let flows = t.into_flows();
        assert_eq!(flows.len(), 1);
        assert_eq!(flows[0].packets, [1, 1]);
        assert_eq!(flows[0].a().1, 5000);
        assert_eq!(flows[0].client, Client::A);
    }

    #[test]
    fn a_flow_record_stays_compact() {
        // The memory goal is under 200 bytes per flow beyond the key.
        let size = std::mem::size_of::<FlowState>();
        assert!(size <= 176, "FlowState is {size} bytes");
        eprintln!(
            "FlowState is {size} bytes, FlowKey {}",
            std::mem::size_of::<crate::flow::FlowKey>()
        );
    }

    #[test]
    fn flows_stay_findable_through_many_evictions() {
        let config = FlowConfig {
            max_flows: 300,
            ..FlowConfig::default()
        };
        let mut t = FlowTable::new(config);
        let frame = |n: u64| {
            udp(
                n,
                n as i64,
                (n % 250) as u8 + 2,
                1024 + (n / 250) as u16,
                1,
                53,
            )
        };
        for n in 0..5000 {
            feed(&mut t, &frame(n));
        }
        assert_eq!(t.counters().evicted, 4700);
        let created = t.counters().created;
        for n in 4700..5000 {
            feed(&mut t, &frame(n));
        }
        assert_eq!(t.counters().created, created, "a live flow was not found");
        assert_eq!(t.live(), 300);
    }

    #[test]
    fn idle_flows_expire_and_are_counted() {
        let config = FlowConfig {
            idle_timeout_ns: Some(10_000_000_000),
            ..FlowConfig::default()
        };
        let mut t = FlowTable::new(config);
        feed(&mut t, &udp(1, 0, 2, 5000, 1, 53));
        feed(&mut t, &udp(2, 5, 3, 5000, 1, 53));
        feed(&mut t, &udp(3, 12, 4, 5000, 1, 53));
        assert_eq!(t.counters().expired, 1);
        assert_eq!(t.live(), 2);
    }

    #[test]
    fn a_full_table_evicts_the_least_recently_seen_flow() {
        let config = FlowConfig {
            max_flows: 2,
            keep_finished: true,
            ..FlowConfig::default()
        };
        let mut t = FlowTable::new(config);
        feed(&mut t, &udp(1, 0, 2, 5000, 1, 53));
        feed(&mut t, &udp(2, 1, 3, 5000, 1, 53));
        feed(&mut t, &udp(3, 2, 2, 5000, 1, 53)); // flow 1 is fresh again
        feed(&mut t, &udp(4, 3, 4, 5000, 1, 53)); // evicts flow 2
        assert_eq!(t.counters().evicted, 1);
        assert_eq!(t.live(), 2);
        let flows = t.into_flows();
        assert_eq!(flows.len(), 3);
        let evicted = flows.iter().find(|f| f.a().0.to_string() == "10.0.0.3");
        assert_eq!(evicted.map(|f| f.packets[0]), Some(1));
    }

    #[test]
    fn a_flow_idle_past_the_timeout_starts_a_new_conversation_on_its_next_packet() {
        let config = FlowConfig {
            idle_timeout_ns: Some(80_000_000_000),
            keep_finished: true,
            ..FlowConfig::default()
        };
        let mut t = FlowTable::new(config);
        feed(&mut t, &udp(1, 0, 2, 5000, 1, 53)); // A
        let d1 = feed(&mut t, &udp(2, 5, 4, 5000, 1, 53)).expect("udp"); // D
        // At 81 s a sweep expires A (idle 81 s) but not D (idle 76 s).
        feed(&mut t, &udp(3, 81, 3, 5000, 1, 53));
        assert_eq!(t.counters().expired, 1);
        // At 86 s D has been idle 81 s; the next sweep is not due before
        // 91 s, so D's own packet must find it expired.
        let d2 = feed(&mut t, &udp(4, 86, 4, 5000, 1, 53)).expect("udp");
        assert_eq!((d1.stream, d2.stream), (1, 3));
        assert_eq!(t.counters().expired, 2);
        assert_eq!(t.live(), 2);
        let flows = t.into_flows();
        assert_eq!(flows.len(), 4, "expired conversations are still listed");
    }

    #[test]
    fn idle_flows_that_never_return_are_swept_within_an_eighth_of_the_timeout() {
        let timeout = 8_000_000_000;
        let config = FlowConfig {
            idle_timeout_ns: Some(timeout),
            ..FlowConfig::default()
        };
        let mut t = FlowTable::new(config);
        for n in 0..100u16 {
            feed(&mut t, &udp(u64::from(n), 0, 2, 1024 + n, 1, 53));
        }
        // One flow stays busy every second; the hundred others go quiet.
        let mut swept_at = None;
        for sec in 1..20 {
            feed(&mut t, &udp(200 + sec as u64, sec, 3, 9999, 1, 53));
            if swept_at.is_none() && t.live() == 1 {
                swept_at = Some(sec);
            }
        }
        let swept_at = swept_at.expect("the idle flows were never swept");
        assert!(
            swept_at * 1_000_000_000 > timeout,
            "swept at {swept_at} s, too early"
        );
        assert!(
            swept_at * 1_000_000_000 <= timeout + timeout / 8 + 1_000_000_000,
            "swept at {swept_at} s, too late"
        );
        assert_eq!(t.counters().expired, 100);
    }

    #[test]
    fn eviction_takes_the_least_recently_seen_flow_even_between_candidate_passes() {
        let config = FlowConfig {
            max_flows: 200,
            keep_finished: true,
            ..FlowConfig::default()
        };
        let mut t = FlowTable::new(config);
        let frame = |n: u64, secs: i64| udp(n, secs, (n % 250) as u8 + 2, 1024 + n as u16, 1, 53);
        for n in 0..200 {
            feed(&mut t, &frame(n, n as i64));
        }
        // The 201st flow evicts flow 0; flow 1, a candidate of that pass,
        // then sees a packet and must survive the next evictions.
        feed(&mut t, &frame(200, 200));
        feed(&mut t, &frame(1, 201));
        for n in 201..210 {
            feed(&mut t, &frame(n, n as i64 + 1));
        }
        assert_eq!(t.counters().evicted, 10);
        let live_ports: Vec<u16> = t.live_flows().map(|f| f.a().1).collect();
        assert!(
            live_ports.contains(&1025),
            "flow 1 was evicted after its packet"
        );
        let evicted: Vec<u16> = t
            .into_flows()
            .iter()
            .filter(|f| f.total_packets() == 1 && f.first_ns < 200_000_000_000)
            .map(|f| f.a().1 - 1024)
            .take(10)
            .collect();
        assert_eq!(evicted.len(), 10);
        let expected: Vec<u16> = [0].into_iter().chain(2..11).collect();
        let mut sorted = evicted.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn endpoints_count_distinct_addresses_and_address_port_pairs() {
        let mut t = FlowTable::new(FlowConfig::default());
        // 10.0.0.2:5000 and 10.0.0.3:5000 talk to 10.0.0.1:53 (UDP), and
        // 10.0.0.2:5000 a second time to 10.0.0.1:54.
        feed(&mut t, &udp(1, 0, 2, 5000, 1, 53));
        feed(&mut t, &udp(2, 0, 3, 5000, 1, 53));
        feed(&mut t, &udp(3, 0, 2, 5000, 1, 54));
        feed(&mut t, &udp(4, 0, 1, 53, 2, 5000));
        // addresses .1 .2 .3; endpoints .1:53 .1:54 .2:5000 .3:5000
        assert_eq!(t.endpoints(), (3, 4));
    }

    #[test]
    fn a_table_fed_on_its_own_thread_ends_the_same_as_one_fed_in_line() {
        use crate::flow::Background;
        let config = FlowConfig {
            idle_timeout_ns: Some(30_000_000_000),
            max_flows: 1000,
            keep_finished: true,
        };
        // More frames than two batches, over more flows than the table
        // holds, with idle gaps: evictions, expiries and reuse of records.
        let frames: Vec<FrameRecord> = (0..10_000u64)
            .map(|n| {
                let flow = (n * 7919) % 3000;
                // 50 frames a second, and a 100 s pause every 2000 frames.
                let secs = (n / 50 + n / 2000 * 100) as i64;
                let (host, port) = ((flow % 250) as u8 + 2, 1024 + (flow / 250) as u16);
                udp(n, secs, host, port, 1, 53)
            })
            .collect();
        let mut inline = FlowTable::new(config);
        for f in &frames {
            feed(&mut inline, f);
        }
        let mut threaded = FlowTable::new(config);
        std::thread::scope(|scope| {
            let mut background = Background::start(scope, &mut threaded);
            let mut d = Dissection::default();
            for f in &frames {
                decode_into(f, Detail::Layers, &mut d);
                background.observe(f, &d);
            }
            background.finish();
        });
        assert_eq!(threaded.counters(), inline.counters());
        assert!(inline.counters().evicted > 0 && inline.counters().expired > 0);
        let summary = |t: FlowTable| -> Vec<_> {
            t.into_flows()
                .iter()
                .map(|f| (f.key, f.stream, f.packets, f.bytes, f.first_ns, f.last_ns))
                .collect()
        };
        assert_eq!(summary(threaded), summary(inline));
    }

    #[test]
    fn eviction_matches_an_exact_least_recently_seen_model() {
        // A model keeping flows in order of their last packet, evicting
        // the front; the table must keep exactly the same flows through
        // 40,000 packets over 3,000 flows, 640 at a time (ten eviction
        // candidates a pass, so some see a packet before their turn).
        let config = FlowConfig {
            max_flows: 640,
            ..FlowConfig::default()
        };
        let mut t = FlowTable::new(config);
        let mut model: Vec<u16> = Vec::new();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for n in 0..40_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Skewed: low flow numbers are busier.
            let flow = ((x % 3000) * (x % 3000) / 3000) as u16;
            feed(
                &mut t,
                &udp(
                    n,
                    n as i64,
                    (flow % 200) as u8 + 2,
                    1024 + flow / 200,
                    1,
                    53,
                ),
            );
            if let Some(at) = model.iter().position(|&f| f == flow) {
                model.remove(at);
            } else if model.len() == 640 {
                model.remove(0);
            }
            model.push(flow);
            if n % 97 == 0 {
                let endpoint = |flow: u16| {
                    let host = std::net::Ipv4Addr::new(10, 0, 0, (flow % 200) as u8 + 2);
                    (std::net::IpAddr::V4(host), 1024 + flow / 200)
                };
                let mut live: Vec<_> = t.live_flows().map(FlowState::a).collect();
                live.sort_unstable();
                let mut want: Vec<_> = model.iter().map(|&f| endpoint(f)).collect();
                want.sort_unstable();
                assert_eq!(live, want, "after packet {n}");
            }
        }
        assert!(t.counters().evicted > 10_000, "{:?}", t.counters());
    }

    /// An Ethernet/IPv4/TCP frame from 10.0.0.2:40000 to 10.0.0.1:80 at
    /// `ms` milliseconds, carrying `len` bytes.
    fn tcp(no: u64, ms: i64, seq: u32, flags: u8, len: usize) -> FrameRecord {
        let total = (40 + len) as u16;
        let mut b = vec![0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0];
        b.extend_from_slice(&total.to_be_bytes());
        b.extend_from_slice(&[0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1]);
        b.extend_from_slice(&40000u16.to_be_bytes());
        b.extend_from_slice(&80u16.to_be_bytes());
        b.extend_from_slice(&seq.to_be_bytes());
        b.extend_from_slice(&5000u32.to_be_bytes());
        b.extend_from_slice(&[0x50, flags, 0x10, 0, 0, 0, 0, 0]);
        b.resize(b.len() + len, b'x');
        FrameRecord::ethernet_at_ms(no, ms, b)
    }

    #[test]
    fn a_retransmission_after_an_hour_and_more_is_not_taken_for_reordering() {
        // Times once counted in a u32 of µs since the flow began stopped at
        // 71.6 minutes: every later gap read as zero, so a retransmission
        // looked like an out-of-order segment.
        let mut t = FlowTable::new(FlowConfig::default());
        let minutes = 60_000;
        let (push_ack, ack) = (0x18, 0x10);
        feed(&mut t, &tcp(1, 0, 1000, push_ack, 100));
        feed(&mut t, &tcp(2, 80 * minutes, 1100, push_ack, 100));
        feed(&mut t, &tcp(3, 80 * minutes + 1, 1200, push_ack, 100));
        // 1 ms after the highest segment: reordering.
        feed(&mut t, &tcp(4, 80 * minutes + 2, 1150, ack, 20));
        // Half a second after it: a retransmission.
        feed(&mut t, &tcp(5, 80 * minutes + 500, 1100, push_ack, 100));
        let flows = t.into_flows();
        assert_eq!(flows.len(), 1);
        let tcp = &flows[0].tcp;
        assert_eq!((tcp.retransmissions, tcp.out_of_order), (1, 1));
    }

    #[test]
    fn a_table_past_its_full_size_record_chunks_keeps_every_flow() {
        // 200,000 flows: four 65,536-record chunks beyond the growing ones.
        let mut t = FlowTable::new(FlowConfig::default());
        let frame = |n: u32| {
            let (host, port) = ((n % 250) as u8 + 2, 1024 + (n / 250) as u16);
            udp(u64::from(n), i64::from(n), host, port, 1, 53)
        };
        for n in 0..200_000 {
            feed(&mut t, &frame(n));
        }
        for n in (0..200_000).step_by(997) {
            feed(&mut t, &frame(n));
        }
        assert_eq!(t.counters().created, 200_000, "a flow was not found again");
        let flows = t.into_flows();
        assert_eq!(flows.len(), 200_000);
        assert_eq!(
            flows.iter().map(|f| f.total_packets()).sum::<u64>(),
            200_201
        );
    }
}
