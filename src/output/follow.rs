//! `wirepeek follow`'s formats: exactly what `tshark -q -z
//! follow,PROTO,FORMAT,N` prints (Wireshark 4.0's `ui/cli/tap-follow.c`),
//! so the two can be diffed. Each chunk is one delivered piece of a
//! stream (one segment's new bytes, or a gap), printed as it comes.

use std::io::Write as _;
use std::net::IpAddr;

use crate::frame::Timestamp;

/// The separator line around the text formats.
const SEPARATOR: &str = "===================================================================\n";

/// Bytes of payload per base64 line in YAML (76 characters, as RFCs wrap).
const BASE64_RAW_LINE: usize = 57;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowFormat {
    /// Printable bytes as text, others as `.`, each chunk after its length.
    Ascii,
    /// A hex dump per chunk with offsets counted per direction.
    Hex,
    /// Each chunk as one line of hex digits.
    Raw,
    /// YAML with each chunk's frame, sender, time and base64 bytes.
    Yaml,
}

impl FollowFormat {
    pub fn name(self) -> &'static str {
        match self {
            FollowFormat::Ascii => "ascii",
            FollowFormat::Hex => "hex",
            FollowFormat::Raw => "raw",
            FollowFormat::Yaml => "yaml",
        }
    }
}

/// The two ends of a followed stream, node 0 first (the sender of the
/// stream's first packet); `None` when the stream has no packet.
pub type Nodes = Option<[(IpAddr, u16); 2]>;

/// What the header names.
pub struct Header<'a> {
    /// `tcp` or `udp`.
    pub proto: &'a str,
    pub format: FollowFormat,
    pub stream: u32,
    pub nodes: Nodes,
}

/// An address as tshark's `address_to_str` writes it (empty when unknown).
fn host(nodes: &Nodes, i: usize) -> (String, u16) {
    match nodes {
        Some(n) => (n[i].0.to_string(), n[i].1),
        None => (String::new(), 0),
    }
}

pub fn write_header(out: &mut Vec<u8>, h: &Header<'_>) {
    if h.format == FollowFormat::Yaml {
        out.extend_from_slice(b"peers:\n");
        for i in 0..2 {
            let (addr, port) = host(&h.nodes, i);
            let _ = write!(out, "  - peer: {i}\n    host: {addr}\n    port: {port}\n");
        }
        out.extend_from_slice(b"packets:\n");
        return;
    }
    out.push(b'\n');
    out.extend_from_slice(SEPARATOR.as_bytes());
    let _ = writeln!(out, "Follow: {},{}", h.proto, h.format.name());
    let _ = writeln!(out, "Filter: {}.stream eq {}", h.proto, h.stream);
    for i in 0..2 {
        let (addr, port) = host(&h.nodes, i);
        let v6 = matches!(h.nodes, Some(n) if n[i].0.is_ipv6());
        if v6 {
            let _ = writeln!(out, "Node {i}: [{addr}]:{port}");
        } else {
            let _ = writeln!(out, "Node {i}: {addr}:{port}");
        }
    }
}

pub fn write_footer(out: &mut Vec<u8>, format: FollowFormat) {
    if format != FollowFormat::Yaml {
        out.extend_from_slice(SEPARATOR.as_bytes());
    }
}

/// One chunk as tshark prints it.
pub struct Piece<'a> {
    /// 0: from node 0, 1: from node 1.
    pub side: usize,
    pub frame: u64,
    /// `None` prints as 0 (tshark's zeroed time for gap marks).
    pub ts: Option<Timestamp>,
    pub bytes: &'a [u8],
}

/// Per-direction state across chunks: the hex dump's running offsets.
#[derive(Default)]
pub struct Printer {
    offsets: [u32; 2],
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Printer {
    pub fn write(&mut self, out: &mut Vec<u8>, format: FollowFormat, p: &Piece<'_>) {
        let server = p.side == 1;
        match format {
            FollowFormat::Ascii => {
                if server {
                    out.push(b'\t');
                }
                let _ = writeln!(out, "{}", p.bytes.len());
                out.extend(p.bytes.iter().map(|&b| match b {
                    b'\r' | b'\n' | 0x20..=0x7e => b,
                    _ => b'.',
                }));
                out.push(b'\n');
            }
            FollowFormat::Raw => {
                if server {
                    out.push(b'\t');
                }
                out.reserve(p.bytes.len() * 2 + 1);
                for &b in p.bytes {
                    out.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
                }
                out.push(b'\n');
            }
            FollowFormat::Hex => {
                let offset = &mut self.offsets[p.side.min(1)];
                hex_dump(out, if server { "\t" } else { "" }, *offset, p.bytes);
                *offset = offset.wrapping_add(p.bytes.len() as u32);
            }
            FollowFormat::Yaml => {
                let _ = write!(
                    out,
                    "  - packet: {}\n    peer: {}\n    timestamp: {}\n    data: !!binary |\n",
                    p.frame,
                    p.side.min(1),
                    seconds(p.ts)
                );
                for line in p.bytes.chunks(BASE64_RAW_LINE) {
                    out.extend_from_slice(b"      ");
                    base64(out, line);
                    out.push(b'\n');
                }
            }
        }
    }
}

/// tshark's `%.9f` of `nstime_to_sec`: a double, rounded as printf does.
fn seconds(ts: Option<Timestamp>) -> String {
    let secs = ts.map_or(0.0, |t| t.secs as f64 + f64::from(t.nanos) / 1e9);
    format!("{secs:.9}")
}

/// `follow_print_hex`: offset, 16 bytes in two groups of 8, their ASCII.
fn hex_dump(out: &mut Vec<u8>, prefix: &str, mut offset: u32, data: &[u8]) {
    // Offset (8), two spaces, 16 × 3 hex columns and one between the
    // groups, a space, then up to 17 characters of ASCII: 77 in all.
    const ASCII_AT: usize = 60;
    for chunk in data.chunks(16) {
        let mut line = [b' '; ASCII_AT + 17];
        for (i, digit) in line[..8].iter_mut().enumerate() {
            *digit = b"0123456789ABCDEF"[(offset >> (28 - 4 * i) & 15) as usize];
        }
        let mut end = ASCII_AT;
        for (i, &b) in chunk.iter().enumerate() {
            let at = 10 + i * 3 + usize::from(i >= 8);
            line[at] = HEX[usize::from(b >> 4)];
            line[at + 1] = HEX[usize::from(b & 15)];
            line[end] = if (0x20..0x7f).contains(&b) { b } else { b'.' };
            end += 1;
            if i == 7 {
                end += 1;
            }
        }
        // tshark drops one trailing space (the group gap or a space byte).
        if line[end - 1] == b' ' {
            end -= 1;
        }
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(&line[..end]);
        out.push(b'\n');
        offset = offset.wrapping_add(16);
    }
}

/// Standard base64 with padding (GLib's `g_base64_encode`).
fn base64(out: &mut Vec<u8>, data: &[u8]) {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for group in data.chunks(3) {
        let b = [
            group[0],
            group.get(1).copied().unwrap_or(0),
            group.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
}

/// tshark's text for bytes the capture lacks, with the NUL it keeps.
pub fn missing_marker(bytes: i32) -> Vec<u8> {
    let mut text = format!("[{bytes} bytes missing in capture file]").into_bytes();
    text.push(0);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads_as_glib_does() {
        let enc = |d: &[u8]| {
            let mut s = Vec::new();
            base64(&mut s, d);
            String::from_utf8(s).unwrap()
        };
        assert_eq!(enc(b""), "");
        assert_eq!(enc(b"f"), "Zg==");
        assert_eq!(enc(b"fo"), "Zm8=");
        assert_eq!(enc(b"foo"), "Zm9v");
        assert_eq!(enc(b"foob"), "Zm9vYg==");
    }

    #[test]
    fn a_hex_line_of_eight_bytes_drops_the_group_space() {
        let mut s = Vec::new();
        hex_dump(&mut s, "", 0x35, b"abcdefgh");
        let s = String::from_utf8(s).unwrap();
        // The ASCII column starts at 60 whatever the line's length.
        assert!(s.starts_with("00000035  61 62 63 64 65 66 67 68  "));
        assert_eq!(s.find("abcdefgh"), Some(60));
        assert!(s.ends_with("abcdefgh\n"));
    }
}
