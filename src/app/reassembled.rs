//! What reassembly decided for each frame, the Wireshark way: the model's
//! first look at each frame, in capture order, decodes it through a
//! reassembler (as `read` does) and keeps the outcome here; every later
//! decode of that frame (its row, the details and hex panes, the display
//! filter, search, sort keys, statistics) goes through [`Reassembled::decode`]
//! and so shows what `read` shows: a segment in the middle of an HTTP body
//! as a TCP segment of a reassembled PDU, the request on the segment that
//! completes it with its reassembled HTTP tree, a completed datagram's
//! upper layers.
//!
//! Memory: nothing is kept per frame that reassembly left alone. A segment
//! that only continues a PDU costs its store index (4 bytes); a frame that
//! completed a PDU or a datagram keeps those bytes, within a budget
//! ([`KEPT_BYTES_BUDGET`]). Past it, later completions are not kept: such a
//! frame decodes alone (as it did before reassembly came to the TUI) and
//! is counted in [`Reassembled::over_budget`]. Frames that age out of the
//! store (`--max-packets`) give their entries and bytes back.
//!
//! Frames are recorded in store order, once each (a replay that steps
//! back does not record them again), so each list is sorted by index and
//! looked up by binary search.

use std::collections::VecDeque;

use crate::decode::{Detail, Dissection, decode_into};
use crate::frame::{FrameRecord, Recall};
use crate::stream::reassemble::{Decided, PduStep, Reassembler, Reassembly, decode_frame};

/// Bytes of reassembled PDUs and datagrams kept for later decodes.
pub const KEPT_BYTES_BUDGET: usize = 64 << 20;

/// The side table: the first pass's reassembler and what it decided.
#[derive(Debug)]
pub struct Reassembled {
    reassembler: Reassembler,
    /// Store indices of segments that only continue a PDU (and hold no
    /// completed datagram).
    continuing: VecDeque<u32>,
    /// Store indices of frames that completed a PDU or a datagram, with
    /// what they were decoded with.
    completed: VecDeque<(u32, Decided)>,
    /// Store indices of completing frames past the budget: decoded alone.
    alone: VecDeque<u32>,
    kept_bytes: usize,
    budget: usize,
    /// Completions not kept because the budget was spent.
    pub over_budget: u64,
}

impl Default for Reassembled {
    fn default() -> Self {
        Reassembled::with_budget(KEPT_BYTES_BUDGET)
    }
}

impl Reassembled {
    /// A table keeping at most `budget` bytes of completed PDUs and
    /// datagrams (tests use a tiny one).
    pub fn with_budget(budget: usize) -> Reassembled {
        Reassembled {
            reassembler: Reassembler::new(Reassembly::default()),
            continuing: VecDeque::new(),
            completed: VecDeque::new(),
            alone: VecDeque::new(),
            kept_bytes: 0,
            budget,
            over_budget: 0,
        }
    }

    /// Let PDUs waiting for segments hold where their parts sit in the
    /// store's backing file (`FrameStore::recall`) instead of copies.
    pub fn recall_from(&mut self, recall: Option<Recall>) {
        self.reassembler.recall_from(recall);
    }

    /// The first look at store frame `i` (in store order, once), whose
    /// bytes sit at `at` in the backing file when there is one: decode it
    /// through the reassembler into `d` and remember what was decided.
    /// True when this completion is the first the budget turned away (the
    /// caller says so once).
    pub fn first_look(
        &mut self,
        i: usize,
        at: Option<u64>,
        frame: &FrameRecord,
        detail: Detail,
        d: &mut Dissection,
    ) -> bool {
        self.reassembler.frame_at(at);
        let decided = decode_frame(frame, detail, d, &mut self.reassembler);
        if decided.is_fresh() {
            return false;
        }
        let i = i as u32;
        if decided.datagram.is_none() && matches!(decided.pdu, PduStep::Continuation) {
            self.continuing.push_back(i);
            return false;
        }
        let bytes = decided.kept_bytes();
        if self.kept_bytes + bytes > self.budget {
            self.alone.push_back(i);
            self.over_budget += 1;
            return self.over_budget == 1;
        }
        self.kept_bytes += bytes;
        self.completed.push_back((i, decided));
        false
    }

    /// Decode store frame `i` into `d` as its first look did (any later
    /// use: rows, details, filters, search, sort, statistics).
    pub fn decode(&self, i: usize, frame: &FrameRecord, detail: Detail, d: &mut Dissection) {
        let i = i as u32;
        if let Ok(at) = self.completed.binary_search_by_key(&i, |(k, _)| *k) {
            self.completed[at].1.decode(frame, detail, d);
        } else if self.alone.binary_search(&i).is_ok() {
            decode_into(frame, detail, d);
        } else if self.continuing.binary_search(&i).is_ok() {
            CONTINUATION.decode(frame, detail, d);
        } else {
            FRESH.decode(frame, detail, d);
        }
    }

    /// True when store frame `i` completed a PDU or datagram the budget did
    /// not keep, so it decodes alone.
    pub fn decoded_alone(&self, i: usize) -> bool {
        self.alone.binary_search(&(i as u32)).is_ok()
    }

    /// Forget frames below store index `first` (aged out of the store).
    pub fn forget_before(&mut self, first: usize) {
        let first = first as u32;
        while self.continuing.front().is_some_and(|&k| k < first) {
            self.continuing.pop_front();
        }
        while self.alone.front().is_some_and(|&k| k < first) {
            self.alone.pop_front();
        }
        while let Some((k, decided)) = self.completed.front() {
            if *k >= first {
                break;
            }
            self.kept_bytes -= decided.kept_bytes();
            self.completed.pop_front();
        }
    }

    /// Bytes of completed PDUs and datagrams kept now.
    pub fn kept_bytes(&self) -> usize {
        self.kept_bytes
    }

    /// What is remembered now, for the bench: segments that continue a
    /// PDU, frames that completed one (or a datagram), and the bytes the
    /// reassembler holds of PDUs not complete yet.
    pub fn entries(&self) -> (usize, usize, usize) {
        let pending = self.reassembler.tcp.as_ref().map_or(0, |t| t.held_bytes());
        (self.continuing.len(), self.completed.len(), pending)
    }
}

/// A frame reassembly left alone: decoded with reassembly on and nothing
/// held (a fragment that completes nothing shows as a fragment; a PDU it
/// starts, as a segment of a reassembled PDU).
const FRESH: Decided = Decided {
    datagram: None,
    pdu: PduStep::Fresh,
};

/// A segment that only continues a PDU.
const CONTINUATION: Decided = Decided {
    datagram: None,
    pdu: PduStep::Continuation,
};
