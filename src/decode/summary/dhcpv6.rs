//! DHCPv6's words: tcpdump's (print-dhcp6.c, `dhcp6 solicit`) and
//! Wireshark's Info (`Solicit XID: 0x90b45c CID: 0003… `).

use std::fmt::Write;

use super::super::dhcpv6::msg_name;

/// tcpdump's line after the ports, for the message `msg`.
pub(super) fn tcpdump(msg: &[u8], out: &mut String) {
    out.push_str("dhcp6");
    match msg.first() {
        Some(&t) => match msg_name(t) {
            Some((_, name)) => {
                let _ = write!(out, " {name}");
            }
            None => {
                let _ = write!(out, " msgtype-{t}");
            }
        },
        None => out.push_str(" [|dhcp6]"),
    }
}

/// Wireshark's Info: the message's name, its transaction ID, then the
/// client's DUID and the addresses and prefixes offered, in option order
/// (each followed by a space, as Wireshark writes them).
pub(super) fn info(msg: &[u8]) -> Option<String> {
    let &t = msg.first()?;
    let mut s = match msg_name(t) {
        Some((name, _)) => name.to_string(),
        None => format!("Unknown ({t})"),
    };
    if matches!(t, 12 | 13) {
        s.push(' ');
        return Some(s);
    }
    let xid = msg.get(1..4)?;
    let _ = write!(s, " XID: 0x{:02x}{:02x}{:02x} ", xid[0], xid[1], xid[2]);
    options(msg, 4, msg.len(), &mut s, 0);
    Some(s)
}

fn options(msg: &[u8], mut at: usize, end: usize, s: &mut String, depth: u8) {
    if depth > 4 {
        return;
    }
    while at + 4 <= end {
        let code = u16::from_be_bytes([msg[at], msg[at + 1]]);
        let len = usize::from(u16::from_be_bytes([msg[at + 2], msg[at + 3]]));
        let (body, stop) = (at + 4, at + 4 + len);
        if stop > end {
            return;
        }
        let data = &msg[body..stop];
        match code {
            1 => {
                s.push_str("CID: ");
                for b in data {
                    let _ = write!(s, "{b:02x}");
                }
                s.push(' ');
            }
            3 | 25 if len >= 12 => options(msg, body + 12, stop, s, depth + 1),
            4 if len >= 4 => options(msg, body + 4, stop, s, depth + 1),
            5 if len >= 24 => {
                s.push_str("IAA: ");
                super::super::text::push_ipv6(s, &data[..16]);
                s.push(' ');
            }
            26 if len >= 25 => {
                s.push_str("IAP: ");
                super::super::text::push_ipv6(s, &data[9..25]);
                let _ = write!(s, "/{} ", data[8]);
            }
            _ => {}
        }
        at = stop;
    }
}
