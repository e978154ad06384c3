//! Virtual eXtensible Local Area Network (RFC 7348) on UDP port 4789, with
//! the group policy extension's fields (draft-smith-vxlan-group-policy).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |G|R|R|R|I|R|R|R|R|D|R|R|A|R|R|R|        Group Policy ID        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          VXLAN Network Identifier (VNI)       |   Reserved    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! An Ethernet frame follows.

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, ethernet, tunnel};

crate::fields! {
    FLAGS = FieldDef::fixed("vxlan.flags", "Flags", 0..2, Hex(4)).spec("RFC 7348 §5");
    FLAG_G = FieldDef::fixed("vxlan.flag_g", "GBP Extension", 0..2, Bool).mask(0x8000).spec("draft-smith-vxlan-group-policy §2.1");
    FLAG_I = FieldDef::fixed("vxlan.flag_i", "VXLAN Network ID (VNI)", 0..2, Bool).mask(0x0800).spec("RFC 7348 §5");
    FLAG_D = FieldDef::fixed("vxlan.flag_d", "Don't Learn", 0..2, Bool).mask(0x0040).spec("draft-smith-vxlan-group-policy §2.1");
    FLAG_A = FieldDef::fixed("vxlan.flag_a", "Policy Applied", 0..2, Bool).mask(0x0008).spec("draft-smith-vxlan-group-policy §2.1");
    FLAGS_RESERVED = FieldDef::fixed("vxlan.flags_reserved", "Reserved(R)", 0..2, Hex(4)).mask(0x77b7).spec("RFC 7348 §5");
    GBP = FieldDef::fixed("vxlan.gbp", "Group Policy ID", 2..4, Dec).spec("draft-smith-vxlan-group-policy §2.1");
    VNI = FieldDef::fixed("vxlan.vni", "VXLAN Network Identifier (VNI)", 4..7, Dec).spec("RFC 7348 §5");
    RESERVED8 = FieldDef::fixed("vxlan.reserved8", "Reserved", 7..8, Dec).spec("RFC 7348 §5");
}

pub const PORT: u16 = 4789;
pub const HEADER_LEN: usize = 8;

/// Decode a VXLAN header at `start`, then the Ethernet frame inside.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Vxlan, start..(start + HEADER_LEN).min(end));
    if tunnel::too_deep(ctx, start) {
        return;
    }
    if ctx.available(start, end) < HEADER_LEN {
        ctx.short_of(Proto::Vxlan, start, HEADER_LEN, end, "header");
        return;
    }
    if ctx.fields_on {
        for def in [
            &FLAGS,
            &FLAG_G,
            &FLAG_I,
            &FLAG_D,
            &FLAG_A,
            &FLAGS_RESERVED,
            &GBP,
            &VNI,
            &RESERVED8,
        ] {
            ctx.uint(def, start);
        }
    }
    if start + HEADER_LEN < end.min(ctx.data.len()) {
        ethernet::dissect(ctx, start + HEADER_LEN, end);
    }
}
