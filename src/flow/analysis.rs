//! What TCP sequence analysis (`tcp_state.rs`) decided about one segment,
//! as bits: tshark's `tcp.analysis.*` verdicts, per packet, for every
//! consumer that tells or shows a conversation (teach's stories). Uses
//! nothing; the rules are in `tcp_state.rs`.

/// The analysis verdicts of one segment (a bit set of the constants below).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Analysis(pub u16);

impl Analysis {
    /// Sent before and not advanced (covers the fast and spurious kinds).
    pub const RETRANSMISSION: u16 = 1 << 0;
    /// A retransmission of what the other side's duplicate ACKs asked for.
    pub const FAST_RETRANSMISSION: u16 = 1 << 1;
    /// A retransmission of data the other side had already acknowledged.
    pub const SPURIOUS_RETRANSMISSION: u16 = 1 << 2;
    pub const OUT_OF_ORDER: u16 = 1 << 3;
    /// The same acknowledgment again, with no data and the same window.
    pub const DUPLICATE_ACK: u16 = 1 << 4;
    /// The sender advertises a window of 0: it can take no more data.
    pub const ZERO_WINDOW: u16 = 1 << 5;
    /// One byte sent into the other side's zero window.
    pub const ZERO_WINDOW_PROBE: u16 = 1 << 6;
    pub const KEEP_ALIVE: u16 = 1 << 7;
    /// It starts past the next expected byte: the capture missed a segment.
    pub const LOST_SEGMENT: u16 = 1 << 8;

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
}
