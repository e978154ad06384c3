//! Wireshark's Info column for DHCP, NTP and IGMP (`DHCP Discover -
//! Transaction ID 0x6e32864`, `NTP Version 4, client`, `Membership Report
//! group 224.0.0.251`), from the layer's own bytes.

use super::ipv4;

/// DHCP: the message type of option 53 (RFC 2132 §9.6), padded to eight
/// characters, and the transaction ID; none without option 53.
pub(super) fn dhcp(msg: &[u8]) -> Option<String> {
    let xid = u32::from_be_bytes(msg.get(4..8)?.try_into().ok()?);
    if msg.get(236..240)? != [99, 130, 83, 99] {
        return None;
    }
    let mut at = 240;
    // Each option takes at least one byte: bounded by the message.
    while let Some(&code) = msg.get(at) {
        match code {
            0 => at += 1,
            255 => return None,
            _ => {
                let len = usize::from(*msg.get(at + 1)?);
                if code == 53 && len >= 1 {
                    let name = match *msg.get(at + 2)? {
                        1 => "Discover",
                        2 => "Offer",
                        3 => "Request",
                        4 => "Decline",
                        5 => "ACK",
                        6 => "NAK",
                        7 => "Release",
                        8 => "Inform",
                        _ => return None,
                    };
                    return Some(format!("DHCP {name:<8} - Transaction ID 0x{xid:x}"));
                }
                at += 2 + len;
            }
        }
    }
    None
}

/// NTP: the version and Wireshark's name of the mode (RFC 5905 §7.3).
pub(super) fn ntp(msg: &[u8]) -> Option<String> {
    let flags = *msg.first()?;
    let mode = match flags & 7 {
        0 => "reserved",
        1 => "symmetric active",
        2 => "symmetric passive",
        3 => "client",
        4 => "server",
        5 => "broadcast",
        6 => "reserved for NTP control message",
        _ => "reserved for private use",
    };
    Some(format!("NTP Version {}, {mode}", (flags >> 3) & 7))
}

/// IGMP (RFC 1112, 2236, 3376): the message, and its group where
/// Wireshark names it.
pub(super) fn igmp(msg: &[u8]) -> Option<String> {
    let kind = *msg.first()?;
    let group = msg.get(4..8).map(ipv4)?;
    let version = super::super::igmp::version(kind, *msg.get(1)?, msg.len());
    Some(match (kind, version) {
        (0x11, 1) => "Membership Query".to_string(),
        (0x11, _) if group == "0.0.0.0" => "Membership Query, general".to_string(),
        (0x11, 3) => {
            let n = usize::from(u16::from_be_bytes(msg.get(10..12)?.try_into().ok()?));
            let mut s = format!("Membership Query, specific for group {group}");
            if n > 0 {
                let sources: Option<Vec<String>> = (0..n)
                    .map(|i| msg.get(12 + 4 * i..16 + 4 * i).map(ipv4))
                    .collect();
                s.push_str(&format!(", sources {{{}}}", sources?.join(", ")));
            }
            s
        }
        (0x11, _) => format!("Membership Query, specific for group {group}"),
        (0x12, _) => "Membership Report".to_string(),
        (0x16, _) => format!("Membership Report group {group}"),
        (0x17, _) => format!("Leave Group {group}"),
        (0x22, _) => v3_report(msg)?,
        _ => return None,
    })
}

/// An IGMPv3 report: each group record's join or leave (RFC 3376 §4.2.12:
/// a change to exclude nothing joins, a change to include nothing leaves).
fn v3_report(msg: &[u8]) -> Option<String> {
    let n = u16::from_be_bytes(msg.get(6..8)?.try_into().ok()?);
    let mut s = String::from("Membership Report");
    let mut at = 8;
    for _ in 0..n {
        let rec = msg.get(at..at + 8)?;
        let (kind, aux, sources) = (rec[0], rec[1], u16::from_be_bytes([rec[2], rec[3]]));
        let group = ipv4(&rec[4..8]);
        match (kind, sources) {
            (4, 0) => s.push_str(&format!(" / Join group {group} for any sources")),
            (3, 0) => s.push_str(&format!(" / Leave group {group}")),
            _ => return None,
        }
        at += 8 + 4 * usize::from(sources) + 4 * usize::from(aux);
    }
    Some(s)
}
