//! `s`: write packets to a capture file. pcapng when the name says so or
//! the frames mix link types; pcap otherwise. Never over the file being
//! browsed (its frames are read back from it), and over another existing
//! file only once the user said so.

use crate::app::store::empty_frame;
use crate::app::{FrameStore, Msg};
use crate::capture::CaptureError;
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface};

/// Save, unless `path` is the open capture (`open`) or exists and
/// `replace` is false: the app's answer either way.
pub fn save_checked(
    store: &FrameStore,
    frames: Vec<u32>,
    path: String,
    replace: bool,
    open: Option<&str>,
) -> Msg {
    use std::os::unix::fs::MetadataExt;
    let target = std::fs::metadata(&path);
    if let (Ok(t), Some(o)) = (&target, open.and_then(|o| std::fs::metadata(o).ok()))
        && (t.dev(), t.ino()) == (o.dev(), o.ino())
    {
        return Msg::SaveFailed(format!(
            "{path} is the capture being browsed; its packets are read from it, so it is not written over: choose another name"
        ));
    }
    if target.is_ok() && !replace {
        return Msg::SaveExists { path, frames };
    }
    match save(store, &frames, &path, replace) {
        Ok(count) => Msg::Saved { path, count },
        Err(e) => Msg::SaveFailed(e.to_string()),
    }
}

/// Write store frames `frames` to `path` (replacing a file there only when
/// `replace`); returns how many were written.
pub fn save(
    store: &FrameStore,
    frames: &[u32],
    path: &str,
    replace: bool,
) -> Result<u64, CaptureError> {
    let mut frame = empty_frame();
    let mut interfaces: Vec<SavedInterface> = Vec::new();
    for &i in frames {
        if store.load_into(i as usize, &mut frame)
            && !interfaces
                .iter()
                .any(|s| s.iface == frame.iface && s.link == frame.link)
        {
            interfaces.push(SavedInterface {
                iface: frame.iface,
                link: frame.link,
                name: None,
            });
        }
    }
    let mixed = interfaces
        .iter()
        .any(|s| Some(s.link) != interfaces.first().map(|f| f.link));
    let format = if path.ends_with(".pcapng") || mixed {
        SaveFormat::PcapNg
    } else {
        SaveFormat::Pcap
    };
    if interfaces.is_empty() {
        interfaces.push(SavedInterface {
            iface: 0,
            link: crate::frame::LinkType::ETHERNET,
            name: None,
        });
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .create_new(!replace)
        .truncate(true)
        .open(path);
    let file = file.map_err(|source| CaptureError::Io {
        path: path.to_string(),
        source,
    })?;
    let mut writer = CaptureWriter::create(Box::new(file), path, format, 0, &interfaces)?;
    for &i in frames {
        if store.load_into(i as usize, &mut frame) {
            writer.write(&frame)?;
        }
    }
    writer.finish()
}
