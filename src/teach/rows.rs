//! A header's rows: each field's bytes, value, bit pattern and byte order,
//! and its sentence from the glossary.

use super::*;

/// Fields whose byte order is worth showing: the ones students meet first.
const BYTE_ORDER_KEYS: &[&str] = &[
    ethernet::TYPE.key,
    vlan::ETYPE.key,
    arp::OPCODE.key,
    ipv4::LEN.key,
    ipv6::PLEN.key,
    tcp::SRCPORT.key,
    tcp::DSTPORT.key,
    tcp::SEQ_RAW.key,
    tcp::ACK_RAW.key,
    udp::SRCPORT.key,
    udp::DSTPORT.key,
    udp::LENGTH.key,
    icmp::IDENT.key,
    icmp::SEQ.key,
    icmpv6::ECHO_IDENTIFIER.key,
    icmpv6::ECHO_SEQUENCE_NUMBER.key,
];

pub(super) fn hex_bytes(bytes: &[u8], max: usize) -> String {
    let mut s = String::new();
    for (i, b) in bytes.iter().take(max).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    if bytes.len() > max {
        s.push_str(" …");
    }
    s
}

pub(super) fn value_text(f: &Field, data: &[u8]) -> String {
    let mut s = match &f.value {
        Value::UInt(v) => v.to_string(),
        Value::Hex(v, digits) => format!("0x{v:0width$x}", width = *digits as usize),
        Value::Bool(b) => u8::from(*b).to_string(),
        Value::Mac(m) => format!(
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        ),
        Value::Ip(ip) => ip.to_string(),
        Value::Bytes(r) => match data.get(r.clone()) {
            Some(b) => printable(b).unwrap_or_else(|| format!("{} bytes", b.len())),
            None => String::new(),
        },
        Value::Text(t) => t.to_string(),
    };
    if let Some(m) = &f.meaning
        && !m.is_empty()
    {
        s.push_str(&format!(" ({m})"));
    }
    s
}

/// The bits a mask selects, Wireshark style: `.... ..1.` for SYN in its
/// byte, `0100 ....` for the IPv4 version nibble.
pub(super) fn bit_pattern(bytes: &[u8], mask: u64) -> String {
    let bits = bytes.len() * 8;
    let value = bytes.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64);
    let mut s = String::new();
    for i in (0..bits).rev() {
        if i != bits - 1 && (i + 1) % 4 == 0 {
            s.push(' ');
        }
        s.push(if mask >> i & 1 == 0 {
            '.'
        } else if value >> i & 1 == 1 {
            '1'
        } else {
            '0'
        });
    }
    s
}

/// `bytes 1b 5f → 0x1b5f = 7007 (big-endian, "network byte order"; a
/// little-endian host reads these bytes as 0x5f1b = 24347 until ntohs)`.
pub(super) fn byte_order(f: &Field, data: &[u8]) -> Option<String> {
    if f.origin != Origin::Wire || f.mask != 0 || !BYTE_ORDER_KEYS.contains(&f.key) {
        return None;
    }
    let bytes = data.get(f.bytes.clone())?;
    let (be, le, call, digits) = match bytes.len() {
        2 => (
            u16::from_be_bytes([bytes[0], bytes[1]]) as u64,
            u16::from_le_bytes([bytes[0], bytes[1]]) as u64,
            "ntohs",
            4,
        ),
        4 => {
            let b = [bytes[0], bytes[1], bytes[2], bytes[3]];
            (
                u32::from_be_bytes(b) as u64,
                u32::from_le_bytes(b) as u64,
                "ntohl",
                8,
            )
        }
        _ => return None,
    };
    if be == le {
        return None;
    }
    Some(format!(
        "bytes {} → 0x{be:0digits$x} = {be} (big-endian, \"network byte order\"; a little-endian host reads these bytes as 0x{le:0digits$x} = {le} until {call})",
        hex_bytes(bytes, 8)
    ))
}

pub(super) fn headers(frame: &FrameRecord, d: &Dissection) -> Vec<HeaderLesson> {
    let data = &frame.data[..];
    d.layers
        .iter()
        .filter(|l| l.proto != Proto::Frame)
        .map(|layer| {
            let rows = d
                .fields_of(layer)
                .iter()
                .map(|f| {
                    let gloss = glossary::explain(f, d, data);
                    let wire = f.origin == Origin::Wire;
                    let hex = if wire {
                        let bytes = data.get(f.bytes.clone()).unwrap_or(&[]);
                        if f.mask != 0 && bytes.len() <= 4 {
                            bit_pattern(bytes, f.mask)
                        } else {
                            hex_bytes(bytes, 6)
                        }
                    } else {
                        String::new()
                    };
                    Row {
                        key: f.key,
                        name: f.name,
                        depth: f.depth,
                        bytes: wire.then(|| f.bytes.clone()),
                        hex,
                        value: value_text(f, data),
                        sentence: gloss.as_ref().map(|g| g.sentence.clone()),
                        source: gloss.map(|g| g.source).filter(|s| !s.is_empty()),
                        byte_order: byte_order(f, data),
                    }
                })
                .collect();
            HeaderLesson {
                proto: layer.proto,
                title: layer.proto.title(),
                range: layer.header.clone(),
                quoted: layer.quoted,
                rows,
            }
        })
        .collect()
}
