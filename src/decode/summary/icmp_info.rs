//! Wireshark's Info column for ICMP (packet-icmp.c): the type's name
//! padded to twenty characters, the code's name in brackets, and for an
//! echo its identifier, its sequence number read both ways round
//! (`seq=1/256`) and the TTL of the IPv4 header carrying it.

use std::fmt::Write;

use super::super::view::View;
use super::super::{Dissection, Layer, Proto, icmp, ipv4};
use crate::decode::names::icmp_type_known;

/// Wireshark's name for the code of the types that have one
/// (`unreach_code_str`, `redir_code_str`, `ttl_code_str`, `par_code_str`);
/// `None` for the types whose code Wireshark does not name.
fn code_name(kind: u8, code: u8) -> Option<String> {
    let name = match (kind, code) {
        (3, 0) => "Network unreachable",
        (3, 1) => "Host unreachable",
        (3, 2) => "Protocol unreachable",
        (3, 3) => "Port unreachable",
        (3, 4) => "Fragmentation needed",
        (3, 5) => "Source route failed",
        (3, 6) => "Destination network unknown",
        (3, 7) => "Destination host unknown",
        (3, 8) => "Source host isolated",
        (3, 9) => "Network administratively prohibited",
        (3, 10) => "Host administratively prohibited",
        (3, 11) => "Network unreachable for TOS",
        (3, 12) => "Host unreachable for TOS",
        (3, 13) => "Communication administratively filtered",
        (3, 14) => "Host precedence violation",
        (3, 15) => "Precedence cutoff in effect",
        (5, 0) => "Redirect for network",
        (5, 1) => "Redirect for host",
        (5, 2) => "Redirect for TOS and network",
        (5, 3) => "Redirect for TOS and host",
        (11, 0) => "Time to live exceeded in transit",
        (11, 1) => "Fragment reassembly time exceeded",
        (12, 0) => "Pointer indicates the error",
        (12, 1) => "Required option missing",
        (12, 2) => "Bad length",
        (3 | 5 | 11 | 12, _) => return Some(format!("Unknown code: {code}")),
        _ => return None,
    };
    Some(name.to_string())
}

/// What Wireshark appends when a field it reads was not captured.
pub(super) const CUT: &str = "[Packet size limited during capture]";

/// The Info text of the ICMP layer at index `at` of `d`.
pub(super) fn info(data: &[u8], d: &Dissection, at: usize) -> Option<String> {
    let layer = d.layers.get(at)?;
    let v = View::of(d.data(layer.source, data), layer);
    let kind = v.u8(&icmp::TYPE)?;
    let name = icmp_type_known(kind)?;
    let mut s = format!("{name:<20}");
    let Some(code) = v.u8(&icmp::CODE) else {
        s.push_str(CUT);
        return Some(s);
    };
    if let Some(code) = code_name(kind, code) {
        let _ = write!(s, " ({code})");
    }
    if matches!(kind, 0 | 8) {
        let (Some(id), Some(seq)) = (v.u16(&icmp::IDENT), v.u16(&icmp::SEQ)) else {
            s.push_str(CUT);
            return Some(s);
        };
        let _ = write!(s, " id={id:#06x}, seq={seq}/{}", seq.swap_bytes());
        if let Some(ttl) =
            carrier(d, at).and_then(|ip| View::of(d.data(ip.source, data), ip).u8(&ipv4::TTL))
        {
            let _ = write!(s, ", ttl={ttl}");
        }
    }
    Some(s)
}

/// The IPv4 header right outside the layer at `at`.
fn carrier(d: &Dissection, at: usize) -> Option<&Layer> {
    d.layers[..at]
        .iter()
        .rev()
        .find(|l| !l.quoted && matches!(l.proto, Proto::Ipv4 | Proto::Ipv6))
        .filter(|l| l.proto == Proto::Ipv4)
}

/// The identifier and sequence number of an ICMP echo request (`true`) or
/// reply (`false`) at layer `at`, for pairing the two as Wireshark does:
/// not when the message is all there and its checksum is wrong.
pub(super) fn echo(data: &[u8], d: &Dissection, at: usize) -> Option<(bool, u16, u16)> {
    let layer = d.layers.get(at)?;
    let bytes = d.data(layer.source, data);
    let v = View::of(bytes, layer);
    let request = match v.u8(&icmp::TYPE)? {
        8 => true,
        0 => false,
        _ => return None,
    };
    if let Some(msg) = bytes.get(layer.header.start..layer.pdu.end)
        && ipv4::ones_complement_sum(msg, 0) != 0xffff
    {
        return None;
    }
    Some((request, v.u16(&icmp::IDENT)?, v.u16(&icmp::SEQ)?))
}
