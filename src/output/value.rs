//! Field values as text, the way tshark prints them in `-T fields`.

use std::fmt::Write;

use crate::decode::Value;

/// Append `value` as tshark's `-T fields` would print it; `data` is the frame
/// (byte-valued fields refer to ranges of it).
pub fn write_tshark(out: &mut String, value: &Value, data: &[u8]) {
    match value {
        Value::UInt(v) => {
            let _ = write!(out, "{v}");
        }
        Value::Hex(v, digits) => {
            let _ = write!(out, "0x{v:0width$x}", width = *digits as usize);
        }
        Value::Bool(b) => out.push(if *b { '1' } else { '0' }),
        Value::Mac(m) => write_mac(out, m),
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
