//! Network Time Protocol (RFC 5905 §7.3) on UDP port 123: the 48-byte
//! header of modes 1 to 5, then a key ID and message digest when present.
//!
//! ```text
//! |LI|VN |Mode| Stratum | Poll | Precision |
//! | Root Delay (32) | Root Dispersion (32) | Reference ID (32) |
//! | Reference, Origin, Receive and Transmit Timestamps (64 each) |
//! | Key Identifier (32, optional) | Message Digest (optional)   |
//! ```
//! A timestamp is seconds since 1900 (32 bits) and a binary fraction (32
//! bits); like Wireshark we read a seconds value below 2^31 as the next
//! era (from 2036), and all zeros as NULL.

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value};

crate::fields! {
    FLAGS = FieldDef::fixed("ntp.flags", "Flags", 0..1, Hex(2)).spec("RFC 5905 §7.3");
    LI = FieldDef::fixed("ntp.flags.li", "Leap Indicator", 0..1, Dec).mask(0xc0).spec("RFC 5905 §7.3");
    VN = FieldDef::fixed("ntp.flags.vn", "Version number", 0..1, Dec).mask(0x38).spec("RFC 5905 §7.3");
    MODE = FieldDef::fixed("ntp.flags.mode", "Mode", 0..1, Dec).mask(0x07).spec("RFC 5905 §7.3");
    STRATUM = FieldDef::fixed("ntp.stratum", "Peer Clock Stratum", 1..2, Dec).spec("RFC 5905 §7.3");
    PPOLL = FieldDef::fixed("ntp.ppoll", "Peer Polling Interval", 2..3, Dec).spec("RFC 5905 §7.3");
    PRECISION = FieldDef::fixed("ntp.precision", "Peer Clock Precision", 3..4, Dec).spec("RFC 5905 §7.3");
    ROOTDELAY = FieldDef::fixed("ntp.rootdelay", "Root Delay", 4..8, Dec).spec("RFC 5905 §7.3");
    ROOTDISPERSION = FieldDef::fixed("ntp.rootdispersion", "Root Dispersion", 8..12, Dec).spec("RFC 5905 §7.3");
    REFID = FieldDef::fixed("ntp.refid", "Reference ID", 12..16, Bytes).spec("RFC 5905 §7.3");
    REFTIME = FieldDef::fixed("ntp.reftime", "Reference Timestamp", 16..24, Text).spec("RFC 5905 §6");
    ORG = FieldDef::fixed("ntp.org", "Origin Timestamp", 24..32, Text).spec("RFC 5905 §6");
    REC = FieldDef::fixed("ntp.rec", "Receive Timestamp", 32..40, Text).spec("RFC 5905 §6");
    XMT = FieldDef::fixed("ntp.xmt", "Transmit Timestamp", 40..48, Text).spec("RFC 5905 §6");
    KEYID = FieldDef::fixed("ntp.keyid", "Key ID", 48..52, Bytes).spec("RFC 5905 §7.3");
    MAC = FieldDef::var("ntp.mac", "Message Authentication Code", Bytes).spec("RFC 5905 §7.3");
}

pub const PORT: u16 = 123;
pub const HEADER_LEN: usize = 48;

/// Decode an NTP message at `start`; `end` is where the datagram ends.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Ntp, start..end.min(ctx.data.len()).max(start));
    ctx.set_pdu(start..end);
    let Some(flags) = ctx.u8_at(start) else {
        return;
    };
    if !ctx.fields_on {
        if ctx.available(start, end) < HEADER_LEN && flags & 7 != 6 && flags & 7 != 7 {
            ctx.short_of(Proto::Ntp, start, HEADER_LEN, end, "header");
        }
        return;
    }
    for def in [&FLAGS, &LI, &VN, &MODE] {
        ctx.uint(def, start);
    }
    // Control (6) and private (7) messages have layouts of their own.
    if matches!(flags & 7, 6 | 7) {
        return;
    }
    if ctx.available(start, end) < HEADER_LEN {
        ctx.short_of(Proto::Ntp, start, HEADER_LEN, end, "header");
    }
    for def in [&STRATUM, &PPOLL, &PRECISION, &ROOTDELAY, &ROOTDISPERSION] {
        ctx.uint(def, start);
    }
    ctx.bytes_at(&REFID, REFID.at(start));
    for def in [&REFTIME, &ORG, &REC, &XMT] {
        let range = def.at(start);
        if !ctx.wants(def) {
            continue;
        }
        if let (Some(secs), Some(frac)) = (
            ctx.read(range.start..range.start + 4),
            ctx.read(range.start + 4..range.end),
        ) {
            let text = timestamp(secs as u32, frac as u32);
            ctx.value_at(def, range, Value::Text(text.into()));
        }
    }
    let after = start + HEADER_LEN;
    if ctx.available(after, end) >= 4 {
        ctx.bytes_at(&KEYID, KEYID.at(start));
        if ctx.available(after + 4, end) > 0 {
            ctx.bytes_at(&MAC, after + 4..end.min(ctx.data.len()));
        }
    }
}

/// An NTP timestamp as Wireshark shows it: `Jun 19, 2017
/// 14:12:09.516074047 UTC`, or `NULL` for all zeros.
pub fn timestamp(secs: u32, frac: u32) -> String {
    if secs == 0 && frac == 0 {
        return "NULL".to_string();
    }
    // Seconds from 1900; below 2^31 they count from 2036 (era 1).
    let since_1900 = if secs & 0x8000_0000 != 0 {
        i64::from(secs)
    } else {
        i64::from(secs) + (1 << 32)
    };
    let unix = since_1900 - 2_208_988_800;
    let nanos = (u64::from(frac) * 1_000_000_000) >> 32;
    let (days, rem) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {:2}, {} {:02}:{:02}:{:02}.{:09} UTC",
        MONTHS[(m - 1) as usize],
        d,
        y,
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        nanos
    )
}

/// Year, month and day of a day count from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// tcpdump's names of the modes (print-ntp.c).
pub fn mode_name(mode: u8) -> &'static str {
    match mode {
        0 => "unspecified",
        1 => "Symmetric Active",
        2 => "Symmetric Passive",
        3 => "Client",
        4 => "Server",
        5 => "Broadcast",
        6 => "Control Message",
        _ => "Reserved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_tshark_shows_them() {
        // ntp.pcap frame 2's transmit timestamp, as tshark 4 prints it.
        assert_eq!(
            timestamp(0xdcf2_5a39, 0x841d_6dc5),
            "Jun 19, 2017 14:12:09.516074047 UTC"
        );
        // RFC 5905 §6: era 0 starts 1900-01-01 (1 s in: not NULL).
        assert_eq!(
            timestamp(0x8000_0000, 0),
            "Jan 20, 1968 03:14:08.000000000 UTC"
        );
        assert_eq!(timestamp(0, 0), "NULL");
        // Below 2^31 the seconds belong to era 1: 2036-02-07 06:28:16 + 1 s.
        assert_eq!(timestamp(1, 0), "Feb  7, 2036 06:28:17.000000000 UTC");
    }
}
