//! The facts of each captured packet that the socket-call timeline needs:
//! who sent it, its TCP flags, relative sequence number and payload length,
//! read from the decoder's fields and the flow table (never guessed).

use crate::decode::{Dissection, Value, http, tcp, udp};
use crate::echo::Peer;
use crate::flow::{FlowConfig, FlowTable};
use crate::frame::FrameRecord;

pub(super) const FIN: u16 = 0x01;
pub(super) const SYN: u16 = 0x02;
pub(super) const RST: u16 = 0x04;
pub(super) const ACK: u16 = 0x10;

/// One packet of the demo's conversation.
#[derive(Debug, Clone)]
pub(super) struct Segment {
    pub frame: u64,
    /// Nanoseconds since the epoch, as the kernel stamped it.
    pub ts: i128,
    pub from: Peer,
    pub tcp: bool,
    pub flags: u16,
    /// Relative sequence number (the first data byte is 1).
    pub seq: u32,
    /// Bytes of payload.
    pub len: u64,
    /// The HTTP request or status line this segment starts, as decoded.
    pub http: Option<String>,
}

impl Segment {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// The stream offsets `[start, end)` this segment's data covers (the
    /// first byte is offset 0, relative sequence number 1).
    pub fn span(&self) -> (u64, u64) {
        let start = u64::from(self.seq.saturating_sub(1));
        (start, start + self.len)
    }

    /// Flag names as tcpdump abbreviates them (`S.`), or `UDP`.
    pub fn label(&self) -> String {
        if !self.tcp {
            return "UDP".to_string();
        }
        let mut text = String::new();
        for (bit, c) in [(SYN, 'S'), (FIN, 'F'), (RST, 'R'), (0x08, 'P')] {
            if self.has(bit) {
                text.push(c);
            }
        }
        if self.has(ACK) {
            text.push('.');
        }
        format!("[{text}]")
    }
}

fn text(d: &Dissection, key: &str) -> Option<String> {
    match d.field(key).map(|f| &f.value) {
        Some(Value::Text(t)) => Some(t.to_string()),
        Some(Value::UInt(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// `GET /index.html HTTP/1.0` or `HTTP/1.0 200 OK`, from the decoder's fields.
fn http_line(d: &Dissection) -> Option<String> {
    let request = [
        http::REQUEST_METHOD.key,
        http::REQUEST_URI.key,
        http::REQUEST_VERSION.key,
    ];
    let response = [
        http::RESPONSE_VERSION.key,
        http::RESPONSE_CODE.key,
        http::RESPONSE_PHRASE.key,
    ];
    [request, response].iter().find_map(|keys| {
        let parts: Option<Vec<String>> = keys.iter().map(|k| text(d, k)).collect();
        parts.map(|p| p.join(" "))
    })
}

fn uint(d: &Dissection, key: &str) -> Option<u64> {
    match d.field(key).map(|f| &f.value) {
        Some(Value::UInt(n)) | Some(Value::Hex(n, _)) => Some(*n),
        _ => None,
    }
}

/// The segments of the frames to or from `server_port`, in capture order.
pub(super) fn segments(frames: &[FrameRecord], server_port: u16) -> Vec<Segment> {
    let mut flows = FlowTable::new(FlowConfig::default());
    let mut out = Vec::new();
    for frame in frames {
        let d = crate::decode::decode(frame);
        let info = flows.ingest(frame, &d);
        let (Some(t), Some(ts)) = (d.tuple, frame.ts) else {
            continue;
        };
        let from = if t.src_port == server_port {
            Peer::Server
        } else if t.dst_port == server_port {
            Peer::Client
        } else {
            continue;
        };
        let is_tcp = t.protocol == 6;
        let (flags, seq, len) = if is_tcp {
            (
                uint(&d, tcp::FLAGS.key).unwrap_or(0) as u16,
                info.and_then(|i| i.rel_seq).unwrap_or(0),
                uint(&d, tcp::LEN.key).unwrap_or(0),
            )
        } else {
            (
                0,
                0,
                uint(&d, udp::LENGTH.key).unwrap_or(8).saturating_sub(8),
            )
        };
        out.push(Segment {
            frame: frame.number,
            ts: ts.as_nanos(),
            from,
            tcp: is_tcp,
            flags,
            seq,
            len,
            http: http_line(&d),
        });
    }
    out
}
