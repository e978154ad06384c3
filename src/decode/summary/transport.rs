//! tcpdump's words for the transport and ICMP layers of a line: TCP flags,
//! numbers and options, UDP, ICMP and ICMPv6 (print-tcp.c, print-udp.c,
//! print-icmp.c, print-icmp6.c).

use std::fmt::Write;

use super::super::text::push_dec;
use super::super::view::View;
use super::super::{Dissection, Layer, Proto, names};
use super::{AddrText, be16, ipv4, ipv6};
use crate::decode::{self, icmpv6};

pub(super) fn tcp(
    data: &[u8],
    d: &Dissection,
    layer: &Layer,
    ends: Ends,
    quick: bool,
    out: &mut String,
) {
    let v = View::of(data, layer);
    // The segment's length by the IP header's account.
    let length = layer.pdu.len();
    let (Some(sport), Some(dport)) = (v.u16(&decode::tcp::SRCPORT), v.u16(&decode::tcp::DSTPORT))
    else {
        ends.push_addresses(out);
        out.push_str("[|tcp]");
        return;
    };
    push_endpoints(out, ends, sport, dport);
    let fixed = (
        v.uint(&decode::tcp::HDR_LEN),
        v.uint(&decode::tcp::FLAGS),
        v.u32(&decode::tcp::SEQ_RAW),
        v.u32(&decode::tcp::ACK_RAW),
        v.u16(&decode::tcp::WINDOW_SIZE_VALUE),
        v.u16(&decode::tcp::URGENT_POINTER),
    );
    let (Some(words), Some(flags), Some(seq), Some(ack), Some(win), Some(urp)) = fixed else {
        out.push_str(" [|tcp]");
        return;
    };
    // tcpdump's flag letters are of the low eight bits (CWR … FIN).
    let flags = (flags & 0xff) as u8;
    let hlen = words as usize * 4;
    if hlen < 20 {
        let _ = write!(
            out,
            " tcp {} [bad hdr length {hlen} - too short, < 20]",
            length.saturating_sub(hlen)
        );
        return;
    }
    if quick {
        let _ = write!(out, "tcp {}", length.saturating_sub(hlen));
        if hlen > length {
            let _ = write!(out, " [bad hdr length {hlen} - too long, > {length}]");
        }
        return;
    }
    push_flags(out, flags);
    if hlen > length {
        let _ = write!(out, " [bad hdr length {hlen} - too long, > {length}]");
        return;
    }
    let (syn, fin, rst, has_ack, urg) = (
        flags & 0x02 != 0,
        flags & 0x01 != 0,
        flags & 0x04 != 0,
        flags & 0x10 != 0,
        flags & 0x20 != 0,
    );
    let payload_len = length - hlen;
    let (rel_seq, rel_ack) = d.line_seq.unwrap_or((seq, ack));
    if payload_len > 0 || syn || fin || rst {
        // push_dec, not write!: this is every TCP line's hot path.
        out.push_str(", seq ");
        push_dec(out, u64::from(rel_seq));
        if payload_len > 0 {
            out.push(':');
            push_dec(out, u64::from(rel_seq.wrapping_add(payload_len as u32)));
        }
    }
    if has_ack {
        out.push_str(", ack ");
        push_dec(out, u64::from(rel_ack));
    }
    out.push_str(", win ");
    push_dec(out, u64::from(win));
    if urg {
        let _ = write!(out, ", urg {urp}");
    }
    if hlen > 20 {
        // SACK edges are relative to the same base as the ack number.
        let sack_base = ack.wrapping_sub(rel_ack);
        if tcp_options(data, v.start() + 20, hlen - 20, sack_base, out).is_err() {
            return;
        }
    }
    out.push_str(", length ");
    push_dec(out, payload_len as u64);
    super::app::after_tcp(data, d, layer, out);
}

/// `Flags [S.]`: tcpdump's letters, `.` for ACK, `none` for no flag.
fn push_flags(out: &mut String, flags: u8) {
    out.push_str("Flags [");
    for (bit, letter) in [
        (0x02, 'S'),
        (0x01, 'F'),
        (0x08, 'P'),
        (0x04, 'R'),
        (0x20, 'U'),
        (0x40, 'E'),
        (0x80, 'W'),
    ] {
        if flags & bit != 0 {
            out.push(letter);
        }
    }
    if flags & 0x10 != 0 {
        out.push('.');
    }
    if flags == 0 {
        out.push_str("none");
    }
    out.push(']');
}

/// The line ended inside the options: the capture cut them (`[|tcp]`) or
/// they stopped making sense (`[bad opt]`).
struct LineEnded;

/// tcpdump's option list (print-tcp.c): `, options [mss 1460,sackOK,TS val
/// 1 ecr 0,nop,wscale 7]`, read over the `declared` option bytes at `at` as
/// far as they were captured.
fn tcp_options(
    data: &[u8],
    at: usize,
    declared: usize,
    sack_base: u32,
    out: &mut String,
) -> Result<(), LineEnded> {
    let byte = |i: usize| data.get(i).copied();
    let word = |i: usize| be16(data, i);
    let long = |i: usize| {
        data.get(i..i + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    // A read past the captured bytes ends the line as tcpdump's does.
    let cut = |out: &mut String| {
        out.push_str(" [|tcp]");
        LineEnded
    };
    // Cut inside a window scale or timestamp, tcpdump 4.99 leaves a `>`
    // behind (not inside an MSS): matched as observed.
    let cut_named = |out: &mut String| {
        out.push_str(" [|tcp]>");
        LineEnded
    };
    out.push_str(", options [");
    let (mut left, mut cp, mut first) = (declared, at, true);
    while left != 0 {
        if !first {
            out.push(',');
        }
        first = false;
        let Some(kind) = byte(cp) else {
            return Err(cut(out));
        };
        cp += 1;
        let len = if kind <= 1 {
            1
        } else {
            let Some(len) = byte(cp) else {
                return Err(cut(out));
            };
            cp += 1;
            let len = usize::from(len);
            if len < 2 || len > left {
                out.push_str("[bad opt]]");
                return Err(LineEnded);
            }
            left -= 1;
            len
        };
        left -= 1;
        match option_name(kind) {
            Some(name) => out.push_str(name),
            None => {
                let _ = write!(out, "unknown-{kind}");
            }
        }
        let fits = |need: usize, out: &mut String| {
            if need > left {
                out.push_str("[bad opt]]");
                return Err(LineEnded);
            }
            Ok(())
        };
        let datalen = match kind {
            2 => {
                fits(2, out)?;
                let v = word(cp).ok_or_else(|| cut(out))?;
                out.push(' ');
                push_dec(out, u64::from(v));
                2
            }
            3 => {
                fits(1, out)?;
                let v = byte(cp).ok_or_else(|| cut_named(out))?;
                out.push(' ');
                push_dec(out, u64::from(v));
                1
            }
            5 => {
                let datalen = len - 2;
                if datalen % 8 != 0 {
                    out.push_str(" invalid sack");
                } else {
                    let _ = write!(out, " {} ", datalen / 8);
                    for i in (0..datalen).step_by(8) {
                        fits(i + 8, out)?;
                        let l = long(cp + i).ok_or_else(|| cut(out))?;
                        let r = long(cp + i + 4).ok_or_else(|| cut(out))?;
                        let (l, r) = (l.wrapping_sub(sack_base), r.wrapping_sub(sack_base));
                        let _ = write!(out, "{{{l}:{r}}}");
                    }
                }
                datalen
            }
            6 | 7 | 11 | 12 | 13 => {
                fits(4, out)?;
                let v = long(cp).ok_or_else(|| cut(out))?;
                let _ = write!(out, " {v}");
                4
            }
            8 => {
                fits(8, out)?;
                let (Some(val), Some(ecr)) = (long(cp), long(cp + 4)) else {
                    return Err(cut_named(out));
                };
                out.push_str(" val ");
                push_dec(out, u64::from(val));
                out.push_str(" ecr ");
                push_dec(out, u64::from(ecr));
                8
            }
            28 => {
                fits(2, out)?;
                let v = word(cp).ok_or_else(|| cut(out))?;
                // RFC 5482: the low bit says minutes, the rest is the value.
                let secs = if v & 1 != 0 {
                    u32::from(v >> 1) * 60
                } else {
                    u32::from(v >> 1)
                };
                let _ = write!(out, " 0x{v:x} {secs}");
                2
            }
            0 | 1 | 4 => 0,
            _ => {
                let datalen = len - 2;
                if datalen > 0 {
                    out.push_str(" 0x");
                }
                for i in 0..datalen {
                    fits(i + 1, out)?;
                    let b = byte(cp + i).ok_or_else(|| cut(out))?;
                    let _ = write!(out, "{b:02x}");
                }
                datalen
            }
        };
        cp += datalen;
        left -= datalen;
        let spelled = datalen + if kind <= 1 { 1 } else { 2 };
        if spelled != len {
            let _ = write!(out, "[len {len}]");
        }
        if kind == 0 {
            break;
        }
    }
    out.push(']');
    Ok(())
}

/// tcpdump's names for TCP options (`tcp_option_values`).
fn option_name(kind: u8) -> Option<&'static str> {
    let name = match kind {
        0 => "eol",
        1 => "nop",
        2 => "mss",
        3 => "wscale",
        4 => "sackOK",
        5 => "sack",
        6 => "echo",
        7 => "echoreply",
        8 => "TS",
        11 => "cc",
        12 => "ccnew",
        13 => "ccecho",
        19 => "md5",
        20 => "scps",
        28 => "uto",
        29 => "tcp-ao",
        30 => "mptcp",
        34 => "tfo",
        254 => "exp",
        _ => return None,
    };
    Some(name)
}

/// tcpdump's `10.0.0.1.443 > 10.0.0.2.51234: `.
/// Where a transport line's endpoints are named: with their addresses
/// (`10.0.0.1.53 > 10.0.0.2.4000: `), or, after IPv6 extension headers
/// whose line already named the addresses, by port alone (`53 > 4000: `),
/// as tcpdump's tcp_print and udp_print do.
#[derive(Clone, Copy)]
pub(super) enum Ends<'a> {
    Addresses(&'a AddrText, &'a AddrText),
    PortsOnly,
}

impl Ends<'_> {
    /// `src > dst: ` when the addresses are still to be said.
    fn push_addresses(self, out: &mut String) {
        if let Ends::Addresses(src, dst) = self {
            let _ = write!(out, "{src} > {dst}: ");
        }
    }
}

fn push_endpoints(out: &mut String, ends: Ends, sport: u16, dport: u16) {
    let (src, dst) = match ends {
        Ends::Addresses(src, dst) => (Some(src), Some(dst)),
        Ends::PortsOnly => (None, None),
    };
    if let Some(src) = src {
        src.push_to(out);
        out.push('.');
    }
    push_dec(out, sport as u64);
    out.push_str(" > ");
    if let Some(dst) = dst {
        dst.push_to(out);
        out.push('.');
    }
    push_dec(out, dport as u64);
    out.push_str(": ");
}

pub(super) fn udp(data: &[u8], d: &Dissection, layer: &Layer, ends: Ends, out: &mut String) {
    let v = View::of(data, layer);
    let ports = (v.u16(&decode::udp::SRCPORT), v.u16(&decode::udp::DSTPORT));
    // The whole 8-byte header, checksum included, within the layer.
    let whole = layer.header.len() >= 8;
    match (ports, v.u16(&decode::udp::LENGTH)) {
        ((Some(sport), Some(dport)), Some(length)) if whole => {
            push_endpoints(out, ends, sport, dport);
            if super::app::after_udp(data, d, layer, out) {
                return;
            }
            out.push_str("UDP, length ");
            push_dec(out, length.saturating_sub(8) as u64);
        }
        ((Some(a), Some(b)), _) => {
            push_endpoints(out, ends, a, b);
            out.push_str(" [|udp]");
        }
        _ => {
            ends.push_addresses(out);
            out.push_str(" [|udp]");
        }
    }
}

pub(super) fn icmp(data: &[u8], layer: &Layer, d: &Dissection, out: &mut String) {
    let v = View::of(data, layer);
    let (Some(kind), Some(code)) = (v.u8(&decode::icmp::TYPE), v.u8(&decode::icmp::CODE)) else {
        out.push_str(" [|icmp]");
        return;
    };
    let length = layer.pdu.len();
    match kind {
        0 | 8 => {
            let (Some(id), Some(seq)) = (v.u16(&decode::icmp::IDENT), v.u16(&decode::icmp::SEQ))
            else {
                out.push_str(" [|icmp]");
                return;
            };
            let what = if kind == 8 { "request" } else { "reply" };
            let _ = write!(out, "ICMP echo {what}, id {id}, seq {seq}, length {length}");
        }
        3 => {
            // tcpdump needs the quoted header to say what was unreachable.
            let Some(text) = unreachable(data, d, layer, code) else {
                out.push_str(" [|icmp]");
                return;
            };
            let _ = write!(out, "ICMP {text}, length {length}");
        }
        11 => {
            let _ = write!(out, "ICMP time exceeded in-transit, length {length}");
        }
        _ => {
            let _ = write!(
                out,
                "ICMP {}, length {length}",
                names::icmp_type(kind).to_lowercase()
            );
        }
    }
}

/// tcpdump's words for a destination unreachable (print-icmp.c), from the
/// quoted IPv4 header: `10.0.0.2 udp port 9 unreachable`, `host 10.0.0.2
/// unreachable`, ... `None` when the quoted header is not there.
fn unreachable(data: &[u8], d: &Dissection, icmp: &Layer, code: u8) -> Option<String> {
    let mut after = d
        .layers
        .iter()
        .skip_while(|l| !std::ptr::eq(*l, icmp))
        .skip(1);
    let ip = after.next().filter(|l| l.proto == Proto::Ipv4)?;
    let quoted = View::of(data, ip);
    let dst = ipv4(quoted.bytes(&decode::ipv4::DST)?);
    let proto = quoted.u8(&decode::ipv4::PROTO)?;
    let text = match code {
        0 => format!("net {dst} unreachable"),
        1 => format!("host {dst} unreachable"),
        2 => format!("{dst} protocol {proto} unreachable"),
        3 => {
            // The quoted transport header's destination port (TCP and
            // UDP put it in the same place).
            let port = View::at(data, ip.header.end).u16(&decode::udp::DSTPORT)?;
            match proto {
                6 => format!("{dst} tcp port {port} unreachable"),
                17 => format!("{dst} udp port {port} unreachable"),
                _ => format!("{dst} protocol {proto} port {port} unreachable"),
            }
        }
        4 => match View::of(data, icmp).u16(&decode::icmp::MTU) {
            Some(mtu) if mtu != 0 => format!("{dst} unreachable - need to frag (mtu {mtu})"),
            _ => format!("{dst} unreachable - need to frag"),
        },
        5 => format!("{dst} unreachable - source route failed"),
        6 => format!("net {dst} unreachable - unknown"),
        7 => format!("host {dst} unreachable - unknown"),
        8 => format!("{dst} unreachable - source host isolated"),
        9 => format!("net {dst} unreachable - admin prohibited"),
        10 => format!("host {dst} unreachable - admin prohibited"),
        11 => format!("net {dst} unreachable - tos prohibited"),
        12 => format!("host {dst} unreachable - tos prohibited"),
        13 => format!("host {dst} unreachable - admin prohibited filter"),
        14 => format!("host {dst} unreachable - host precedence violation"),
        15 => format!("host {dst} unreachable - precedence cutoff"),
        _ => format!("{dst} unreachable - #{code}"),
    };
    Some(text)
}

pub(super) fn icmpv6(data: &[u8], layer: &Layer, out: &mut String) {
    let v = View::of(data, layer);
    let Some(kind) = v.u8(&icmpv6::TYPE) else {
        out.push_str("[|icmp6]");
        return;
    };
    let length = layer.pdu.len();
    out.push_str("ICMP6, ");
    match kind {
        128 | 129 => {
            let (id, seq) = (
                v.u16(&icmpv6::ECHO_IDENTIFIER).unwrap_or(0),
                v.u16(&icmpv6::ECHO_SEQUENCE_NUMBER).unwrap_or(0),
            );
            let what = if kind == 128 { "request" } else { "reply" };
            let _ = write!(out, "echo {what}, id {id}, seq {seq}, length {length}");
        }
        135 => match v.bytes(&icmpv6::ND_NS_TARGET_ADDRESS) {
            Some(t) => {
                let _ = write!(
                    out,
                    "neighbor solicitation, who has {}, length {length}",
                    ipv6(t)
                );
            }
            None => out.push_str("neighbor solicitation [|icmp6]"),
        },
        // MLD (RFC 2710) as tcpdump's mld6_print writes it, name and
        // delay run together; MLDv2 (RFC 3810) queries and reports.
        130..=132 if length < 28 || kind != 130 => {
            let name = match kind {
                130 => "query",
                131 => "report",
                _ => "done",
            };
            match (
                v.u16(&icmpv6::MLD_MAXIMUM_RESPONSE_DELAY),
                v.bytes(&icmpv6::MLD_MULTICAST_ADDRESS),
            ) {
                (Some(delay), Some(group)) => {
                    let _ = write!(
                        out,
                        "multicast listener {name}max resp delay: {delay} addr: {}, length {length}",
                        ipv6(group)
                    );
                }
                _ => {
                    let _ = write!(out, "multicast listener {name} [|icmp6]");
                }
            }
        }
        130 => match v.bytes(&icmpv6::MLD_MULTICAST_ADDRESS) {
            Some(group) => {
                let _ = write!(
                    out,
                    "multicast listener query v2 [gaddr {}], length {length}",
                    ipv6(group)
                );
            }
            None => out.push_str("multicast listener query v2 [|icmp6]"),
        },
        143 => match v.u16(&icmpv6::MLDR_NB_MCAST_RECORDS) {
            Some(records) => {
                let _ = write!(
                    out,
                    "multicast listener report v2, {records} group record(s), length {length}"
                );
            }
            None => out.push_str("multicast listener report v2 [|icmp6]"),
        },
        136 => match v.bytes(&icmpv6::ND_NA_TARGET_ADDRESS) {
            Some(t) => {
                let _ = write!(
                    out,
                    "neighbor advertisement, tgt is {}, length {length}",
                    ipv6(t)
                );
            }
            None => out.push_str("neighbor advertisement [|icmp6]"),
        },
        _ => {
            let _ = write!(
                out,
                "{}, length {length}",
                names::icmpv6_type(kind).to_lowercase()
            );
        }
    }
}
