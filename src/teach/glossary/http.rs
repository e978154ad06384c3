//! The glossary's HTTP/1.x and SSDP sentences (RFC 9110, 9112, 3986, 6265).

use super::*;
use crate::decode::http;

/// A header line: what it says and what it is for.
fn header(c: &Cx, name: &str, what: &str) -> (String, &'static str) {
    (format!("{name}: {} — {what}.", c.text.trim()), spec(c))
}

/// Request and status lines, headers, body framing.
pub(super) const TABLE: &[Entry] = &[
    (&[&http::REQUEST_METHOD], |c| {
        let what = match c.text {
            "GET" => "fetch the resource",
            "HEAD" => "fetch only the headers",
            "POST" => "send data for the resource to process",
            "PUT" => "replace the resource",
            "DELETE" => "remove the resource",
            "OPTIONS" => "ask what the server allows",
            "CONNECT" => "open a tunnel (through a proxy)",
            "M-SEARCH" => "look for devices and services (SSDP, over UDP multicast)",
            "NOTIFY" => "announce a device or service (SSDP, or a GENA event)",
            _ => "a method this lesson does not list",
        };
        (
            format!(
                "Method {}: {what}. It is the request line's first word.",
                c.text
            ),
            if c.text == "M-SEARCH" || c.text == "NOTIFY" {
                "UPnP Device Architecture §1 (SSDP), RFC 9110 §9"
            } else {
                "RFC 9110 §9"
            },
        )
    }),
    (&[&http::REQUEST_URI], |c| {
        (
            format!(
                "Request target {}: the resource asked for, usually a path on the server named by Host.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&http::URI_PATH], |c| {
        (
            format!("Path {}: the part of the target before any '?'.", c.text),
            spec(c),
        )
    }),
    (&[&http::URI_QUERY], |c| {
        (
            format!(
                "Query {}: the part after '?', name=value pairs joined by '&'.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&http::URI_QUERY_PARAMETER], |c| {
        (format!("Query parameter {}.", c.text), spec(c))
    }),
    (&[&http::REQUEST_VERSION, &http::RESPONSE_VERSION], |c| {
        (
            format!(
                "Version {}: {}",
                c.text,
                if c.text.ends_with("1.0") {
                    "HTTP/1.0 closes the connection after each response unless asked to keep it."
                } else {
                    "HTTP/1.1 keeps the connection open for more requests unless told to close."
                }
            ),
            spec(c),
        )
    }),
    (&[&http::RESPONSE_CODE], |c| {
        let what = match c.n {
            100..=199 => "informational: keep going",
            200 => "OK: here is the resource",
            201..=299 => "success",
            301 | 302 | 303 | 307 | 308 => "redirect: look at the Location header",
            304 => "not modified: the cached copy is still good",
            300..=399 => "redirection",
            401 => "authentication needed",
            403 => "forbidden",
            404 => "not found",
            400..=499 => "the client's error",
            500..=599 => "the server's error",
            _ => "an unusual code",
        };
        (
            format!(
                "Status {} ({what}): the first digit gives the class of answer.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&http::RESPONSE_PHRASE], |c| {
        (
            format!(
                "Reason phrase \"{}\": text for humans; clients act on the code only.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&http::REQUEST_LINE, &http::RESPONSE_LINE], |c| {
        (
            format!(
                "One header line, {} bytes: \"Name: value\" ended by CRLF (0d 0a); an empty line ends the headers, and the body (if any) follows.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&http::HOST], |c| {
        header(
            c,
            "Host",
            "which site the request is for, so one address can serve many sites; HTTP/1.1 requires it",
        )
    }),
    (&[&http::USER_AGENT], |c| {
        header(c, "User-Agent", "the client software")
    }),
    (&[&http::ACCEPT], |c| {
        header(
            c,
            "Accept",
            "the media types the client can take, with q= preferences",
        )
    }),
    (&[&http::ACCEPT_LANGUAGE], |c| {
        header(c, "Accept-Language", "the languages the reader prefers")
    }),
    (&[&http::ACCEPT_ENCODING], |c| {
        header(
            c,
            "Accept-Encoding",
            "the compressions the client can undo (gzip, br …)",
        )
    }),
    (&[&http::CONNECTION], |c| {
        header(
            c,
            "Connection",
            "whether to keep the TCP connection open after this message (keep-alive) or close it",
        )
    }),
    (&[&http::CONTENT_TYPE], |c| {
        header(
            c,
            "Content-Type",
            "the media type of the body, so the receiver knows how to read it",
        )
    }),
    (&[&http::CONTENT_LENGTH_HEADER], |c| {
        header(
            c,
            "Content-Length",
            "the body's size in bytes, which tells the receiver where the message ends",
        )
    }),
    (&[&http::CONTENT_ENCODING], |c| {
        header(c, "Content-Encoding", "the compression applied to the body")
    }),
    (&[&http::TRANSFER_ENCODING], |c| {
        header(
            c,
            "Transfer-Encoding",
            "chunked means the body comes in pieces, each preceded by its size, when the total is not known in advance",
        )
    }),
    (&[&http::SERVER], |c| {
        header(c, "Server", "the server software")
    }),
    (&[&http::DATE], |c| {
        header(c, "Date", "when the message was sent, in GMT")
    }),
    (&[&http::CACHE_CONTROL], |c| {
        header(
            c,
            "Cache-Control",
            "who may cache the response and for how long",
        )
    }),
    (&[&http::REFERER], |c| {
        header(
            c,
            "Referer",
            "the page whose link led to this request (spelt with one r, as in the original RFC)",
        )
    }),
    (&[&http::LAST_MODIFIED], |c| {
        header(
            c,
            "Last-Modified",
            "when the resource last changed, for conditional requests",
        )
    }),
    (&[&http::LOCATION], |c| {
        header(
            c,
            "Location",
            "where a redirect points, or the new resource's address",
        )
    }),
    (&[&http::COOKIE], |c| {
        header(
            c,
            "Cookie",
            "state the server asked the browser to send back",
        )
    }),
    (&[&http::COOKIE_PAIR], |c| {
        (
            format!(
                "Cookie pair {}: one name=value of the Cookie header.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&http::SET_COOKIE], |c| {
        header(
            c,
            "Set-Cookie",
            "the server asks the browser to store a cookie and return it",
        )
    }),
    (&[&http::CHUNK_SIZE], |c| {
        (
            format!(
                "Chunk size {} bytes: read from the hex number on the chunk's first line; 0 marks the last chunk.",
                c.n
            ),
            "RFC 9112 §7.1",
        )
    }),
    (&[&http::CHUNK_DATA], |c| {
        (format!("Chunk data, {} bytes of the body.", c.len), spec(c))
    }),
    (&[&http::CHUNK_BOUNDARY], |c| {
        (
            format!(
                "Chunk boundary ({} bytes): the CRLF that ends each chunk.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&http::CONTENT_LENGTH], |c| {
        (
            format!(
                "Content length {} bytes: the body's size, as the Content-Length header says.",
                c.n
            ),
            "RFC 9110 §8.6",
        )
    }),
    (&[&http::FULL_URI], |c| {
        (
            format!(
                "Full URI {}: scheme, Host and target put together by wirepeek, as a browser shows it.",
                c.text
            ),
            "RFC 9110 §4.2",
        )
    }),
    (&[&http::REQUEST], |_| {
        (
            "This message is a request: a client asks a server.".to_string(),
            "RFC 9112 §3",
        )
    }),
    (&[&http::RESPONSE], |_| {
        (
            "This message is a response: the server answers the request before it on the connection."
                .to_string(),
            "RFC 9112 §4",
        )
    }),
];
