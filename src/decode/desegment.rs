//! Application PDUs that span TCP segments, the way Wireshark's
//! `desegment_offset`/`desegment_len` work, with the decoder kept pure:
//!
//! 1. An application dissector is a [`TcpDissector`]: it reads the bytes
//!    `at..end` and answers [`Need::Done`] or [`Need::More(n)`] ("this PDU
//!    needs `n` bytes past `end`", tshark's `desegment_len`; `n` may be a
//!    guess, e.g. 1 for "at least one more segment" when the length is not
//!    known yet).
//! 2. On `More`, what it added is taken back, the bytes are shown as
//!    `tcp.segment_data`, and the dissection records a [`Desegment`] (where
//!    the PDU starts in this segment, how much it needs).
//! 3. Whoever tracks streams (`stream::tcp_pdu`, run by the pipeline)
//!    collects the following in-order segments of that direction. Each one
//!    that only continues the PDU is decoded again with
//!    [`TcpPdu::Continuation`] (shown as `tcp.segment_data`); the one that
//!    completes it with [`TcpPdu::Complete`]: the PDU's bytes become a data
//!    source ("Reassembled TCP"), the dissector runs over them, and
//!    `tcp.segment`, `tcp.segment.count`, `tcp.reassembled.length` and
//!    `tcp.reassembled.data` list where they came from. Bytes of that
//!    segment after the PDU are dissected as the start of the next one.
//!
//! A dissector therefore needs nothing but its bytes and an honest answer:
//! `fn dissect(ctx: &mut Ctx, at: usize, end: usize) -> Need`, chosen in
//! `app.rs` and run through [`tcp_payload`].

use std::ops::Range;

use super::field::{FieldDef, Format::*};
use super::{Ctx, DataSource, Field, Proto, Value, payload};

crate::fields! {
    SEGMENT_DATA = FieldDef::var("tcp.segment_data", "TCP segment data", Bytes).spec("Wireshark");
    SEGMENT = FieldDef::var("tcp.segment", "TCP Segment", Dec).spec("Wireshark");
    SEGMENT_COUNT = FieldDef::generated("tcp.segment.count", "Segment count", Dec);
    REASSEMBLED_LENGTH = FieldDef::generated("tcp.reassembled.length", "Reassembled TCP length", Dec);
    REASSEMBLED_DATA = FieldDef::var("tcp.reassembled.data", "Reassembled TCP Data", Bytes).spec("Wireshark");
}

/// A dissector's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// The bytes held whole PDUs (or what they could).
    Done,
    /// The PDU that starts at the beginning of the bytes needs this many
    /// bytes past their end.
    More(u32),
}

/// An application dissector over `at..end` of the current data source.
pub type TcpDissector = fn(&mut Ctx, usize, usize) -> Need;

/// Recorded when a dissector asked for more: the PDU starts `start` bytes
/// into this segment's payload, and `need` more bytes past the segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Desegment {
    pub start: u32,
    pub need: u32,
    /// The following segments are taken whole, not cut at `need`: the
    /// framed decoders measure the PDU again from all the bytes held when
    /// `need` is met (see `framed`).
    pub whole_segments: bool,
    /// The PDU this segment was handed as complete is still short by
    /// `need`: its bytes (this segment's among them) stay held as they are,
    /// appended to, never copied again.
    pub kept: bool,
    /// The PDU ends where the sender's byte stream does (an HTTP response
    /// with neither Content-Length nor chunks, Wireshark's
    /// `DESEGMENT_UNTIL_FIN`): the segment with FIN completes it.
    pub until_fin: bool,
}

/// A PDU put together from segments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcpReassembled {
    /// The PDU's bytes: earlier segments' parts, then this one's.
    pub bytes: Vec<u8>,
    /// Each segment's frame and its bytes' range in `bytes`.
    pub segments: Vec<(u64, Range<usize>)>,
    /// How many bytes of this segment's payload the PDU takes.
    pub here: usize,
}

/// What the decoder is told about this segment's payload.
#[derive(Clone, Copy, Debug, Default)]
pub enum TcpPdu<'a> {
    /// Nothing pending: dissect it as it comes.
    #[default]
    Fresh,
    /// Nobody holds PDUs (reassembly off, or one frame decoded alone):
    /// each segment is dissected as far as its own bytes go.
    Alone,
    /// It continues a PDU that is not complete yet.
    Continuation,
    /// It completes this PDU.
    Complete(&'a TcpReassembled),
    /// Fresh, unless `pending` says the segment only continues a PDU it
    /// holds: then a continuation, settled as the TCP header is read
    /// (`tcp::dissect`), so such a segment is not decoded a second time.
    Ask(&'a dyn PendingPdus),
}

/// One direction of one TCP conversation: source then destination.
pub type Direction = (std::net::IpAddr, u16, std::net::IpAddr, u16);

/// Whoever holds PDUs waiting for segments (`stream::tcp_pdu`), asked
/// before a segment's payload is dissected.
pub trait PendingPdus: std::fmt::Debug {
    /// What the table's own step would make of the segment of `dir` with
    /// sequence number `seq`, `len` captured payload bytes and FIN flag
    /// `fin`, worked out without changing anything.
    fn ask(&self, dir: Direction, seq: u32, len: usize, fin: bool) -> Asked;
}

/// The answer of [`PendingPdus::ask`], kept in the dissection
/// (`Dissection::tcp_asked`) for the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// Nothing is held for its direction: the segment is fresh.
    Nothing,
    /// It only continues the PDU held: decoded as a continuation already.
    Continues,
    /// Anything else (it completes the PDU, or leaves a gap): the table's
    /// step decides, and the segment is decoded again as it says.
    Other,
}

/// Run `dissector` (if any) over a TCP payload `at..end`, as the stream
/// state the pipeline handed in says.
pub(crate) fn tcp_payload(ctx: &mut Ctx, at: usize, end: usize, dissector: Option<TcpDissector>) {
    let hint = ctx.tcp_pdu;
    let Some(dissector) = dissector else {
        payload::data(ctx, at, end);
        return;
    };
    if ctx.quoted || ctx.source != 0 {
        dissector(ctx, at, end);
        return;
    }
    match hint {
        TcpPdu::Alone => {
            dissector(ctx, at, end);
        }
        TcpPdu::Fresh | TcpPdu::Ask(_) => attempt(ctx, at, end, dissector),
        TcpPdu::Continuation => segment_data(ctx, at, end),
        TcpPdu::Complete(r) => {
            complete(ctx, r, dissector);
            let rest = at + r.here.min(end.saturating_sub(at));
            if rest < end {
                attempt(ctx, rest, end, dissector);
            }
        }
    }
}

/// Dissect; on `More`, take back what the dissector added and record the
/// request.
fn attempt(ctx: &mut Ctx, at: usize, end: usize, dissector: TcpDissector) {
    let (layers, fields, notes) = (ctx.d.layers.len(), ctx.d.fields.len(), ctx.d.notes.len());
    match dissector(ctx, at, end) {
        Need::Done => {}
        Need::More(need) => {
            ctx.d.layers.truncate(layers);
            ctx.d.fields.truncate(fields);
            ctx.d.notes.truncate(notes);
            if let Some(l) = ctx.d.layers.last_mut() {
                l.fields.end = l.fields.end.min(ctx.d.fields.len());
            }
            if ctx.d.desegment.is_none() {
                ctx.d.desegment = Some(Desegment {
                    start: payload_offset(ctx, at),
                    need: need.max(1),
                    ..Desegment::default()
                });
            }
            segment_data(ctx, at, end);
        }
    }
}

/// Where `at` lies in this segment's payload.
pub(super) fn payload_offset(ctx: &Ctx, at: usize) -> u32 {
    let tcp = ctx.d.layers.iter().rev().find(|l| l.proto == Proto::Tcp);
    tcp.map_or(0, |l| at.saturating_sub(l.header.end)) as u32
}

/// Bytes that belong to a PDU shown elsewhere (tshark's "TCP segment data").
pub(super) fn segment_data(ctx: &mut Ctx, at: usize, end: usize) {
    let end = end.min(ctx.data.len());
    if at < end {
        ctx.bytes_at(&SEGMENT_DATA, at..end);
    }
}

fn complete(ctx: &mut Ctx, r: &TcpReassembled, dissector: TcpDissector) {
    complete_with(ctx, r.bytes.clone(), r.segments.clone(), |ctx, at, end| {
        dissector(ctx, at, end);
    });
}

/// Decode the reassembled PDU `bytes` (from `segments`) with `decode`, as
/// a new data source ("Reassembled TCP") listed with tshark's fields.
pub(super) fn complete_with<F: FnOnce(&mut Ctx<'_>, usize, usize)>(
    ctx: &mut Ctx,
    bytes: Vec<u8>,
    segments: Vec<(u64, Range<usize>)>,
    decode: F,
) {
    let source = (ctx.d.sources.len() + 1).min(usize::from(u8::MAX)) as u8;
    let len = bytes.len();
    if ctx.fields_on {
        let sourced = |def: &'static FieldDef, bytes: Range<usize>, value: Value, depth: u8| {
            let mut f = Field::generated(def, value);
            f.bytes = bytes;
            f.source = source;
            f.depth = depth;
            f
        };
        for (frame, range) in &segments {
            ctx.push(sourced(&SEGMENT, range.clone(), Value::UInt(*frame), 1));
        }
        let count = Value::UInt(segments.len() as u64);
        ctx.push(sourced(&SEGMENT_COUNT, 0..0, count, 1));
        ctx.push(sourced(
            &REASSEMBLED_LENGTH,
            0..0,
            Value::UInt(len as u64),
            1,
        ));
        ctx.push(sourced(&REASSEMBLED_DATA, 0..len, Value::Bytes(0..len), 1));
    }
    // The source's place is taken now, its bytes moved in after decoding.
    ctx.d.sources.push(DataSource {
        name: "Reassembled TCP",
        bytes: Vec::new(),
    });
    let slot = ctx.d.sources.len() - 1;
    {
        let mut sub = Ctx {
            data: &bytes,
            d: &mut *ctx.d,
            fields_on: ctx.fields_on,
            quoted: ctx.quoted,
            addrs: ctx.addrs,
            limit: len,
            source,
            defrag: super::reassembly::Defrag::Off,
            tcp_pdu: TcpPdu::Fresh,
        };
        decode(&mut sub, 0, len);
    }
    ctx.d.sources[slot].bytes = bytes;
}

pub mod framed;

#[cfg(test)]
pub(crate) mod tests;
