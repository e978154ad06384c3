//! Making room: idle flows expire (swept out within an eighth of the
//! timeout) and, when the table is full, the least recently seen flow is
//! evicted. Candidates are the oldest sixty-fourth of the table, picked by
//! one sequential pass and used up before the next pass, which keeps the
//! choice exact (a candidate that saw a packet since is skipped) at a few
//! record reads per eviction.

use super::{FREE, FlowTable, Retired};

/// Each eviction pass picks this fraction of the table as candidates.
const EVICTION_BATCH_DIVISOR: usize = 64;

impl FlowTable {
    /// Sweep out flows idle past the timeout, when one may be (the oldest
    /// flow's last packet is that old) and an eighth of the timeout has
    /// passed since the last sweep, so sweeps cost O(1) per packet.
    pub(super) fn sweep_if_due(&mut self, now: i64) {
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
                self.remove(i, Retired::Finished);
            } else {
                oldest = oldest.min(f.last_ns);
            }
        }
        self.oldest_ns = oldest;
    }

    /// Evict the least recently seen flow.
    pub(super) fn evict_oldest(&mut self) {
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
                self.remove(i, Retired::Evicted);
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
}
