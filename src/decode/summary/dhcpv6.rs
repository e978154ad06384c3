//! DHCPv6's words: tcpdump's (print-dhcp6.c, `dhcp6 solicit`) and
//! Wireshark's Info (`Solicit XID: 0x90b45c CID: 0003… `, the client's
//! DUID and the addresses offered; a relay's link address and the relayed
//! message's words).

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
/// client's DUID and the addresses offered, in option order
/// (each followed by a space, as Wireshark writes them).
pub(super) fn info(msg: &[u8]) -> Option<String> {
    let mut s = String::new();
    message(msg, &mut s, 0)?;
    Some(s)
}

/// A message's words; a relay's link address, then the relayed message's.
fn message(msg: &[u8], s: &mut String, depth: u8) -> Option<()> {
    let &t = msg.first()?;
    match msg_name(t) {
        Some((name, _)) => s.push_str(name),
        None => {
            let _ = write!(s, "Unknown ({t})");
        }
    }
    if matches!(t, 12 | 13) {
        let link = msg.get(2..18)?;
        s.push_str(" L: ");
        super::super::text::push_ipv6(s, link);
        s.push(' ');
        let mut at = 34;
        while depth < 4 && at + 4 <= msg.len() {
            let code = u16::from_be_bytes([msg[at], msg[at + 1]]);
            let len = usize::from(u16::from_be_bytes([msg[at + 2], msg[at + 3]]));
            let inner = msg.get(at + 4..at + 4 + len)?;
            if code == 9 {
                return message(inner, s, depth + 1);
            }
            at += 4 + len;
        }
        return Some(());
    }
    let xid = msg.get(1..4)?;
    let _ = write!(s, " XID: 0x{:02x}{:02x}{:02x} ", xid[0], xid[1], xid[2]);
    options(msg, 4, msg.len(), s, 0);
    Some(())
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
            _ => {}
        }
        at = stop;
    }
}
