//! pcapng, read block by block with our own framing. Only the fixed fields
//! of each block and two interface options (`if_tsresol`, `if_tsoffset`) are
//! read; every other option (comments, names, statistics) is skipped without
//! being decoded, so a comment that is not UTF-8 costs nothing. pcap-file's
//! pcapng parser is not used: it refuses a whole section over one bad option
//! and cannot represent timestamps before 1970.
//!
//! A block whose framing is sound but whose content is not (a packet naming
//! an interface that does not exist, a captured length past its block) is
//! named in a warning and skipped; reading goes on with the next block. A
//! block whose length is impossible or above the cap ends the file with a
//! warning, since nothing after it can be framed.

use super::{FileFormat, FileInfo, FileSource, Format, RECORD_CAP, RECORD_CAP_MAX, record_cap};
use crate::capture::{CaptureError, Next};
use crate::frame::{FrameRecord, LinkType, Spare, Timestamp, TsPrecision};

const SECTION_HEADER: u32 = 0x0a0d_0d0a;
const INTERFACE_DESCRIPTION: u32 = 1;
const PACKET: u32 = 2;
const SIMPLE_PACKET: u32 = 3;
const ENHANCED_PACKET: u32 = 6;
const CUSTOM_COPIABLE: u32 = 0x0000_0bad;
const CUSTOM_NON_COPIABLE: u32 = 0x4000_0bad;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;

/// Room in a packet block for its fixed fields and options, above the
/// captured-length cap (Wireshark allows 128 KiB).
const BLOCK_SLACK: usize = 128 * 1024;

/// if_tsresol's default: microseconds.
const MICROSECONDS: u8 = 6;

pub(super) struct NgState {
    big_endian: bool,
    /// Interfaces of the current section; `None` for a description block
    /// too short to read, so later interfaces keep their numbers.
    interfaces: Vec<Option<Interface>>,
    /// Interfaces of earlier sections, so interface ids stay unique across
    /// sections the way tshark counts them.
    iface_base: u32,
    /// The largest packet block accepted in this section.
    packet_cap: usize,
}

#[derive(Clone, Copy)]
struct Interface {
    link: LinkType,
    snaplen: u32,
    tsresol: u8,
    tsoffset: i64,
}

impl NgState {
    fn u32_at(&self, bytes: &[u8], at: usize) -> u32 {
        word(bytes, at, self.big_endian)
    }
}

fn word(bytes: &[u8], at: usize, big_endian: bool) -> u32 {
    let b: [u8; 4] = bytes
        .get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .unwrap_or_default();
    if big_endian {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    }
}

fn half(bytes: &[u8], at: usize, big_endian: bool) -> u16 {
    let b: [u8; 2] = bytes
        .get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .unwrap_or_default();
    if big_endian {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    }
}

/// A section header's byte order, from the magic in its body.
fn section_byte_order(head: &[u8]) -> Option<bool> {
    match word(head, 8, true) {
        BYTE_ORDER_MAGIC => Some(true),
        m if m == BYTE_ORDER_MAGIC.swap_bytes() => Some(false),
        _ => None,
    }
}

/// What one block comes to.
enum Outcome {
    Frame(FrameRecord),
    /// Not a packet (statistics, names, unknown types), or a new section
    /// or interface recorded in the state.
    Nothing,
    /// A packet that cannot be shown, and why; the next block is read.
    Skip(String),
    /// Something else worth a warning; nothing to show.
    Note(String),
    /// A packet shown with something missing, and what.
    Partly(FrameRecord, String),
    /// The file cannot be read past this block.
    Stop(String),
}

/// What the first 12 bytes of a block say: its type, byte order and total
/// length, checked against the cap before any more of it is read.
struct Frame {
    type_: u32,
    big_endian: bool,
    len: usize,
}

fn frame(state: &NgState, head: &[u8]) -> Result<Frame, String> {
    let type_ = state.u32_at(head, 0);
    let big_endian = if type_ == SECTION_HEADER {
        section_byte_order(head).ok_or_else(|| {
            format!(
                "pcapng section header has byte-order magic {:#010x}, not 1a2b3c4d in either byte order",
                word(head, 8, true)
            )
        })?
    } else {
        state.big_endian
    };
    let len = word(head, 4, big_endian) as usize;
    if len < 12 || !len.is_multiple_of(4) {
        let why = if len < 12 {
            "shorter than a block's 12-byte frame"
        } else {
            "not a multiple of 4"
        };
        return Err(format!(
            "invalid pcapng block: its total length {len} is {why}"
        ));
    }
    let cap = match type_ {
        PACKET | SIMPLE_PACKET | ENHANCED_PACKET => state.packet_cap,
        _ => RECORD_CAP_MAX + BLOCK_SLACK,
    };
    if len > cap {
        let rule = if cap == RECORD_CAP_MAX + BLOCK_SLACK {
            "16 MiB, plus 128 KiB for options"
        } else {
            "256 KiB of packet data, or the largest snap length when larger, up to 16 MiB, plus 128 KiB for options"
        };
        return Err(format!(
            "pcapng block of type {type_:#x} claims {len} bytes, more than this file allows ({cap} bytes: {rule}); it is refused unread"
        ));
    }
    Ok(Frame {
        type_,
        big_endian,
        len,
    })
}

/// One step of the reader.
enum Step {
    /// Return this to the caller.
    Deliver(Next),
    /// A block was read that yields no frame.
    Consumed,
    /// The file cannot be read from this block on, and why.
    Fatal(String),
}

impl FileSource {
    pub(super) fn read_pcapng_header(&mut self) -> Result<(), CaptureError> {
        self.fill(12)?;
        let head = self.head();
        if head.len() < 12 {
            return Err(self.not_a_capture(format!(
                "pcapng section header block is cut short: {} of at least 28 bytes",
                head.len()
            )));
        }
        let big_endian = section_byte_order(head).unwrap_or(false);
        self.info = FileInfo {
            format: FileFormat::PcapNg,
            link_types: Vec::new(),
            big_endian,
        };
        self.format = Format::PcapNg(NgState {
            big_endian,
            interfaces: Vec::new(),
            iface_base: 0,
            packet_cap: RECORD_CAP + BLOCK_SLACK,
        });
        // The first block is read like any other, except that its failure
        // refuses the whole file.
        match self.next_block()? {
            Step::Fatal(reason) => {
                Err(self.not_a_capture(format!("pcapng section header block is invalid: {reason}")))
            }
            Step::Deliver(Next::End { warning }) => {
                let why = warning.unwrap_or_default();
                let why = why
                    .strip_prefix(&format!("{}: ", self.path))
                    .unwrap_or(&why);
                Err(self.not_a_capture(why.to_string()))
            }
            _ => Ok(()),
        }
    }

    pub(super) fn next_pcapng(&mut self) -> Result<Next, CaptureError> {
        loop {
            match self.next_block()? {
                Step::Deliver(next) => return Ok(next),
                Step::Consumed => {}
                Step::Fatal(reason) => return Ok(self.stop(&reason)),
            }
        }
    }

    fn next_block(&mut self) -> Result<Step, CaptureError> {
        if let Some(next) = self.want(12, "a pcapng block")? {
            return Ok(Step::Deliver(next));
        }
        let Format::PcapNg(state) = &self.format else {
            return Ok(Step::Deliver(self.finish(None)));
        };
        let Frame {
            type_,
            big_endian,
            len,
        } = match frame(state, self.head()) {
            Ok(frame) => frame,
            Err(reason) => return Ok(Step::Fatal(reason)),
        };
        if let Some(next) = self.want(len, "a pcapng block")? {
            return Ok(Step::Deliver(next));
        }
        let head = &self.buf[self.start..self.start + len];
        let trailer = word(head, len - 4, big_endian) as usize;
        if trailer != len {
            return Ok(Step::Fatal(format!(
                "invalid pcapng block: it starts with total length {len} but ends with {trailer}"
            )));
        }
        let Format::PcapNg(state) = &mut self.format else {
            return Ok(Step::Deliver(self.finish(None)));
        };
        let frame = match block(
            state,
            &mut self.spare,
            &mut self.info,
            type_,
            big_endian,
            &head[8..len - 4],
        ) {
            Outcome::Stop(reason) => return Ok(Step::Fatal(reason)),
            Outcome::Nothing => None,
            Outcome::Note(reason) => {
                self.warn(&reason);
                None
            }
            Outcome::Skip(reason) => {
                self.warn(&format!("{reason}; the packet is not shown"));
                None
            }
            Outcome::Partly(frame, reason) => {
                self.warn(&format!("packet {}: {reason}", self.number + 1));
                Some(frame)
            }
            Outcome::Frame(frame) => Some(frame),
        };
        // Block type, length, then the fixed part before the packet data.
        self.data_at = self.offset
            + match type_ {
                ENHANCED_PACKET | PACKET => 28,
                _ => 12,
            };
        self.consume(len);
        let Some(frame) = frame else {
            return Ok(Step::Consumed);
        };
        self.number += 1;
        Ok(Step::Deliver(Next::Frame(FrameRecord {
            number: self.number,
            ..frame
        })))
    }
}

/// Read one whole block (its body between the length fields).
fn block(
    state: &mut NgState,
    spare: &mut Spare,
    info: &mut FileInfo,
    type_: u32,
    big_endian: bool,
    body: &[u8],
) -> Outcome {
    match type_ {
        SECTION_HEADER => {
            if body.len() < 16 {
                return Outcome::Stop(format!(
                    "pcapng section header is {} bytes long, too short for its 16-byte fixed part",
                    body.len()
                ));
            }
            let major = half(body, 4, big_endian);
            let minor = half(body, 6, big_endian);
            if major != 1 {
                return Outcome::Stop(format!(
                    "pcapng section has unknown version {major}.{minor}; only version 1.x exists"
                ));
            }
            state.big_endian = big_endian;
            state.iface_base += state.interfaces.len() as u32;
            state.interfaces.clear();
            state.packet_cap = RECORD_CAP + BLOCK_SLACK;
            Outcome::Nothing
        }
        INTERFACE_DESCRIPTION => interface(state, info, body),
        ENHANCED_PACKET => {
            if body.len() < 20 {
                return too_short("enhanced packet block", body.len(), 20);
            }
            let id = state.u32_at(body, 0);
            let ts = (u64::from(state.u32_at(body, 4)) << 32) | u64::from(state.u32_at(body, 8));
            let caplen = state.u32_at(body, 12);
            let orig_len = state.u32_at(body, 16);
            packet(
                state,
                spare,
                "enhanced packet block",
                id,
                Some(ts),
                (caplen, orig_len),
                &body[20..],
            )
        }
        PACKET => {
            if body.len() < 20 {
                return too_short("packet block", body.len(), 20);
            }
            let id = u32::from(half(body, 0, big_endian));
            let ts = (u64::from(state.u32_at(body, 4)) << 32) | u64::from(state.u32_at(body, 8));
            let caplen = state.u32_at(body, 12);
            let orig_len = state.u32_at(body, 16);
            packet(
                state,
                spare,
                "packet block",
                id,
                Some(ts),
                (caplen, orig_len),
                &body[20..],
            )
        }
        SIMPLE_PACKET => {
            if body.len() < 4 {
                return too_short("simple packet block", body.len(), 4);
            }
            let orig_len = state.u32_at(body, 0);
            // Its captured length is not stored: the original length, cut
            // to the interface's snap length and to what the block holds.
            let snaplen = match state.interfaces.first() {
                Some(Some(i)) if i.snaplen != 0 => i.snaplen,
                _ => u32::MAX,
            };
            let room = u32::try_from(body.len() - 4).unwrap_or(u32::MAX);
            let caplen = orig_len.min(snaplen).min(room);
            packet(
                state,
                spare,
                "simple packet block",
                0,
                None,
                (caplen, orig_len),
                &body[4..],
            )
        }
        CUSTOM_COPIABLE | CUSTOM_NON_COPIABLE => {
            if body.len() < 4 {
                return too_short("custom block", body.len(), 4);
            }
            let payload = &body[4..];
            Outcome::Frame(FrameRecord {
                number: 0,
                ts: None,
                precision: TsPrecision::Micro,
                link: LinkType::PCAPNG_CUSTOM,
                orig_len: payload.len() as u32,
                iface: 0,
                data: spare.copy_of(payload),
            })
        }
        _ => Outcome::Nothing,
    }
}

fn too_short(what: &str, have: usize, need: usize) -> Outcome {
    Outcome::Skip(format!(
        "{what} has a {have}-byte body, too short for its {need}-byte fixed part"
    ))
}

/// An Interface Description Block: link type, snap length and the two
/// options that change how its packets' timestamps read.
fn interface(state: &mut NgState, info: &mut FileInfo, body: &[u8]) -> Outcome {
    if body.len() < 8 {
        state.interfaces.push(None);
        return Outcome::Note(format!(
            "interface description block {} has a {}-byte body, too short for its 8-byte fixed part; packets naming it are not shown",
            state.interfaces.len() - 1,
            body.len()
        ));
    }
    let link = LinkType(u32::from(half(body, 0, state.big_endian)));
    let snaplen = state.u32_at(body, 4);
    let mut iface = Interface {
        link,
        snaplen,
        tsresol: MICROSECONDS,
        tsoffset: 0,
    };
    let problem = read_options(state.big_endian, &body[8..], &mut iface);
    state.interfaces.push(Some(iface));
    state.packet_cap = state.packet_cap.max(record_cap(snaplen) + BLOCK_SLACK);
    if !info.link_types.contains(&link) {
        info.link_types.push(link);
    }
    match problem {
        Some(problem) => Outcome::Note(format!(
            "interface description block {}: {problem}; its packets are still read",
            state.interfaces.len() - 1
        )),
        None => Outcome::Nothing,
    }
}

/// Walk an IDB's options for `if_tsresol` (9) and `if_tsoffset` (14). Other
/// options are stepped over undecoded. Returns what was wrong, if anything;
/// options before the damage still count.
fn read_options(big_endian: bool, mut opts: &[u8], iface: &mut Interface) -> Option<String> {
    let mut seen_resol = false;
    while opts.len() >= 4 {
        let code = half(opts, 0, big_endian);
        let len = usize::from(half(opts, 2, big_endian));
        if code == 0 {
            return None;
        }
        let Some(value) = opts.get(4..4 + len) else {
            return Some(format!(
                "option {code} claims {len} bytes but only {} are left in the block; it and any after it are ignored",
                opts.len() - 4
            ));
        };
        match (code, len) {
            (9, 1) if !seen_resol => {
                iface.tsresol = value[0];
                seen_resol = true;
            }
            (14, 8) => {
                let b: [u8; 8] = value.try_into().unwrap_or_default();
                iface.tsoffset = if big_endian {
                    i64::from_be_bytes(b)
                } else {
                    i64::from_le_bytes(b)
                };
            }
            (9 | 14, _) => {
                let name = if code == 9 {
                    "if_tsresol"
                } else {
                    "if_tsoffset"
                };
                let want = if code == 9 { 1 } else { 8 };
                return Some(format!(
                    "option {name} is {len} bytes long, not {want}; it is ignored"
                ));
            }
            _ => {}
        }
        opts = opts
            .get((4 + len).next_multiple_of(4)..)
            .unwrap_or_default();
    }
    None
}

/// A packet from an enhanced, obsolete or simple packet block.
fn packet(
    state: &NgState,
    spare: &mut Spare,
    what: &str,
    id: u32,
    raw_ts: Option<u64>,
    (caplen, orig_len): (u32, u32),
    data: &[u8],
) -> Outcome {
    let iface = match state.interfaces.get(id as usize) {
        Some(Some(iface)) => *iface,
        Some(None) => {
            return Outcome::Skip(format!(
                "{what} names interface {id}, whose description block could not be read"
            ));
        }
        None => {
            let have = match state.interfaces.len() {
                0 => "none are described before it".to_string(),
                1 => "its section describes only interface 0".to_string(),
                n => format!("its section describes only interfaces 0 to {}", n - 1),
            };
            return Outcome::Skip(format!("{what} names interface {id}, but {have}"));
        }
    };
    let cap = record_cap(iface.snaplen);
    if caplen as usize > cap {
        return Outcome::Skip(format!(
            "{what} says it captured {caplen} bytes, more than its interface allows ({cap} bytes: 256 KiB, or the snap length {} when larger, up to 16 MiB)",
            iface.snaplen
        ));
    }
    let Some(data) = data.get(..caplen as usize) else {
        return Outcome::Skip(format!(
            "{what} says it captured {caplen} bytes but holds only {}",
            data.len()
        ));
    };
    let finer_than_micro = if iface.tsresol & 0x80 != 0 {
        iface.tsresol & 0x7f >= 20
    } else {
        iface.tsresol > MICROSECONDS
    };
    let ts = raw_ts.map(|raw| timestamp(raw, iface.tsresol, iface.tsoffset));
    let frame = FrameRecord {
        number: 0,
        ts: ts.flatten(),
        precision: if finer_than_micro {
            TsPrecision::Nano
        } else {
            TsPrecision::Micro
        },
        link: iface.link,
        orig_len,
        iface: state.iface_base + id,
        data: spare.copy_of(data),
    };
    match ts {
        Some(None) => Outcome::Partly(
            frame,
            format!(
                "its timestamp (if_tsresol {:#04x}, if_tsoffset {} s) is out of range and is not shown",
                iface.tsresol, iface.tsoffset
            ),
        ),
        _ => Outcome::Frame(frame),
    }
}

/// A pcapng timestamp: `raw` units of 10^-n or 2^-n seconds (`tsresol` bit
/// 7 chooses), plus `tsoffset` seconds. Exact for every resolution (128-bit
/// arithmetic), negative before 1970; `None` only past ±292 billion years.
pub(super) fn timestamp(raw: u64, tsresol: u8, tsoffset: i64) -> Option<Timestamp> {
    let exponent = u32::from(tsresol & 0x7f);
    if tsresol <= 9 {
        // The usual case (micro- and nanoseconds), in 64 bits.
        let units = 10u64.pow(exponent);
        let secs = i128::from(raw / units) + i128::from(tsoffset);
        return Some(Timestamp {
            secs: i64::try_from(secs).ok()?,
            nanos: ((raw % units) * (1_000_000_000 / units)) as u32,
        });
    }
    let units: Option<u128> = if tsresol & 0x80 != 0 {
        Some(1u128 << exponent)
    } else {
        10u128.checked_pow(exponent)
    };
    // Beyond 10^38 units per second every raw value is under 10^-19 s.
    let (secs, nanos) = match units {
        Some(units) => {
            let raw = u128::from(raw);
            (raw / units, (raw % units) * 1_000_000_000 / units)
        }
        None => (0, 0),
    };
    let secs = i64::try_from(i128::try_from(secs).ok()? + i128::from(tsoffset)).ok()?;
    Some(Timestamp {
        secs,
        nanos: nanos as u32,
    })
}
