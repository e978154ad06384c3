//! Round-trip time samples of a TCP conversation, and the estimate a
//! sender keeps from them (RFC 6298 §2, the textbook's EstimatedRTT and
//! DevRTT):
//!
//! ```text
//! first sample R:  EstimatedRTT = R,  DevRTT = R/2
//! each later R:    DevRTT       = 0.75·DevRTT + 0.25·|R − EstimatedRTT|   (the EstimatedRTT before R)
//!                  EstimatedRTT = 0.875·EstimatedRTT + 0.125·R
//! TimeoutInterval = EstimatedRTT + 4·DevRTT (RFC 6298 then rounds it up to 1 s at least)
//! ```
//!
//! A sample is taken as Wireshark takes `tcp.analysis.ack_rtt`: each
//! segment that carries data, a SYN or a FIN waits for the acknowledgment
//! number equal to its end; the ACK carrying it gives a sample, timed from
//! the earliest segment with that end (so a retransmission's ACK times the
//! original). An ACK past a segment's end retires it without a sample, and
//! a zero sample (both frames with the same time) is not taken.

use super::{Side, Step};

/// One round-trip sample and the estimate after it.
#[derive(Clone, Debug, PartialEq)]
pub struct RttSample {
    /// The ACK's frame, and the frame it acknowledges.
    pub frame: u64,
    pub acked: u64,
    /// The side whose data (or SYN, or FIN) was acknowledged: the sender
    /// whose estimate this sample feeds.
    pub sender: Side,
    /// Seconds.
    pub sample: f64,
    /// EstimatedRTT and DevRTT before this sample (None for the first).
    pub before: Option<(f64, f64)>,
    pub estimated: f64,
    pub dev: f64,
}

impl RttSample {
    /// EstimatedRTT + 4·DevRTT, seconds.
    pub fn timeout(&self) -> f64 {
        self.estimated + 4.0 * self.dev
    }
}

/// Every sample of a conversation, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rtts {
    pub samples: Vec<RttSample>,
}

/// Segments waiting for their acknowledgment: (seq, end, frame, time).
type Unacked = Vec<(u32, u32, u64, i128)>;

fn after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// The samples of `steps` (the conversation's TCP steps) and each sender's
/// estimate.
pub(super) fn estimate(steps: &[Step]) -> Rtts {
    let mut waiting: [Unacked; 2] = [Vec::new(), Vec::new()];
    let mut state: [Option<(f64, f64)>; 2] = [None, None];
    let mut samples = Vec::new();
    for s in steps {
        let (Some(ts), Some(seq)) = (s.ts, s.seq) else {
            continue;
        };
        let me = usize::from(s.from == Side::Server);
        if let Some(ack) = s.ack {
            let list = &mut waiting[1 - me];
            let mut hit: Option<(u64, i128)> = None;
            // Newest first, as Wireshark walks its list; the last match
            // (the oldest segment with this end) gives the time.
            let mut keep = Vec::with_capacity(list.len());
            for &(useq, uend, frame, uts) in list.iter().rev() {
                if ack == uend {
                    hit = Some((frame, uts));
                } else if after(ack, useq) && !after(ack, uend) {
                    keep.push((ack, uend, frame, uts));
                } else if after(uend, ack) {
                    keep.push((useq, uend, frame, uts));
                }
            }
            keep.reverse();
            *list = keep;
            // A zero sample (the capture's clock did not tick between the
            // two) is not taken: tshark shows none either.
            if let Some((acked, then)) = hit
                && ts > then
            {
                let r = (ts - then) as f64 / 1e9;
                let before = state[1 - me];
                let (est, dev) = match before {
                    None => (r, r / 2.0),
                    Some((est, dev)) => {
                        (0.875 * est + 0.125 * r, 0.75 * dev + 0.25 * (r - est).abs())
                    }
                };
                state[1 - me] = Some((est, dev));
                samples.push(RttSample {
                    frame: s.frame,
                    acked,
                    sender: s.from.other(),
                    sample: r,
                    before,
                    estimated: est,
                    dev,
                });
            }
        }
        let syn_fin = s.has("SYN") || s.has("FIN");
        if s.len > 0 || syn_fin {
            let end = seq
                .wrapping_add(s.len as u32)
                .wrapping_add(u32::from(syn_fin));
            // Bounded by the conversation's steps, which the caller bounds.
            waiting[me].push((seq, end, s.frame, ts));
        }
    }
    Rtts { samples }
}
