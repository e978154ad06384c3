//! `frame.protocols` of a packets row, remembered by the packet's shape:
//! its link type, its layers' protocols and which of them hand on by
//! EtherType, all that `output::fields::write_protocols` reads (IGMP,
//! whose name can appear twice by message type, is always written out).
//! Packets of one kind share a shape, so the text is worked out once per
//! kind instead of once per packet.

use crate::decode::{Dissection, Proto};
use crate::frame::LinkType;
use crate::output::fields::write_protocols;

/// Shapes remembered at once, one per slot of a hash of the shape (a
/// shape that lands on a taken slot replaces it).
const SLOTS: usize = 256;
/// Deeper packets are written out each time.
const MAX_LAYERS: usize = 16;

/// A packet's shape, packed: each layer's protocol as a byte, a bit per
/// layer that hands on by EtherType, the layer count and the link type.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Shape {
    protos: u128,
    by_ethertype: u16,
    layers: u8,
    link: u32,
}

impl Shape {
    fn slot(&self) -> usize {
        let h = (self.protos as u64 ^ (self.protos >> 64) as u64 ^ u64::from(self.link))
            .wrapping_add(u64::from(self.by_ethertype) << 7 | u64::from(self.layers))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 56) as usize % SLOTS
    }
}

#[derive(Default)]
pub struct ProtocolsMemo {
    slots: Vec<Option<(Shape, String)>>,
    text: String,
}

impl ProtocolsMemo {
    /// The `frame.protocols` text of `d`; `by_ethertype` are the indices
    /// in `d.fields` of its EtherType fields (eth.type, vlan.etype, …).
    pub fn text(&mut self, link: LinkType, d: &Dissection, by_ethertype: &[usize]) -> &str {
        let mut shape = Shape {
            layers: d.layers.len() as u8,
            link: link.0,
            ..Shape::default()
        };
        let mut direct = d.layers.len() > MAX_LAYERS;
        for (i, l) in d.layers.iter().enumerate().take(MAX_LAYERS) {
            direct |= l.proto == Proto::Igmp;
            shape.protos |= u128::from(l.proto as u8) << (8 * i);
            if by_ethertype.iter().any(|f| l.fields.contains(f)) {
                shape.by_ethertype |= 1 << i;
            }
        }
        if direct {
            self.text.clear();
            write_protocols(&mut self.text, link, d);
            return &self.text;
        }
        if self.slots.is_empty() {
            self.slots.resize(SLOTS, None);
        }
        let slot = shape.slot();
        if !matches!(&self.slots[slot], Some((s, _)) if *s == shape) {
            let mut text = String::new();
            write_protocols(&mut text, link, d);
            self.slots[slot] = Some((shape, text));
        }
        match &self.slots[slot] {
            Some((_, text)) => text,
            None => "",
        }
    }
}
