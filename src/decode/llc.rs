//! IEEE 802.2 Logical Link Control, and the SNAP header after it (RFC 1042).
//!
//! ```text
//! +--------+--------+----------------+
//! |  DSAP  |  SSAP  | Control (1|2)  |   802.2 LLC
//! +--------+--------+----------------+
//! |  OUI (3 bytes)  |  Protocol ID   |   SNAP, when DSAP = SSAP = 0xaa
//! +-----------------+----------------+
//! ```
//! An 802.3 frame (type/length field 1500 or less) carries an LLC header.
//! SAP 0x42 is the spanning tree; SNAP with OUI 00-00-00 names an
//! EtherType (RFC 1042: ARP or IP over SNAP), with Cisco's OUI 00-00-0c a
//! Cisco protocol ID (CDP 0x2000, PVST+ 0x010b).

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value, ether_payload, names, payload};

crate::fields! {
    DSAP = FieldDef::fixed("llc.dsap", "DSAP", 0..1, Hex(2)).spec("IEEE 802.2 §3.3.1");
    DSAP_SAP = FieldDef::fixed("llc.dsap.sap", "SAP", 0..1, Dec).mask(0xfe).spec("IEEE 802.2 §3.3.1");
    DSAP_IG = FieldDef::fixed("llc.dsap.ig", "IG Bit", 0..1, Bool).mask(0x01).spec("IEEE 802.2 §3.3.1");
    SSAP = FieldDef::fixed("llc.ssap", "SSAP", 1..2, Hex(2)).spec("IEEE 802.2 §3.3.1");
    SSAP_SAP = FieldDef::fixed("llc.ssap.sap", "SAP", 1..2, Dec).mask(0xfe).spec("IEEE 802.2 §3.3.1");
    SSAP_CR = FieldDef::fixed("llc.ssap.cr", "CR Bit", 1..2, Bool).mask(0x01).spec("IEEE 802.2 §3.3.1");
    CONTROL = FieldDef::var("llc.control", "Control", Hex(4)).spec("IEEE 802.2 §5.2");
    U_CMD = FieldDef::fixed("llc.control.u_modifier_cmd", "Command", 2..3, Hex(2)).mask(0xec).spec("IEEE 802.2 §5.2");
    U_RESP = FieldDef::fixed("llc.control.u_modifier_resp", "Response", 2..3, Hex(2)).mask(0xec).spec("IEEE 802.2 §5.2");
    FTYPE = FieldDef::var("llc.control.ftype", "Frame type", Hex(2)).spec("IEEE 802.2 §5.2");
    N_R = FieldDef::fixed("llc.control.n_r", "N(R)", 2..4, Dec).mask(0x00fe).spec("IEEE 802.2 §5.2");
    N_S = FieldDef::fixed("llc.control.n_s", "N(S)", 2..4, Dec).mask(0xfe00).spec("IEEE 802.2 §5.2");
    OUI = FieldDef::fixed("llc.oui", "Organization Code", 3..6, Dec).spec("RFC 1042");
    TYPE = FieldDef::fixed("llc.type", "Type", 6..8, Hex(4)).spec("RFC 1042");
    PID = FieldDef::fixed("llc.pid", "Protocol ID", 6..8, Hex(4)).spec("IEEE 802");
    CISCO_PID = FieldDef::fixed("llc.cisco_pid", "PID", 6..8, Hex(4)).spec("Cisco");
}

/// The SAP of SNAP; of the spanning tree.
pub const SAP_SNAP: u8 = 0xaa;
pub const SAP_STP: u8 = 0x42;
/// Cisco's OUI and its PVST+ protocol ID.
pub const OUI_CISCO: u64 = 0x00000c;
pub const PID_PVST: u64 = 0x010b;

/// Decode the LLC header at `start` of an 802.3 frame whose length field
/// ends its data at `end`.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Llc, start..(start + 3).min(end));
    ctx.set_pdu(start..end);
    let (Some(dsap), Some(ssap), Some(c0)) =
        (ctx.u8_at(start), ctx.u8_at(start + 1), ctx.u8_at(start + 2))
    else {
        fields_so_far(ctx, start);
        ctx.short_of(Proto::Llc, start, 3, end, "header");
        return;
    };
    fields_so_far(ctx, start);
    // Unnumbered frames have a one-byte control field; information and
    // supervisory frames two (modulo-128 numbering, IEEE 802.2 §5.2).
    let unnumbered = c0 & 0x03 == 0x03;
    let control_len = if unnumbered { 1 } else { 2 };
    let control = start + 2..start + 2 + control_len;
    if ctx.read(control.clone()).is_none() {
        ctx.short_of(Proto::Llc, start, 2 + control_len, end, "header");
        return;
    }
    ctx.uint_at(&CONTROL, control.clone());
    if ctx.fields_on {
        control_fields(ctx, start, c0, ssap & 1 != 0);
    }
    let mut at = control.end;
    ctx.set_header(start..at);
    if dsap == SAP_SNAP && ssap == SAP_SNAP && unnumbered {
        ctx.set_header(start..at + 5);
        let Some(oui) = ctx.uint(&OUI, start) else {
            ctx.short_of(Proto::Llc, start, 8, end, "SNAP header");
            return;
        };
        let Some(pid) = ctx.read(at + 3..at + 5) else {
            ctx.short_of(Proto::Llc, start, 8, end, "SNAP header");
            return;
        };
        at += 5;
        match oui {
            0 => {
                ctx.uint(&TYPE, start);
                ctx.meaning(names::ethertype(pid as u16));
                ether_payload(ctx, pid as u16, at, end);
            }
            OUI_CISCO => {
                ctx.uint(&CISCO_PID, start);
                if pid == PID_PVST {
                    super::stp::dissect_pvst(ctx, at, end);
                } else {
                    payload::data(ctx, at, end);
                }
            }
            _ => {
                ctx.uint(&PID, start);
                payload::data(ctx, at, end);
            }
        }
        return;
    }
    if dsap == SAP_STP && ssap == SAP_STP {
        super::stp::dissect(ctx, at, end);
    } else {
        payload::data(ctx, at, end);
    }
}

/// DSAP and SSAP with their bits, as far as captured.
fn fields_so_far(ctx: &mut Ctx, start: usize) {
    if let Some(dsap) = ctx.uint(&DSAP, start) {
        ctx.meaning(sap_name(dsap as u8));
        ctx.uint(&DSAP_SAP, start);
        ctx.uint(&DSAP_IG, start);
    }
    if let Some(ssap) = ctx.uint(&SSAP, start) {
        ctx.meaning(sap_name(ssap as u8));
        ctx.uint(&SSAP_SAP, start);
        ctx.uint(&SSAP_CR, start);
    }
}

/// The control field's parts (IEEE 802.2 §5.2): the modifier of an
/// unnumbered frame, the sequence numbers of the others, and the type.
fn control_fields(ctx: &mut Ctx, start: usize, c0: u8, response: bool) {
    let at = start + 2;
    if c0 & 0x03 == 0x03 {
        ctx.uint(if response { &U_RESP } else { &U_CMD }, start);
        ctx.value_masked(&FTYPE, at..at + 1, 0x03, Value::Hex(3, 2));
        ctx.nest(1);
        return;
    }
    // Two bytes read as one little-endian word by Wireshark's masks; the
    // N(S) of an information frame, then N(R).
    if c0 & 0x01 == 0 {
        ctx.value_at(&N_S, at..at + 2, Value::UInt(u64::from(c0 >> 1)));
        ctx.nest(1);
    }
    if let Some(c1) = ctx.u8_at(at + 1) {
        ctx.value_at(&N_R, at..at + 2, Value::UInt(u64::from(c1 >> 1)));
        ctx.nest(1);
    }
    // An information frame's type is its low bit (0); a supervisory
    // frame's its low two bits (01).
    let (mask, ftype) = if c0 & 0x01 == 0 { (0x01, 0) } else { (0x03, 1) };
    ctx.value_masked(&FTYPE, at..at + 1, mask, Value::Hex(ftype, 2));
    ctx.nest(1);
}

/// Wireshark's names for the common SAPs.
pub fn sap_name(sap: u8) -> &'static str {
    match sap & 0xfe {
        0x00 => "NULL LSAP",
        0x04 => "SNA Path Control",
        0x06 => "TCP/IP",
        0x42 => "Spanning Tree BPDU",
        0x7e => "ISO 8208 (X.25 over 802.2)",
        0xaa => "SNAP",
        0xe0 => "NetWare",
        0xf0 => "NetBIOS",
        0xfe => "ISO Network Layer (OSLAN 1)",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::frame;
    use crate::decode::{Proto, Value, decode};
    use crate::frame::LinkType;

    /// An 802.3 frame (length field) carrying ARP over SNAP, as RFC 1042
    /// frames it; tshark 4 shows eth:llc:arp with llc.type 0x0806.
    fn snap_arp() -> Vec<u8> {
        let mut b = vec![0xff; 6];
        b.extend([2, 0, 0, 0, 0, 1]);
        b.extend([0x00, 0x24]); // 802.3 length 36
        b.extend([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06]);
        b.extend([0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1]);
        b.extend([0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
        b.resize(60, 0);
        b
    }

    #[test]
    fn arp_over_snap_decodes_as_arp_inside_llc() {
        let d = decode(&frame(LinkType::ETHERNET, snap_arp()));
        let llc = d.layer(Proto::Llc).expect("an llc layer");
        assert_eq!(llc.header, 14..22);
        assert!(d.has(Proto::Arp));
        let get = |k: &str| d.field(k).map(|f| (f.value.clone(), f.bytes.clone()));
        assert_eq!(get("llc.dsap"), Some((Value::Hex(0xaa, 2), 14..15)));
        assert_eq!(get("llc.dsap.sap"), Some((Value::UInt(0x55), 14..15)));
        assert_eq!(get("llc.control"), Some((Value::Hex(3, 4), 16..17)));
        assert_eq!(get("llc.oui"), Some((Value::UInt(0), 17..20)));
        assert_eq!(get("llc.type"), Some((Value::Hex(0x0806, 4), 20..22)));
        assert_eq!(
            d.field("arp.dst.proto_ipv4").map(|f| f.bytes.start),
            Some(46)
        );
        // Padding after the 36 bytes the length field counts.
        assert!(d.field("eth.padding").is_some());
    }

    #[test]
    fn llc_cut_anywhere_never_panics_and_notes_it() {
        let whole = snap_arp();
        for cut in 14..whole.len() {
            let mut f = frame(LinkType::ETHERNET, whole[..cut].to_vec());
            f.orig_len = whole.len() as u32;
            let d = decode(&f);
            assert!(cut >= 22 || !d.notes.is_empty(), "cut {cut}: no note");
        }
    }
}
