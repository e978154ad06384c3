//! Writing frames to a capture file: classic pcap with nanosecond
//! timestamps, or pcapng. Output goes to any `Write` (a file, or standard
//! output for `-w -`), and every write error reaches the caller.
//!
//! Owns the on-disk formats for writing only; must not import decoding or
//! output code.

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};

use super::CaptureError;
use crate::frame::{FrameRecord, LinkType};

/// Pcap magic announcing nanosecond timestamps, written in host byte order.
const PCAP_NANO_MAGIC: u32 = 0xa1b2_3c4d;
/// Header snap length when the capture keeps whole frames (as tcpdump).
const WHOLE_FRAME_SNAPLEN: u32 = 262_144;

const PCAPNG_SHB: u32 = 0x0A0D_0D0A;
const PCAPNG_IDB: u32 = 1;
const PCAPNG_EPB: u32 = 6;
const PCAPNG_BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const OPT_END: u16 = 0;
/// opt_comment, in any block (an EPB's: ptcpdump's process attribution).
const OPT_COMMENT: u16 = 1;
/// Longest comment written: an option length is 16 bits.
const MAX_COMMENT: usize = 4096;
const OPT_SHB_USERAPPL: u16 = 4;
const OPT_IF_NAME: u16 = 2;
const OPT_IF_TSRESOL: u16 = 9;
/// if_tsresol value for nanoseconds (10^-9).
const TSRESOL_NANOS: u8 = 9;

/// Which capture file format to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveFormat {
    /// Classic pcap, nanosecond variant (magic 0xa1b23c4d); one link type.
    Pcap,
    /// pcapng: one interface description per (interface, link type).
    PcapNg,
}

/// An interface to describe in the file before any frame arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedInterface {
    /// The `FrameRecord::iface` its frames carry.
    pub iface: u32,
    pub link: LinkType,
    /// Written as pcapng if_name when known.
    pub name: Option<String>,
}

/// Writes frames to a pcap or pcapng stream.
pub struct CaptureWriter {
    out: BufWriter<Box<dyn Write>>,
    dest: String,
    format: SaveFormat,
    snaplen: u32,
    /// pcap: the file's only link type.
    pcap_link: LinkType,
    /// pcapng: interface description number per (iface, link).
    pcapng_ids: HashMap<(u32, LinkType), u32>,
    written: u64,
}

impl std::fmt::Debug for CaptureWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureWriter")
            .field("dest", &self.dest)
            .field("format", &self.format)
            .field("written", &self.written)
            .finish_non_exhaustive()
    }
}

impl CaptureWriter {
    /// Starts a capture file on `out` and writes its header at once, so an
    /// empty capture is still a valid file. `dest` names the output in error
    /// messages; `snaplen` 0 means whole frames. Pcap takes its link type
    /// from the first of `interfaces`, which it therefore needs.
    pub fn create(
        out: Box<dyn Write>,
        dest: &str,
        format: SaveFormat,
        snaplen: u32,
        interfaces: &[SavedInterface],
    ) -> Result<CaptureWriter, CaptureError> {
        let snaplen = if snaplen == 0 {
            WHOLE_FRAME_SNAPLEN
        } else {
            snaplen
        };
        let pcap_link = match (format, interfaces.first()) {
            (SaveFormat::Pcap, None) => {
                return Err(CaptureError::Other(format!(
                    "{dest}: a pcap file needs its link type up front"
                )));
            }
            (_, first) => first.map_or(LinkType::ETHERNET, |i| i.link),
        };
        let mut writer = CaptureWriter {
            out: BufWriter::with_capacity(1 << 16, out),
            dest: dest.to_string(),
            format,
            snaplen,
            pcap_link,
            pcapng_ids: HashMap::new(),
            written: 0,
        };
        match format {
            SaveFormat::Pcap => writer.write_pcap_header()?,
            SaveFormat::PcapNg => {
                writer.write_shb()?;
                for interface in interfaces {
                    writer.add_interface(
                        interface.iface,
                        interface.link,
                        interface.name.as_deref(),
                    )?;
                }
            }
        }
        writer.flush()?;
        Ok(writer)
    }

    /// Appends one frame. Errors may surface here or only at the next
    /// `flush`, since output is buffered.
    pub fn write(&mut self, frame: &FrameRecord) -> Result<(), CaptureError> {
        self.write_commented(frame, None)
    }

    /// Appends one frame with a comment (pcapng `opt_comment`, cut to
    /// 4096 bytes at a character boundary); pcap has no place for one and
    /// drops it.
    pub fn write_commented(
        &mut self,
        frame: &FrameRecord,
        comment: Option<&str>,
    ) -> Result<(), CaptureError> {
        match self.format {
            SaveFormat::Pcap => self.write_pcap_record(frame)?,
            SaveFormat::PcapNg => self.write_epb(frame, comment)?,
        }
        self.written += 1;
        Ok(())
    }

    /// Pushes buffered frames to the output; call on every idle tick so
    /// readers of a pipe see frames promptly and write errors surface.
    pub fn flush(&mut self) -> Result<(), CaptureError> {
        let result = self.out.flush();
        result.map_err(|e| self.io_error(e))
    }

    /// Flushes everything and returns the number of frames written.
    pub fn finish(mut self) -> Result<u64, CaptureError> {
        self.flush()?;
        Ok(self.written)
    }

    /// Frames written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    fn io_error(&self, source: io::Error) -> CaptureError {
        CaptureError::Io {
            path: self.dest.clone(),
            source,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), CaptureError> {
        let result = self.out.write_all(bytes);
        result.map_err(|e| self.io_error(e))
    }

    fn write_pcap_header(&mut self) -> Result<(), CaptureError> {
        let mut header = Vec::with_capacity(24);
        header.extend_from_slice(&PCAP_NANO_MAGIC.to_ne_bytes());
        header.extend_from_slice(&2u16.to_ne_bytes());
        header.extend_from_slice(&4u16.to_ne_bytes());
        header.extend_from_slice(&0i32.to_ne_bytes()); // thiszone
        header.extend_from_slice(&0u32.to_ne_bytes()); // sigfigs
        header.extend_from_slice(&self.snaplen.to_ne_bytes());
        header.extend_from_slice(&self.pcap_link.0.to_ne_bytes());
        self.put(&header)
    }

    fn write_pcap_record(&mut self, frame: &FrameRecord) -> Result<(), CaptureError> {
        if frame.link != self.pcap_link {
            return Err(CaptureError::Other(format!(
                "{}: frame {} is {} but this pcap file holds {}; a pcap file has one link type (write pcapng instead)",
                self.dest,
                frame.number,
                frame.link.name(),
                self.pcap_link.name()
            )));
        }
        let (secs, nanos) = match frame.ts {
            Some(ts) => (
                u32::try_from(ts.secs).map_err(|_| {
                    CaptureError::Other(format!(
                        "{}: frame {} has a timestamp ({} s) that pcap cannot hold",
                        self.dest, frame.number, ts.secs
                    ))
                })?,
                ts.nanos,
            ),
            None => (0, 0),
        };
        let cap_len = self.record_len(frame)?;
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&secs.to_ne_bytes());
        header[4..8].copy_from_slice(&nanos.to_ne_bytes());
        header[8..12].copy_from_slice(&cap_len.to_ne_bytes());
        header[12..16].copy_from_slice(&frame.orig_len.max(cap_len).to_ne_bytes());
        self.put(&header)?;
        self.put(&frame.data)
    }

    fn record_len(&self, frame: &FrameRecord) -> Result<u32, CaptureError> {
        u32::try_from(frame.data.len()).map_err(|_| {
            CaptureError::Other(format!(
                "{}: frame {} is too large to save",
                self.dest, frame.number
            ))
        })
    }

    fn write_shb(&mut self) -> Result<(), CaptureError> {
        let mut body = Vec::new();
        body.extend_from_slice(&PCAPNG_BYTE_ORDER_MAGIC.to_ne_bytes());
        body.extend_from_slice(&1u16.to_ne_bytes());
        body.extend_from_slice(&0u16.to_ne_bytes());
        body.extend_from_slice(&(-1i64).to_ne_bytes()); // section length unknown
        let app = concat!("wirepeek ", env!("CARGO_PKG_VERSION"));
        push_option(&mut body, OPT_SHB_USERAPPL, app.as_bytes());
        push_option(&mut body, OPT_END, &[]);
        self.put_block(PCAPNG_SHB, &body)
    }

    fn add_interface(
        &mut self,
        iface: u32,
        link: LinkType,
        name: Option<&str>,
    ) -> Result<u32, CaptureError> {
        let link16 = u16::try_from(link.0).map_err(|_| {
            CaptureError::Other(format!(
                "{}: link type {} does not fit pcapng",
                self.dest, link.0
            ))
        })?;
        let mut body = Vec::new();
        body.extend_from_slice(&link16.to_ne_bytes());
        body.extend_from_slice(&0u16.to_ne_bytes());
        body.extend_from_slice(&self.snaplen.to_ne_bytes());
        if let Some(name) = name {
            push_option(&mut body, OPT_IF_NAME, name.as_bytes());
        }
        push_option(&mut body, OPT_IF_TSRESOL, &[TSRESOL_NANOS]);
        push_option(&mut body, OPT_END, &[]);
        self.put_block(PCAPNG_IDB, &body)?;
        let id = self.pcapng_ids.len() as u32;
        self.pcapng_ids.insert((iface, link), id);
        Ok(id)
    }

    fn write_epb(
        &mut self,
        frame: &FrameRecord,
        comment: Option<&str>,
    ) -> Result<(), CaptureError> {
        let id = match self.pcapng_ids.get(&(frame.iface, frame.link)) {
            Some(&id) => id,
            None => self.add_interface(frame.iface, frame.link, None)?,
        };
        let ts: u64 = match frame.ts {
            Some(ts) => u64::try_from(ts.as_nanos()).map_err(|_| {
                CaptureError::Other(format!(
                    "{}: frame {} has a timestamp before 1970 that pcapng cannot hold",
                    self.dest, frame.number
                ))
            })?,
            None => 0,
        };
        let cap_len = self.record_len(frame)?;
        let padded = frame.data.len().next_multiple_of(4);
        let comment = comment.map(|text| cut(text, MAX_COMMENT));
        let total = (12 + 20 + padded + comment_len(comment)) as u32;
        let mut header = [0u8; 28];
        header[0..4].copy_from_slice(&PCAPNG_EPB.to_ne_bytes());
        header[4..8].copy_from_slice(&total.to_ne_bytes());
        header[8..12].copy_from_slice(&id.to_ne_bytes());
        header[12..16].copy_from_slice(&((ts >> 32) as u32).to_ne_bytes());
        header[16..20].copy_from_slice(&(ts as u32).to_ne_bytes());
        header[20..24].copy_from_slice(&cap_len.to_ne_bytes());
        header[24..28].copy_from_slice(&frame.orig_len.max(cap_len).to_ne_bytes());
        self.put(&header)?;
        self.put(&frame.data)?;
        self.put(&[0u8; 3][..padded - frame.data.len()])?;
        if let Some(text) = comment {
            // opt_comment, padded, then opt_endofopt; written in place
            // (no buffer per packet).
            let mut head = [0u8; 4];
            head[..2].copy_from_slice(&OPT_COMMENT.to_ne_bytes());
            head[2..].copy_from_slice(&(text.len() as u16).to_ne_bytes());
            self.put(&head)?;
            self.put(text.as_bytes())?;
            self.put(&[0u8; 3][..text.len().next_multiple_of(4) - text.len()])?;
            let mut end = [0u8; 4];
            end[..2].copy_from_slice(&OPT_END.to_ne_bytes());
            self.put(&end)?;
        }
        self.put(&total.to_ne_bytes())
    }

    fn put_block(&mut self, block_type: u32, body: &[u8]) -> Result<(), CaptureError> {
        let total = (12 + body.len()) as u32;
        self.put(&block_type.to_ne_bytes())?;
        self.put(&total.to_ne_bytes())?;
        self.put(body)?;
        self.put(&total.to_ne_bytes())
    }
}

/// True when writing failed because the reader of our pipe went away
/// (`wirepeek -w - | head`), which ends a capture quietly rather than as an
/// error.
pub fn is_broken_pipe(err: &CaptureError) -> bool {
    matches!(err, CaptureError::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
}

/// Bytes an EPB's comment option adds to its block.
pub fn comment_len(comment: Option<&str>) -> usize {
    comment.map_or(0, |c| 4 + cut(c, MAX_COMMENT).len().next_multiple_of(4) + 4)
}

/// `text` cut to at most `max` bytes, at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn push_option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    body.extend_from_slice(&code.to_ne_bytes());
    body.extend_from_slice(&(value.len() as u16).to_ne_bytes());
    body.extend_from_slice(value);
    body.resize(body.len().next_multiple_of(4), 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Timestamp, TsPrecision};
    use std::sync::{Arc, Mutex};

    /// Collects output in memory so tests can inspect the bytes written.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn ethernet(iface: u32) -> SavedInterface {
        SavedInterface {
            iface,
            link: LinkType::ETHERNET,
            name: Some("lo".to_string()),
        }
    }

    fn frame(number: u64, len: usize) -> FrameRecord {
        FrameRecord {
            number,
            ts: Some(Timestamp {
                secs: 1_700_000_000,
                nanos: 123_456_789,
            }),
            precision: TsPrecision::Nano,
            link: LinkType::ETHERNET,
            orig_len: len as u32 + 10,
            iface: 1,
            data: vec![0xab; len],
        }
    }

    #[test]
    fn pcap_header_is_nanosecond_magic_with_link_type_and_snaplen() {
        let sink = Shared::default();
        let writer = CaptureWriter::create(
            Box::new(sink.clone()),
            "mem",
            SaveFormat::Pcap,
            0,
            &[ethernet(1)],
        )
        .expect("create");
        assert_eq!(writer.finish().expect("finish"), 0);
        let bytes = sink.0.lock().expect("lock").clone();
        assert_eq!(bytes.len(), 24);
        assert_eq!(bytes[0..4], PCAP_NANO_MAGIC.to_ne_bytes());
        assert_eq!(bytes[16..20], WHOLE_FRAME_SNAPLEN.to_ne_bytes());
        assert_eq!(bytes[20..24], 1u32.to_ne_bytes());
    }

    #[test]
    fn pcap_record_keeps_nanoseconds_and_original_length() {
        let sink = Shared::default();
        let mut writer = CaptureWriter::create(
            Box::new(sink.clone()),
            "mem",
            SaveFormat::Pcap,
            0,
            &[ethernet(1)],
        )
        .expect("create");
        writer.write(&frame(1, 5)).expect("write");
        writer.finish().expect("finish");
        let bytes = sink.0.lock().expect("lock").clone();
        let record = &bytes[24..];
        assert_eq!(record[4..8], 123_456_789u32.to_ne_bytes());
        assert_eq!(record[8..12], 5u32.to_ne_bytes());
        assert_eq!(record[12..16], 15u32.to_ne_bytes());
        assert_eq!(record.len(), 16 + 5);
    }

    #[test]
    fn pcap_refuses_a_second_link_type() {
        let mut writer = CaptureWriter::create(
            Box::new(Shared::default()),
            "mem",
            SaveFormat::Pcap,
            0,
            &[ethernet(1)],
        )
        .expect("create");
        let mut raw = frame(1, 20);
        raw.link = LinkType::RAW;
        let err = writer.write(&raw).expect_err("mixed link types");
        assert!(err.to_string().contains("pcapng"), "{err}");
    }

    #[test]
    fn pcapng_blocks_are_padded_and_their_lengths_match() {
        let sink = Shared::default();
        let mut writer = CaptureWriter::create(
            Box::new(sink.clone()),
            "mem",
            SaveFormat::PcapNg,
            0,
            &[ethernet(1)],
        )
        .expect("create");
        writer.write(&frame(1, 5)).expect("write");
        let mut other = frame(2, 8);
        other.iface = 7;
        writer.write(&other).expect("write");
        writer.finish().expect("finish");
        let bytes = sink.0.lock().expect("lock").clone();
        let mut types = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let block_type = read(&bytes, at);
            let len = read(&bytes, at + 4) as usize;
            assert_eq!(len % 4, 0);
            assert_eq!(read(&bytes, at + len - 4) as usize, len);
            types.push(block_type);
            at += len;
        }
        assert_eq!(at, bytes.len());
        assert_eq!(
            types,
            [PCAPNG_SHB, PCAPNG_IDB, PCAPNG_EPB, PCAPNG_IDB, PCAPNG_EPB]
        );
    }

    #[test]
    fn an_epb_comment_is_an_opt_comment_option_counted_in_the_block_length() {
        let sink = Shared::default();
        let mut writer = CaptureWriter::create(
            Box::new(sink.clone()),
            "mem",
            SaveFormat::PcapNg,
            0,
            &[ethernet(1)],
        )
        .expect("create");
        let comment = "PID: 1234, Command: curl";
        writer
            .write_commented(&frame(1, 5), Some(comment))
            .expect("write");
        writer.finish().expect("finish");
        let bytes = sink.0.lock().expect("lock").clone();
        // SHB, IDB, then the EPB: 28 header bytes, 8 of data (5 padded),
        // the option (code 1, length 24, 24 bytes), end of options, length.
        let shb = read(&bytes, 4) as usize;
        let idb = read(&bytes, shb + 4) as usize;
        let epb = &bytes[shb + idb..];
        assert_eq!(read(epb, 0), PCAPNG_EPB);
        let len = read(epb, 4) as usize;
        assert_eq!(len, 28 + 8 + 4 + 24 + 4 + 4);
        assert_eq!(len, comment_len(Some(comment)) + 32 + 8);
        assert_eq!(epb[36..38], 1u16.to_ne_bytes());
        assert_eq!(epb[38..40], 24u16.to_ne_bytes());
        assert_eq!(&epb[40..64], comment.as_bytes());
        assert_eq!(epb[64..68], [0, 0, 0, 0]);
        assert_eq!(read(epb, len - 4) as usize, len);
        assert_eq!(epb.len(), len);
    }

    fn read(bytes: &[u8], at: usize) -> u32 {
        u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    }

    #[test]
    fn broken_pipe_is_recognised() {
        let err = CaptureError::Io {
            path: "-".to_string(),
            source: io::Error::from(io::ErrorKind::BrokenPipe),
        };
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&CaptureError::Other("x".to_string())));
    }
}
