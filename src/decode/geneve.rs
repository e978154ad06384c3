//! Generic Network Virtualization Encapsulation (RFC 8926) on UDP port
//! 6081.
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Virtual Network Identifier (VNI)       |    Reserved   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Variable-Length Options                    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! Options are class (2), type (1, top bit "critical"), reserved bits and
//! a length in 4-byte words (1), then data. The protocol type is an
//! EtherType; 0x6558 is an Ethernet frame.

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value, ether_payload, ethernet, gre, names, payload, tunnel};

crate::fields! {
    VERSION = FieldDef::fixed("geneve.version", "Version", 0..1, Dec).mask(0xc0).spec("RFC 8926 §3.4");
    OPTION_LENGTH = FieldDef::var("geneve.option.length", "Length", Dec).spec("RFC 8926 §3.4");
    FLAGS = FieldDef::fixed("geneve.flags", "Flags", 1..2, Hex(2)).spec("RFC 8926 §3.4");
    FLAG_OAM = FieldDef::fixed("geneve.flags.oam", "Operations, Administration and Management Frame", 1..2, Bool).mask(0x80).spec("RFC 8926 §3.4");
    FLAG_CRITICAL = FieldDef::fixed("geneve.flags.critical", "Critical Options Present", 1..2, Bool).mask(0x40).spec("RFC 8926 §3.4");
    FLAG_RESERVED = FieldDef::fixed("geneve.flags.reserved", "Reserved", 1..2, Bool).mask(0x3f).spec("RFC 8926 §3.4");
    PROTO_TYPE = FieldDef::fixed("geneve.proto_type", "Protocol Type", 2..4, Hex(4)).spec("RFC 8926 §3.4");
    VNI = FieldDef::fixed("geneve.vni", "Virtual Network Identifier (VNI)", 4..7, Hex(6)).spec("RFC 8926 §3.4");
    RESERVED = FieldDef::fixed("geneve.reserved", "Reserved", 7..8, Hex(2)).spec("RFC 8926 §3.4");
    OPTIONS = FieldDef::var("geneve.options", "Geneve Options", Bytes).spec("RFC 8926 §3.5");
    OPTION = FieldDef::var("geneve.option", "Option", Bytes).spec("RFC 8926 §3.5");
    OPTION_CLASS = FieldDef::var("geneve.option.class", "Class", Hex(4)).spec("RFC 8926 §3.5");
    OPTION_TYPE = FieldDef::var("geneve.option.type", "Type", Hex(2)).spec("RFC 8926 §3.5");
    OPTION_TYPE_CRITICAL = FieldDef::var("geneve.option.type.critical", "Critical Option", Bool).mask(0x80).spec("RFC 8926 §3.5");
    OPTION_FLAGS = FieldDef::var("geneve.option.flags", "Flags", Hex(2)).spec("RFC 8926 §3.5");
    OPTION_FLAGS_RESERVED = FieldDef::var("geneve.option.flags.reserved", "Reserved", Bool).mask(0xe0).spec("RFC 8926 §3.5");
    OPTION_UNKNOWN_DATA = FieldDef::var("geneve.option.unknown.data", "Unknown Option Data", Bytes).spec("RFC 8926 §3.5");
}

pub const PORT: u16 = 6081;
pub const HEADER_LEN: usize = 8;

/// Decode a Geneve header and its options at `start`, then the packet
/// its protocol type names.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Geneve, start..(start + HEADER_LEN).min(end));
    if tunnel::too_deep(ctx, start) {
        return;
    }
    if ctx.available(start, end) < HEADER_LEN {
        ctx.short_of(Proto::Geneve, start, HEADER_LEN, end, "header");
        return;
    }
    let (Some(b0), Some(proto)) = (ctx.u8_at(start), ctx.u16_at(start + 2)) else {
        return;
    };
    let opt_len = usize::from(b0 & 0x3f) * 4;
    let body = start + HEADER_LEN + opt_len;
    ctx.set_header(start..body);
    if ctx.fields_on {
        ctx.uint(&VERSION, start);
        ctx.value_at(
            &OPTION_LENGTH,
            start..start + 1,
            Value::UInt(opt_len as u64),
        );
        ctx.nest(0);
        for def in [
            &FLAGS,
            &FLAG_OAM,
            &FLAG_CRITICAL,
            &FLAG_RESERVED,
            &PROTO_TYPE,
        ] {
            ctx.uint(def, start);
        }
        ctx.meaning(gre::proto_name(proto));
        ctx.uint(&VNI, start);
        ctx.uint(&RESERVED, start);
    }
    if ctx.available(start, end) < HEADER_LEN + opt_len {
        ctx.short_of(
            Proto::Geneve,
            start,
            HEADER_LEN + opt_len,
            end,
            "options length",
        );
        return;
    }
    if opt_len > 0 && ctx.fields_on {
        ctx.bytes_at(&OPTIONS, start + HEADER_LEN..body);
        options(ctx, start + HEADER_LEN, body);
    }
    if body >= end.min(ctx.data.len()) {
        return;
    }
    match proto {
        gre::ETHERTYPE_TEB => ethernet::dissect(ctx, body, end),
        0x0800 | 0x86dd | 0x0806 | 0x8847 | 0x8848 | 0x8100 | 0x88a8 => {
            ether_payload(ctx, proto, body, end)
        }
        _ => payload::unsupported(ctx, body, end, || {
            format!(
                "Geneve protocol type {proto:#06x} ({}) is not decoded",
                names::ethertype(proto)
            )
        }),
    }
}

/// The options in `at..end` (all captured): each is at least 4 bytes, so
/// the loop ends within the 252 bytes the header's length allows.
fn options(ctx: &mut Ctx, mut at: usize, end: usize) {
    while at + 4 <= end {
        let Some(b3) = ctx.u8_at(at + 3) else {
            return;
        };
        let len = 4 + usize::from(b3 & 0x1f) * 4;
        if at + len > end {
            ctx.malformed(
                Proto::Geneve,
                at,
                format!(
                    "Geneve option says {len} bytes but the options leave only {}",
                    end - at
                ),
            );
            return;
        }
        ctx.bytes_at(&OPTION, at..at + len);
        ctx.nest(1);
        ctx.uint_at(&OPTION_CLASS, at..at + 2);
        ctx.nest(2);
        ctx.uint_at(&OPTION_TYPE, at + 2..at + 3);
        ctx.nest(2);
        ctx.uint_at(&OPTION_TYPE_CRITICAL, at + 2..at + 3);
        ctx.nest(3);
        // The flags are the top three bits of the length byte, unshifted.
        ctx.value_at(
            &OPTION_FLAGS,
            at + 3..at + 4,
            Value::Hex(u64::from(b3 & 0xe0), 2),
        );
        ctx.nest(2);
        ctx.uint_at(&OPTION_FLAGS_RESERVED, at + 3..at + 4);
        ctx.nest(3);
        ctx.value_at(&OPTION_LENGTH, at + 3..at + 4, Value::UInt(len as u64));
        ctx.nest(2);
        if len > 4 {
            ctx.bytes_at(&OPTION_UNKNOWN_DATA, at + 4..at + len);
            ctx.nest(2);
        }
        at += len;
    }
}
