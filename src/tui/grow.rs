//! Following a capture file that another program is still writing
//! (`tcpdump -w x.pcap` in one terminal, `wirepeek tui x.pcap` in
//! another), as `tail -f` does: once the reader has reached the end of
//! what is written, it looks again every `POLL` (one `read` and one
//! `stat`), hands new complete records to the app as they appear, and
//! waits for a record that is only partly written (tcpdump writes in
//! buffer-sized pieces) instead of calling it damage. The app is told
//! whenever the reader reaches the end (`Msg::Watching`), with what is
//! pending there, so a file that is really cut says so on the status bar
//! instead of waiting silently. A file that shrinks (rewritten, cut) stops
//! the following with a warning.

use std::cell::Cell;
use std::time::Duration;

use crate::capture::file::FileSource;
use crate::capture::{CaptureError, FrameSource, Next};

/// How often the end of a followed file is looked at again.
pub const POLL: Duration = Duration::from_millis(200);

/// A file source that says where in the file each frame's bytes are and,
/// when following, what waits at the end.
pub struct Measured<'a> {
    pub inner: FileSource,
    /// The number and file offset of the frame last read.
    pub at: &'a Cell<(u64, u64)>,
    /// Following the file at this path.
    pub follow: Option<String>,
    /// Set at each end reached: the start and length of a record not yet
    /// complete, if any.
    pub at_end: &'a Cell<Option<Option<(u64, u64)>>>,
    /// The last call ended at the end of the file: wait before reading.
    pub waited: bool,
}

impl<'a> Measured<'a> {
    /// `inner`, followed as it grows when `follow` names its path.
    pub fn new(
        mut inner: FileSource,
        at: &'a Cell<(u64, u64)>,
        at_end: &'a Cell<Option<Option<(u64, u64)>>>,
        follow: Option<String>,
    ) -> Measured<'a> {
        inner.follow(follow.is_some());
        Measured {
            inner,
            at,
            follow,
            at_end,
            waited: false,
        }
    }

    /// After a wait: the file must not have become shorter than what was
    /// read of it.
    fn still_there(&self, path: &str) -> Result<(), String> {
        let read = self.inner.consumed() + self.inner.pending().map_or(0, |(_, n)| n as u64);
        match std::fs::metadata(path) {
            Ok(m) if m.len() >= read => Ok(()),
            Ok(m) => Err(format!(
                "{path}: the file shrank from {read} to {} bytes while open (rewritten or cut?); it is no longer followed, and packets past its new end cannot be read back",
                m.len()
            )),
            Err(e) => Err(format!(
                "{path}: cannot look at the file any more ({e}); it is no longer followed"
            )),
        }
    }
}

impl FrameSource for Measured<'_> {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        if std::mem::take(&mut self.waited)
            && let Some(path) = &self.follow
        {
            std::thread::sleep(POLL);
            if let Err(warning) = self.still_there(path) {
                return Ok(Next::End {
                    warning: Some(warning),
                });
            }
        }
        let next = self.inner.next_frame()?;
        match &next {
            Next::Frame(f) => self.at.set((f.number, self.inner.frame_offset())),
            Next::Idle if self.follow.is_some() => {
                self.waited = true;
                let pending = self.inner.pending().map(|(at, n)| (at, n as u64));
                self.at_end.set(Some(pending));
            }
            _ => {}
        }
        Ok(next)
    }

    crate::forward_to_inner!();
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A little-endian microsecond pcap header for Ethernet.
    fn pcap_header() -> Vec<u8> {
        let mut h = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        h.extend_from_slice(&[0; 8]);
        h.extend_from_slice(&65535u32.to_le_bytes());
        h.extend_from_slice(&1u32.to_le_bytes());
        h
    }

    /// One record of `len` bytes, each `fill`.
    fn record(secs: u32, len: u32, fill: u8) -> Vec<u8> {
        let mut r = Vec::new();
        for v in [secs, 0, len, len] {
            r.extend_from_slice(&v.to_le_bytes());
        }
        r.extend(std::iter::repeat_n(fill, len as usize));
        r
    }

    #[test]
    fn a_half_written_record_is_waited_for_then_read_whole() {
        let dir = std::env::temp_dir().join(format!("wirepeek-grow-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let path = dir.join("growing.pcap");
        let mut file = std::fs::File::create(&path).expect("the file");
        file.write_all(&pcap_header()).expect("written");
        file.write_all(&record(1, 60, 0xaa)).expect("written");
        let second = record(2, 70, 0xbb);
        file.write_all(&second[..30]).expect("written");
        file.flush().expect("flushed");

        let name = path.to_string_lossy().into_owned();
        let source = FileSource::open(&name).expect("it opens");
        let (at, at_end) = (Cell::new((0, 0)), Cell::new(None));
        let mut m = Measured::new(source, &at, &at_end, Some(name.clone()));
        let Ok(Next::Frame(f)) = m.next_frame() else {
            panic!("the first record");
        };
        assert_eq!((f.number, f.data.len()), (1, 60));
        assert_eq!(at.get(), (1, 24 + 16));
        // Half of the second record: waited for, not a warning.
        assert!(matches!(m.next_frame(), Ok(Next::Idle)));
        assert_eq!(at_end.get(), Some(Some((24 + 16 + 60, 30))));
        // Still half: still waiting, after one poll.
        assert!(matches!(m.next_frame(), Ok(Next::Idle)));
        file.write_all(&second[30..]).expect("written");
        file.flush().expect("flushed");
        let Ok(Next::Frame(f)) = m.next_frame() else {
            panic!("the second record, whole");
        };
        assert_eq!((f.number, f.data.len(), f.data[69]), (2, 70, 0xbb));
        assert_eq!(at.get(), (2, 24 + 16 + 60 + 16));
        // A clean end: nothing pending.
        assert!(matches!(m.next_frame(), Ok(Next::Idle)));
        assert_eq!(at_end.get(), Some(None));
        // Cut shorter than what was read: a warning, and the end.
        file.set_len(100).expect("cut");
        match m.next_frame() {
            Ok(Next::End { warning: Some(w) }) => assert!(w.contains("shrank"), "{w}"),
            other => panic!("{other:?}"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_not_followed_still_reports_its_cut_record() {
        let dir = std::env::temp_dir().join(format!("wirepeek-cut-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let path = dir.join("cut.pcap");
        let mut bytes = pcap_header();
        bytes.extend(record(1, 60, 0xaa));
        bytes.extend(&record(2, 70, 0xbb)[..30]);
        std::fs::write(&path, bytes).expect("written");
        let name = path.to_string_lossy().into_owned();
        let source = FileSource::open(&name).expect("it opens");
        let (at, at_end) = (Cell::new((0, 0)), Cell::new(None));
        let mut m = Measured::new(source, &at, &at_end, None);
        assert!(matches!(m.next_frame(), Ok(Next::Frame(_))));
        match m.next_frame() {
            Ok(Next::End { warning: Some(w) }) => assert!(w.contains("middle of"), "{w}"),
            other => panic!("{other:?}"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
