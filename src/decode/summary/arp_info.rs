//! Wireshark's Protocol and Info columns for ARP and RARP (packet-arp.c):
//! `Who has 10.0.0.1? Tell 10.0.0.2`, `10.0.0.1 is at 00:11:22:33:44:55`,
//! announcements, probes and gratuitous ARP (RFC 5227 §2.1, §3), and
//! RARP's `Who is MAC? Tell MAC` (RFC 903).

use super::super::Layer;
use super::super::text::{push_ipv4, push_mac};
use super::super::view::View;

/// The sender's and target's hardware and protocol addresses of an
/// Ethernet/IPv4 ARP message, and its opcode.
struct Message<'a> {
    op: u16,
    sha: &'a [u8],
    spa: &'a [u8],
    tha: &'a [u8],
    tpa: &'a [u8],
}

fn message<'a>(data: &'a [u8], layer: &Layer) -> Option<Message<'a>> {
    let v = View::of(data, layer);
    // Only six-byte hardware and four-byte IPv4 addresses are named here.
    if v.bytes_at(2, 4)? != [0x08, 0x00, 6, 4] {
        return None;
    }
    let op = u16::from_be_bytes(v.bytes_at(6, 2)?.try_into().ok()?);
    Some(Message {
        op,
        sha: v.bytes_at(8, 6)?,
        spa: v.bytes_at(14, 4)?,
        tha: v.bytes_at(18, 6)?,
        tpa: v.bytes_at(24, 4)?,
    })
}

/// Wireshark's Protocol column for the ARP layer: `RARP` for RARP's
/// opcodes (3 and 4), `ARP` otherwise.
pub(super) fn protocol(data: &[u8], layer: &Layer) -> &'static str {
    let op = View::of(data, layer).bytes_at(6, 2);
    if matches!(op, Some([0, 3 | 4])) {
        "RARP"
    } else {
        "ARP"
    }
}

/// The Info text of the ARP layer `layer`.
pub(super) fn info(data: &[u8], layer: &Layer) -> Option<String> {
    let m = message(data, layer)?;
    let ip = |b: &[u8]| {
        let mut s = String::with_capacity(15);
        push_ipv4(&mut s, b);
        s
    };
    let mac = |b: &[u8]| {
        let mut s = String::with_capacity(17);
        push_mac(&mut s, b);
        s
    };
    let zero_tha = m.tha.iter().all(|&b| b == 0);
    let same = m.spa == m.tpa;
    Some(match m.op {
        1 if m.spa == [0; 4] && zero_tha => format!("Who has {}? (ARP Probe)", ip(m.tpa)),
        1 if same && zero_tha => format!("ARP Announcement for {}", ip(m.tpa)),
        1 if same => format!("Gratuitous ARP for {} (Request)", ip(m.tpa)),
        1 => format!("Who has {}? Tell {}", ip(m.tpa), ip(m.spa)),
        2 if same => format!("Gratuitous ARP for {} (Reply)", ip(m.spa)),
        2 => format!("{} is at {}", ip(m.spa), mac(m.sha)),
        3 => format!("Who is {}? Tell {}", mac(m.tha), mac(m.sha)),
        4 => format!("{} is at {}", mac(m.tha), ip(m.tpa)),
        _ => return None,
    })
}
