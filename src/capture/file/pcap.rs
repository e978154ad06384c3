//! pcap: pcap-file parses the file header and each record; the record
//! header's captured length is checked against the cap here first, so a
//! record claiming 4 GB is refused before any of it is buffered.

use pcap_file::Endianness;
use pcap_file::pcap::{PcapParseError, PcapParser, PcapTsResolution, RawPcapPacket};

use super::{FileFormat, FileInfo, FileSource, Format, record_cap};
use crate::capture::{CaptureError, Next};
use crate::frame::{FrameRecord, LinkType, Spare, Timestamp, TsPrecision};

/// Bits 16–25 of a pcap header's link-type field are reserved; libpcap and
/// tshark refuse files that set them. Bits 26–31 carry FCS information and are
/// masked off.
const LINKTYPE_RESERVED_BITS: u32 = 0x03ff_0000;

/// A pcap record header: seconds, fraction, captured and original length.
const RECORD_HEADER: usize = 16;

pub(super) struct PcapState {
    parser: PcapParser,
    link: LinkType,
    precision: TsPrecision,
    nanos_per_frac: u32,
    snaplen: u32,
    /// The largest captured length accepted (see `record_cap`).
    cap: usize,
}

impl FileSource {
    pub(super) fn read_pcap_header(&mut self) -> Result<(), CaptureError> {
        let head = self.head();
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
            PcapTsResolution::MicroSecond => (TsPrecision::Micro, 1000),
            PcapTsResolution::NanoSecond => (TsPrecision::Nano, 1),
        };
        self.info = FileInfo {
            format: FileFormat::Pcap,
            link_types: vec![link],
            big_endian: header.endianness == Endianness::Big,
        };
        self.format = Format::Pcap(PcapState {
            parser,
            link,
            precision,
            nanos_per_frac,
            snaplen: header.snaplen,
            cap: record_cap(header.snaplen),
        });
        self.consume(used);
        Ok(())
    }

    pub(super) fn next_pcap(&mut self) -> Result<Next, CaptureError> {
        if let Some(next) = self.want(RECORD_HEADER, "a packet record")? {
            return Ok(next);
        }
        let Format::Pcap(state) = &self.format else {
            return Ok(self.finish(None));
        };
        let field: [u8; 4] = self.head()[8..12].try_into().unwrap_or_default();
        let incl_len = match state.parser.header().endianness {
            Endianness::Big => u32::from_be_bytes(field),
            Endianness::Little => u32::from_le_bytes(field),
        };
        if incl_len as usize > state.cap {
            // libpcap refuses these too; the framing after it is lost.
            let reason = format!(
                "packet record claims {incl_len} captured bytes, more than this file allows ({} bytes: 256 KiB, or the snap length {} when larger, up to 16 MiB); it is refused unread",
                state.cap, state.snaplen
            );
            return Ok(self.stop(&reason));
        }
        if let Some(next) = self.want(RECORD_HEADER + incl_len as usize, "a packet record")? {
            return Ok(next);
        }
        let Format::Pcap(state) = &self.format else {
            return Ok(self.finish(None));
        };
        let head = &self.buf[self.start..self.end];
        match state.parser.next_raw_packet(head) {
            Ok((rest, packet)) => {
                let used = head.len() - rest.len();
                let record = pcap_record(&packet, state, &mut self.spare);
                self.data_at = self.offset + RECORD_HEADER as u64;
                self.consume(used);
                self.number += 1;
                Ok(Next::Frame(FrameRecord {
                    number: self.number,
                    ..record
                }))
            }
            // The whole record is buffered, so this cannot happen; say so
            // rather than loop if it ever does.
            Err(PcapParseError::IncompleteBuffer(needed, have)) => Ok(self.stop(&format!(
                "internal: packet record needs {needed} bytes, {have} are buffered"
            ))),
            Err(e) => Ok(self.stop(&format!("invalid packet record: {e}"))),
        }
    }
}

fn pcap_record(packet: &RawPcapPacket, state: &PcapState, spare: &mut Spare) -> FrameRecord {
    FrameRecord {
        number: 0,
        ts: Some(Timestamp {
            secs: packet.ts_sec as i64,
            // Wrapping, as libpcap and Wireshark do, so an out-of-range
            // fraction in a broken file shows the same time in every tool.
            nanos: packet.ts_frac.wrapping_mul(state.nanos_per_frac),
        }),
        precision: state.precision,
        link: state.link,
        orig_len: packet.orig_len,
        iface: 0,
        data: spare.copy_of(&packet.data),
    }
}
