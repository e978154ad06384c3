//! Capture files: pcap (both byte orders, µs and ns) and pcapng (several
//! sections and interfaces, per-interface link types and `if_tsresol`,
//! enhanced, simple and obsolete packet blocks, custom blocks).
//!
//! The only module that reads pcap-file's parsers. Reads through a bounded
//! buffer, so memory stays constant however large the file; a record that
//! claims more bytes than the file holds costs only what the file holds.
//! Must not import `decode`.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;

use pcap_file::pcap::{PcapParser, RawPcapPacket};
use pcap_file::pcapng::blocks::Block;
use pcap_file::pcapng::{PcapNgParseError, PcapNgParser, PcapNgState};
use pcap_file::{DataLink, Endianness};

use super::{CaptureError, FrameSource, Next};
use crate::frame::{FrameRecord, LinkType, Timestamp, TsPrecision};

/// How much we ask the OS for per read; also the buffer's starting size.
const READ_CHUNK: usize = 256 * 1024;

const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const PCAP_MAGICS: [[u8; 4]; 4] = [
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
    [0x4d, 0x3c, 0xb2, 0xa1],
];

/// Bits 16–25 of a pcap header's link-type field are reserved; libpcap and
/// tshark refuse files that set them. Bits 26–31 carry FCS information and are
/// masked off.
const LINKTYPE_RESERVED_BITS: u32 = 0x03ff_0000;

/// The file format, detected from the magic number rather than the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Pcap,
    PcapNg,
}

/// What the file header said, for `--stats` and for writing files back out.
#[derive(Clone, Debug)]
pub struct FileInfo {
    pub format: FileFormat,
    /// Link types seen so far (pcap: one; pcapng: one per interface).
    pub link_types: Vec<LinkType>,
    pub big_endian: bool,
}

enum Format {
    Pcap {
        parser: PcapParser,
        link: LinkType,
        precision: TsPrecision,
        nanos_per_frac: u32,
    },
    PcapNg {
        parser: PcapNgParser,
        /// Per interface of the current section: link type and precision.
        interfaces: Vec<(LinkType, TsPrecision)>,
        /// Interfaces of earlier sections, so interface ids stay unique across
        /// sections the way tshark counts them.
        iface_base: u32,
    },
}

/// Reads frames from a pcap or pcapng file or stream.
pub struct FileSource {
    path: String,
    reader: Box<dyn Read>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// File offset of `buf[start]`.
    offset: u64,
    format: Format,
    info: FileInfo,
    number: u64,
    finished: bool,
    /// For a pipe or FIFO (not a regular file): its descriptor, so the
    /// reader can tell when no more bytes are waiting (see `would_wait`).
    stream_fd: Option<i32>,
    /// `Next::Idle` was just returned: the next read may wait.
    told_idle: bool,
}

impl FileSource {
    /// Open a capture file by path; `-` reads standard input.
    pub fn open(path: &str) -> Result<FileSource, CaptureError> {
        use std::os::fd::AsRawFd;
        let (reader, fd): (Box<dyn Read>, i32) = if path == "-" {
            let stdin = std::io::stdin();
            let fd = stdin.as_raw_fd();
            (Box::new(stdin), fd)
        } else {
            let meta = std::fs::metadata(path).map_err(|source| CaptureError::Io {
                path: path.to_string(),
                source,
            })?;
            if meta.is_dir() {
                return Err(CaptureError::NotACapture {
                    path: path.to_string(),
                    reason: "is a directory, not a capture file".to_string(),
                });
            }
            let file = File::open(path).map_err(|source| CaptureError::Io {
                path: path.to_string(),
                source,
            })?;
            let fd = file.as_raw_fd();
            (Box::new(file), fd)
        };
        let stream_fd = is_stream(fd).then_some(fd);
        let mut source = FileSource::from_reader(path, reader)?;
        source.stream_fd = stream_fd;
        Ok(source)
    }

    /// True once per wait: a stream input has no whole record buffered and
    /// no byte waiting, so the caller can print what it holds (a capture
    /// piped in, `tcpdump -U -w - | wirepeek read -`, shows each packet as
    /// it comes) before the next call waits for more.
    fn would_wait(&mut self) -> bool {
        let Some(fd) = self.stream_fd else {
            return false;
        };
        if self.told_idle {
            self.told_idle = false;
            return false;
        }
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for a descriptor this source holds open
        // (the file or stdin); a zero timeout never blocks.
        let ready = unsafe { libc::poll(&mut poll, 1, 0) };
        self.told_idle = ready == 0;
        self.told_idle
    }

    /// Read a capture from any byte stream; `name` is used in messages.
    pub fn from_reader(name: &str, reader: Box<dyn Read>) -> Result<FileSource, CaptureError> {
        let mut source = FileSource {
            path: name.to_string(),
            reader,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            eof: false,
            offset: 0,
            format: Format::Pcap {
                parser: PcapParser::new(
                    &[
                        0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 1,
                    ][..],
                )
                .map(|(_, p)| p)
                .map_err(|e| CaptureError::Other(format!("internal: {e}")))?,
                link: LinkType::ETHERNET,
                precision: TsPrecision::Micro,
                nanos_per_frac: 1000,
            },
            info: FileInfo {
                format: FileFormat::Pcap,
                link_types: Vec::new(),
                big_endian: false,
            },
            number: 0,
            finished: false,
            stream_fd: None,
            told_idle: false,
        };
        source.read_header()?;
        Ok(source)
    }

    /// What the file header said.
    pub fn info(&self) -> &FileInfo {
        &self.info
    }

    fn not_a_capture(&self, reason: String) -> CaptureError {
        CaptureError::NotACapture {
            path: self.path.clone(),
            reason,
        }
    }

    /// Make sure at least `want` unread bytes are buffered, unless the stream
    /// ends first. Grows the buffer only as real data arrives.
    fn fill(&mut self, want: usize) -> Result<(), CaptureError> {
        while self.end - self.start < want && !self.eof {
            if self.start > 0 && self.end == self.buf.len() {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                let grow = self.buf.len().max(READ_CHUNK);
                self.buf.resize(self.buf.len() + grow, 0);
            }
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(CaptureError::Io {
                        path: self.path.clone(),
                        source,
                    });
                }
            }
        }
        Ok(())
    }

    /// Shrink the buffer back after a huge record passed, so one large frame
    /// does not pin memory for the rest of the file.
    fn consume(&mut self, n: usize) {
        self.start += n;
        self.offset += n as u64;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            if self.buf.len() > 4 * READ_CHUNK {
                self.buf.truncate(READ_CHUNK);
                self.buf.shrink_to_fit();
            }
        }
    }

    fn read_header(&mut self) -> Result<(), CaptureError> {
        self.fill(24)?;
        let head = &self.buf[self.start..self.end];
        if head.is_empty() {
            return Err(self.not_a_capture("is empty (0 bytes), not a capture file".to_string()));
        }
        let magic: [u8; 4] = match head.get(..4) {
            Some(m) => [m[0], m[1], m[2], m[3]],
            None => {
                return Err(self.not_a_capture(format!(
                    "is only {} bytes long, too short for a capture file header",
                    head.len()
                )));
            }
        };
        if magic == PCAPNG_MAGIC {
            self.read_pcapng_header()
        } else if PCAP_MAGICS.contains(&magic) {
            self.read_pcap_header()
        } else {
            let shown: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
            Err(self.not_a_capture(format!(
                "not a pcap or pcapng file (it starts with bytes {}; a capture starts with a1b2c3d4, d4c3b2a1, a1b23c4d, 4d3cb2a1 or 0a0d0d0a)",
                shown.join(" ")
            )))
        }
    }

    fn read_pcap_header(&mut self) -> Result<(), CaptureError> {
        let head = &self.buf[self.start..self.end];
        let (rest, parser) = match PcapParser::new(head) {
            Ok(ok) => ok,
            Err(_) => {
                return Err(self.not_a_capture(format!(
                    "pcap file header is cut short: {} of 24 bytes",
                    head.len()
                )));
            }
        };
        let used = head.len() - rest.len();
        let header = parser.header();
        if header.version_major != 2 {
            return Err(self.not_a_capture(format!(
                "pcap file header says version {}.{}; only version 2.x exists",
                header.version_major, header.version_minor
            )));
        }
        let raw_link = u32::from(header.datalink);
        if raw_link & LINKTYPE_RESERVED_BITS != 0 {
            return Err(self.not_a_capture(format!(
                "pcap file header link-type field {raw_link:#x} sets reserved bits"
            )));
        }
        let link = LinkType(raw_link & 0xffff);
        let (precision, nanos_per_frac) = match header.ts_resolution {
            pcap_file::pcap::PcapTsResolution::MicroSecond => (TsPrecision::Micro, 1000),
            pcap_file::pcap::PcapTsResolution::NanoSecond => (TsPrecision::Nano, 1),
        };
        self.info = FileInfo {
            format: FileFormat::Pcap,
            link_types: vec![link],
            big_endian: header.endianness == Endianness::Big,
        };
        self.format = Format::Pcap {
            parser,
            link,
            precision,
            nanos_per_frac,
        };
        self.consume(used);
        Ok(())
    }

    fn read_pcapng_header(&mut self) -> Result<(), CaptureError> {
        // The section header's total length is in its second word; fetch it all.
        self.fill(12)?;
        loop {
            let head = &self.buf[self.start..self.end];
            match PcapNgParser::new(head) {
                Ok((rest, parser)) => {
                    let used = head.len() - rest.len();
                    let section = parser.section();
                    if section.major_version != 1 {
                        return Err(self.not_a_capture(format!(
                            "pcapng section header says version {}.{}; only version 1.x exists",
                            section.major_version, section.minor_version
                        )));
                    }
                    self.info = FileInfo {
                        format: FileFormat::PcapNg,
                        link_types: Vec::new(),
                        big_endian: parser.state().endianness() == Endianness::Big,
                    };
                    self.format = Format::PcapNg {
                        parser,
                        interfaces: Vec::new(),
                        iface_base: 0,
                    };
                    self.consume(used);
                    return Ok(());
                }
                Err(PcapNgParseError::IncompleteBuffer(needed, have)) => {
                    if self.eof {
                        return Err(self.not_a_capture(format!(
                            "pcapng section header block is cut short: it needs {needed} bytes, the file has {have}"
                        )));
                    }
                    self.fill(self.end - self.start + needed.max(1))?;
                }
                Err(e) => {
                    return Err(self.not_a_capture(format!(
                        "pcapng section header block is invalid: {}",
                        error_chain(&e)
                    )));
                }
            }
        }
    }

    fn truncated(&mut self, what: &str) -> Next {
        self.finished = true;
        Next::End {
            warning: Some(format!(
                "{}: file ends in the middle of {what} that starts at byte offset {} (only {} bytes of it are there); every complete packet before it was read",
                self.path,
                self.offset,
                self.end - self.start
            )),
        }
    }

    /// Stop at a pcapng block that cannot be read, saying where and why.
    fn invalid_block(&mut self, e: &dyn std::error::Error) -> Next {
        self.finished = true;
        Next::End {
            warning: Some(format!(
                "{}: invalid pcapng block at byte offset {}: {}",
                self.path,
                self.offset,
                error_chain(e)
            )),
        }
    }

    fn next_pcap(&mut self) -> Result<Next, CaptureError> {
        loop {
            let Format::Pcap {
                parser,
                link,
                precision,
                nanos_per_frac,
            } = &self.format
            else {
                return Ok(Next::End { warning: None });
            };
            let head = &self.buf[self.start..self.end];
            match parser.next_raw_packet(head) {
                Ok((rest, packet)) => {
                    let used = head.len() - rest.len();
                    let record = pcap_record(&packet, *link, *precision, *nanos_per_frac);
                    self.consume(used);
                    self.number += 1;
                    return Ok(Next::Frame(FrameRecord {
                        number: self.number,
                        ..record
                    }));
                }
                Err(pcap_file::pcap::PcapParseError::IncompleteBuffer(needed, have)) => {
                    if self.eof {
                        if have == 0 {
                            self.finished = true;
                            return Ok(Next::End { warning: None });
                        }
                        return Ok(self.truncated("a packet record"));
                    }
                    if self.would_wait() {
                        return Ok(Next::Idle);
                    }
                    self.fill(self.end - self.start + needed.max(1))?;
                }
                Err(e) => {
                    self.finished = true;
                    return Ok(Next::End {
                        warning: Some(format!(
                            "{}: invalid packet record at byte offset {}: {e}",
                            self.path, self.offset
                        )),
                    });
                }
            }
        }
    }

    fn next_pcapng(&mut self) -> Result<Next, CaptureError> {
        loop {
            let Format::PcapNg {
                parser,
                interfaces,
                iface_base,
            } = &mut self.format
            else {
                return Ok(Next::End { warning: None });
            };
            let head = &self.buf[self.start..self.end];
            let (used, raw) = match parser.next_raw_block(head) {
                Ok((rest, raw)) => (head.len() - rest.len(), raw),
                Err(PcapNgParseError::IncompleteBuffer(needed, have)) => {
                    if self.eof {
                        if have == 0 {
                            self.finished = true;
                            return Ok(Next::End { warning: None });
                        }
                        return Ok(self.truncated("a pcapng block"));
                    }
                    if self.would_wait() {
                        return Ok(Next::Idle);
                    }
                    self.fill(self.end - self.start + needed.max(1))?;
                    continue;
                }
                Err(e) => return Ok(self.invalid_block(&e)),
            };
            let block = match raw.clone().try_into_block(parser.state()) {
                Ok(block) => block,
                // A packet whose options are damaged (a comment that is not
                // UTF-8, say) is still a packet: keep its data, drop options.
                Err(_) if raw.type_ == ENHANCED_PACKET_BLOCK => {
                    match enhanced_packet_without_options(parser.state(), &raw.body) {
                        Some(epb) => Block::EnhancedPacket(epb),
                        None => {
                            self.consume(used);
                            continue;
                        }
                    }
                }
                Err(e) => return Ok(self.invalid_block(&e)),
            };
            if let Block::SectionHeader(shb) = &block
                && shb.major_version != 1
            {
                self.finished = true;
                return Ok(Next::End {
                    warning: Some(format!(
                        "{}: pcapng section at byte offset {} has unknown version {}.{}",
                        self.path, self.offset, shb.major_version, shb.minor_version
                    )),
                });
            }
            let frame = match block {
                Block::SectionHeader(_) => {
                    *iface_base += interfaces.len() as u32;
                    interfaces.clear();
                    None
                }
                Block::InterfaceDescription(idb) => {
                    let link = LinkType(u32::from(idb.linktype) & 0xffff);
                    let resolution = idb.ts_resolution();
                    // Finer than a microsecond (decimal 7+ digits, or binary
                    // 2^-20 and finer) deserves nanosecond digits.
                    let finer_than_micro = if resolution.is_bin() {
                        resolution.resolution() >= 20
                    } else {
                        resolution.resolution() > 6
                    };
                    let precision = if finer_than_micro {
                        TsPrecision::Nano
                    } else {
                        TsPrecision::Micro
                    };
                    interfaces.push((link, precision));
                    if !self.info.link_types.contains(&link) {
                        self.info.link_types.push(link);
                    }
                    None
                }
                Block::EnhancedPacket(epb) => {
                    let (link, precision) = interface_of(interfaces, epb.interface_id);
                    Some(FrameRecord {
                        number: 0,
                        ts: Some(duration_ts(epb.timestamp)),
                        precision,
                        link,
                        orig_len: epb.original_len,
                        iface: *iface_base + epb.interface_id,
                        data: epb.data.into_owned(),
                    })
                }
                Block::Packet(pb) => {
                    let (link, precision) = interface_of(interfaces, pb.interface_id as u32);
                    Some(FrameRecord {
                        number: 0,
                        ts: Some(duration_ts(pb.timestamp)),
                        precision,
                        link,
                        orig_len: pb.original_len,
                        iface: *iface_base + pb.interface_id as u32,
                        data: pb.data.into_owned(),
                    })
                }
                Block::SimplePacket(spb) => {
                    let (link, precision) = interface_of(interfaces, 0);
                    Some(FrameRecord {
                        number: 0,
                        ts: None,
                        precision,
                        link,
                        orig_len: spb.original_len,
                        iface: *iface_base,
                        data: spb.data.into_owned(),
                    })
                }
                Block::CustomCopiable(custom) => Some(custom_record(custom.payload)),
                Block::CustomNonCopiable(custom) => Some(custom_record(custom.payload)),
                _ => None,
            };
            self.consume(used);
            if let Some(frame) = frame {
                self.number += 1;
                return Ok(Next::Frame(FrameRecord {
                    number: self.number,
                    ..frame
                }));
            }
        }
    }
}

impl FrameSource for FileSource {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        if self.finished {
            return Ok(Next::End { warning: None });
        }
        match self.format {
            Format::Pcap { .. } => self.next_pcap(),
            Format::PcapNg { .. } => self.next_pcapng(),
        }
    }
}

/// A pipe, FIFO, socket or terminal: reads may wait for a writer.
fn is_stream(fd: i32) -> bool {
    // SAFETY: fstat fills the zeroed stat it is given, for a descriptor
    // the caller holds open; on failure we treat it as a regular file.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    (unsafe { libc::fstat(fd, &mut st) } == 0) && (st.st_mode & libc::S_IFMT) != libc::S_IFREG
}

fn pcap_record(
    packet: &RawPcapPacket,
    link: LinkType,
    precision: TsPrecision,
    nanos_per_frac: u32,
) -> FrameRecord {
    FrameRecord {
        number: 0,
        ts: Some(Timestamp {
            secs: packet.ts_sec as i64,
            // Wrapping, as libpcap and Wireshark do, so an out-of-range
            // fraction in a broken file shows the same time in every tool.
            nanos: packet.ts_frac.wrapping_mul(nanos_per_frac),
        }),
        precision,
        link,
        orig_len: packet.orig_len,
        iface: 0,
        data: packet.data.to_vec(),
    }
}

/// pcapng block type of an Enhanced Packet Block.
const ENHANCED_PACKET_BLOCK: u32 = 6;

/// Read an Enhanced Packet Block's fixed part and data, ignoring its options.
fn enhanced_packet_without_options<'a>(
    state: &PcapNgState,
    body: &'a [u8],
) -> Option<pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock<'a>> {
    let word = |i: usize| -> Option<u32> {
        let b: [u8; 4] = body.get(i * 4..i * 4 + 4)?.try_into().ok()?;
        Some(match state.endianness() {
            Endianness::Big => u32::from_be_bytes(b),
            Endianness::Little => u32::from_le_bytes(b),
        })
    };
    let (interface_id, high, low, cap_len, original_len) =
        (word(0)?, word(1)?, word(2)?, word(3)?, word(4)?);
    let timestamp = state.decode_timestamp(interface_id, high, low).ok()?;
    let data = body.get(20..20 + cap_len as usize)?;
    Some(
        pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock {
            interface_id,
            timestamp,
            original_len,
            data: Cow::Borrowed(data),
            options: Vec::new(),
        },
    )
}

fn custom_record(payload: Cow<'_, [u8]>) -> FrameRecord {
    FrameRecord {
        number: 0,
        ts: None,
        precision: TsPrecision::Micro,
        link: LinkType::PCAPNG_CUSTOM,
        orig_len: payload.len() as u32,
        iface: 0,
        data: payload.into_owned(),
    }
}

fn interface_of(interfaces: &[(LinkType, TsPrecision)], id: u32) -> (LinkType, TsPrecision) {
    // The parser has already rejected packet blocks naming a missing interface.
    interfaces.get(id as usize).copied().unwrap_or((
        LinkType(u32::from(DataLink::Unknown(0xffff))),
        TsPrecision::Micro,
    ))
}

fn duration_ts(d: std::time::Duration) -> Timestamp {
    Timestamp {
        secs: d.as_secs() as i64,
        nanos: d.subsec_nanos(),
    }
}

/// Render an error with its causes, since pcap-file's top-level messages are
/// often generic ("Invalid raw block format").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
