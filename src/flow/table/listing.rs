//! What the table hands back: the live flows, endpoint totals, the final
//! listing, and a summary of the conversations that left the table without
//! being kept for it. The listing is bounded like the table: evicted flows
//! are only summarised, and finished ones (expired, superseded) are kept
//! for it up to `max_flows` of them, then summarised too, so a long run
//! holds at most twice `max_flows` records however many conversations pass.

use super::super::FlowState;
use super::{FREE, FlowTable, Index, proto_slot};

/// Conversations that left the table and are not in `into_flows`, summed.
/// Only conversations the listing would have shown count (ones with a
/// packet tshark counts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unlisted {
    pub conversations: u64,
    /// Of those, evicted when the table was full; the rest finished
    /// (expired or superseded) after `max_flows` finished ones were kept,
    /// or when finished flows were not wanted at all.
    pub evicted: u64,
    /// Their packets and frame bytes, both directions.
    pub packets: u64,
    pub bytes: u64,
    /// Their count per protocol: [TCP, UDP, ICMP echo].
    pub by_proto: [u64; 3],
}

/// How a flow left the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Retired {
    /// Evicted to make room: summarised, never kept.
    Evicted,
    /// Expired or superseded by a new connection: kept for the listing
    /// while there is room.
    Finished,
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

impl Unlisted {
    fn add(&mut self, f: &FlowState, evicted: bool) {
        if f.total_packets() == 0 {
            return;
        }
        self.conversations += 1;
        self.evicted += u64::from(evicted);
        self.packets += f.total_packets();
        self.bytes += f.total_bytes();
        self.by_proto[proto_slot(f.key.proto)] += 1;
    }
}

impl FlowTable {
    /// Keep a flow that left the table for the listing, or sum it up.
    pub(super) fn retire(&mut self, f: &FlowState, how: Retired) {
        let max = self.config.max_flows.max(1) as usize;
        let kept = self.finished.len();
        if how == Retired::Finished && self.config.keep_finished && kept < max {
            if kept == self.finished.capacity() {
                // Doubling, but never past `max_flows` records.
                self.finished.reserve_exact(kept.max(64).min(max - kept));
            }
            self.finished.push(f.clone());
        } else {
            self.unlisted.add(f, how == Retired::Evicted);
        }
    }

    /// The conversations that left the table unlisted, summed.
    pub fn unlisted(&self) -> Unlisted {
        self.unlisted
    }

    /// The flows tracked now, in no particular order.
    pub fn live_flows(&self) -> impl Iterator<Item = &FlowState> {
        self.flows.iter().filter(|f| f.seen != FREE)
    }

    /// Distinct IP addresses and distinct (address, port) endpoints among
    /// the flows tracked now (bounded like the table: flows evicted or
    /// expired are not counted).
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

    /// Every conversation still listed: finished ones kept (see `retire`)
    /// and live ones, in order of first appearance. The rest are summed in
    /// `unlisted`.
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
