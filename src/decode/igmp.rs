//! Internet Group Management Protocol (IP protocol 2): version 1
//! (RFC 1112 appendix I), 2 (RFC 2236) and 3 (RFC 3376).
//!
//! ```text
//! +--------+--------+----------------+
//! |  Type  |MaxResp |    Checksum    |   v1 has a reserved byte for MaxResp
//! +--------+--------+----------------+
//! |        Group (multicast) address |
//! +----------------------------------+
//! v3 query: |Rsv|S|QRV| QQIC | Number of sources | sources...
//! v3 report (type 0x22): | reserved (2) | number of group records | records:
//!   | type | aux len | number of sources | group | sources... | aux data |
//! ```
//! The version is told by type and length as RFC 3376 §7.1 says: a query
//! of 8 bytes with a zero max response time is version 1, of 8 bytes
//! version 2, of 12 or more version 3.

use super::field::{FieldDef, Format::*};
use super::ipv4::ones_complement_sum;
use super::{Ctx, NoteKind, Proto, Severity, Value};

crate::fields! {
    VERSION = FieldDef::generated("igmp.version", "IGMP Version", Dec).spec("RFC 3376 §7.1");
    TYPE = FieldDef::fixed("igmp.type", "Type", 0..1, Hex(2)).spec("RFC 3376 §4");
    RESERVED = FieldDef::var("igmp.reserved", "Reserved", Bytes).spec("RFC 1112 appendix I");
    MAX_RESP = FieldDef::fixed("igmp.max_resp", "Max Resp Time", 1..2, Dec).spec("RFC 3376 §4.1.1");
    MAX_RESP_EXP = FieldDef::fixed("igmp.max_resp.exp", "Exponent", 1..2, Hex(2)).mask(0x70).spec("RFC 3376 §4.1.1");
    MAX_RESP_MANT = FieldDef::fixed("igmp.max_resp.mant", "Mantissa", 1..2, Hex(2)).mask(0x0f).spec("RFC 3376 §4.1.1");
    CHECKSUM = FieldDef::fixed("igmp.checksum", "Checksum", 2..4, Hex(4)).spec("RFC 3376 §4.1.2");
    CHECKSUM_STATUS = FieldDef::generated("igmp.checksum.status", "Checksum Status", Text);
    MADDR = FieldDef::var("igmp.maddr", "Multicast Address", Ipv4).spec("RFC 3376 §4.1.3");
    S = FieldDef::fixed("igmp.s", "S", 8..9, Bool).mask(0x08).spec("RFC 3376 §4.1.5");
    QRV = FieldDef::fixed("igmp.qrv", "QRV", 8..9, Dec).mask(0x07).spec("RFC 3376 §4.1.6");
    QQIC = FieldDef::fixed("igmp.qqic", "QQIC", 9..10, Dec).spec("RFC 3376 §4.1.7");
    NUM_SRC = FieldDef::var("igmp.num_src", "Num Src", Dec).spec("RFC 3376 §4.1.8");
    SADDR = FieldDef::var("igmp.saddr", "Source Address", Ipv4).spec("RFC 3376 §4.1.9");
    NUM_GRP_RECS = FieldDef::fixed("igmp.num_grp_recs", "Num Group Records", 6..8, Dec).spec("RFC 3376 §4.2.3");
    RECORD_TYPE = FieldDef::var("igmp.record_type", "Record Type", Dec).spec("RFC 3376 §4.2.12");
    AUX_DATA_LEN = FieldDef::var("igmp.aux_data_len", "Aux Data Len", Dec).spec("RFC 3376 §4.2.6");
    AUX_DATA = FieldDef::var("igmp.aux_data", "Aux Data", Bytes).spec("RFC 3376 §4.2.10");
}

pub const QUERY: u8 = 0x11;
pub const V1_REPORT: u8 = 0x12;
pub const V2_REPORT: u8 = 0x16;
pub const V2_LEAVE: u8 = 0x17;
pub const V3_REPORT: u8 = 0x22;

/// The version of an IGMP message of `len` bytes (RFC 3376 §7.1), as
/// Wireshark tells it; 0 for types it does not know.
pub fn version(kind: u8, max_resp: u8, len: usize) -> u8 {
    match kind {
        QUERY if len >= 12 => 3,
        QUERY if max_resp == 0 => 1,
        QUERY => 2,
        V1_REPORT => 1,
        V2_REPORT | V2_LEAVE => 2,
        V3_REPORT => 3,
        _ => 0,
    }
}

/// True when tshark names this IGMP layer twice in `frame.protocols`
/// (`ip:igmp:igmp`): its membership query, report and leave messages go to
/// a per-version dissector registered under the same name.
pub fn twice_in_protocols(d: &super::Dissection, layer: &super::Layer) -> bool {
    d.fields_of(layer).iter().any(|f| {
        f.key == TYPE.key && matches!(f.value, Value::Hex(0x11 | 0x12 | 0x16 | 0x17 | 0x22, _))
    })
}

/// RFC 3376 §4.1.1: a code of 128 or more is a floating-point number of
/// tenths of a second.
pub fn max_resp_tenths(code: u8) -> u32 {
    if code < 128 {
        u32::from(code)
    } else {
        (u32::from(code & 0x0f) | 0x10) << (((code >> 4) & 7) + 3)
    }
}

/// Decode an IGMP message at `start`; `end` is where the IP payload ends.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Igmp, start..end.min(ctx.data.len()).max(start));
    ctx.set_pdu(start..end);
    let len = end.saturating_sub(start);
    let (Some(kind), Some(code)) = (ctx.u8_at(start), ctx.u8_at(start + 1)) else {
        ctx.short_of(Proto::Igmp, start, 8, end, "message");
        return;
    };
    let v = version(kind, code, len);
    if !ctx.fields_on {
        return;
    }
    ctx.generated(&VERSION, Value::UInt(u64::from(v)));
    ctx.uint(&TYPE, start);
    ctx.meaning(type_name(kind));
    match v {
        1 => ctx.bytes_at(&RESERVED, start + 1..start + 2),
        3 if kind == QUERY => {
            let tenths = max_resp_tenths(code);
            ctx.value_at(
                &MAX_RESP,
                MAX_RESP.at(start),
                Value::UInt(u64::from(tenths)),
            );
            // The exponent and mantissa only mean something from 128 up.
            if code >= 128 {
                ctx.uint(&MAX_RESP_EXP, start);
                ctx.uint(&MAX_RESP_MANT, start);
            }
        }
        3 => ctx.bytes_at(&RESERVED, start + 1..start + 2),
        _ => {
            ctx.uint(&MAX_RESP, start);
        }
    }
    checksum(ctx, start, end);
    match (v, kind) {
        (3, QUERY) => v3_query(ctx, start, end),
        (3, V3_REPORT) => v3_report(ctx, start, end),
        _ => {
            if ctx.ipv4_at(&MADDR, start + 4).is_none() {
                ctx.short_of(Proto::Igmp, start, 8, end, "message");
            }
        }
    }
}

/// The checksum over the whole message (RFC 3376 §4.1.2), when captured.
fn checksum(ctx: &mut Ctx, start: usize, end: usize) {
    if ctx.uint(&CHECKSUM, start).is_none() {
        return;
    }
    let Some(bytes) = ctx.data.get(start..end) else {
        return;
    };
    let good = ones_complement_sum(bytes, 0) == 0xffff;
    ctx.generated(
        &CHECKSUM_STATUS,
        Value::Text((if good { "Good" } else { "Bad" }).into()),
    );
    if !good {
        ctx.note(
            Severity::Warn,
            NoteKind::BadChecksum,
            Proto::Igmp,
            start + 2,
            "IGMP checksum is wrong".to_string(),
        );
    }
}

/// A version 3 query: group, S, QRV, QQIC and its sources.
fn v3_query(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.ipv4_at(&MADDR, start + 4);
    ctx.uint(&S, start);
    ctx.uint(&QRV, start);
    ctx.uint(&QQIC, start);
    let Some(n) = ctx.uint_at(&NUM_SRC, start + 10..start + 12) else {
        ctx.short_of(Proto::Igmp, start, 12, end, "query");
        return;
    };
    sources(ctx, start + 12, n as usize, end);
}

/// `n` source addresses from `at`; as many as the message holds.
fn sources(ctx: &mut Ctx, at: usize, n: usize, end: usize) -> usize {
    let room = end.saturating_sub(at) / 4;
    for i in 0..n.min(room) {
        if ctx.ipv4_at(&SADDR, at + 4 * i).is_none() {
            break;
        }
    }
    if n > room {
        ctx.short_of(Proto::Igmp, at, 4 * n, end, "source list");
    }
    at + 4 * n
}

/// A version 3 report: its group records (RFC 3376 §4.2.4).
fn v3_report(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bytes_at(&RESERVED, start + 4..start + 6);
    let Some(records) = ctx.uint(&NUM_GRP_RECS, start) else {
        ctx.short_of(Proto::Igmp, start, 8, end, "report");
        return;
    };
    let mut at = start + 8;
    // Each record takes 8 bytes or more: the message bounds the loop.
    for _ in 0..records {
        if at + 8 > end {
            ctx.short_of(Proto::Igmp, at, 8, end, "group record");
            return;
        }
        let (Some(kind), Some(aux), Some(n)) =
            (ctx.u8_at(at), ctx.u8_at(at + 1), ctx.u16_at(at + 2))
        else {
            return;
        };
        ctx.uint_at(&RECORD_TYPE, at..at + 1);
        ctx.meaning(record_type_name(kind));
        ctx.nest(1);
        ctx.uint_at(&AUX_DATA_LEN, at + 1..at + 2);
        ctx.nest(1);
        ctx.uint_at(&NUM_SRC, at + 2..at + 4);
        ctx.nest(1);
        ctx.ipv4_at(&MADDR, at + 4);
        ctx.nest(1);
        let after = sources(ctx, at + 8, usize::from(n), end);
        let aux_end = after + 4 * usize::from(aux);
        if aux > 0 {
            ctx.bytes_at(&AUX_DATA, after..aux_end);
        }
        at = aux_end;
    }
}

/// Wireshark's names of the message types.
pub fn type_name(kind: u8) -> &'static str {
    match kind {
        QUERY => "Membership Query",
        V1_REPORT => "Membership Report",
        V2_REPORT => "Membership Report",
        V2_LEAVE => "Leave Group",
        V3_REPORT => "Membership Report",
        0x1e => "Traceroute Response",
        0x1f => "Traceroute Query/Request",
        0x13 => "DVMRP",
        0x14 => "PIM",
        _ => "Unknown",
    }
}

/// RFC 3376 §4.2.12's record types, as Wireshark names them.
pub fn record_type_name(kind: u8) -> &'static str {
    match kind {
        1 => "Mode Is Include",
        2 => "Mode Is Exclude",
        3 => "Change To Include Mode",
        4 => "Change To Exclude Mode",
        5 => "Allow New Sources",
        6 => "Block Old Sources",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_response_codes_follow_rfc_3376s_floating_point() {
        // Values tshark shows on igmpv3-queries.pcap: 0xfe is 3072.0 s.
        assert_eq!(max_resp_tenths(0xfe), 30720);
        assert_eq!(max_resp_tenths(10), 10);
        // RFC 3376 §4.1.1: 0x80 is mant 0, exp 0: (0x10) << 3 = 128.
        assert_eq!(max_resp_tenths(0x80), 128);
    }

    #[test]
    fn versions_are_told_by_type_and_length() {
        assert_eq!(version(QUERY, 0, 8), 1);
        assert_eq!(version(QUERY, 100, 8), 2);
        assert_eq!(version(QUERY, 100, 12), 3);
        assert_eq!(version(V3_REPORT, 0, 16), 3);
    }
}
