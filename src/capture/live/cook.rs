//! A frame's bytes as they leave the receive ring: the packet as the
//! kernel gave it, with its link header replaced by a Linux cooked header
//! (v2 for `-i any` and several `-i`, v1 for links decoders cannot frame)
//! or, on Ethernet, the 802.1Q tag the driver took out put back.

use crate::frame::LinkType;

/// Length of the Linux cooked (SLL) header we build for other link types.
const SLL_HEADER_LEN: usize = 16;
/// Linux cooked v2 header: protocol, reserved, interface index, hardware
/// type, packet type, address length, address (8 bytes).
const SLL2_HEADER_LEN: usize = 20;

/// What the ring says about one packet besides its bytes.
pub(super) struct Meta<'a> {
    pub wire_len: u32,
    /// Bytes of the captured link header (network offset − MAC offset,
    /// at most the captured length).
    pub link_header: usize,
    pub status: u32,
    pub vlan_tci: u32,
    pub vlan_tpid: u16,
    /// sockaddr_ll fields: protocol (network order), interface, hardware
    /// type, packet type, address (at most 8 bytes).
    pub sll_protocol: [u8; 2],
    pub sll_ifindex: u32,
    pub sll_hatype: u16,
    pub sll_pkttype: u8,
    pub sll_addr: &'a [u8],
}

/// The frame's bytes for link type `link` and its wire length.
pub(super) fn frame_bytes(link: LinkType, bytes: &[u8], m: &Meta) -> (Vec<u8>, u32) {
    let captured = bytes.len();
    let skipped = m.link_header.min(captured);
    let halen = m.sll_addr.len().min(8);
    let mut addr = [0u8; 8];
    addr[..halen].copy_from_slice(&m.sll_addr[..halen]);
    if link == LinkType::LINUX_SLL2 {
        // Each interface's own link header gives way to a cooked v2 header
        // that names the interface and direction.
        let mut data = Vec::with_capacity(SLL2_HEADER_LEN + captured - skipped);
        data.extend_from_slice(&m.sll_protocol);
        data.extend_from_slice(&[0, 0]);
        data.extend_from_slice(&m.sll_ifindex.to_be_bytes());
        data.extend_from_slice(&m.sll_hatype.to_be_bytes());
        data.push(m.sll_pkttype);
        data.push(halen as u8);
        data.extend_from_slice(&addr);
        data.extend_from_slice(&bytes[skipped..]);
        let orig = m.wire_len - skipped as u32 + SLL2_HEADER_LEN as u32;
        (data, orig)
    } else if link == LinkType::LINUX_SLL {
        // Cooked capture: replace whatever link header there is with an
        // SLL header, since decoders cannot know this link's framing.
        let mut data = Vec::with_capacity(SLL_HEADER_LEN + captured - skipped);
        data.extend_from_slice(&u16::from(m.sll_pkttype).to_be_bytes());
        data.extend_from_slice(&m.sll_hatype.to_be_bytes());
        data.extend_from_slice(&(halen as u16).to_be_bytes());
        data.extend_from_slice(&addr);
        data.extend_from_slice(&m.sll_protocol);
        data.extend_from_slice(&bytes[skipped..]);
        let orig = m.wire_len - skipped as u32 + SLL_HEADER_LEN as u32;
        (data, orig)
    } else if link == LinkType::ETHERNET
        && m.status & libc::TP_STATUS_VLAN_VALID != 0
        && captured >= 12
    {
        // The NIC or driver stripped the 802.1Q tag into metadata; put it
        // back where it was on the wire.
        let tpid = if m.status & libc::TP_STATUS_VLAN_TPID_VALID != 0 {
            m.vlan_tpid
        } else {
            0x8100
        };
        let mut data = Vec::with_capacity(captured + 4);
        data.extend_from_slice(&bytes[..12]);
        data.extend_from_slice(&tpid.to_be_bytes());
        data.extend_from_slice(&(m.vlan_tci as u16).to_be_bytes());
        data.extend_from_slice(&bytes[12..]);
        (data, m.wire_len + 4)
    } else {
        (bytes.to_vec(), m.wire_len)
    }
}
