//! Protocols whose PDUs can be measured before they are decoded, the way
//! Wireshark's `tcp_dissect_pdus` and `req_resp_hdrs_do_reassembly` work:
//! a [`Framer`] says how long the PDU at the start of some bytes is, or how
//! many more bytes it needs; the loop here decodes each whole PDU, asks the
//! pipeline to hold one that a segment cuts, and decodes it again from the
//! reassembled bytes in the segment that completes it.
//!
//! The pipeline takes each following segment whole
//! ([`super::Desegment::whole_segments`]); once the need is met (a need
//! that is only a guess, "at least one more segment" as for HTTP headers
//! without their blank line yet, is met by the next segment) the bytes held
//! are measured again, and a PDU that is still not whole stays held as it
//! is ([`super::Desegment::kept`]). Holding is append-only: each segment's
//! bytes are copied once into the held PDU, and the PDU once more into its
//! "Reassembled TCP" source when it is whole.

use std::ops::Range;

use super::{Desegment, TcpPdu, TcpReassembled, complete_with, payload_offset, segment_data};
use crate::decode::tcp::FLAGS_FIN;
use crate::decode::{Ctx, Proto};

/// How long the PDU at the start of some bytes is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// It is this many bytes long (never more than the bytes given).
    Whole(usize),
    /// It needs this many more bytes past the bytes given (at least 1).
    More(u32),
    /// It runs to the end of the sender's byte stream (its FIN).
    UntilFin,
    /// The bytes do not start a PDU of this protocol.
    NotMine,
}

/// A protocol's half: how to measure a PDU, how to decode a whole one, and
/// what to do with bytes that start none.
pub struct Framer {
    pub len: fn(&[u8]) -> Framing,
    pub decode: fn(&mut Ctx, usize, usize),
    pub other: fn(&mut Ctx, usize, usize),
}

/// Decode the TCP payload `at..end` as this framer's PDUs, as the stream
/// state the pipeline handed in says.
pub(crate) fn tcp_pdus(ctx: &mut Ctx, at: usize, end: usize, framer: &Framer) {
    // Only a segment's own, whole bytes are desegmented: not a datagram
    // quoted in an ICMP error, not one the snap length cut (tshark does
    // not ask for bytes that were not captured).
    let whole = end <= ctx.data.len();
    if ctx.quoted || ctx.source != 0 || !whole {
        return pdus(ctx, at, end, framer, false);
    }
    match ctx.tcp_pdu {
        TcpPdu::Fresh | TcpPdu::Ask(_) => pdus(ctx, at, end, framer, true),
        TcpPdu::Alone => pdus(ctx, at, end, framer, false),
        TcpPdu::Continuation => segment_data(ctx, at, end),
        TcpPdu::Complete(r) => completed(ctx, at, end, r, framer),
    }
}

/// Whole PDUs from `at`; the last one, if cut, is held (`hold`) or decoded
/// as far as it goes.
fn pdus(ctx: &mut Ctx, at: usize, end: usize, framer: &Framer, hold: bool) {
    let mut pos = at;
    let mut first = true;
    while pos < end {
        if !first && ctx.too_deep(pos) {
            return;
        }
        first = false;
        let captured = end.min(ctx.data.len());
        let bytes = ctx.data.get(pos..captured).unwrap_or_default();
        match (framer.len)(bytes) {
            Framing::Whole(n) => {
                let stop = pos + n.clamp(1, end - pos);
                (framer.decode)(ctx, pos, stop);
                pos = stop;
            }
            Framing::More(need) if hold => {
                if ctx.d.desegment.is_none() {
                    ctx.d.desegment = Some(Desegment {
                        start: payload_offset(ctx, pos),
                        need: need.max(1),
                        whole_segments: true,
                        kept: false,
                        until_fin: false,
                    });
                }
                segment_data(ctx, pos, end);
                return;
            }
            Framing::UntilFin if hold && !fin(ctx) => {
                if ctx.d.desegment.is_none() {
                    ctx.d.desegment = Some(Desegment {
                        start: payload_offset(ctx, pos),
                        need: 1,
                        whole_segments: true,
                        kept: false,
                        until_fin: true,
                    });
                }
                segment_data(ctx, pos, end);
                return;
            }
            Framing::More(_) | Framing::UntilFin => return (framer.decode)(ctx, pos, end),
            Framing::NotMine => return (framer.other)(ctx, pos, end),
        }
    }
}

/// This segment completes the held PDU `r` (as far as the table knows: a
/// guessed need may still leave it short). The table took all of the
/// segment's new bytes (the last `r.here` of it): `r.bytes` is the PDU so
/// far, then those.
fn completed<'a>(ctx: &mut Ctx<'a>, at: usize, end: usize, r: &'a TcpReassembled, f: &Framer) {
    let here = r.here.min(end - at);
    let at = end - here;
    let before = r.bytes.len() - here.min(r.bytes.len());
    let measured = (f.len)(&r.bytes);
    // The table hands in a PDU that runs to FIN at the segment with FIN,
    // whose part tshark does not list as segment data.
    let to_fin = measured == Framing::UntilFin;
    let measured = if to_fin {
        Framing::Whole(r.bytes.len())
    } else {
        measured
    };
    match measured {
        Framing::Whole(n) => {
            // At least one byte of this segment's (none for a bare FIN).
            let n = n.clamp((before + 1).min(r.bytes.len()), r.bytes.len());
            let used = n - before;
            let mut segments = r.segments.clone();
            if let Some(last) = segments.last_mut() {
                last.1 = last.1.start..n;
            }
            // This segment's part of the PDU, as tshark lists it too.
            if !to_fin {
                segment_data(ctx, at, at + used);
            }
            complete_with(ctx, r.bytes[..n].to_vec(), segments, f.decode);
            if at + used < end {
                pdus(ctx, at + used, end, f, true);
            }
        }
        Framing::More(need) => {
            // Still short: the pipeline keeps holding what it handed in.
            ctx.d.desegment = Some(Desegment {
                start: 0,
                need: need.max(1),
                whole_segments: true,
                kept: true,
                until_fin: false,
            });
            segment_data(ctx, at, end);
        }
        Framing::UntilFin | Framing::NotMine => {
            // What was held does not start a PDU after all: decode this
            // segment's own bytes afresh.
            pdus(ctx, at, end, f, true);
        }
    }
}

/// Whether this segment has FIN set: a PDU that runs to FIN ends in it.
fn fin(ctx: &Ctx) -> bool {
    let tcp = ctx.d.layers.iter().rev().find(|l| l.proto == Proto::Tcp);
    tcp.and_then(|l| crate::decode::view::View::at(ctx.data, l.header.start).uint(&FLAGS_FIN))
        .is_some_and(|f| f != 0)
}

/// Where each segment's bytes lie in a reassembled PDU.
pub type Segments = Vec<(u64, Range<usize>)>;
