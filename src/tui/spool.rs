//! Where the TUI's frame bytes live while it runs: the capture file itself
//! (read back by offset), or for a live capture and for standard input a
//! temporary pcapng spool, as Wireshark's dumpcap keeps one. The spool is
//! unlinked as soon as it is open, so it goes away when wirepeek exits
//! however it exits; only the index of each frame is kept in memory.

use std::cell::Cell;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::rc::Rc;

use crate::app::{FrameBytes, Indexed};
use crate::capture::CaptureError;
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface};
use crate::frame::{FrameRecord, LinkType};

/// A file read back by offset (pread), shared with nothing else.
#[derive(Debug)]
pub struct FileBytes(pub File);

impl FrameBytes for FileBytes {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.0.read_exact_at(buf, offset)
    }

    fn recall(&self) -> Option<crate::frame::Recall> {
        self.0.try_clone().ok().map(crate::frame::Recall::new)
    }
}

/// Open `path` for reading frames back.
pub fn open_bytes(path: &str) -> Result<FileBytes, CaptureError> {
    File::open(path)
        .map(FileBytes)
        .map_err(|source| CaptureError::Io {
            path: path.to_string(),
            source,
        })
}

/// Counts the bytes that reach the file.
struct Counting {
    file: File,
    written: Rc<Cell<u64>>,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written.set(self.written.get() + n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The spool's file, created and unlinked, not yet written.
#[derive(Debug)]
pub struct SpoolFile {
    file: File,
    reader: FileBytes,
    path: String,
}

/// A temporary pcapng the source thread appends frames to.
pub struct Spool {
    writer: CaptureWriter,
    written: Rc<Cell<u64>>,
    /// Where the next block starts, once everything buffered is written.
    end: u64,
    /// Interfaces described so far; a new one adds a block of its own.
    known: Vec<(u32, LinkType)>,
    path: String,
}

impl Spool {
    /// Create the spool's file in the temporary directory (`$TMPDIR`),
    /// unlinked at once. Done before privileges are given up (a capture),
    /// so the directory's owner does not matter.
    pub fn create_file() -> Result<SpoolFile, CaptureError> {
        use std::os::unix::fs::OpenOptionsExt;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "wirepeek-spool-{}-{nanos}.pcapng",
            std::process::id()
        ));
        let shown = path.display().to_string();
        let fail = |source| {
            CaptureError::Other(format!(
                "cannot create the temporary file that holds the packets, {shown} (set TMPDIR to a writable directory): {source}"
            ))
        };
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(fail)?;
        let reader = file.try_clone().map_err(fail)?;
        std::fs::remove_file(&path).map_err(fail)?;
        Ok(SpoolFile {
            file,
            reader: FileBytes(reader),
            path: shown,
        })
    }

    /// Start writing the spool; returns it and the handle to read frames
    /// back from.
    pub fn start(
        file: SpoolFile,
        interfaces: &[SavedInterface],
    ) -> Result<(Spool, FileBytes), CaptureError> {
        let written = Rc::new(Cell::new(0));
        let out = Counting {
            file: file.file,
            written: written.clone(),
        };
        let writer =
            CaptureWriter::create(Box::new(out), &file.path, SaveFormat::PcapNg, 0, interfaces)?;
        let spool = Spool {
            writer,
            end: written.get(),
            written,
            known: interfaces.iter().map(|i| (i.iface, i.link)).collect(),
            path: file.path,
        };
        Ok((spool, file.reader))
    }

    /// Append a frame; returns its index entry.
    pub fn add(&mut self, frame: &FrameRecord) -> Result<Indexed, CaptureError> {
        let padded = frame.data.len().next_multiple_of(4) as u64;
        let key = (frame.iface, frame.link);
        if !self.known.contains(&key) {
            // An interface block goes first: learn where the packet lands
            // from what was written.
            self.writer.write(frame)?;
            self.writer.flush()?;
            self.known.push(key);
            self.end = self.written.get();
            return Ok(Indexed::of(frame, self.end - 4 - padded));
        }
        self.writer.write(frame)?;
        // An enhanced packet block: 28 bytes before the data, 4 after.
        let at = self.end + 28;
        self.end += 32 + padded;
        Ok(Indexed::of(frame, at))
    }

    /// Write out what is buffered, so the app can read it back; checks that
    /// the blocks landed where they were expected.
    pub fn flush(&mut self) -> Result<(), CaptureError> {
        self.writer.flush()?;
        if self.written.get() != self.end {
            return Err(CaptureError::Other(format!(
                "{}: spool holds {} bytes, {} were expected",
                self.path,
                self.written.get(),
                self.end
            )));
        }
        Ok(())
    }
}
