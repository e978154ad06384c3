//! tcpdump's words for an IPv6 extension-header chain (print-ip6.c,
//! print-rt6.c, print-frag6.c, print-ah.c): `HBH `, `DSTOPT `,
//! `RT6 (len=2, type=0 [Deprecated], segleft=1, [0]2001:db8::1) `,
//! `frag (0|1432) `, `AH(spi=0x00000100,seq=0x20,icv=0x...): `.

use std::fmt::Write;

use super::super::{Layer, Proto};
use super::{be16, ipv6};

/// What follows the chain on the line.
pub(super) enum Chain {
    /// A fragment after the first: the line ends at its `frag (off|len)`.
    Ended,
    /// The layer (index into the dissection) that the chain leads to, if
    /// any, and the next-header number the last extension names.
    Upper(Option<usize>, Option<u8>),
}

/// True for the layers that are IPv6 extension headers.
pub(super) fn is_extension(proto: Proto) -> bool {
    matches!(
        proto,
        Proto::Ipv6HopByHop
            | Proto::Ipv6Routing
            | Proto::Ipv6DestOpts
            | Proto::Ipv6Fragment
            | Proto::Ipv6Ah
    )
}

/// Write the extension headers that follow the IPv6 header at `layers[ip]`.
pub(super) fn write_chain(data: &[u8], layers: &[Layer], ip: usize, out: &mut String) -> Chain {
    let ip_start = layers[ip].header.start;
    let payload_len = be16(data, ip_start + 4).map_or(0, usize::from);
    let mut next_header = data.get(ip_start + 6).copied();
    let mut j = ip + 1;
    while let Some(layer) = layers.get(j).filter(|l| is_extension(l.proto)) {
        let h = layer.header.start;
        match layer.proto {
            Proto::Ipv6HopByHop => out.push_str("HBH "),
            Proto::Ipv6DestOpts => out.push_str("DSTOPT "),
            Proto::Ipv6Routing => routing(data, h, out),
            Proto::Ipv6Fragment => {
                let offset = be16(data, h + 2).map_or(0, |v| v & 0xfff8);
                // What the datagram holds after this header, by its own
                // payload length, as tcpdump computes it (it may be negative
                // on a lying header, and tcpdump prints it unsigned).
                let rest = (40 + payload_len) as i64 - (h - ip_start) as i64 - 8;
                let _ = write!(out, "frag ({offset}|{})", rest as u64);
                if offset != 0 {
                    return Chain::Ended;
                }
                out.push(' ');
            }
            Proto::Ipv6Ah => ah(data, h, layer.header.end, out),
            _ => {}
        }
        next_header = data.get(h).copied();
        j += 1;
    }
    Chain::Upper((j < layers.len()).then_some(j), next_header)
}

/// `RT6 (len=N, type=T[ [Deprecated]], segleft=S[, last-entry=E, tag=X], [0]addr, ...) `.
fn routing(data: &[u8], h: usize, out: &mut String) {
    let (Some(&len), Some(&kind), Some(&segleft)) =
        (data.get(h + 1), data.get(h + 2), data.get(h + 3))
    else {
        out.push_str("RT6 [|srcrt]");
        return;
    };
    let _ = write!(out, "RT6 (len={len}, type={kind}");
    if kind == 0 {
        out.push_str(" [Deprecated]");
    }
    let _ = write!(out, ", segleft={segleft}");
    let addresses = match kind {
        0 | 2 => usize::from(len) / 2,
        4 => {
            let last_entry = data.get(h + 4).copied().unwrap_or(0);
            let tag = be16(data, h + 6).unwrap_or(0);
            let _ = write!(out, ", last-entry={last_entry}, tag={tag:x}");
            usize::from(last_entry) + 1
        }
        _ => 0,
    };
    for k in 0..addresses {
        let at = h + 8 + 16 * k;
        let Some(addr) = data.get(at..at + 16) else {
            out.push_str(" [|srcrt]");
            return;
        };
        let _ = write!(out, ", [{k}]{}", ipv6(addr));
    }
    out.push_str(") ");
}

/// `AH(spi=0x%08x,seq=0x%x,icv=0x...): `.
fn ah(data: &[u8], h: usize, end: usize, out: &mut String) {
    let word = |at: usize| {
        data.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(spi), Some(seq)) = (word(h + 4), word(h + 8)) else {
        out.push_str("AH [|AH]");
        return;
    };
    let _ = write!(out, "AH(spi=0x{spi:08x},seq=0x{seq:x},icv=0x");
    for b in data.get(h + 12..end).unwrap_or(&[]) {
        let _ = write!(out, "{b:02x}");
    }
    out.push_str("): ");
}
