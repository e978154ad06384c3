//! Allocation-free text for the hot printing paths: decimal numbers and
//! addresses appended straight to a `String`. `core::fmt` is correct but
//! costs more than the decoding itself at a million packets per second.

use std::fmt::Write;

/// Append `v` in decimal.
pub fn push_dec(out: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(d as char);
    }
}

/// Append `v` in decimal, zero-padded to `width` digits.
pub fn push_padded(out: &mut String, v: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    let mut v = v;
    while v > 0 && i > 0 {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let start = (digits.len() - width.min(20)).min(i);
    for &d in &digits[start..] {
        out.push(d as char);
    }
}

/// Append a dotted-quad IPv4 address from its 4 bytes.
pub fn push_ipv4(out: &mut String, b: &[u8]) {
    for (i, octet) in b.iter().take(4).enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_dec(out, *octet as u64);
    }
}

/// Append an IPv6 address (RFC 5952 form) from its 16 bytes.
pub fn push_ipv6(out: &mut String, b: &[u8]) {
    let bytes: [u8; 16] = b
        .get(..16)
        .and_then(|s| s.try_into().ok())
        .unwrap_or([0; 16]);
    let _ = write!(out, "{}", std::net::Ipv6Addr::from(bytes));
}

/// Append a lower-case, colon-separated MAC address from its 6 bytes.
pub fn push_mac(out: &mut String, b: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, byte) in b.iter().take(6).enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 15) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_addresses_match_the_standard_formatting() {
        for v in [0u64, 7, 10, 65535, u64::MAX] {
            let mut s = String::new();
            push_dec(&mut s, v);
            assert_eq!(s, v.to_string());
        }
        let mut s = String::new();
        push_padded(&mut s, 42, 6);
        push_padded(&mut s, 123_456_789, 9);
        assert_eq!(s, "000042123456789");
        let mut s = String::new();
        push_ipv4(&mut s, &[192, 0, 2, 255]);
        s.push(' ');
        push_mac(&mut s, &[0, 0x1b, 0xff, 0xa, 0xb, 0xc]);
        assert_eq!(s, "192.0.2.255 00:1b:ff:0a:0b:0c");
    }
}
