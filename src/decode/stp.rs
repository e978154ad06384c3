//! Spanning tree bridge protocol data units (IEEE 802.1D §9, 802.1w's
//! rapid STP), and the PVST+ TLVs Cisco appends.
//!
//! ```text
//! 0      2   3   4   5               13      17              25     27
//! +------+---+---+---+---------------+-------+---------------+------+
//! |proto |ver|typ|flg| root id (8)   | cost  | bridge id (8) | port |
//! +------+---+---+---+---------------+-------+---------------+------+
//! | message age | max age | hello time | forward delay | (v1 len)  |
//! +-------------+---------+------------+---------------+-----------+
//! ```
//! A bridge ID is a priority (4 bits), a system ID extension (12 bits,
//! the VLAN) and a MAC address. Times are in 1/256 seconds.

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value};

crate::fields! {
    PROTOCOL = FieldDef::fixed("stp.protocol", "Protocol Identifier", 0..2, Hex(4)).spec("IEEE 802.1D §9.3");
    VERSION = FieldDef::fixed("stp.version", "Protocol Version Identifier", 2..3, Dec).spec("IEEE 802.1D §9.3");
    TYPE = FieldDef::fixed("stp.type", "BPDU Type", 3..4, Hex(2)).spec("IEEE 802.1D §9.3");
    FLAGS = FieldDef::fixed("stp.flags", "BPDU flags", 4..5, Hex(2)).spec("IEEE 802.1D §9.3.1");
    TCACK = FieldDef::fixed("stp.flags.tcack", "Topology Change Acknowledgment", 4..5, Bool).mask(0x80).spec("IEEE 802.1D §9.3.1");
    AGREEMENT = FieldDef::fixed("stp.flags.agreement", "Agreement", 4..5, Bool).mask(0x40).spec("IEEE 802.1w §9.3.3");
    FORWARDING = FieldDef::fixed("stp.flags.forwarding", "Forwarding", 4..5, Bool).mask(0x20).spec("IEEE 802.1w §9.3.3");
    LEARNING = FieldDef::fixed("stp.flags.learning", "Learning", 4..5, Bool).mask(0x10).spec("IEEE 802.1w §9.3.3");
    PORT_ROLE = FieldDef::fixed("stp.flags.port_role", "Port Role", 4..5, Dec).mask(0x0c).spec("IEEE 802.1w §9.3.3");
    PROPOSAL = FieldDef::fixed("stp.flags.proposal", "Proposal", 4..5, Bool).mask(0x02).spec("IEEE 802.1w §9.3.3");
    TC = FieldDef::fixed("stp.flags.tc", "Topology Change", 4..5, Bool).mask(0x01).spec("IEEE 802.1D §9.3.1");
    ROOT_PRIO = FieldDef::fixed("stp.root.prio", "Root Bridge Priority", 5..7, Dec).mask(0xf000).spec("IEEE 802.1D §9.2.5");
    ROOT_EXT = FieldDef::fixed("stp.root.ext", "Root Bridge System ID Extension", 5..7, Dec).mask(0x0fff).spec("IEEE 802.1D §9.2.5");
    ROOT_HW = FieldDef::fixed("stp.root.hw", "Root Bridge System ID", 7..13, Mac).spec("IEEE 802.1D §9.2.5");
    ROOT_COST = FieldDef::fixed("stp.root.cost", "Root Path Cost", 13..17, Dec).spec("IEEE 802.1D §9.3.1");
    BRIDGE_PRIO = FieldDef::fixed("stp.bridge.prio", "Bridge Priority", 17..19, Dec).mask(0xf000).spec("IEEE 802.1D §9.2.5");
    BRIDGE_EXT = FieldDef::fixed("stp.bridge.ext", "Bridge System ID Extension", 17..19, Dec).mask(0x0fff).spec("IEEE 802.1D §9.2.5");
    BRIDGE_HW = FieldDef::fixed("stp.bridge.hw", "Bridge System ID", 19..25, Mac).spec("IEEE 802.1D §9.2.5");
    PORT = FieldDef::fixed("stp.port", "Port identifier", 25..27, Hex(4)).spec("IEEE 802.1D §9.2.7");
    MSG_AGE = FieldDef::fixed("stp.msg_age", "Message Age", 27..29, Number).spec("IEEE 802.1D §9.3.1");
    MAX_AGE = FieldDef::fixed("stp.max_age", "Max Age", 29..31, Number).spec("IEEE 802.1D §9.3.1");
    HELLO = FieldDef::fixed("stp.hello", "Hello Time", 31..33, Number).spec("IEEE 802.1D §9.3.1");
    FORWARD = FieldDef::fixed("stp.forward", "Forward Delay", 33..35, Number).spec("IEEE 802.1D §9.3.1");
    VERSION_1_LENGTH = FieldDef::fixed("stp.version_1_length", "Version 1 Length", 35..36, Dec).spec("IEEE 802.1w §9.3.3");
    PVST_TLVTYPE = FieldDef::var("stp.pvst.tlvtype", "Type", Hex(4)).spec("Cisco PVST+");
    PVST_TLVLEN = FieldDef::var("stp.pvst.tlvlen", "Length", Dec).spec("Cisco PVST+");
    PVST_ORIGVLAN = FieldDef::var("stp.pvst.origvlan", "Originating VLAN", Dec).spec("Cisco PVST+");
    PVST_TLVVAL = FieldDef::var("stp.pvst.tlvval", "Value", Bytes).spec("Cisco PVST+");
}

/// BPDU types.
pub const TYPE_CONFIG: u8 = 0x00;
pub const TYPE_TCN: u8 = 0x80;
pub const TYPE_RSTP: u8 = 0x02;
/// A configuration BPDU's length; a rapid one adds the version 1 length.
const CONFIG_LEN: usize = 35;

/// Decode a BPDU at `start`; `end` is where the LLC data ends.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    bpdu(ctx, start, end, false);
}

/// Decode a Cisco PVST+ BPDU (SNAP PID 0x010b): a BPDU padded to 36
/// bytes, then TLVs naming the originating VLAN.
pub fn dissect_pvst(ctx: &mut Ctx, start: usize, end: usize) {
    bpdu(ctx, start, end, true);
}

fn bpdu(ctx: &mut Ctx, start: usize, end: usize, pvst: bool) {
    ctx.bound(end);
    ctx.layer(Proto::Stp, start..end.min(ctx.data.len()).max(start));
    ctx.set_pdu(start..end);
    let (Some(_), Some(version), Some(kind)) = (
        ctx.uint(&PROTOCOL, start),
        ctx.uint(&VERSION, start),
        ctx.uint(&TYPE, start),
    ) else {
        ctx.short_of(Proto::Stp, start, 4, end, "BPDU");
        return;
    };
    if ctx.fields_on {
        ctx.meaning(type_name(kind as u8));
    }
    let kind = kind as u8;
    if kind == TYPE_TCN {
        ctx.set_header(start..start + 4);
        return;
    }
    let rapid = kind == TYPE_RSTP && version >= 2;
    let need = CONFIG_LEN + usize::from(rapid);
    if ctx.available(start, end) < need {
        ctx.short_of(Proto::Stp, start, need, end, "BPDU");
    }
    ctx.set_header(start..(start + need).min(end));
    if !ctx.fields_on {
        return;
    }
    if ctx.uint(&FLAGS, start).is_some() {
        ctx.uint(&TCACK, start);
        if rapid {
            ctx.uint(&AGREEMENT, start);
            ctx.uint(&FORWARDING, start);
            ctx.uint(&LEARNING, start);
            ctx.uint(&PORT_ROLE, start);
            ctx.uint(&PROPOSAL, start);
        }
        ctx.uint(&TC, start);
    }
    bridge_id(ctx, start, (&ROOT_PRIO, &ROOT_EXT, &ROOT_HW));
    ctx.uint(&ROOT_COST, start);
    bridge_id(ctx, start, (&BRIDGE_PRIO, &BRIDGE_EXT, &BRIDGE_HW));
    ctx.uint(&PORT, start);
    for def in [&MSG_AGE, &MAX_AGE, &HELLO, &FORWARD] {
        seconds(ctx, def, start);
    }
    if rapid {
        ctx.uint(&VERSION_1_LENGTH, start);
    }
    if pvst {
        pvst_tlvs(ctx, start + CONFIG_LEN + 1, end);
    }
}

/// A bridge ID: priority and system ID extension share two bytes.
fn bridge_id(
    ctx: &mut Ctx,
    start: usize,
    (prio, ext, hw): (&'static FieldDef, &'static FieldDef, &'static FieldDef),
) {
    let range = prio.at(start);
    if let Some(word) = ctx.read(range.clone()) {
        // tshark shows the priority unshifted (32768, not 8).
        ctx.value_at(prio, range, Value::UInt(word & 0xf000));
        ctx.nest(1);
        ctx.uint(ext, start);
    }
    ctx.mac(hw, start);
    ctx.nest(1);
}

/// A time in 1/256 seconds, shown in seconds as tshark's FT_DOUBLE.
fn seconds(ctx: &mut Ctx, def: &'static FieldDef, start: usize) {
    let range = def.at(start);
    if let Some(v) = ctx.read(range.clone()) {
        let value = if v % 256 == 0 {
            Value::UInt(v / 256)
        } else {
            Value::Text(format!("{}", v as f64 / 256.0).into())
        };
        ctx.value_at(def, range, value);
    }
}

/// PVST+'s TLVs after the BPDU (type, length, value); the originating
/// VLAN is type 0. At most as many as fit: each takes 4 bytes or more.
fn pvst_tlvs(ctx: &mut Ctx, mut at: usize, end: usize) {
    let end = end.min(ctx.data.len());
    while at + 4 <= end {
        let (Some(kind), Some(len)) = (ctx.u16_at(at), ctx.u16_at(at + 2)) else {
            return;
        };
        let value = at + 4..at + 4 + len as usize;
        ctx.uint_at(&PVST_TLVTYPE, at..at + 2);
        ctx.nest(1);
        ctx.uint_at(&PVST_TLVLEN, at + 2..at + 4);
        ctx.nest(1);
        if value.end > end {
            ctx.short_of(Proto::Stp, at, 4 + len as usize, end, "PVST+ TLV");
            return;
        }
        if kind == 0 && len == 2 {
            ctx.uint_at(&PVST_ORIGVLAN, value.clone());
        } else {
            ctx.bytes_at(&PVST_TLVVAL, value.clone());
        }
        ctx.nest(1);
        at = value.end;
    }
}

/// Wireshark's names of the BPDU types.
pub fn type_name(kind: u8) -> &'static str {
    match kind {
        TYPE_CONFIG => "Configuration",
        TYPE_TCN => "Topology Change Notification",
        TYPE_RSTP => "Rapid/Multiple Spanning Tree",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::frame;
    use crate::decode::{Proto, Value, decode};
    use crate::frame::LinkType;

    /// Frame 3 of various_gre.pcap (an 802.1D configuration BPDU), as
    /// tshark 4 decodes it: root 32768/1/aa:bb:cc:00:03:00, port 0x8002,
    /// max age 20, hello 2, forward delay 15.
    const CONFIG: &str = "0180c2000000aabbcc00031000264242030000000000800\
                          1aabbcc000300000000008001aabbcc0003008002000014000200\
                          0f0000000000000000";

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn configuration_bpdu_fields_match_tshark() {
        let d = decode(&frame(LinkType::ETHERNET, bytes(CONFIG)));
        let stp = d.layer(Proto::Stp).expect("stp");
        assert_eq!(stp.header, 17..52);
        let v = |k: &str| d.field(k).map(|f| f.value.clone());
        assert_eq!(v("stp.root.prio"), Some(Value::UInt(32768)));
        assert_eq!(v("stp.root.ext"), Some(Value::UInt(1)));
        assert_eq!(
            v("stp.root.hw"),
            Some(Value::Mac([0xaa, 0xbb, 0xcc, 0, 3, 0]))
        );
        assert_eq!(v("stp.port"), Some(Value::Hex(0x8002, 4)));
        assert_eq!(v("stp.max_age"), Some(Value::UInt(20)));
        assert_eq!(v("stp.forward"), Some(Value::UInt(15)));
        assert_eq!(
            d.field("stp.root.cost").map(|f| f.bytes.clone()),
            Some(30..34)
        );
        assert!(d.field("eth.padding").is_some());
    }

    #[test]
    fn bpdu_cut_anywhere_never_panics() {
        let whole = bytes(CONFIG);
        for cut in 14..whole.len() {
            let mut f = frame(LinkType::ETHERNET, whole[..cut].to_vec());
            f.orig_len = whole.len() as u32;
            let _ = decode(&f);
        }
    }
}
