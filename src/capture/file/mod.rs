//! Capture files: pcap (both byte orders, µs and ns) and pcapng (several
//! sections and interfaces, per-interface link types, `if_tsresol` and
//! `if_tsoffset`, enhanced, simple and obsolete packet blocks, custom blocks).
//!
//! Reads through a bounded buffer, so memory stays constant however large the
//! file. A record's length is checked against a cap before a byte of it is
//! buffered (see [`record_cap`]), so a header claiming 4 GB costs nothing.
//! Every record is delivered, or named in a warning with its byte offset and
//! the reason; damage inside one record never costs the records after it
//! unless the framing itself is lost. Must not import `decode`.

mod pcap;
mod pcapng;

use std::fs::File;
use std::io::Read;

use super::{CaptureError, FrameSource, Next};
use crate::frame::{LinkType, Recall, Spare};

/// How much we ask the OS for per read; also the buffer's starting size.
const READ_CHUNK: usize = 256 * 1024;

/// Records of up to this many captured bytes are always accepted: libpcap's
/// and Wireshark's limit for ordinary link types.
pub const RECORD_CAP: usize = 256 * 1024;

/// No record is accepted above this, whatever the file's snap length says.
pub const RECORD_CAP_MAX: usize = 16 * 1024 * 1024;

/// Warnings kept for the end of the file; later ones are only counted.
const MAX_WARNINGS: usize = 100;

/// The largest captured length accepted for a file whose header gives
/// `snaplen`: [`RECORD_CAP`], or the snap length when larger, up to
/// [`RECORD_CAP_MAX`].
pub fn record_cap(snaplen: u32) -> usize {
    usize::try_from(snaplen)
        .unwrap_or(RECORD_CAP_MAX)
        .clamp(RECORD_CAP, RECORD_CAP_MAX)
}

const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const PCAP_MAGICS: [[u8; 4]; 4] = [
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
    [0x4d, 0x3c, 0xb2, 0xa1],
];

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
    /// Before the file header is read.
    Unread,
    Pcap(pcap::PcapState),
    PcapNg(pcapng::NgState),
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
    /// File offset of the captured bytes of the frame last returned.
    data_at: u64,
    format: Format,
    info: FileInfo,
    number: u64,
    finished: bool,
    /// For a pipe or FIFO (not a regular file): its descriptor, so the
    /// reader can tell when no more bytes are waiting (see `would_wait`).
    stream_fd: Option<i32>,
    /// `Next::Idle` was just returned: the next read may wait.
    told_idle: bool,
    /// A regular file another program is still writing: its end is
    /// `Next::Idle`, not `End`, and a record cut there is waited for.
    follow: bool,
    /// Records skipped (or shown with something missing) that the caller
    /// has not yet taken with [`FileSource::take_warnings`]; handed over
    /// with `Next::End` otherwise.
    warnings: Vec<String>,
    /// Warnings past [`MAX_WARNINGS`], counted only.
    warnings_dropped: u64,
    /// Buffers of frames already handled, for the next records' bytes.
    spare: Spare,
    /// The file again, for reads by offset: a regular file opened by path.
    recall: Option<Recall>,
}

impl FileSource {
    /// Open a capture file by path; `-` reads standard input.
    pub fn open(path: &str) -> Result<FileSource, CaptureError> {
        use std::os::fd::AsRawFd;
        let mut recall = None;
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
            if !is_stream(fd) {
                recall = file.try_clone().ok().map(Recall::new);
            }
            (Box::new(file), fd)
        };
        let stream_fd = is_stream(fd).then_some(fd);
        let mut source = FileSource::from_reader(path, reader)?;
        source.stream_fd = stream_fd;
        source.recall = recall;
        Ok(source)
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
            data_at: 0,
            format: Format::Unread,
            info: FileInfo {
                format: FileFormat::Pcap,
                link_types: Vec::new(),
                big_endian: false,
            },
            number: 0,
            finished: false,
            stream_fd: None,
            told_idle: false,
            follow: false,
            warnings: Vec::new(),
            warnings_dropped: 0,
            spare: Spare::default(),
            recall: None,
        };
        source.read_header()?;
        Ok(source)
    }

    /// What the file header said.
    pub fn info(&self) -> &FileInfo {
        &self.info
    }

    /// The file offset of the captured bytes of the frame last returned,
    /// so a reader can index a file and read frames back later (the TUI).
    pub fn frame_offset(&self) -> u64 {
        self.data_at
    }

    /// Follow a file that grows (`tail -f`): at its end `next_frame` says
    /// `Idle`, and a later call reads what was written meanwhile; a record
    /// only partly written is kept and completed, never reported as damage.
    pub fn follow(&mut self, on: bool) {
        self.follow = on;
    }

    /// Bytes read so far: every complete record up to here was returned.
    pub fn consumed(&self) -> u64 {
        self.offset
    }

    /// The start and the bytes so far of a record not yet complete at the
    /// end of what was read.
    pub fn pending(&self) -> Option<(u64, usize)> {
        (self.end > self.start).then(|| (self.offset, self.end - self.start))
    }

    /// Warnings about records skipped so far (each names the file, the
    /// record's byte offset and the reason), for a caller that prints them
    /// as they happen. Whatever is not taken here comes with `Next::End`.
    pub fn take_warnings(&mut self) -> Vec<String> {
        let mut taken = std::mem::take(&mut self.warnings);
        if self.warnings_dropped > 0 {
            taken.push(format!(
                "{}: {} more records had problems like these; only the first {MAX_WARNINGS} are named",
                self.path, self.warnings_dropped
            ));
            self.warnings_dropped = 0;
        }
        taken
    }

    /// Note a problem with the record at the current offset and go on.
    fn warn(&mut self, reason: &str) {
        if self.warnings.len() < MAX_WARNINGS {
            let text = format!("{}: byte offset {}: {reason}", self.path, self.offset);
            self.warnings.push(text);
        } else {
            self.warnings_dropped += 1;
        }
    }

    /// The source is done; `last` says why it stopped early, if it did. The
    /// warnings not yet taken come first, one per line.
    fn finish(&mut self, last: Option<String>) -> Next {
        self.finished = true;
        let mut lines = self.take_warnings();
        lines.extend(last);
        // `main` and `run` print the warning after "wirepeek: warning: ";
        // each further line gets the same prefix so every one reads alike.
        let warning = (!lines.is_empty()).then(|| lines.join("\nwirepeek: warning: "));
        Next::End { warning }
    }

    /// Stop at a record that cannot be framed, saying where and why.
    fn stop(&mut self, reason: &str) -> Next {
        let text = format!(
            "{}: byte offset {}: {reason}; every packet before it was read",
            self.path, self.offset
        );
        self.finish(Some(text))
    }

    fn not_a_capture(&self, reason: String) -> CaptureError {
        CaptureError::NotACapture {
            path: self.path.clone(),
            reason,
        }
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

    /// Make sure at least `want` unread bytes are buffered, unless the stream
    /// ends first. Grows the buffer only as real data arrives; callers check
    /// `want` against a record cap first.
    fn fill(&mut self, want: usize) -> Result<(), CaptureError> {
        while self.end - self.start < want && !self.eof {
            if self.start > 0 && self.end == self.buf.len() {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                // Room for the record asked for, in whole reads, and no more
                // (callers check `want` against a cap first).
                let len = (self.start + want)
                    .next_multiple_of(READ_CHUNK)
                    .max(self.buf.len() + READ_CHUNK);
                self.buf.resize(len, 0);
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

    /// Have `n` bytes of the record starting at the current offset buffered.
    /// `Some(next)` when the caller must return that instead: `Idle` on a
    /// stream with nothing waiting, `End` at the end of the input (clean at
    /// a record boundary, a warning inside `what`).
    fn want(&mut self, n: usize, what: &str) -> Result<Option<Next>, CaptureError> {
        while self.end - self.start < n {
            if self.eof && self.follow {
                // More may be written: read again on the next call.
                self.eof = false;
                return Ok(Some(Next::Idle));
            }
            if self.eof {
                if self.end == self.start {
                    return Ok(Some(self.finish(None)));
                }
                let text = format!(
                    "{}: file ends in the middle of {what} that starts at byte offset {} (only {} bytes of it are there); every complete packet before it was read",
                    self.path,
                    self.offset,
                    self.end - self.start
                );
                return Ok(Some(self.finish(Some(text))));
            }
            if self.would_wait() {
                return Ok(Some(Next::Idle));
            }
            self.fill(n)?;
        }
        Ok(None)
    }

    /// The buffered bytes from the current offset on.
    fn head(&self) -> &[u8] {
        &self.buf[self.start..self.end]
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
        let head = self.head();
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
}

impl FrameSource for FileSource {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        if self.finished {
            return Ok(Next::End { warning: None });
        }
        match self.format {
            Format::Unread => Ok(self.finish(None)),
            Format::Pcap(_) => self.next_pcap(),
            Format::PcapNg(_) => self.next_pcapng(),
        }
    }

    fn recycle(&mut self, data: Vec<u8>) {
        self.spare.put(data);
    }

    fn recall(&self) -> Option<Recall> {
        self.recall.clone()
    }

    fn data_offset(&self) -> Option<u64> {
        self.recall.as_ref().map(|_| self.data_at)
    }
}

/// A pipe, FIFO, socket or terminal: reads may wait for a writer.
fn is_stream(fd: i32) -> bool {
    // SAFETY: fstat fills the zeroed stat it is given, for a descriptor
    // the caller holds open; on failure we treat it as a regular file.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    (unsafe { libc::fstat(fd, &mut st) } == 0) && (st.st_mode & libc::S_IFMT) != libc::S_IFREG
}

#[cfg(test)]
mod tests;
