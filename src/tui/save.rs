//! `s`: write the shown packets to a capture file. pcapng when the name
//! says so or the frames mix link types; pcap otherwise.

use crate::app::FrameStore;
use crate::app::store::empty_frame;
use crate::capture::CaptureError;
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface};

/// Write store frames `frames` to `path`; returns how many were written.
pub fn save(store: &FrameStore, frames: &[u32], path: &str) -> Result<u64, CaptureError> {
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
    let file = std::fs::File::create(path).map_err(|source| CaptureError::Io {
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
