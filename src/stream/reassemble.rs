//! Reassembly while decoding, frame by frame in capture order: IP
//! fragments put back into their datagram (`stream::ip_defrag`) and
//! application PDUs that span TCP segments (`stream::tcp_pdu`, the
//! decoder's half in `decode::desegment`). [`decode_frame`] decodes a frame
//! through a [`Reassembler`] and says what reassembly decided for it
//! ([`Decided`]), so that a consumer that decodes frames again later, out
//! of order (the TUI's model), can decode each as the first pass did
//! without feeding the reassembler twice ([`Decided::decode`]).
//!
//! Used by `pipeline` (every command that reads frames) and by `app`.

use super::ip_defrag::{DefragLimits, Defragmenter};
use super::tcp_pdu::{PduTable, Seen, Step};
use crate::decode::desegment::{Asked, TcpPdu, TcpReassembled};
use crate::decode::reassembly::{Defrag, Reassembled};
use crate::decode::{Detail, Dissection, decode_into, decode_with, tcp};
use crate::flow::TCP;
use crate::frame::{FrameRecord, Recall};

/// Whether a run reassembles IP fragments (tshark's default) and within
/// which bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reassembly {
    /// One packet at a time (`--no-reassembly`, tshark's
    /// `-o ip.defragment:FALSE -o ipv6.defragment:FALSE`).
    Off,
    On(DefragLimits),
}

impl Default for Reassembly {
    fn default() -> Self {
        Reassembly::On(DefragLimits::default())
    }
}

/// What a run reassembles: IP fragments, and application PDUs that span
/// TCP segments (see `decode::desegment`).
#[derive(Debug)]
pub struct Reassembler {
    pub ip: Option<Defragmenter>,
    pub tcp: Option<PduTable>,
    /// Where the next frame's bytes sit in the source's recall file
    /// (`FrameSource::data_offset`); taken by `decode_frame`, so it never
    /// outlives its frame.
    frame_at: Option<u64>,
}

impl Reassembler {
    pub fn new(reassembly: Reassembly) -> Reassembler {
        match reassembly {
            Reassembly::Off => Reassembler {
                ip: None,
                tcp: None,
                frame_at: None,
            },
            Reassembly::On(limits) => Reassembler {
                ip: Some(Defragmenter::new(limits)),
                tcp: Some(PduTable::default()),
                frame_at: None,
            },
        }
    }

    /// Read frames' bytes back from the source's file when it has one
    /// (`FrameSource::recall`, see `stream::tcp_pdu`): from now on, give
    /// each frame's offset with [`Reassembler::frame_at`] before decoding it.
    pub fn recall_from(&mut self, recall: Option<Recall>) {
        if let Some(pdus) = &mut self.tcp {
            pdus.recall_from(recall);
        }
    }

    /// The file offset of the next frame's bytes, for `decode_frame`.
    pub fn frame_at(&mut self, offset: Option<u64>) {
        self.frame_at = offset;
    }
}

/// Decode one frame, reassembling through `r`: a fragment that completes
/// its datagram is decoded again with the whole payload, and so is a TCP
/// segment that continues or completes an application PDU (only those
/// frames pay twice).
pub fn decode_frame(
    frame: &FrameRecord,
    detail: Detail,
    d: &mut Dissection,
    r: &mut Reassembler,
) -> Decided {
    let frame_at = r.frame_at.take();
    let Some(table) = &mut r.ip else {
        decode_into(frame, detail, d);
        return Decided::default();
    };
    // A segment that only continues a held PDU is settled while decoding.
    let ask = match &r.tcp {
        Some(pdus) if !pdus.is_empty() => TcpPdu::Ask(pdus),
        _ => TcpPdu::Fresh,
    };
    decode_with(frame, detail, d, Defrag::On(None), ask);
    let whole = match (
        &d.fragment,
        d.fragment
            .as_ref()
            .and_then(|i| frame.data.get(i.payload.clone())),
    ) {
        (Some(info), Some(bytes)) => table.add(frame.number, frame.ts, info, bytes),
        _ => None,
    };
    if let Some(whole) = &whole {
        decode_with(frame, detail, d, Defrag::On(Some(whole)), ask);
    }
    let mut decided = Decided {
        datagram: whole,
        pdu: PduStep::Fresh,
    };
    let Some(pdus) = &mut r.tcp else {
        return decided;
    };
    // Nothing held for the segment's direction (the table, asked while
    // decoding, said so) and no PDU started: nothing to do.
    let nothing_held = pdus.is_empty() || d.tcp_asked == Some(Asked::Nothing);
    if nothing_held && d.desegment.is_none() {
        return decided;
    }
    let continued = d.tcp_asked == Some(Asked::Continues);
    let whole = decided.datagram.as_ref();
    let Some((dir, seq, start, payload)) = tcp_segment(frame, d) else {
        if continued {
            decode_with(frame, detail, d, Defrag::On(whole), TcpPdu::Fresh);
        }
        return decided;
    };
    // Asked while decoding, the table said it holds nothing for this
    // direction: the segment is fresh, and only a PDU it starts is news.
    let step = if d.tcp_asked == Some(Asked::Nothing) {
        Step::Fresh
    } else {
        let seen = seen_in(frame, d, start, frame_at);
        pdus.segment(dir, seen, seq, payload, tcp_fin(frame, d))
    };
    let defrag = Defrag::On(whole);
    // Decoded again unless the decoding already took the segment as the
    // table now does (a continuation when asked; or fresh).
    match (&step, continued) {
        (Step::Fresh, false) | (Step::Continuation, true) => {}
        (Step::Fresh, true) => decode_with(frame, detail, d, defrag, TcpPdu::Fresh),
        (Step::Continuation, false) => decode_with(frame, detail, d, defrag, TcpPdu::Continuation),
        (Step::Complete(pdu), _) => decode_with(frame, detail, d, defrag, TcpPdu::Complete(pdu)),
    }
    decided.pdu = match step {
        Step::Fresh => PduStep::Fresh,
        Step::Continuation => PduStep::Continuation,
        Step::Complete(pdu) => PduStep::Complete(pdu),
    };
    if let Some(want) = d.desegment
        && let Some((dir, seq, start, payload)) = tcp_segment(frame, d)
    {
        match std::mem::take(&mut decided.pdu) {
            // A PDU this segment was to complete but left short: the bytes
            // handed in stay held, appended to, and the segment decoded as
            // one that continues it.
            PduStep::Complete(pdu) if want.kept => {
                let next = seq.wrapping_add(payload.len() as u32);
                pdus.keep(dir, pdu, next, want.need);
                decided.pdu = PduStep::Continuation;
            }
            step => {
                decided.pdu = step;
                pdus.start(dir, seen_in(frame, d, start, frame_at), seq, payload, want);
            }
        }
    }
    decided
}

/// The frame a segment came in, with its payload's file offset when the
/// frame's bytes are at `frame_at` and the payload (at `start` in the
/// decoded bytes) is among them, not in a reassembled datagram.
fn seen_in(frame: &FrameRecord, d: &Dissection, start: usize, frame_at: Option<u64>) -> Seen {
    Seen {
        number: frame.number,
        at: frame_at
            .filter(|_| d.tuple_source == 0)
            .map(|at| at + start as u64),
    }
}

/// A TCP segment's direction, sequence number, and captured payload with
/// where it starts in the bytes decoded.
fn tcp_segment<'a>(
    frame: &'a FrameRecord,
    d: &'a Dissection,
) -> Option<(crate::stream::tcp_pdu::Direction, u32, usize, &'a [u8])> {
    let t = d.tuple.filter(|t| t.protocol == TCP)?;
    let data = d.data(d.tuple_source, &frame.data);
    let at = t.header_at;
    let h = crate::decode::view::View::at(data, at);
    let seq = h.u32(&tcp::SEQ_RAW)?;
    let hdr = h.uint(&tcp::HDR_LEN)? as usize * 4;
    let payload = data.get(at + hdr..t.pdu_end.min(data.len()))?;
    Some((
        (t.src, t.src_port, t.dst, t.dst_port),
        seq,
        at + hdr,
        payload,
    ))
}

/// Whether a TCP segment has FIN set.
fn tcp_fin(frame: &FrameRecord, d: &Dissection) -> bool {
    let Some(t) = d.tuple.filter(|t| t.protocol == TCP) else {
        return false;
    };
    let data = d.data(d.tuple_source, &frame.data);
    let h = crate::decode::view::View::at(data, t.header_at);
    h.uint(&tcp::FLAGS_FIN).is_some_and(|f| f != 0)
}

/// What reassembly decided for one frame, as [`decode_frame`] decoded it.
#[derive(Debug, Default)]
pub struct Decided {
    /// The datagram this fragment completed.
    pub datagram: Option<Reassembled>,
    pub pdu: PduStep,
}

/// What a TCP segment's decoding was told about its payload.
#[derive(Debug, Default)]
pub enum PduStep {
    /// Nothing held: dissected as it came (any PDU it starts is held).
    #[default]
    Fresh,
    /// It only continues a PDU held (or repeats bytes already taken).
    Continuation,
    /// It completed this PDU.
    Complete(TcpReassembled),
}

impl Decided {
    /// True when the frame decodes as it would with nothing held and no
    /// fragment completed, so there is nothing to remember.
    pub fn is_fresh(&self) -> bool {
        self.datagram.is_none() && matches!(self.pdu, PduStep::Fresh)
    }

    /// The bytes the decision keeps (the datagram's and the PDU's), for
    /// whoever bounds what it keeps.
    pub fn kept_bytes(&self) -> usize {
        let datagram = self.datagram.as_ref().map_or(0, |r| {
            r.payload.len() + std::mem::size_of_val(r.pieces.as_slice())
        });
        let pdu = match &self.pdu {
            PduStep::Complete(pdu) => {
                pdu.bytes.len() + std::mem::size_of_val(pdu.segments.as_slice())
            }
            _ => 0,
        };
        datagram + pdu
    }

    /// Decode `frame` again as the first pass did, with reassembly on.
    pub fn decode(&self, frame: &FrameRecord, detail: Detail, d: &mut Dissection) {
        let tcp = match &self.pdu {
            PduStep::Fresh => TcpPdu::Fresh,
            PduStep::Continuation => TcpPdu::Continuation,
            PduStep::Complete(pdu) => TcpPdu::Complete(pdu),
        };
        decode_with(frame, detail, d, Defrag::On(self.datagram.as_ref()), tcp);
    }
}
