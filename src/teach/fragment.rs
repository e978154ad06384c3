//! The fragmentation lesson: what a fragment's identification, More
//! Fragments flag and offset say (the offset counts 8-byte units), which
//! bytes of the datagram it carries, and where the datagram was put back
//! together. Built from the decoder's fragment facts (`Dissection::
//! fragment`) and, for the reassembly, what the caller's pipeline found.
//! Uses `frame` and `decode` only.

use crate::decode::{Dissection, Proto};

/// Where the whole datagram was rebuilt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reassembled {
    /// The frame whose arrival completed it.
    pub frame: u64,
    /// The frames of its fragments, by offset.
    pub fragments: Vec<u64>,
    /// The datagram's payload length once rebuilt.
    pub length: u64,
}

/// One fragment of an IP datagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// `IPv4` or `IPv6`.
    pub ip: &'static str,
    pub id: u32,
    pub more: bool,
    /// Byte offset of this fragment's data in the datagram's payload.
    pub offset: u32,
    /// Bytes of the datagram this fragment carries.
    pub len: usize,
    pub reassembled: Option<Reassembled>,
}

impl Fragment {
    /// The fragment facts of `d`, if it is a fragment.
    pub fn of(d: &Dissection) -> Option<Fragment> {
        let f = d.fragment.as_ref()?;
        Some(Fragment {
            ip: if f.proto == Proto::Ipv6 {
                "IPv6"
            } else {
                "IPv4"
            },
            id: f.id,
            more: f.more,
            offset: f.offset,
            len: f.payload.len(),
            reassembled: None,
        })
    }

    /// The lesson, one sentence per fact.
    pub fn sentences(&self, frame: u64) -> Vec<String> {
        let units = self.offset / 8;
        let last_byte = (self.offset as usize + self.len).saturating_sub(1);
        let id = if self.ip == "IPv4" {
            format!("0x{:04x}", self.id)
        } else {
            format!("0x{:08x}", self.id)
        };
        let mut out = vec![format!(
            "This packet is one fragment of a larger {} datagram: it was too big for the link's MTU, so the sender cut its data into pieces, each with its own copy of the IP header.",
            self.ip
        )];
        out.push(format!(
            "Identification {id}: every fragment of the same datagram carries the same number, so the receiver knows which pieces belong together."
        ));
        out.push(if self.more {
            "More Fragments (MF) = 1: more pieces of this datagram follow.".to_string()
        } else if self.offset > 0 {
            "More Fragments (MF) = 0 with a non-zero offset: this is the last piece.".to_string()
        } else {
            "More Fragments (MF) = 0 and offset 0: this datagram is whole (an atomic fragment)."
                .to_string()
        });
        out.push(format!(
            "Fragment offset {units}, counted in 8-byte units: {units} × 8 = byte {} of the datagram's data, so this piece carries its bytes {} to {last_byte} ({} bytes).{}",
            self.offset,
            self.offset,
            self.len,
            if self.more {
                " Every piece but the last carries a multiple of 8 bytes, or the next offset could not be written."
            } else {
                ""
            }
        ));
        if self.offset > 0 {
            out.push("The transport header (UDP or TCP, with the ports) travels in the first piece only: this piece alone cannot say which socket it is for.".to_string());
        }
        match &self.reassembled {
            Some(r) if r.frame == frame => out.push(format!(
                "Reassembled here: with this piece all {} fragments (frames {}) have arrived, and their data, put in order by offset, is one {}-byte datagram: the transport header and data in this lesson are read from it. Only the receiver puts fragments back together; routers pass them on as they are.",
                r.fragments.len(),
                list(&r.fragments),
                r.length
            )),
            Some(r) => out.push(format!(
                "Reassembled in frame {}: the receiver keeps the pieces until all {} (frames {}) have arrived, then puts their data in order by offset into one {}-byte datagram; routers pass fragments on as they are.",
                r.frame,
                r.fragments.len(),
                list(&r.fragments),
                r.length
            )),
            None => out.push("Not reassembled in this capture: some of its pieces are missing, so the receiver would drop the pieces it has once its reassembly timer runs out.".to_string()),
        }
        out
    }
}

fn list(frames: &[u64]) -> String {
    let parts: Vec<String> = frames.iter().map(u64::to_string).collect();
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.join(""),
    }
}
