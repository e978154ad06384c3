//! Wireshark's Info column for ICMPv6 (packet-icmpv6.c): the type's name,
//! the code's name in brackets for the types that have one, an echo's
//! identifier, sequence number and hop limit, and neighbour discovery's
//! target and link-layer addresses (`Neighbor Solicitation for fe80::1
//! from 00:00:00:00:00:01`).

use std::fmt::Write;

use super::super::text::{push_ipv6, push_mac};
use super::super::view::View;
use super::super::{Dissection, Proto, icmpv6, ipv4, ipv6};
use super::icmp_info::CUT;
use crate::decode::names::icmpv6_type_known;

/// The code's name for the types Wireshark names it for (RFC 4443 §3,
/// RFC 2894 §3.1): `Ok(None)` for the other types, `Err` for a router
/// renumbering code it has no name for (not worded here).
fn code_name(kind: u8, code: u8) -> Result<Option<String>, ()> {
    let name = match (kind, code) {
        (1, 0) => "no route to destination",
        (1, 1) => "Administratively prohibited",
        (1, 2) => "Beyond scope of source address",
        (1, 3) => "Address unreachable",
        (1, 4) => "Port unreachable",
        (1, 5) => "Source address failed ingress/egress policy",
        (1, 6) => "Reject route to destination",
        (1, 7) => "Error in Source Routing Header",
        (1, _) => "Unknown",
        (3, 0) => "hop limit exceeded in transit",
        (3, 1) => "fragment reassembly time exceeded",
        (4, 0) => "erroneous header field encountered",
        (4, 1) => "unrecognized Next Header type encountered",
        (4, 2) => "unrecognized IPv6 option encountered",
        (4, 3) => "IPv6 First Fragment has incomplete IPv6 Header Chain",
        (3 | 4, _) => return Ok(Some(format!("Unknown ({code})"))),
        (138, 0) => "Command",
        (138, 1) => "Result",
        (138, 255) => "Sequence number reset",
        (138, _) => return Err(()),
        _ => return Ok(None),
    };
    Ok(Some(name.to_string()))
}

/// The Info text of the ICMPv6 layer at index `at` of `d`.
pub(super) fn info(data: &[u8], d: &Dissection, at: usize) -> Option<String> {
    let layer = d.layers.get(at)?;
    let v = View::of(d.data(layer.source, data), layer);
    let kind = v.u8(&icmpv6::TYPE)?;
    let mut s = icmpv6_type_known(kind)?.to_string();
    let Some(code) = v.u8(&icmpv6::CODE) else {
        let _ = write!(s, " {CUT}");
        return Some(s);
    };
    if let Some(code) = code_name(kind, code).ok()? {
        let _ = write!(s, " ({code})");
    }
    let bytes = d.data(layer.source, data);
    let end = layer.pdu.end.min(bytes.len());
    let msg = bytes.get(layer.header.start..end).unwrap_or(&[]);
    match kind {
        128 | 129 => {
            let (Some(id), Some(seq)) = (
                v.u16(&icmpv6::ECHO_IDENTIFIER),
                v.u16(&icmpv6::ECHO_SEQUENCE_NUMBER),
            ) else {
                let _ = write!(s, " {CUT}");
                return Some(s);
            };
            let _ = write!(s, " id={id:#06x}, seq={seq}");
            let ip = d.layers[..at]
                .iter()
                .rev()
                .find(|l| !l.quoted && matches!(l.proto, Proto::Ipv4 | Proto::Ipv6))
                .filter(|l| l.proto == Proto::Ipv6);
            if let Some(hlim) =
                ip.and_then(|ip| View::of(d.data(ip.source, data), ip).u8(&ipv6::HLIM))
            {
                let _ = write!(s, ", hop limit={hlim}");
            }
        }
        133 => options(msg.get(8..)?, &mut s),
        134 => options(msg.get(16..)?, &mut s),
        135 => {
            s.push_str(" for ");
            push_ipv6(&mut s, msg.get(8..24)?);
            options(msg.get(24..)?, &mut s);
        }
        136 => {
            s.push(' ');
            push_ipv6(&mut s, msg.get(8..24)?);
            let flags = msg[4];
            let names: Vec<&str> = [(0x80, "rtr"), (0x40, "sol"), (0x20, "ovr")]
                .iter()
                .filter(|(bit, _)| flags & bit != 0)
                .map(|(_, name)| *name)
                .collect();
            if names.is_empty() {
                s.push_str(" (none)");
            } else {
                let _ = write!(s, " ({})", names.join(", "));
            }
            options(msg.get(24..)?, &mut s);
        }
        _ => {}
    }
    Some(s)
}

/// Neighbour discovery options (RFC 4861 §4.6): a source link-layer
/// address says ` from MAC`, a target link-layer address ` is at MAC`.
/// Each option is a whole number of eight-byte units, at least one: the
/// walk ends with the message.
fn options(mut opts: &[u8], s: &mut String) {
    while let [kind, units, ..] = *opts {
        let len = usize::from(units) * 8;
        if len == 0 || len > opts.len() {
            return;
        }
        match (kind, units) {
            (1, 1) => {
                s.push_str(" from ");
                push_mac(s, &opts[2..8]);
            }
            (2, 1) => {
                s.push_str(" is at ");
                push_mac(s, &opts[2..8]);
            }
            _ => {}
        }
        opts = &opts[len..];
    }
}

/// The identifier and sequence number of an ICMPv6 echo request (`true`)
/// or reply (`false`) at layer `at`, for pairing the two as Wireshark
/// does: not when the message is all there and its checksum (over the
/// RFC 8200 §8.1 pseudo-header) is wrong.
pub(super) fn echo(data: &[u8], d: &Dissection, at: usize) -> Option<(bool, u16, u16)> {
    let layer = d.layers.get(at)?;
    let bytes = d.data(layer.source, data);
    let v = View::of(bytes, layer);
    let request = match v.u8(&icmpv6::TYPE)? {
        128 => true,
        129 => false,
        _ => return None,
    };
    if let Some(msg) = bytes.get(layer.header.start..layer.pdu.end) {
        let ip = d.layers[..at]
            .iter()
            .rev()
            .find(|l| !l.quoted && l.proto == Proto::Ipv6)?;
        let iv = View::of(d.data(ip.source, data), ip);
        let mut pseudo = Vec::with_capacity(40);
        pseudo.extend_from_slice(iv.bytes(&ipv6::SRC)?);
        pseudo.extend_from_slice(iv.bytes(&ipv6::DST)?);
        pseudo.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        pseudo.extend_from_slice(&[0, 0, 0, 58]);
        let initial = u32::from(ipv4::ones_complement_sum(&pseudo, 0));
        if ipv4::ones_complement_sum(msg, initial) != 0xffff {
            return None;
        }
    }
    Some((
        request,
        v.u16(&icmpv6::ECHO_IDENTIFIER)?,
        v.u16(&icmpv6::ECHO_SEQUENCE_NUMBER)?,
    ))
}
