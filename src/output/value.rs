//! Field values as text, the way tshark prints them in `-T fields`.

use std::fmt::Write;

use crate::decode::Value;
use crate::decode::text::{push_dec, push_ipv4};

/// Append `value` as tshark's `-T fields` would print it; `data` is the frame
/// (byte-valued fields refer to ranges of it).
pub fn write_tshark(out: &mut String, value: &Value, data: &[u8]) {
    match value {
        Value::UInt(v) => push_dec(out, *v),
        Value::Hex(v, digits) => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("0x");
            let width = (*digits as u32).max((64 - v.leading_zeros()).div_ceil(4));
            for i in (0..width).rev() {
                out.push(HEX[((v >> (i * 4)) & 15) as usize] as char);
            }
        }
        Value::Bool(b) => out.push(if *b { '1' } else { '0' }),
        Value::Mac(m) => write_mac(out, m),
        Value::Ip(std::net::IpAddr::V4(ip)) => push_ipv4(out, &ip.octets()),
        Value::Ip(ip) => {
            let _ = write!(out, "{ip}");
        }
        Value::Bytes(range) => {
            if let Some(bytes) = data.get(range.clone()) {
                write_hex(out, bytes);
            }
        }
        Value::Text(t) => out.push_str(t),
    }
}

/// Render a value to a new string.
pub fn to_text(value: &Value, data: &[u8]) -> String {
    let mut s = String::new();
    write_tshark(&mut s, value, data);
    s
}

/// Lower-case, colon-separated MAC address.
pub fn write_mac(out: &mut String, m: &[u8; 6]) {
    let _ = write!(
        out,
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    );
}

/// Bytes as contiguous lower-case hex.
pub fn write_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
}
