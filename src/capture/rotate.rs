//! Capture files that rotate, with tcpdump's meaning and names (`-C`, `-G`,
//! `-W`): a new file once the current one holds `-C` million bytes, or every
//! `-G` seconds (the `-w` name then a strftime(3) pattern), and with `-W` at
//! most that many files: a ring that overwrites the oldest with `-C`, an end
//! to the capture with `-G` alone. Every file is a whole capture file when
//! it is closed (header first, records whole, flushed).
//!
//! Names, as tcpdump's: with `-C` the first file is the `-w` name and later
//! ones add a number from 1 (`cap`, `cap1`, `cap2`…); with `-W` every file
//! is numbered from 0, padded to the width of `-W`'s largest number
//! (`cap0`…`cap9` for `-W 10`).

use std::io::Write;
use std::time::Instant;

use super::CaptureError;
use super::save::{CaptureWriter, SaveFormat, SavedInterface, comment_len};
use crate::frame::FrameRecord;

/// When to start a new file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    /// `-C N`: bytes per file (N million).
    pub file_bytes: Option<u64>,
    /// `-G SECS`.
    pub seconds: Option<u64>,
    /// `-W N`.
    pub files: Option<u32>,
}

impl Rotation {
    /// True when any rotation was asked for.
    pub fn active(&self) -> bool {
        self.file_bytes.is_some() || self.seconds.is_some()
    }
}

/// A capture writer that moves on to a new file as `Rotation` says.
#[derive(Debug)]
pub struct RotatingWriter {
    base: String,
    format: SaveFormat,
    snaplen: u32,
    interfaces: Vec<SavedInterface>,
    rotation: Rotation,
    current: Option<CaptureWriter>,
    /// Files opened so far.
    opened: u64,
    /// Record bytes in the current file (tcpdump compares its file offset).
    bytes: u64,
    since: Instant,
    written: u64,
    /// The names of the files written, in order (the current one last).
    names: Vec<String>,
}

impl RotatingWriter {
    /// Open the first file.
    pub fn create(
        base: &str,
        format: SaveFormat,
        snaplen: u32,
        interfaces: &[SavedInterface],
        rotation: Rotation,
    ) -> Result<RotatingWriter, CaptureError> {
        let mut w = RotatingWriter {
            base: base.to_string(),
            format,
            snaplen,
            interfaces: interfaces.to_vec(),
            rotation,
            current: None,
            opened: 0,
            bytes: 0,
            since: Instant::now(),
            written: 0,
            names: Vec::new(),
        };
        w.open_next()?;
        Ok(w)
    }

    /// The file names written so far, oldest first.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Write one frame, starting a new file first when one is due. `false`
    /// when `-W` files of `-G` seconds are done and the capture should end.
    pub fn write(&mut self, frame: &FrameRecord) -> Result<bool, CaptureError> {
        self.write_commented(frame, None)
    }

    /// `write`, with a comment for the frame's pcapng record.
    pub fn write_commented(
        &mut self,
        frame: &FrameRecord,
        comment: Option<&str>,
    ) -> Result<bool, CaptureError> {
        let full = self
            .rotation
            .file_bytes
            .is_some_and(|limit| self.bytes >= limit);
        // A file gets at least one frame before it is left for the next.
        let late = self.bytes > 0
            && self
                .rotation
                .seconds
                .is_some_and(|secs| self.since.elapsed().as_secs() >= secs);
        if full || late {
            let ring = self.rotation.file_bytes.is_some();
            if late
                && !ring
                && self
                    .rotation
                    .files
                    .is_some_and(|n| self.opened >= u64::from(n))
            {
                return Ok(false);
            }
            self.open_next()?;
        }
        let writer = self.current.as_mut().expect("a file is always open");
        writer.write_commented(frame, comment)?;
        self.written += 1;
        self.bytes += match self.format {
            SaveFormat::Pcap => 16 + frame.data.len() as u64,
            SaveFormat::PcapNg => {
                (32 + frame.data.len().next_multiple_of(4) + comment_len(comment)) as u64
            }
        };
        Ok(true)
    }

    /// Push buffered frames to the current file.
    pub fn flush(&mut self) -> Result<(), CaptureError> {
        match &mut self.current {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }

    /// Close the current file; the number of frames written in all files.
    pub fn finish(mut self) -> Result<u64, CaptureError> {
        if let Some(w) = self.current.take() {
            w.finish()?;
        }
        Ok(self.written)
    }

    fn open_next(&mut self) -> Result<(), CaptureError> {
        if let Some(w) = self.current.take() {
            w.finish()?;
        }
        let name = self.file_name(self.opened);
        let file = std::fs::File::create(&name).map_err(|source| {
            if source.kind() == std::io::ErrorKind::PermissionDenied && self.opened > 0 {
                // Later files are created after privileges were given up.
                CaptureError::Other(format!(
                    "{name}: cannot create the next file: {source}; the capture gave up its privileges once the socket was open, so the directory must be writable by the user it runs as (-Z USER chooses it)"
                ))
            } else {
                CaptureError::Io {
                    path: name.clone(),
                    source,
                }
            }
        })?;
        let sink: Box<dyn Write> = Box::new(file);
        self.current = Some(CaptureWriter::create(
            sink,
            &name,
            self.format,
            self.snaplen,
            &self.interfaces,
        )?);
        self.opened += 1;
        self.bytes = 0;
        self.since = Instant::now();
        self.names.push(name);
        Ok(())
    }

    /// The name of file number `n` (0 is the first opened).
    fn file_name(&self, n: u64) -> String {
        let base = if self.rotation.seconds.is_some() {
            strftime_now(&self.base)
        } else {
            self.base.clone()
        };
        if self.rotation.file_bytes.is_none() {
            return base;
        }
        match self.rotation.files {
            Some(files) => {
                let width = (files.saturating_sub(1)).max(1).to_string().len();
                format!("{base}{:0width$}", n % u64::from(files))
            }
            None if n == 0 => base,
            None => format!("{base}{n}"),
        }
    }
}

/// `pattern` expanded by strftime(3) for the local time now.
fn strftime_now(pattern: &str) -> String {
    let Ok(c_pattern) = std::ffi::CString::new(pattern) else {
        return pattern.to_string();
    };
    // SAFETY: time(NULL) has no preconditions; `tm` is plain data that
    // localtime_r fills; strftime writes at most buf.len() bytes into buf
    // and returns how many (0 when it did not fit).
    unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() {
            return pattern.to_string();
        }
        let mut buf = vec![0u8; pattern.len() * 4 + 256];
        let n = libc::strftime(buf.as_mut_ptr().cast(), buf.len(), c_pattern.as_ptr(), &tm);
        if n == 0 {
            return pattern.to_string();
        }
        buf.truncate(n);
        String::from_utf8_lossy(&buf).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{LinkType, Timestamp, TsPrecision};

    fn frame(n: u64, len: usize) -> FrameRecord {
        FrameRecord {
            number: n,
            ts: Some(Timestamp {
                secs: 1_700_000_000,
                nanos: 0,
            }),
            precision: TsPrecision::Nano,
            link: LinkType::ETHERNET,
            orig_len: len as u32,
            iface: 0,
            data: vec![0xab; len],
        }
    }

    fn iface() -> Vec<SavedInterface> {
        vec![SavedInterface {
            iface: 0,
            link: LinkType::ETHERNET,
            name: None,
        }]
    }

    #[test]
    fn file_size_rotation_names_files_as_tcpdump_and_keeps_every_frame_whole() {
        let dir = std::env::temp_dir().join(format!("wirepeek-rotate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let base = dir.join("cap").to_string_lossy().into_owned();
        let rotation = Rotation {
            file_bytes: Some(10_000),
            ..Rotation::default()
        };
        let mut w = RotatingWriter::create(&base, SaveFormat::Pcap, 0, &iface(), rotation).unwrap();
        for n in 1..=100 {
            assert!(w.write(&frame(n, 984)).unwrap());
        }
        let names = w.names().to_vec();
        assert_eq!(w.finish().unwrap(), 100);
        // 1,000 bytes a record: a new file after every 10.
        assert_eq!(names.len(), 10);
        assert_eq!(names[0], base);
        assert_eq!(names[1], format!("{base}1"));
        assert_eq!(names[9], format!("{base}9"));
        for name in &names {
            let len = std::fs::metadata(name).unwrap().len();
            assert_eq!(
                len,
                24 + 10 * 1000,
                "{name}: a header and ten whole records"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_ring_of_w_files_overwrites_the_oldest_with_padded_numbers() {
        let dir = std::env::temp_dir().join(format!("wirepeek-ring-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let base = dir.join("ring").to_string_lossy().into_owned();
        let rotation = Rotation {
            file_bytes: Some(5_000),
            files: Some(3),
            ..Rotation::default()
        };
        let mut w = RotatingWriter::create(&base, SaveFormat::Pcap, 0, &iface(), rotation).unwrap();
        for n in 1..=40 {
            w.write(&frame(n, 984)).unwrap();
        }
        let names = w.names().to_vec();
        w.finish().unwrap();
        assert_eq!(names.len(), 8);
        assert_eq!(
            &names[..4],
            &[
                format!("{base}0"),
                format!("{base}1"),
                format!("{base}2"),
                format!("{base}0")
            ]
        );
        let on_disk: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(on_disk.len(), 3, "only -W files exist");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn time_rotation_expands_strftime_and_w_ends_the_capture() {
        let pattern = "cap-%Y";
        let expanded = strftime_now(pattern);
        assert!(
            expanded.starts_with("cap-2") && expanded.len() == 8,
            "{expanded}"
        );
        let dir = std::env::temp_dir().join(format!("wirepeek-time-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let base = dir.join("t-%S").to_string_lossy().into_owned();
        let rotation = Rotation {
            seconds: Some(0),
            files: Some(2),
            ..Rotation::default()
        };
        let mut w =
            RotatingWriter::create(&base, SaveFormat::PcapNg, 0, &iface(), rotation).unwrap();
        // -G 0 rotates before every frame: the second frame opens file 2,
        // the third would need a third file, so the capture ends.
        assert!(w.write(&frame(1, 60)).unwrap());
        assert!(w.write(&frame(2, 60)).unwrap());
        assert!(!w.write(&frame(3, 60)).unwrap());
        assert_eq!(w.finish().unwrap(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
