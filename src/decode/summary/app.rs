//! tcpdump's words and Wireshark's Info text for the application layers
//! above TCP and UDP. Each protocol's wording lives beside its dissector's
//! summary file; this file only dispatches on the layer the decoder found.

use std::fmt::Write;

use super::super::{Dissection, Layer, Proto};

/// The layer right after `transport` in `d`, if it is an application layer.
fn above<'d>(d: &'d Dissection, transport: &Layer) -> Option<&'d Layer> {
    let i = d.layers.iter().position(|l| std::ptr::eq(l, transport))?;
    d.layers.get(i + 1)
}

/// Write tcpdump's words for the application layer carried by the UDP layer
/// `udp` (print-domain.c, print-ntp.c, …) in place of "UDP, length N".
/// Returns false when there is none, or tcpdump prints none for it.
pub(super) fn after_udp(data: &[u8], d: &Dissection, udp: &Layer, out: &mut String) -> bool {
    let Some(app) = above(d, udp) else {
        return false;
    };
    match app.proto {
        Proto::Dhcp => {
            // print-bootp.c: `BOOTP/DHCP, Request from MAC, length N`.
            let s = app.header.start;
            let _ = write!(out, "BOOTP/DHCP, ");
            match data.get(s) {
                Some(1) => {
                    out.push_str("Request");
                    if data.get(s + 1..s + 3) == Some(&[1, 6])
                        && let Some(mac) = data.get(s + 28..s + 34)
                    {
                        out.push_str(" from ");
                        super::super::text::push_mac(out, mac);
                    }
                }
                Some(2) => out.push_str("Reply"),
                Some(op) => {
                    let _ = write!(out, "op-#{op}");
                }
                None => {}
            }
            let _ = write!(out, ", length {}", app.pdu.len());
            true
        }
        Proto::Ntp => {
            // print-ntp.c: `NTPv4, Client, length 48`.
            let Some(&flags) = data.get(app.header.start) else {
                return false;
            };
            let _ = write!(
                out,
                "NTPv{}, {}, length {}",
                (flags >> 3) & 7,
                super::super::ntp::mode_name(flags & 7),
                app.pdu.len()
            );
            true
        }
        Proto::Vxlan => super::tunnel::vxlan_words(data, app.header.start, out),
        Proto::Geneve => super::tunnel::geneve_words(data, app.header.start, out),
        _ => false,
    }
}

/// Append tcpdump's words for the application layer carried by the TCP
/// layer `tcp` (after ", length N"; e.g. `: HTTP: GET / HTTP/1.1`).
pub(super) fn after_tcp(data: &[u8], d: &Dissection, tcp: &Layer, out: &mut String) {
    let Some(app) = above(d, tcp) else {
        return;
    };
    let _ = (data, app, out);
}

/// Wireshark's Info column for the innermost application layer
/// (`Standard query 0x1a2b A example.com`), when there is one.
pub fn info(data: &[u8], d: &Dissection) -> Option<String> {
    let _ = (data, d);
    None
}
