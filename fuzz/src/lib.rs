//! Helpers shared by the fuzz targets: how a fuzz input becomes frames, the
//! decoded model's invariants (the same ones `tests/field_ranges.rs` holds
//! real and damaged captures to), and rendering a frame every way we print.

use std::net::IpAddr;
use std::ops::Range;

use wirepeek::decode::{Dissection, Field, Origin, Proto, Value};
use wirepeek::frame::{FrameRecord, LinkType, Timestamp, TsPrecision};
use wirepeek::output::line::{LineOptions, write_line};
use wirepeek::output::teach::{Paint, write_lesson, write_lesson_markdown};
use wirepeek::output::time::TimeFormat;
use wirepeek::output::{fields::FieldColumns, hex, json, stats::Stats, tree};
use wirepeek::teach::Lesson;
use wirepeek::teach::conversation::{Conversation, Step};

/// Link types a selector byte picks from: every one the decoder supports,
/// then two it does not.
pub const LINKS: [LinkType; 12] = [
    LinkType::ETHERNET,
    LinkType::RAW,
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType::LINUX_SLL,
    LinkType::LINUX_SLL2,
    LinkType::NULL,
    LinkType::LOOP,
    LinkType::RAW_12,
    LinkType::RAW_14,
    LinkType(147),
    LinkType::PCAPNG_CUSTOM,
];

/// The link type a selector byte names.
pub fn link(selector: u8) -> LinkType {
    LINKS[selector as usize % LINKS.len()]
}

/// The selector byte that names `link`, if it is one we fuzz.
pub fn selector(link: LinkType) -> Option<u8> {
    LINKS.iter().position(|l| *l == link).map(|i| i as u8)
}

/// A frame record as a capture source would deliver it.
pub fn frame(
    number: u64,
    link: LinkType,
    ts: Option<Timestamp>,
    extra: u32,
    data: &[u8],
) -> FrameRecord {
    FrameRecord {
        number,
        ts,
        precision: TsPrecision::Nano,
        link,
        orig_len: (data.len() as u32).saturating_add(extra),
        iface: 0,
        data: data.to_vec(),
    }
}

/// Fields whose value is not the masked bits of their bytes (as in
/// `tests/field_ranges.rs`).
fn derived(key: &str, bits: u64, bytes: &[u8], mask: u64) -> Option<u64> {
    match key {
        "ip.hdr_len" | "tcp.hdr_len" => Some(bits * 4),
        "ip.flags" => Some(bits << (mask.trailing_zeros() % 64)),
        "null.family" => {
            let le = bytes.iter().rev().fold(0u64, |a, b| (a << 8) | *b as u64);
            Some(if bits <= 0xffff { bits } else { le })
        }
        _ => None,
    }
}

fn big_endian(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |a, b| (a << 8) | *b as u64)
}

fn check_field(f: &Field, header: &Range<usize>, data: &[u8]) -> Option<String> {
    let r = &f.bytes;
    if r.start >= r.end || r.end > data.len() {
        return Some(format!(
            "bytes {r:?} empty or past the {} captured",
            data.len()
        ));
    }
    if r.start < header.start || r.end > header.end {
        return Some(format!("bytes {r:?} outside its layer's header {header:?}"));
    }
    let bytes = &data[r.clone()];
    let reread = |mask: u64| {
        let raw = big_endian(bytes);
        let bits = if mask == 0 {
            raw
        } else {
            (raw & mask) >> mask.trailing_zeros()
        };
        derived(f.key, bits, bytes, mask).unwrap_or(bits)
    };
    let ok = match &f.value {
        Value::UInt(v) if f.key == "null.family" => reread(0) == *v || big_endian(bytes) == *v,
        Value::UInt(v) | Value::Hex(v, _) => reread(f.mask) == *v,
        Value::Bool(b) => (reread(f.mask) != 0) == *b,
        Value::Mac(m) => bytes == m,
        Value::Ip(IpAddr::V4(a)) => bytes == a.octets(),
        Value::Ip(IpAddr::V6(a)) => bytes == a.octets(),
        Value::Bytes(range) => range == r,
        Value::Text(_) => true,
    };
    (!ok).then(|| format!("value {:?} is not what bytes {bytes:02x?} say", f.value))
}

/// Panic with a description when the model breaks an invariant: layers in
/// order without overlap and inside the captured bytes; every wire field
/// inside its layer's header and re-reading to its value.
pub fn check_invariants(d: &Dissection, data: &[u8]) {
    let mut prev_end = 0;
    for layer in d.layers.iter().filter(|l| l.proto != Proto::Frame) {
        let h = &layer.header;
        assert!(
            h.start >= prev_end,
            "{:?} header {h:?} overlaps the previous layer (ends {prev_end})",
            layer.proto
        );
        assert!(
            h.start <= h.end && h.end <= data.len(),
            "{:?} header {h:?} outside the {} captured bytes",
            layer.proto,
            data.len()
        );
        prev_end = prev_end.max(h.end);
        assert!(layer.fields.start <= layer.fields.end && layer.fields.end <= d.fields.len());
        for f in d
            .fields_of(layer)
            .iter()
            .filter(|f| f.origin == Origin::Wire)
        {
            if let Some(why) = check_field(f, h, data) {
                panic!("{:?} field {}: {why}", layer.proto, f.key);
            }
        }
    }
}

/// Every printer that runs on a layers-only dissection (`Detail::Layers`).
pub fn render_layers(frame: &FrameRecord, d: &Dissection) {
    let mut out = String::new();
    for (time, link) in [
        (TimeFormat::Absolute, false),
        (TimeFormat::Relative, true),
        (TimeFormat::Epoch, true),
    ] {
        write_line(&mut out, frame, d, LineOptions { time, link }, None);
    }
    hex::write_hex(&mut out, frame, d);
    let mut stats = Stats::default();
    stats.add(frame, d);
    stats.write(&mut out);
}

/// Every printer that needs every field (`Detail::Fields`), the teaching
/// views included; `step` places the frame in a conversation.
pub fn render_fields(frame: &FrameRecord, d: &Dissection, step: Option<(&Conversation, &Step)>) {
    let mut out = String::new();
    write_line(
        &mut out,
        frame,
        d,
        LineOptions {
            time: TimeFormat::Absolute,
            link: true,
        },
        None,
    );
    tree::write_tree(&mut out, frame, d);
    json::write_json(&mut out, frame, d);
    let mut cols = FieldColumns::new(
        "frame.number,eth.src,ip.src,ip.dst,ipv6.src,tcp.srcport,tcp.flags,udp.length,icmp.type,arp.opcode,vlan.id,ip.opt.type",
    );
    cols.write_header(&mut out);
    cols.write_row(&mut out, frame, d);
    let lesson = Lesson::build(frame, d, step);
    write_lesson(&mut out, &lesson, Paint { on: true });
    write_lesson_markdown(&mut out, &lesson);
}

/// Frames from the bundled captures (TCP over IPv4 and IPv6, UDP over both,
/// ARP), decoded with every field, for the filter targets to match against.
pub fn sample_frames() -> &'static [(FrameRecord, Dissection)] {
    use std::sync::OnceLock;
    use wirepeek::capture::file::FileSource;
    use wirepeek::capture::{FrameSource, Next};
    static FRAMES: OnceLock<Vec<(FrameRecord, Dissection)>> = OnceLock::new();
    FRAMES.get_or_init(|| {
        let files: [&[u8]; 5] = [
            include_bytes!("../../captures/echo-tcp4.pcap"),
            include_bytes!("../../captures/echo-tcp6.pcap"),
            include_bytes!("../../captures/echo-udp4.pcap"),
            include_bytes!("../../captures/echo-udp6.pcap"),
            include_bytes!("../../captures/arp-request-reply.pcap"),
        ];
        let mut frames = Vec::new();
        for bytes in files {
            let reader = Box::new(std::io::Cursor::new(bytes));
            let mut source = FileSource::from_reader("sample", reader).expect("bundled capture");
            // A handful per file: handshake, data, teardown for TCP.
            for _ in 0..8 {
                let Ok(Next::Frame(f)) = source.next_frame() else {
                    break;
                };
                let d = wirepeek::decode::decode(&f);
                frames.push((f, d));
            }
        }
        frames
    })
}
