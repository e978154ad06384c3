//! Wireshark's Info column for STP (packet-stp.c): a configuration or
//! rapid spanning tree BPDU's root bridge (priority, system ID extension,
//! MAC), root path cost and port (IEEE 802.1D §9.3.1), and a topology
//! change notice.

use super::super::text::push_mac;
use super::super::view::View;
use super::super::{Layer, stp};

/// The Info text of the STP layer `layer`.
pub(super) fn info(data: &[u8], layer: &Layer) -> Option<String> {
    let v = View::of(data, layer);
    let (version, kind) = (v.u8(&stp::VERSION)?, v.u8(&stp::TYPE)?);
    let what = match (version, kind) {
        (_, 0x80) => return Some("Topology Change Notification".to_string()),
        (0, 0x00) => "Conf.",
        (2, 0x02) => "RST.",
        _ => return None,
    };
    let flags = v.u8(&stp::FLAGS)?;
    let root = v.bytes_at(5, 2)?;
    let root = u16::from_be_bytes([root[0], root[1]]);
    let cost = v.u32(&stp::ROOT_COST)?;
    let port = v.u16(&stp::PORT)?;
    let mut mac = String::with_capacity(17);
    push_mac(&mut mac, v.bytes(&stp::ROOT_HW)?);
    Some(format!(
        "{what} {}Root = {}/{}/{mac}  Cost = {cost}  Port = {port:#06x}",
        if flags & 0x01 != 0 { "TC + " } else { "" },
        root & 0xf000,
        root & 0x0fff,
    ))
}
