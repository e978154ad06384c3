//! HTTP in one line: tcpdump's `: HTTP: GET / HTTP/1.1` (print-http.c's
//! first line, at default verbosity) and Wireshark's Info column
//! (`GET / HTTP/1.1`, `HTTP/1.1 200 OK`, `Continuation`).

use crate::decode::http::start;

/// The first line of `bytes`: up to CR LF or LF, and whether one ended it.
fn first_line(bytes: &[u8]) -> (&[u8], bool) {
    match bytes.iter().position(|c| *c == b'\n') {
        Some(i) => (bytes[..i].strip_suffix(b"\r").unwrap_or(&bytes[..i]), true),
        None => (bytes, false),
    }
}

/// tcpdump's words after the length of a TCP segment to or from an HTTP
/// port: `: HTTP`, and the first line when it is a request or status line.
pub(super) fn tcpdump(bytes: &[u8], out: &mut String) {
    out.push_str(": HTTP");
    if start(bytes).is_none() {
        return;
    }
    let (line, ended) = first_line(bytes);
    out.push_str(": ");
    for &c in line {
        let mut c = c;
        if !c.is_ascii() {
            c &= 0x7f;
            out.push_str("M-");
        }
        if !(0x20..0x7f).contains(&c) {
            c ^= 0x40;
            out.push('^');
        }
        out.push(c as char);
    }
    if !ended {
        out.push_str(" [|http]");
    }
}

/// Wireshark's Info column: the start line, or `Continuation`.
pub(super) fn info(bytes: &[u8]) -> Option<String> {
    if start(bytes).is_none() {
        return Some("Continuation".to_string());
    }
    let (line, _) = first_line(bytes);
    Some(String::from_utf8_lossy(line).into_owned() + " ")
}
