//! HTTP/1.x (RFC 9112) and SSDP (HTTP over UDP, UPnP Device Architecture
//! §1.3): the request or status line, the header lines, and the body's
//! length. Fields carry tshark's names (`http.request.method`,
//! `http.host`, …); an SSDP layer uses the same `http.*` fields, as tshark's
//! does. A segment without a start line on an HTTP port is a continuation:
//! an empty HTTP layer and its bytes as data, as tshark shows it.

use super::desegment::framed::{Framer, Framing};
use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value, payload};
use token::looks_like_header;

mod token;

crate::fields! {
    REQUEST_METHOD = FieldDef::var("http.request.method", "Request Method", Text).spec("RFC 9112 §3");
    REQUEST_URI = FieldDef::var("http.request.uri", "Request URI", Text).spec("RFC 9112 §3.2");
    URI_PATH = FieldDef::var("http.request.uri.path", "Request URI Path", Text).spec("RFC 3986 §3.3");
    URI_QUERY = FieldDef::var("http.request.uri.query", "Request URI Query", Text).spec("RFC 3986 §3.4");
    URI_QUERY_PARAMETER = FieldDef::var("http.request.uri.query.parameter", "Request URI Query Parameter", Text).spec("RFC 3986 §3.4");
    REQUEST_VERSION = FieldDef::var("http.request.version", "Request Version", Text).spec("RFC 9112 §2.3");
    RESPONSE_VERSION = FieldDef::var("http.response.version", "Response Version", Text).spec("RFC 9112 §4");
    RESPONSE_CODE = FieldDef::var("http.response.code", "Status Code", Dec).spec("RFC 9110 §15");
    RESPONSE_PHRASE = FieldDef::var("http.response.phrase", "Response Phrase", Text).spec("RFC 9112 §4");
    REQUEST_LINE = FieldDef::var("http.request.line", "Request line", Text).spec("RFC 9112 §5");
    RESPONSE_LINE = FieldDef::var("http.response.line", "Response line", Text).spec("RFC 9112 §5");
    HOST = FieldDef::var("http.host", "Host", Text).spec("RFC 9110 §7.2");
    USER_AGENT = FieldDef::var("http.user_agent", "User-Agent", Text).spec("RFC 9110 §10.1.5");
    ACCEPT = FieldDef::var("http.accept", "Accept", Text).spec("RFC 9110 §12.5.1");
    ACCEPT_LANGUAGE = FieldDef::var("http.accept_language", "Accept-Language", Text).spec("RFC 9110 §12.5.4");
    ACCEPT_ENCODING = FieldDef::var("http.accept_encoding", "Accept Encoding", Text).spec("RFC 9110 §12.5.3");
    CONNECTION = FieldDef::var("http.connection", "Connection", Text).spec("RFC 9110 §7.6.1");
    CONTENT_TYPE = FieldDef::var("http.content_type", "Content-Type", Text).spec("RFC 9110 §8.3");
    CONTENT_LENGTH_HEADER = FieldDef::var("http.content_length_header", "Content-Length", Text).spec("RFC 9110 §8.6");
    CONTENT_ENCODING = FieldDef::var("http.content_encoding", "Content-Encoding", Text).spec("RFC 9110 §8.4");
    TRANSFER_ENCODING = FieldDef::var("http.transfer_encoding", "Transfer-Encoding", Text).spec("RFC 9112 §6.1");
    SERVER = FieldDef::var("http.server", "Server", Text).spec("RFC 9110 §10.2.4");
    DATE = FieldDef::var("http.date", "Date", Text).spec("RFC 9110 §6.6.1");
    CACHE_CONTROL = FieldDef::var("http.cache_control", "Cache-Control", Text).spec("RFC 9111 §5.2");
    REFERER = FieldDef::var("http.referer", "Referer", Text).spec("RFC 9110 §10.1.3");
    LAST_MODIFIED = FieldDef::var("http.last_modified", "Last-Modified", Text).spec("RFC 9110 §8.8.2");
    LOCATION = FieldDef::var("http.location", "Location", Text).spec("RFC 9110 §10.2.2");
    COOKIE = FieldDef::var("http.cookie", "Cookie", Text).spec("RFC 6265 §5.4");
    COOKIE_PAIR = FieldDef::var("http.cookie_pair", "Cookie pair", Text).spec("RFC 6265 §5.4");
    SET_COOKIE = FieldDef::var("http.set_cookie", "Set-Cookie", Text).spec("RFC 6265 §4.1");
    CHUNK_SIZE = FieldDef::generated("http.chunk_size", "Chunk size", Dec);
    CHUNK_DATA = FieldDef::var("http.chunk_data", "Chunk data", Bytes).spec("RFC 9112 §7.1");
    CHUNK_BOUNDARY = FieldDef::var("http.chunk_boundary", "Chunk boundary", Bytes).spec("RFC 9112 §7.1");
    CONTENT_LENGTH = FieldDef::generated("http.content_length", "Content length", Dec);
    FULL_URI = FieldDef::generated("http.request.full_uri", "Full request URI", Text);
    REQUEST = FieldDef::generated("http.request", "Request", Bool);
    RESPONSE = FieldDef::generated("http.response", "Response", Bool);
}

/// The TCP ports tshark gives to HTTP (its `tcp.port` table).
pub fn tcp_port(port: u16) -> bool {
    matches!(
        port,
        80 | 631 | 1900 | 2710 | 2869 | 3128 | 3132 | 3689 | 5985 | 8080 | 8088 | 11371
    )
}

/// Request methods recognised at the start of a payload (RFC 9110 §9,
/// WebDAV, UPnP/SSDP).
const METHODS: &[&[u8]] = &[
    b"GET",
    b"POST",
    b"HEAD",
    b"PUT",
    b"DELETE",
    b"OPTIONS",
    b"TRACE",
    b"CONNECT",
    b"PATCH",
    b"M-SEARCH",
    b"NOTIFY",
    b"SUBSCRIBE",
    b"UNSUBSCRIBE",
    b"PROPFIND",
    b"PROPPATCH",
    b"MKCOL",
    b"COPY",
    b"MOVE",
    b"LOCK",
    b"UNLOCK",
    b"SEARCH",
    b"REPORT",
];

/// What a payload's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// A request line, its method this many bytes long.
    Request(usize),
    /// A status line.
    Response,
}

/// Whether `bytes` begin with an HTTP/1.x request or status line.
pub fn start(bytes: &[u8]) -> Option<Start> {
    // Every method and "HTTP/1." starts with an upper-case letter: most
    // payloads are turned away by their first byte, before any compare.
    let first = *bytes.first()?;
    if !first.is_ascii_uppercase() {
        return None;
    }
    if bytes.starts_with(b"HTTP/1.") && bytes.get(8) == Some(&b' ') {
        return Some(Start::Response);
    }
    let m = METHODS.iter().find(|m| {
        m.first() == Some(&first) && bytes.starts_with(m) && bytes.get(m.len()) == Some(&b' ')
    })?;
    Some(Start::Request(m.len()))
}

/// HTTP on an HTTP port, one message at a time over the TCP stream; bytes
/// that start no message are a continuation.
pub const ON_PORT: Framer = Framer {
    len: pdu_len,
    decode: |ctx, at, end| message(ctx, Proto::Http, at, end),
    other: continuation,
};

/// HTTP found by content on another port: bytes that start no message
/// are data.
pub const BY_CONTENT: Framer = Framer {
    other: payload::data,
    ..ON_PORT
};

/// How long the message at the start of `bytes` is, as Wireshark's
/// `req_resp_hdrs_do_reassembly` measures it with its defaults
/// (`http.desegment_headers`, `http.desegment_body`): the head up to an
/// empty line (lines end in CR, LF or CR LF), then `Content-Length` bytes
/// or the chunks up to the last one. A response with neither (and a body:
/// not 1xx, 204 or 304) runs to the server's FIN, as
/// `DESEGMENT_UNTIL_FIN` has it.
pub fn pdu_len(bytes: &[u8]) -> Framing {
    let Some(kind) = start(bytes) else {
        return Framing::NotMine;
    };
    let (mut p, mut length, mut chunked) = (0, None, false);
    let head = loop {
        let Some((len, next)) = line_end(bytes, p) else {
            return Framing::More(1);
        };
        if len == 0 {
            break next;
        }
        let line = &bytes[p..p + len];
        if let Some(v) = header_value(line, b"content-length:") {
            let v = String::from_utf8_lossy(v);
            length = v.trim().parse::<i32>().ok().filter(|n| *n >= 0);
        } else if let Some(v) = header_value(line, b"transfer-encoding:") {
            let v = trim(v).1;
            chunked |= v.len() >= 7 && v[..7].eq_ignore_ascii_case(b"chunked");
        }
        p = next;
    };
    if chunked {
        return chunked_len(bytes, head);
    }
    if let Some(n) = length {
        let total = head + n as usize;
        return match bytes.len().checked_sub(total) {
            Some(_) => Framing::Whole(total),
            None => Framing::More((total - bytes.len()).min(u32::MAX as usize) as u32),
        };
    }
    match kind {
        Start::Request(_) => Framing::Whole(head),
        Start::Response if no_body(bytes) => Framing::Whole(head),
        Start::Response => Framing::UntilFin,
    }
}

/// A status of 1xx, 204 or 304: no body (RFC 9112 §6.3).
fn no_body(bytes: &[u8]) -> bool {
    matches!(bytes.get(9), Some(b'1'))
        || bytes.get(9..12) == Some(b"204")
        || bytes.get(9..12) == Some(b"304")
}

/// The value of header `name` (lower case, with its colon) if `line` is it.
fn header_value<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let n = name.len();
    (line.len() >= n && line[..n].eq_ignore_ascii_case(name)).then(|| &line[n..])
}

/// The end of a chunked body whose first chunk starts at `at`; each chunk
/// is at least 3 bytes, so the walk is bounded by the bytes.
fn chunked_len(bytes: &[u8], mut at: usize) -> Framing {
    loop {
        if at >= bytes.len() {
            return Framing::More(1);
        }
        let Some((len, next)) = line_end(bytes, at) else {
            return Framing::More(1);
        };
        let line = &bytes[at..at + len];
        let text = line.split(|c| *c == b';').next().unwrap_or_default();
        let text = String::from_utf8_lossy(text);
        let text = text.trim_start();
        let text = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(text);
        let digits = text.bytes().take_while(u8::is_ascii_hexdigit).count();
        // A size that cannot be read ends the reassembly (the message is
        // what there is), as it does in Wireshark.
        let Ok(size) = usize::from_str_radix(&text[..digits.min(12)], 16) else {
            return Framing::Whole(bytes.len());
        };
        if size > 1 << 31 {
            return Framing::Whole(bytes.len());
        }
        if size == 0 {
            return match line_end(bytes, next) {
                Some((_, end)) => Framing::Whole(end),
                None => Framing::More(1),
            };
        }
        let have = bytes.len() - next;
        if have < size + 2 {
            // The rest of this chunk and its CR LF, then at least a last
            // chunk ("0", an empty line: 3 bytes with bare line feeds).
            let need = (size + 2 - have).saturating_add(3);
            return Framing::More(need.min(u32::MAX as usize) as u32);
        }
        at = next + size + 2;
    }
}

/// The line starting at `p`: its length and where the next one starts. A
/// line ends in CR, LF or CR LF; a CR that ends the bytes might be the
/// first of CR LF, so that line is not known to have ended.
fn line_end(bytes: &[u8], p: usize) -> Option<(usize, usize)> {
    let rest = bytes.get(p..)?;
    let i = rest.iter().position(|c| *c == b'\r' || *c == b'\n')?;
    match (rest[i], rest.get(i + 1)) {
        (b'\r', Some(b'\n')) => Some((i, p + i + 2)),
        (b'\r', None) => None,
        _ => Some((i, p + i + 1)),
    }
}

/// An HTTP payload `at..end` on an HTTP port: a message start, or a
/// continuation of one.
pub fn dissect(ctx: &mut Ctx, at: usize, end: usize) {
    let captured = end.min(ctx.data.len());
    if captured <= at {
        return;
    }
    if start(&ctx.data[at..captured]).is_some() {
        message(ctx, Proto::Http, at, end);
    } else {
        continuation(ctx, at, end);
    }
}

/// Bytes on an HTTP port that start no message.
fn continuation(ctx: &mut Ctx, at: usize, end: usize) {
    let captured = end.min(ctx.data.len());
    if captured <= at {
        return;
    }
    if end - at == 1 {
        // One octet is what a TCP keep-alive probe may carry (RFC 1122
        // §4.2.3.6); tshark's sequence analysis finds those and leaves them
        // as data. Without the conversation we go by the length alone.
        payload::data(ctx, at, end);
    } else if looks_like_header(&ctx.data[at..captured]) {
        // tshark reads a segment that starts like a header line as more
        // headers of the message before it ("Name:" with token characters).
        let bytes = &ctx.data[at..captured];
        let head = find(bytes, b"\r\n\r\n").map_or(bytes.len(), |i| i + 4);
        ctx.layer(Proto::Http, at..at + head);
        if ctx.fields_on {
            fields(ctx, at, &bytes[..head]);
        }
    } else {
        ctx.layer(Proto::Http, at..at);
        payload::data(ctx, at, end);
    }
}

/// A payload that starts with a request or status line (HTTP found by
/// content, and SSDP): headers, then the body as data.
pub fn message(ctx: &mut Ctx, proto: Proto, at: usize, end: usize) {
    let captured = end.min(ctx.data.len()).max(at);
    let bytes = &ctx.data[at..captured];
    let head = find(bytes, b"\r\n\r\n").map_or(bytes.len(), |i| i + 4);
    ctx.layer(proto, at..at + head);
    if ctx.fields_on {
        fields(ctx, at, &bytes[..head]);
    }
    if at + head >= end {
        return;
    }
    if chunked(&bytes[..head]) {
        // The chunks' sizes and boundaries are HTTP's own framing.
        let stop = chunks(ctx, at + head, captured);
        ctx.set_header(at..stop);
    } else {
        payload::data(ctx, at + head, end);
    }
}

/// Whether the head says `Transfer-Encoding: chunked`.
fn chunked(head: &[u8]) -> bool {
    head.split(|c| *c == b'\n').any(|line| {
        let lower = line.to_ascii_lowercase();
        lower.starts_with(b"transfer-encoding:") && find(&lower, b"chunked").is_some()
    })
}

/// A chunked body `at..end` (RFC 9112 §7.1): each complete chunk's size,
/// data and boundary, as tshark shows them. An incomplete chunk (one this
/// segment cuts) is left undecoded, as tshark leaves it; the body itself
/// is not a data layer, since its chunks are not contiguous.
fn chunks(ctx: &mut Ctx, at: usize, end: usize) -> usize {
    let mut p = at;
    // Each chunk takes at least 3 bytes, so this loop is bounded by the
    // segment's length.
    while p < end {
        let bytes = &ctx.data[p..end];
        let Some(eol) = find(bytes, b"\r\n") else {
            return p;
        };
        let size_text = bytes[..eol]
            .split(|c| *c == b';')
            .next()
            .unwrap_or_default();
        let Some(size) = std::str::from_utf8(size_text)
            .ok()
            .and_then(|t| usize::from_str_radix(t.trim(), 16).ok())
        else {
            return p;
        };
        let data = p + eol + 2;
        if size > end - data || end - data - size < 2 {
            return p;
        }
        ctx.generated(&CHUNK_SIZE, Value::UInt(size as u64));
        if size == 0 {
            // The last chunk: its CR LF ends the (empty) trailer, no boundary.
            return p;
        }
        ctx.bytes_at(&CHUNK_DATA, data..data + size);
        ctx.bytes_at(&CHUNK_BOUNDARY, data + size..data + size + 2);
        p = data + size + 2;
    }
    p
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// tshark's way of showing text in a field: CR, LF and tab as `\r`, `\n`,
/// `\t`, other bytes outside printable ASCII as `\xNN`.
fn shown(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 4);
    for &c in bytes {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s
}

/// A text field over `bytes` at `at`; none for no bytes (a field always
/// covers the bytes it shows).
fn text(ctx: &mut Ctx, def: &'static FieldDef, at: usize, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    ctx.value_at(def, at..at + bytes.len(), Value::Text(shown(bytes).into()));
}

/// The header fields tshark names, by lower-case header name.
fn header_def(name: &[u8]) -> Option<&'static FieldDef> {
    let lower: Vec<u8> = name.to_ascii_lowercase();
    Some(match &lower[..] {
        b"host" => &HOST,
        b"user-agent" => &USER_AGENT,
        b"accept" => &ACCEPT,
        b"accept-language" => &ACCEPT_LANGUAGE,
        b"accept-encoding" => &ACCEPT_ENCODING,
        b"connection" => &CONNECTION,
        b"content-type" => &CONTENT_TYPE,
        b"content-length" => &CONTENT_LENGTH_HEADER,
        b"content-encoding" => &CONTENT_ENCODING,
        b"transfer-encoding" => &TRANSFER_ENCODING,
        b"server" => &SERVER,
        b"date" => &DATE,
        b"cache-control" => &CACHE_CONTROL,
        b"referer" => &REFERER,
        b"last-modified" => &LAST_MODIFIED,
        b"location" => &LOCATION,
        b"cookie" => &COOKIE,
        b"set-cookie" => &SET_COOKIE,
        _ => return None,
    })
}

/// Leading blanks off (tshark keeps trailing ones).
fn trim(bytes: &[u8]) -> (usize, &[u8]) {
    let lead = bytes
        .iter()
        .take_while(|c| **c == b' ' || **c == b'\t')
        .count();
    (lead, &bytes[lead..])
}

/// The fields of the head `head` (start line and header lines) at `at`.
fn fields(ctx: &mut Ctx, at: usize, head: &[u8]) {
    // Lines end in CR LF; a last line the segment cuts counts too (tshark
    // shows it as far as it goes).
    let mut lines = Vec::new();
    let mut p = 0;
    while p < head.len() {
        match find(&head[p..], b"\r\n") {
            Some(n) => {
                lines.push((p, n, 2));
                p += n + 2;
            }
            None => {
                lines.push((p, head.len() - p, 0));
                break;
            }
        }
    }
    let Some(&(_, first_len, _)) = lines.first() else {
        return;
    };
    let first = &head[..first_len];
    // A start line, or (in a continuation) none: then every line is a
    // header line of neither a request nor a response.
    let kind = start(first);
    let request = matches!(kind, Some(Start::Request(_)));
    let mut host = None;
    let mut uri_at = None;
    if kind.is_none() {
    } else if request {
        let mut parts = first.splitn(3, |c| *c == b' ');
        let method = parts.next().unwrap_or_default();
        text(ctx, &REQUEST_METHOD, at, method);
        let u = method.len() + 1;
        if let Some(uri) = parts.next() {
            text(ctx, &REQUEST_URI, at + u, uri);
            uri_at = Some((u, uri.len()));
            if let Some(q) = uri.iter().position(|c| *c == b'?') {
                text(ctx, &URI_PATH, at + u, &uri[..q]);
                text(ctx, &URI_QUERY, at + u + q + 1, &uri[q + 1..]);
                let mut s = u + q + 1;
                for param in uri[q + 1..].split(|c| *c == b'&') {
                    if !param.is_empty() {
                        text(ctx, &URI_QUERY_PARAMETER, at + s, param);
                    }
                    s += param.len() + 1;
                }
            }
            if let Some(version) = parts.next() {
                text(ctx, &REQUEST_VERSION, at + u + uri.len() + 1, version);
            }
        }
    } else {
        let mut parts = first.splitn(3, |c| *c == b' ');
        let version = parts.next().unwrap_or_default();
        text(ctx, &RESPONSE_VERSION, at, version);
        let c = version.len() + 1;
        if let Some(code) = parts.next() {
            if let Some(v) = std::str::from_utf8(code)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
            {
                ctx.value_at(&RESPONSE_CODE, at + c..at + c + code.len(), Value::UInt(v));
            }
            if let Some(phrase) = parts.next() {
                text(ctx, &RESPONSE_PHRASE, at + c + code.len() + 1, phrase);
            }
        }
    }
    let line_def = match kind {
        None => None,
        Some(Start::Response) => Some(&RESPONSE_LINE),
        Some(_) => Some(&REQUEST_LINE),
    };
    let mut length = None;
    let skip = usize::from(kind.is_some());
    for &(p, n, crlf) in &lines[skip..] {
        if n == 0 {
            break;
        }
        let line = &head[p..p + n + crlf];
        if let Some(def) = line_def {
            text(ctx, def, at + p, line);
        } else if !looks_like_header(line) {
            break;
        }
        let Some(colon) = line.iter().position(|c| *c == b':') else {
            continue;
        };
        let (lead, value) = trim(&line[colon + 1..n]);
        let vat = at + p + colon + 1 + lead;
        let Some(def) = header_def(&line[..colon]) else {
            continue;
        };
        text(ctx, def, vat, value);
        if std::ptr::eq(def, &HOST) {
            host = Some(shown(value));
        } else if std::ptr::eq(def, &CONTENT_LENGTH_HEADER) {
            length = std::str::from_utf8(value)
                .ok()
                .and_then(|s| s.parse::<u64>().ok());
        } else if std::ptr::eq(def, &COOKIE) {
            let mut s = vat;
            for pair in value.split(|c| *c == b';') {
                let (lead, v) = trim(pair);
                text(ctx, &COOKIE_PAIR, s + lead, v);
                s += pair.len() + 1;
            }
        }
    }
    if let Some(len) = length {
        ctx.generated(&CONTENT_LENGTH, Value::UInt(len));
    }
    if kind.is_none() {
    } else if request {
        if let (Some(host), Some((u, n))) = (host, uri_at) {
            let uri = shown(&head[u..u + n]);
            let full = if uri.starts_with("http://") || uri.starts_with("https://") {
                uri
            } else {
                format!("http://{host}{uri}")
            };
            ctx.generated(&FULL_URI, Value::Text(full.into()));
        }
        ctx.generated(&REQUEST, Value::Bool(true));
    } else {
        ctx.generated(&RESPONSE, Value::Bool(true));
    }
}
