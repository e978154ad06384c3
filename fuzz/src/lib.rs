//! Helpers shared by the fuzz targets: how a fuzz input becomes frames, the
//! decoded model's invariants (the same ones `tests/field_ranges.rs` holds
//! real and damaged captures to), and rendering a frame every way we print
//! (the printers and the lesson apart, so each target stays fast).

use wirepeek::decode::Dissection;
use wirepeek::decode::check::problems;
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

/// The one-frame input of `decode` and `render`: a link-type selector
/// byte, a byte added to the captured length to make `orig_len` (snap-length
/// cuts), then the frame.
pub fn one_frame(input: &[u8]) -> Option<FrameRecord> {
    let [sel, extra, data @ ..] = input else {
        return None;
    };
    let ts = Some(Timestamp {
        secs: 1_700_000_000,
        nanos: 123_456_789,
    });
    Some(frame(1, link(*sel), ts, u32::from(*extra), data))
}

/// Panic with a description when the model breaks one of its invariants
/// (`wirepeek::decode::check`, the same rules `tests/field_ranges.rs` holds
/// every real capture to).
pub fn check_invariants(d: &Dissection, data: &[u8]) {
    let broken = problems(d, data, &mut 0);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Every printer that runs on a layers-only dissection (`Detail::Layers`).
pub fn render_layers(frame: &FrameRecord, d: &Dissection) {
    let mut out = String::new();
    for (time, link) in [
        (TimeFormat::Absolute, false),
        (TimeFormat::Relative, true),
        (TimeFormat::Epoch, true),
    ] {
        write_line(
            &mut out,
            frame,
            d,
            LineOptions {
                time,
                link,
                quick: false,
            },
            None,
        );
    }
    hex::write_hex(&mut out, frame, d);
    let mut stats = Stats::default();
    stats.add(frame, d);
    stats.write(&mut out);
}

/// Every printer that needs every field (`Detail::Fields`) except the
/// teaching views: the line with link addresses, the tree, JSON, field columns.
pub fn render_fields(frame: &FrameRecord, d: &Dissection) {
    let mut out = String::new();
    write_line(
        &mut out,
        frame,
        d,
        LineOptions {
            time: TimeFormat::Absolute,
            link: true,
            quick: false,
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
}

/// The teaching lesson for a frame, in colour and as Markdown; `step` places
/// the frame in a conversation.
pub fn render_lesson(frame: &FrameRecord, d: &Dissection, step: Option<(&Conversation, &Step)>) {
    let mut out = String::new();
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

/// The packet records of a sequence input (`flows`, `lesson`): after the
/// link selector byte, records of [length: u16 big-endian][time step][frame
/// bytes]. The time step advances the clock in 10 ms units; 0xff means the
/// packet has no timestamp. A length past the end takes what is left.
pub struct Records<'a> {
    rest: &'a [u8],
    now_ns: i64,
}

/// The link type and the records of a sequence input.
pub fn records(input: &[u8]) -> Option<(LinkType, Records<'_>)> {
    let (&sel, rest) = input.split_first()?;
    let now_ns = 1_700_000_000_000_000_000;
    Some((link(sel), Records { rest, now_ns }))
}

impl<'a> Iterator for Records<'a> {
    type Item = (Option<Timestamp>, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let [hi, lo, step, tail @ ..] = self.rest else {
            return None;
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (data, next) = tail.split_at(len);
        self.rest = next;
        let ts = (*step != 0xff).then(|| {
            self.now_ns += i64::from(*step) * 10_000_000;
            Timestamp {
                secs: self.now_ns / 1_000_000_000,
                nanos: (self.now_ns % 1_000_000_000) as u32,
            }
        });
        Some((ts, data))
    }
}
