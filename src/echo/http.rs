//! The lecture's HTTP/1.0 exchange for `wirepeek demo --http`: the client
//! sends `GET /index.html HTTP/1.0`, a tiny responder answers with one small
//! fixed page and closes, as an HTTP/1.0 server does. Not a web server: it
//! reads one bounded request and always sends the same answer.

use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::echo::calls::{CallLog, Peer};
use crate::echo::lesson::{READ_BUFFER, read, write_all};

/// What the client asks, byte for byte.
pub const HTTP_REQUEST: &[u8] = b"GET /index.html HTTP/1.0\r\nHost: localhost\r\n\r\n";

/// The page the responder serves.
pub const HTTP_BODY: &[u8] = b"<html><body>Hello from wirepeek</body></html>\n";

/// The most request bytes the responder reads before it answers anyway.
const MAX_REQUEST: usize = 8 * 1024;

/// The most response bytes the client keeps reading.
const MAX_RESPONSE: usize = 64 * 1024;

/// The responder's whole answer: status line, headers, blank line, body.
pub fn http_response() -> Vec<u8> {
    let mut response = format!(
        "HTTP/1.0 200 OK\r\nServer: wirepeek-demo\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
        HTTP_BODY.len()
    )
    .into_bytes();
    response.extend_from_slice(HTTP_BODY);
    response
}

/// Read the request up to its blank line (bounded), then send the page.
pub(crate) fn serve(
    log: &CallLog,
    peer: Peer,
    stream: &TcpStream,
    timeout: Duration,
) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    let mut request = Vec::new();
    let mut buffer = vec![0u8; READ_BUFFER];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        if request.len() >= MAX_REQUEST || Instant::now() > deadline {
            break;
        }
        let n = read(log, peer, stream, &mut buffer)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buffer[..n]);
    }
    write_all(log, peer, stream, &http_response())
}

/// Send the request, then read the answer until the server closes.
pub(crate) fn fetch(
    log: &CallLog,
    peer: Peer,
    stream: &TcpStream,
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    write_all(log, peer, stream, HTTP_REQUEST)?;
    let deadline = Instant::now() + timeout;
    let mut response = Vec::new();
    let mut buffer = vec![0u8; READ_BUFFER];
    loop {
        let n = read(log, peer, stream, &mut buffer)?;
        if n == 0 || response.len() >= MAX_RESPONSE || Instant::now() > deadline {
            break;
        }
        response.extend_from_slice(&buffer[..n]);
    }
    Ok(response)
}
