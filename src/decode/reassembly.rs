//! IP fragments as the decoder sees them. The decoder keeps no state between
//! frames: for a fragment it records a [`FragmentInfo`] in the dissection
//! (who reassembles reads it), and when it is handed the whole datagram
//! ([`Defrag::On`] with a [`Reassembled`]) it decodes the upper layers from
//! those bytes as a second data source, Wireshark's "Reassembled IPv4"
//! tab. The reassembly table itself is `stream::ip_defrag`.
//!
//! As tshark with `ip.defragment`/`ipv6.defragment` on (the default): every
//! fragment but the completing one is shown as data, and the completing
//! one carries the fragment list (`ip.fragment`, `ip.fragment.count`,
//! `ip.reassembled.length`, ...) and the upper layers of the whole payload.
//! With reassembly off ([`Defrag::Off`]) a first fragment's transport header
//! is decoded and later fragments are data, as tshark then does.

use std::net::IpAddr;
use std::ops::Range;

use super::field::{FieldDef, Format::*};
use super::{Ctx, DataSource, NoteKind, Proto, Severity, Value, ip_payload, payload};

crate::fields! {
    IP_FRAGMENTS = FieldDef::var("ip.fragments", "IPv4 Fragments", Bytes).spec("Wireshark");
    IP_FRAGMENT = FieldDef::var("ip.fragment", "IPv4 Fragment", Dec).spec("Wireshark");
    /// A fragment with a flag that spoils it (conflicting overlap, a second
    /// tail, too long) is listed under this key instead, as tshark does.
    IP_ERROR = FieldDef::var("ip.fragment.error", "Defragmentation error", Dec).spec("Wireshark");
    IP_OVERLAP = FieldDef::generated("ip.fragment.overlap", "Fragment overlap", Bool);
    IP_CONFLICT = FieldDef::generated(
        "ip.fragment.overlap.conflict",
        "Conflicting data in fragment overlap",
        Bool
    );
    IP_MULTIPLETAILS = FieldDef::generated(
        "ip.fragment.multipletails",
        "Multiple tail fragments found",
        Bool
    );
    IP_TOOLONG = FieldDef::generated("ip.fragment.toolongfragment", "Fragment too long", Bool);
    IP_COUNT = FieldDef::generated("ip.fragment.count", "Fragment count", Dec);
    IP_LENGTH = FieldDef::generated("ip.reassembled.length", "Reassembled IPv4 length", Dec);
    IP_DATA = FieldDef::var("ip.reassembled.data", "Reassembled IPv4 data", Bytes).spec("Wireshark");
    IP6_FRAGMENT = FieldDef::var("ipv6.fragment", "IPv6 Fragment", Dec).spec("Wireshark");
    IP6_ERROR = FieldDef::var("ipv6.fragment.error", "Defragmentation error", Dec).spec("Wireshark");
    IP6_OVERLAP = FieldDef::generated("ipv6.fragment.overlap", "Fragment overlap", Bool);
    IP6_CONFLICT = FieldDef::generated(
        "ipv6.fragment.overlap.conflict",
        "Conflicting data in fragment overlap",
        Bool
    );
    IP6_MULTIPLETAILS = FieldDef::generated(
        "ipv6.fragment.multipletails",
        "Multiple tail fragments found",
        Bool
    );
    IP6_TOOLONG = FieldDef::generated("ipv6.fragment.toolongfragment", "Fragment too long", Bool);
    IP6_COUNT = FieldDef::generated("ipv6.fragment.count", "Fragment count", Dec);
    IP6_LENGTH = FieldDef::generated("ipv6.reassembled.length", "Reassembled IPv6 length", Dec);
    IP6_DATA = FieldDef::var("ipv6.reassembled.data", "Reassembled IPv6 data", Bytes).spec("Wireshark");
}

/// What one fragment says about the datagram it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FragmentInfo {
    /// `Ipv4` or `Ipv6`.
    pub proto: Proto,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// The Identification field (IPv4's 16 bits, IPv6's 32).
    pub id: u32,
    /// The protocol of the payload (IPv4 `ip.proto`, the fragment header's
    /// next header), part of IPv4's key as in tshark.
    pub protocol: u8,
    /// Where this fragment's bytes go in the datagram's payload.
    pub offset: u32,
    /// More fragments follow (MF / M).
    pub more: bool,
    /// This fragment's payload in the frame (captured whole).
    pub payload: Range<usize>,
}

/// One fragment of a reassembled datagram, in the order tshark lists them
/// (by offset, then by arrival).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// The frame that carried it.
    pub frame: u64,
    pub offset: u32,
    pub len: u32,
    /// It overlaps bytes an earlier piece already gave.
    pub overlap: bool,
    /// ... with different bytes (the earlier bytes were kept).
    pub conflict: bool,
    /// It reaches past the datagram's end as the last fragment set it.
    pub too_long: bool,
    /// It says it is the last, but ends elsewhere than the first tail did.
    pub extra_tail: bool,
}

/// A whole datagram's payload and how it was put together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reassembled {
    /// Which IP header's fragment this completes (`Ipv4`/`Ipv6`) and its id.
    pub proto: Option<Proto>,
    pub id: u32,
    pub payload: Vec<u8>,
    pub pieces: Vec<Piece>,
    /// More than one fragment said it was the last, with different ends.
    pub multiple_tails: bool,
}

/// What the decoder is told about reassembly for this frame.
#[derive(Clone, Copy, Debug, Default)]
pub enum Defrag<'a> {
    /// One packet at a time, as tshark with reassembly off.
    #[default]
    Off,
    /// Reassembly is on; `Some` when this frame completes that datagram.
    On(Option<&'a Reassembled>),
}

/// The IPv4 hook: the datagram at `start` (header to `body`, payload to
/// `end`) is a fragment if MF is set or its offset is not zero. Returns true
/// when this decides what follows the header (data, or the reassembled
/// upper layers); false leaves it to the one-packet-at-a-time decoding.
pub(crate) fn ipv4_fragment(
    ctx: &mut Ctx,
    start: usize,
    body: usize,
    end: usize,
    protocol: u8,
) -> bool {
    let (Some(id), Some(flags)) = (ctx.u16_at(start + 4), ctx.u16_at(start + 6)) else {
        return false;
    };
    let (more, offset) = (flags & 0x2000 != 0, u32::from(flags & 0x1fff) * 8);
    if (!more && offset == 0) || ctx.quoted {
        return false;
    }
    // tshark reassembles a fragment with a payload it captured whole; any
    // other is decoded on its own.
    if body >= end || end > ctx.data.len() || ctx.source != 0 {
        return false;
    }
    let Some((src, dst)) = ctx.addrs else {
        return false;
    };
    let info = FragmentInfo {
        proto: Proto::Ipv4,
        src,
        dst,
        id: u32::from(id),
        protocol,
        offset,
        more,
        payload: body..end,
    };
    fragment(ctx, info, start + 6)
}

/// The IPv6 hook, in the fragment header at `start` (8 bytes; the
/// fragmentable part runs from `body` to `end`), `next` its next header.
/// Returns true as [`ipv4_fragment`] does.
pub(crate) fn ipv6_fragment(
    ctx: &mut Ctx,
    start: usize,
    body: usize,
    end: usize,
    next: u8,
) -> bool {
    let (Some(word), Some(id)) = (ctx.u16_at(start + 2), ctx.read(start + 4..start + 8)) else {
        return false;
    };
    let (more, offset) = (word & 1 != 0, u32::from(word & 0xfff8));
    if (!more && offset == 0) || ctx.quoted || ctx.source != 0 {
        return false;
    }
    let on = matches!(ctx.defrag, Defrag::On(_));
    let Some((src, dst)) = ctx.addrs else {
        return false;
    };
    if end > ctx.data.len() || body > end {
        // tshark shows a fragment it cannot add as data when reassembling.
        if on {
            payload::data(ctx, body, end);
        }
        return on;
    }
    let info = FragmentInfo {
        proto: Proto::Ipv6,
        src,
        dst,
        id: id as u32,
        protocol: next,
        offset,
        more,
        payload: body..end,
    };
    fragment(ctx, info, start + 2)
}

fn fragment(ctx: &mut Ctx, info: FragmentInfo, at: usize) -> bool {
    let defrag = ctx.defrag;
    let Defrag::On(done) = defrag else {
        ctx.d.fragment = Some(info);
        return false;
    };
    let body = info.payload.clone();
    let (proto, protocol) = (info.proto, info.protocol);
    let whole = done.filter(|r| r.proto == Some(proto) && r.id == info.id);
    ctx.d.fragment = Some(info);
    let Some(r) = whole else {
        payload::data(ctx, body.start, body.end);
        return true;
    };
    fields(ctx, proto, r);
    if r.pieces.iter().any(|p| p.conflict) {
        ctx.note(
            Severity::Warn,
            NoteKind::Malformed,
            proto,
            at,
            "fragments overlap with different bytes; the bytes that came first were kept"
                .to_string(),
        );
    }
    ctx.d.sources.push(DataSource {
        name: if proto == Proto::Ipv4 {
            "Reassembled IPv4"
        } else {
            "Reassembled IPv6"
        },
        bytes: r.payload.clone(),
    });
    let source = ctx.d.sources.len().min(usize::from(u8::MAX)) as u8;
    let had_tuple = ctx.d.tuple.is_some();
    let (data, limit, old_source) = (ctx.data, ctx.limit, ctx.source);
    ctx.data = &r.payload;
    ctx.source = source;
    ctx.limit = r.payload.len();
    ip_payload(ctx, protocol, 0, r.payload.len());
    (ctx.data, ctx.limit, ctx.source) = (data, limit, old_source);
    if !had_tuple && ctx.d.tuple.is_some() {
        ctx.d.tuple_source = source;
    }
    true
}

/// The fragment list tshark puts under the IP header of the completing frame.
fn fields(ctx: &mut Ctx, proto: Proto, r: &Reassembled) {
    if !ctx.fields_on {
        return;
    }
    let v4 = proto == Proto::Ipv4;
    // Source numbers count from 1; this datagram's is the next one.
    let source = (ctx.d.sources.len() + 1).min(usize::from(u8::MAX)) as u8;
    let len = r.payload.len();
    let sourced = |def: &'static FieldDef, bytes: Range<usize>, value: Value, depth: u8| {
        let mut f = super::Field::generated(def, value);
        f.bytes = bytes;
        f.source = source;
        f.depth = depth;
        f
    };
    let mut out = Vec::with_capacity(r.pieces.len() * 2 + 4);
    if v4 {
        out.push(sourced(&IP_FRAGMENTS, 0..len, Value::Bytes(0..len), 0));
    }
    let (frag, error, overlap, conflict, tails, toolong) = if v4 {
        let t = (&IP_FRAGMENT, &IP_ERROR, &IP_OVERLAP, &IP_CONFLICT);
        (t.0, t.1, t.2, t.3, &IP_MULTIPLETAILS, &IP_TOOLONG)
    } else {
        let t = (&IP6_FRAGMENT, &IP6_ERROR, &IP6_OVERLAP, &IP6_CONFLICT);
        (t.0, t.1, t.2, t.3, &IP6_MULTIPLETAILS, &IP6_TOOLONG)
    };
    for p in &r.pieces {
        let s = (p.offset as usize).min(len);
        let e = (p.offset as usize + p.len as usize).min(len);
        let spoilt = p.conflict || p.extra_tail || p.too_long;
        let key = if spoilt { error } else { frag };
        out.push(sourced(key, s..e, Value::UInt(p.frame), 1));
        let flags = [
            (p.overlap, overlap),
            (p.conflict, conflict),
            (p.extra_tail, tails),
            (p.too_long, toolong),
        ];
        for (flag, def) in flags {
            if flag {
                out.push(sourced(def, 0..0, Value::Bool(true), 2));
            }
        }
    }
    let (count, length, data) = if v4 {
        (&IP_COUNT, &IP_LENGTH, &IP_DATA)
    } else {
        (&IP6_COUNT, &IP6_LENGTH, &IP6_DATA)
    };
    out.push(sourced(count, 0..0, Value::UInt(r.pieces.len() as u64), 1));
    out.push(sourced(length, 0..0, Value::UInt(len as u64), 1));
    out.push(sourced(data, 0..len, Value::Bytes(0..len), 1));
    for f in out {
        // Generated fields have no bytes in the frame; these have bytes in
        // the reassembled source, so they are pushed as they are.
        ctx.push(f);
    }
}
