//! ICMP and ICMPv6 echo replies paired with their requests, as Wireshark's
//! one pass pairs them for the Info column's `(request in N)`: a reply
//! names the latest earlier request between the same two hosts with the
//! same identifier and sequence number that no reply has answered yet.
//!
//! Bounded: at most [`PENDING`] unanswered requests are remembered (the
//! oldest are forgotten first), and a reply's pairing is kept only while
//! its frame is in the store.

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::decode::Dissection;
use crate::decode::summary::columns;

/// Unanswered requests remembered at most.
pub const PENDING: usize = 65_536;

/// What a request and its reply share: the echo, as a reply.
type Key = columns::Echo;

#[derive(Debug, Default)]
pub struct EchoPairs {
    /// Unanswered requests: their frame numbers.
    pending: HashMap<Key, u64>,
    /// The requests in arrival order, for forgetting the oldest.
    order: VecDeque<(Key, u64)>,
    /// Store index of a reply → its request's frame number.
    replies: BTreeMap<usize, u64>,
}

impl EchoPairs {
    /// Look at store frame `index` (frame number `number`).
    pub fn ingest(&mut self, index: usize, number: u64, data: &[u8], d: &Dissection) {
        let Some(e) = columns::echo(data, d) else {
            return;
        };
        let key = columns::Echo {
            request: false,
            ..e
        };
        if e.request {
            self.pending.insert(key, number);
            self.order.push_back((key, number));
            while self.order.len() > PENDING {
                if let Some((old, n)) = self.order.pop_front()
                    && self.pending.get(&old) == Some(&n)
                {
                    self.pending.remove(&old);
                }
            }
        } else if let Some(request) = self.pending.remove(&key) {
            self.replies.insert(index, request);
        }
    }

    /// Forget the replies among store frames before `first` (aged out).
    pub fn forget_before(&mut self, first: usize) {
        self.replies = self.replies.split_off(&first);
    }

    /// The frame number of the request store frame `index` answers.
    pub fn request_of(&self, index: usize) -> Option<u64> {
        self.replies.get(&index).copied()
    }

    /// Unanswered requests remembered now.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}
