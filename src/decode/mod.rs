//! Bytes to a layered model: `decode(&FrameRecord) -> Dissection`.
//!
//! Pure and total: it never prints, never fails and never panics. What it
//! cannot read it says in a `Note` with the layer and offset. One file per
//! protocol; this file only dispatches between them. Imports `frame`,
//! nothing else from the crate.

mod app;
pub mod arp;
pub mod check;
pub mod cmd;
mod ctx;
pub mod desegment;
pub mod dhcp;
pub mod dhcpv6;
pub mod dns;
pub mod ethernet;
pub mod field;
pub mod frame_layer;
pub mod geneve;
pub mod gre;
pub mod http;
pub mod icmp;
pub mod icmpv6;
pub mod igmp;
pub mod ipv4;
pub mod ipv6;
pub mod llc;
pub mod model;
pub mod mpls;
pub mod names;
pub mod ntp;
pub mod null;
pub mod payload;
pub mod quic;
pub mod reassembly;
pub mod sll;
pub mod stp;
pub mod summary;
pub mod tcp;
pub mod teredo;
pub mod text;
pub mod tls;
mod tunnel;
pub mod udp;
pub mod view;
pub mod vlan;
pub mod vxlan;
pub mod want;

pub use ctx::Ctx;
pub use model::*;

use crate::frame::{FrameRecord, LinkType};

/// How much to build: layers only (fast: line output, stats, flows) or every
/// field too (tree, JSON, fields, filters, teaching).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    Layers,
    Fields,
}

/// Deeper nesting than this (stacked VLAN tags, IPv6 extension chains,
/// tunnels) is malformed or hostile; we stop with a note instead of recursing.
const MAX_LAYERS: usize = 256;

/// Decode a frame with every field.
pub fn decode(frame: &FrameRecord) -> Dissection {
    let mut d = Dissection::default();
    decode_into(frame, Detail::Fields, &mut d);
    d
}

/// Decode a frame into `d`, reusing its allocations, one packet at a time
/// (IP fragments are not reassembled, nor TCP segments: tshark's
/// `ip.defragment:FALSE`, `tcp.desegment_tcp_streams:FALSE`).
pub fn decode_into(frame: &FrameRecord, detail: Detail, d: &mut Dissection) {
    decode_with(
        frame,
        detail,
        d,
        reassembly::Defrag::Off,
        desegment::TcpPdu::Alone,
    );
}

/// Decode a frame into `d` with IP reassembly as `defrag` says: on, every
/// fragment but the completing one is data, and the completing one is
/// decoded from the whole datagram it is handed (a second data source);
/// and with `tcp` saying whether this segment continues or completes an
/// application PDU (see `desegment`).
pub fn decode_with(
    frame: &FrameRecord,
    detail: Detail,
    d: &mut Dissection,
    defrag: reassembly::Defrag,
    tcp: desegment::TcpPdu,
) {
    d.clear();
    let data = &frame.data[..];
    let mut ctx = Ctx {
        data,
        d,
        fields_on: detail == Detail::Fields,
        quoted: false,
        addrs: None,
        limit: data.len(),
        source: 0,
        defrag,
        tcp_pdu: tcp,
    };
    frame_layer::dissect(&mut ctx, frame);
    // The link layer spans the frame as it was on the wire; fields past the
    // captured bytes are simply absent, and lengths are checked against this.
    let end = (frame.orig_len as usize).max(data.len());
    match frame.link {
        LinkType::ETHERNET => ethernet::dissect(&mut ctx, 0, end),
        LinkType::LINUX_SLL => sll::dissect_v1(&mut ctx, 0, end),
        LinkType::LINUX_SLL2 => sll::dissect_v2(&mut ctx, 0, end),
        LinkType::NULL => null::dissect(&mut ctx, 0, end, false),
        LinkType::LOOP => null::dissect(&mut ctx, 0, end, true),
        LinkType::RAW | LinkType::RAW_12 | LinkType::RAW_14 => raw_ip(&mut ctx, 0, end),
        LinkType::IPV4 => ipv4::dissect(&mut ctx, 0, end),
        LinkType::IPV6 => ipv6::dissect(&mut ctx, 0, end),
        LinkType::PCAPNG_CUSTOM => {
            ctx.layer(Proto::CustomBlock, 0..data.len());
            // tshark shows a custom block's bytes as data, as we do.
            ctx.bytes_at(&payload::DATA, 0..data.len());
            ctx.generated(&payload::LEN, Value::UInt(data.len() as u64));
        }
        other => {
            ctx.layer(Proto::Unsupported, 0..data.len());
            ctx.note(
                Severity::Note,
                NoteKind::Unsupported,
                Proto::Unsupported,
                0,
                format!("unsupported link type {}", other.0),
            );
        }
    }
    if let Some(ts) = frame.ts
        && ts.nanos >= 1_000_000_000
    {
        ctx.note(
            Severity::Warn,
            NoteKind::Malformed,
            Proto::Frame,
            0,
            format!(
                "the record's sub-second time is {} ns, one second or more: the file is damaged",
                ts.nanos
            ),
        );
    }
    if frame.is_truncated() {
        let top = ctx.d.top_proto();
        ctx.note(
            Severity::Note,
            NoteKind::Truncated,
            top,
            data.len(),
            format!(
                "frame is {} bytes on the wire but only {} were captured (snap length)",
                frame.orig_len,
                data.len()
            ),
        );
    }
}

/// Raw IP: the version nibble says which.
fn raw_ip(ctx: &mut Ctx, at: usize, end: usize) {
    match ctx.data.get(at).map(|b| b >> 4) {
        Some(4) => ipv4::dissect(ctx, at, end),
        Some(6) => ipv6::dissect(ctx, at, end),
        Some(v) => {
            ctx.layer(Proto::Unsupported, at..end.min(ctx.data.len()).max(at));
            ctx.note(
                Severity::Warn,
                NoteKind::Malformed,
                Proto::Unsupported,
                at,
                format!("raw IP packet with IP version {v}, expected 4 or 6"),
            );
        }
        None => ctx.truncated_before(Proto::Ipv4, at),
    }
}

/// Hand the bytes after a link header to the protocol its EtherType names.
pub(crate) fn ether_payload(ctx: &mut Ctx, ethertype: u16, at: usize, end: usize) {
    if ctx.too_deep(at) {
        return;
    }
    match ethertype {
        0x0800 => ipv4::dissect(ctx, at, end),
        0x86dd => ipv6::dissect(ctx, at, end),
        0x0806 | 0x8035 => arp::dissect(ctx, at, end),
        0x8847 | 0x8848 => mpls::dissect(ctx, at, end),
        0x8100 | 0x88a8 | 0x9100 => vlan::dissect(ctx, ethertype, at, end),
        _ => payload::unsupported(ctx, at, end, || {
            format!("EtherType {ethertype:#06x} is not decoded")
        }),
    }
}

/// Hand the bytes after an IP header (or extension header) to the protocol
/// its protocol number names.
pub(crate) fn ip_payload(ctx: &mut Ctx, protocol: u8, at: usize, end: usize) {
    if ctx.too_deep(at) {
        return;
    }
    match protocol {
        6 => tcp::dissect(ctx, at, end),
        17 => udp::dissect(ctx, at, end),
        1 => icmp::dissect(ctx, at, end),
        58 => icmpv6::dissect(ctx, at, end),
        2 => igmp::dissect(ctx, at, end),
        47 => gre::dissect(ctx, at, end),
        4 => ipv4::dissect(ctx, at, end),
        41 => ipv6::dissect(ctx, at, end),
        0 | 43 | 44 | 60 | 51 => ipv6::extension(ctx, protocol, at, end),
        // "No next header": anything after it is not part of the packet.
        59 => {
            if at < end {
                payload::data(ctx, at, end);
            }
        }
        _ => payload::unsupported(ctx, at, end, || {
            format!(
                "IP protocol {protocol} ({}) is not decoded",
                names::ip_protocol(protocol)
            )
        }),
    }
}
