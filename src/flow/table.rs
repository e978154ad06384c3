//! The bounded flow table: an index of `u32` slot numbers (see `index.rs`)
//! into a `Vec<FlowState>`
//! of fixed-size records, with an intrusive least-recently-seen list so idle
//! flows expire and, when the table is full, the oldest idle flow is evicted
//! in O(1). Expiries and evictions are counted; finished flows are handed
//! back to the caller only if it asked to keep them.

use super::index::Index;
use super::tcp_state::TcpFlow;
use super::{Client, EPHEMERAL_FROM, FlowInfo, FlowState, ICMP, ICMPV6, Packet, TCP};
use crate::decode::Dissection;
use crate::frame::FrameRecord;

const NIL: u32 = u32::MAX;

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
    flows: Vec<FlowState>,
    free: Vec<u32>,
    /// Least recently seen live flow, and most recently seen.
    head: u32,
    tail: u32,
    /// Next stream index for TCP, UDP and ICMP.
    next_stream: [u32; 3],
    finished: Vec<FlowState>,
    counters: TableCounters,
    last_ns: i64,
}

fn proto_slot(proto: u8) -> usize {
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
            flows: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
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

    /// Distinct IP addresses and distinct (address, port) endpoints among
    /// the flows tracked now.
    pub fn endpoints(&self) -> (usize, usize) {
        let mut addrs = std::collections::HashSet::new();
        let mut ends = std::collections::HashSet::new();
        for i in self.map.iter() {
            let f = &self.flows[i as usize];
            addrs.insert(f.key.lo);
            addrs.insert(f.key.hi);
            ends.insert((f.key.proto, f.key.lo, f.key.lo_port));
            ends.insert((f.key.proto, f.key.hi, f.key.hi_port));
        }
        (addrs.len(), ends.len())
    }

    /// The live conversation with this key, as tracked so far.
    pub fn get(&self, key: &super::FlowKey) -> Option<&FlowState> {
        let i = self.map.get(key, &self.flows)?;
        self.flows.get(i as usize)
    }

    /// Track one decoded frame; `None` when it belongs to no conversation.
    pub fn ingest(&mut self, frame: &FrameRecord, d: &Dissection) -> Option<FlowInfo> {
        let now = frame.ts.map_or(self.last_ns, |t| t.as_nanos() as i64);
        self.last_ns = now;
        self.expire(now);
        let p = Packet::from_dissection(frame, d)?;
        self.counters.packets += 1;
        let len = u64::from(frame.orig_len);
        let idx = match self.map.get(&p.key, &self.flows) {
            Some(i) => {
                let f = &self.flows[i as usize];
                // TCP state is indexed by key direction (lower → higher = 0).
                let kd = usize::from(!p.forward);
                if let Some(seg) = &p.tcp
                    && seg.analysed
                    && f.tcp.is_new_connection(kd, seg)
                {
                    self.counters.reused += 1;
                    let fresh = self.fresh(&p, now);
                    let old = std::mem::replace(&mut self.flows[i as usize], fresh);
                    self.relink(i, old.prev, old.next);
                    if self.config.keep_finished {
                        self.finished.push(old);
                    }
                    self.touch(i);
                    (i, true)
                } else {
                    self.touch(i);
                    (i, false)
                }
            }
            None => {
                if self.map.len() as u64 >= u64::from(self.config.max_flows.max(1)) {
                    self.evict_oldest();
                }
                let fresh = self.fresh(&p, now);
                let i = match self.free.pop() {
                    Some(i) => {
                        self.flows[i as usize] = fresh;
                        i
                    }
                    None => {
                        self.flows.push(fresh);
                        (self.flows.len() - 1) as u32
                    }
                };
                self.map.insert(i, &self.flows);
                self.push_tail(i);
                self.counters.peak = self.counters.peak.max(self.map.len() as u64);
                (i, true)
            }
        };
        let (i, first) = idx;
        let f = &mut self.flows[i as usize];
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
        let now_us = u32::try_from((now - f.first_ns).max(0) / 1000).unwrap_or(u32::MAX);
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
            prev: NIL,
            next: NIL,
        }
    }

    /// Expire flows idle for longer than the configured timeout.
    fn expire(&mut self, now: i64) {
        let Some(timeout) = self.config.idle_timeout_ns else {
            return;
        };
        while self.head != NIL && now - self.flows[self.head as usize].last_ns > timeout {
            self.counters.expired += 1;
            self.remove(self.head);
        }
    }

    fn evict_oldest(&mut self) {
        if self.head != NIL {
            self.counters.evicted += 1;
            self.remove(self.head);
        }
    }

    fn remove(&mut self, i: u32) {
        self.unlink(i);
        let key = self.flows[i as usize].key;
        self.map.remove(&key, &self.flows);
        self.free.push(i);
        if self.config.keep_finished {
            self.finished.push(self.flows[i as usize].clone());
        }
    }

    fn unlink(&mut self, i: u32) {
        let (prev, next) = {
            let f = &self.flows[i as usize];
            (f.prev, f.next)
        };
        self.relink_neighbours(prev, next);
        let f = &mut self.flows[i as usize];
        f.prev = NIL;
        f.next = NIL;
    }

    fn relink_neighbours(&mut self, prev: u32, next: u32) {
        if prev == NIL {
            self.head = next;
        } else {
            self.flows[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.flows[next as usize].prev = prev;
        }
    }

    /// A fresh record replaced slot `i` in place: restore its list links.
    fn relink(&mut self, i: u32, prev: u32, next: u32) {
        let f = &mut self.flows[i as usize];
        f.prev = prev;
        f.next = next;
    }

    fn push_tail(&mut self, i: u32) {
        let f = &mut self.flows[i as usize];
        f.prev = self.tail;
        f.next = NIL;
        if self.tail == NIL {
            self.head = i;
        } else {
            self.flows[self.tail as usize].next = i;
        }
        self.tail = i;
    }

    /// Mark slot `i` as the most recently seen.
    fn touch(&mut self, i: u32) {
        if self.tail == i {
            return;
        }
        self.unlink(i);
        self.push_tail(i);
    }

    /// Every conversation: finished ones (if kept) and live ones, in order
    /// of first appearance.
    pub fn into_flows(mut self) -> Vec<FlowState> {
        // Move the records out (no copy of the table): drop the index first,
        // then keep the slots that are not on the free list.
        self.map = Index::default();
        let mut dead = vec![false; self.flows.len()];
        for &i in &self.free {
            dead[i as usize] = true;
        }
        let live = std::mem::take(&mut self.flows)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !dead[*i])
            .map(|(_, f)| f);
        let mut all: Vec<FlowState> = live.collect();
        all.append(&mut self.finished);
        // Conversations whose packets tshark would not count are not listed.
        all.retain(|f| f.total_packets() > 0);
        all.sort_by_key(|f| (f.first_ns, proto_slot(f.key.proto), f.stream));
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
        assert!(size <= 168, "FlowState is {size} bytes");
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
}
