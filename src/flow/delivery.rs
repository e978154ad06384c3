//! What a TCP conversation's readers got: the bytes each side's socket
//! would have read in order, and the bytes it must have read that the
//! capture lacks (tshark's "[N bytes missing in capture file]"). The flow
//! table keeps the counts in each record; the reassembly itself is the
//! `stream` module's, handed to the table as a [`SegmentSink`] (the table
//! cannot name `stream`, which builds on it), so no second loop reads the
//! frames.

use super::TcpSegment;

/// Per direction, [A→B, B→A]: bytes delivered in order and bytes missing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub delivered: [u64; 2],
    pub missing: [u64; 2],
}

/// What reassembly held and dropped over a whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Bytes delivered in order, and missing, over every conversation
    /// (those the table evicted or finished included).
    pub delivered: u64,
    pub missing: u64,
    /// Out-of-order bytes held (with each segment's overhead): now, at the
    /// most, and the bound.
    pub held: usize,
    pub peak_held: usize,
    pub bound: usize,
    /// Out-of-order segments not held because a bound was reached, and
    /// their payload bytes.
    pub dropped_segments: u64,
    pub dropped_bytes: u64,
}

/// Reassembles the conversations of a flow table, one per record.
pub trait SegmentSink: Send {
    /// One TCP segment of the conversation in record `slot`, sent by side
    /// `side` (0: A), with Wireshark's relative numbers; adds what its
    /// readers got to `delivery`.
    fn segment(
        &mut self,
        slot: u32,
        side: usize,
        seg: &TcpSegment,
        rel: (u32, u32),
        delivery: &mut Delivery,
    );
    /// Start fetching what `segment` will read for record `slot` (a hint,
    /// as the table's own record fetch; by default nothing).
    fn prefetch(&self, _slot: u32) {}
    /// The conversation in record `slot` left the table.
    fn close(&mut self, slot: u32);
    fn report(&self) -> DeliveryReport;
}
