//! A header read through its fields' definitions (smoltcp's
//! `Packet<&[u8]>`, over the registry's byte ranges and masks): how code
//! outside a dissector — the summary lines, flow tracking — reads a value
//! from a header the dissector has found, so every header is described in
//! one place, its protocol's `fields!` table.
//!
//! ```ignore
//! let ip = View::of(data, layer);
//! let ttl = ip.uint(&ipv4::TTL);          // Some(64)
//! let src = ip.ipv4(&ipv4::SRC);          // Some(10.0.0.1)
//! let flags = tcp_view.uint(&tcp::FLAGS); // the 12 flag bits, shifted down
//! ```
//!
//! Every read is checked: a field past the captured bytes is `None`, never
//! a panic.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::Layer;
use super::field::FieldDef;

/// One header's bytes: the frame (or reassembled data) and where the
/// header starts in it.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    data: &'a [u8],
    start: usize,
}

impl<'a> View<'a> {
    /// The header that starts at `start` in `data`.
    pub fn at(data: &'a [u8], start: usize) -> View<'a> {
        View { data, start }
    }

    /// The header of `layer` (its bytes in `data`).
    pub fn of(data: &'a [u8], layer: &Layer) -> View<'a> {
        View::at(data, layer.header.start)
    }

    /// Where the header starts.
    pub fn start(&self) -> usize {
        self.start
    }

    /// A field's bytes, if it has a fixed place and they were captured.
    #[inline]
    pub fn bytes(&self, def: &FieldDef) -> Option<&'a [u8]> {
        let r = def.bytes.as_ref()?;
        self.data.get(self.start + r.start..self.start + r.end)
    }

    /// A field's value: its bytes big-endian, masked and shifted down to
    /// the mask's lowest bit (the value Wireshark shows for a bit field).
    #[inline]
    pub fn uint(&self, def: &FieldDef) -> Option<u64> {
        let raw = self
            .bytes(def)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        Some(if def.mask == 0 {
            raw
        } else {
            (raw & def.mask) >> def.mask.trailing_zeros()
        })
    }

    /// A field of at most 8 bits.
    #[inline]
    pub fn u8(&self, def: &FieldDef) -> Option<u8> {
        self.uint(def).and_then(|v| u8::try_from(v).ok())
    }

    /// A field of at most 16 bits.
    #[inline]
    pub fn u16(&self, def: &FieldDef) -> Option<u16> {
        self.uint(def).and_then(|v| u16::try_from(v).ok())
    }

    /// A field of at most 32 bits.
    #[inline]
    pub fn u32(&self, def: &FieldDef) -> Option<u32> {
        self.uint(def).and_then(|v| u32::try_from(v).ok())
    }

    /// A four-byte address field.
    pub fn ipv4(&self, def: &FieldDef) -> Option<Ipv4Addr> {
        let b: [u8; 4] = self.bytes(def)?.try_into().ok()?;
        Some(b.into())
    }

    /// A sixteen-byte address field.
    pub fn ipv6(&self, def: &FieldDef) -> Option<Ipv6Addr> {
        let b: [u8; 16] = self.bytes(def)?.try_into().ok()?;
        Some(b.into())
    }

    /// Bytes at an offset the header itself gives (after variable-length
    /// parts, as ARP's addresses sized by its own size fields).
    pub fn bytes_at(&self, offset: usize, len: usize) -> Option<&'a [u8]> {
        self.data
            .get(self.start + offset..self.start + offset + len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{ipv4, ipv6, tcp, udp, vlan};

    /// RFC 791's example-shaped header: version 4, IHL 5, DSCP 46, ECN 1,
    /// total 60, id 0x1c46, DF, offset 0, TTL 64, TCP, 10.0.0.1 → 10.0.0.2.
    const IPV4: [u8; 20] = [
        0x45, 0xb9, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 10, 0, 0, 1, 10, 0,
        0, 2,
    ];

    #[test]
    fn fields_read_through_their_definitions() {
        let mut frame = vec![0xee; 4];
        frame.extend_from_slice(&IPV4);
        let ip = View::at(&frame, 4);
        assert_eq!(ip.uint(&ipv4::VERSION), Some(4));
        assert_eq!(ip.uint(&ipv4::HDR_LEN), Some(5));
        assert_eq!(ip.uint(&ipv4::DSFIELD_DSCP), Some(46));
        assert_eq!(ip.uint(&ipv4::DSFIELD_ECN), Some(1));
        assert_eq!(ip.u16(&ipv4::LEN), Some(60));
        assert_eq!(ip.uint(&ipv4::FLAGS_DF), Some(1));
        assert_eq!(ip.uint(&ipv4::FLAGS_MF), Some(0));
        assert_eq!(ip.uint(&ipv4::FRAG_OFFSET), Some(0));
        assert_eq!(ip.u8(&ipv4::TTL), Some(64));
        assert_eq!(ip.ipv4(&ipv4::SRC), Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(ip.ipv4(&ipv4::DST), Some(Ipv4Addr::new(10, 0, 0, 2)));
    }

    #[test]
    fn masks_shift_down_to_their_lowest_bit() {
        // VLAN TCI 0xa07b: priority 5, DEI 0, id 123.
        let tag = [0xa0, 0x7b, 0x08, 0x00];
        let v = View::at(&tag, 0);
        assert_eq!(v.uint(&vlan::PRIORITY), Some(5));
        assert_eq!(v.uint(&vlan::DEI), Some(0));
        assert_eq!(v.uint(&vlan::ID), Some(123));
        // TCP data offset 8 (32 bytes), flags SYN+ACK.
        let mut seg = [0u8; 20];
        seg[12] = 0x80;
        seg[13] = 0x12;
        let t = View::at(&seg, 0);
        assert_eq!(t.uint(&tcp::HDR_LEN), Some(8));
        assert_eq!(t.uint(&tcp::FLAGS), Some(0x012));
        assert_eq!(t.uint(&tcp::FLAGS_SYN), Some(1));
        assert_eq!(t.uint(&tcp::FLAGS_FIN), Some(0));
    }

    #[test]
    fn reads_past_the_captured_bytes_are_none() {
        let cut = [0x12, 0x34, 0x56];
        let u = View::at(&cut, 0);
        assert_eq!(u.u16(&udp::SRCPORT), Some(0x1234));
        assert_eq!(u.u16(&udp::DSTPORT), None);
        assert_eq!(View::at(&cut, 2).u16(&udp::SRCPORT), None);
        assert_eq!(View::at(&cut, 10).u16(&udp::SRCPORT), None);
        assert_eq!(u.ipv6(&ipv6::SRC), None);
        // No fixed place: nothing to read.
        assert_eq!(u.uint(&tcp::STREAM), None);
    }
}
