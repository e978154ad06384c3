//! Application bytes we do not dissect, and bytes we cannot: both become a
//! layer so every captured byte belongs to some layer.

use super::field::{FieldDef, Format::*};
use super::{Ctx, NoteKind, Proto, Severity, Value};

crate::fields! {
    DATA = FieldDef::var("data.data", "Data", Bytes).spec("Wireshark");
    LEN = FieldDef::generated("data.len", "Length", Dec);
}

/// The bytes `from..to` are application data.
pub fn data(ctx: &mut Ctx, from: usize, to: usize) {
    let to_captured = to.min(ctx.data.len());
    if from >= to_captured {
        return;
    }
    ctx.layer(Proto::Payload, from..to_captured);
    ctx.bytes_at(&DATA, from..to_captured);
    ctx.generated(&LEN, Value::UInt((to - from) as u64));
}

/// The bytes `from..to` belong to something we do not decode; `why` says what.
pub fn unsupported(ctx: &mut Ctx, from: usize, to: usize, why: impl FnOnce() -> String) {
    let to_captured = to.min(ctx.data.len());
    if from >= to_captured {
        return;
    }
    ctx.layer(Proto::Unsupported, from..to_captured);
    ctx.bytes_at(&DATA, from..to_captured);
    ctx.generated(&LEN, Value::UInt((to - from) as u64));
    let message = why();
    ctx.note(
        Severity::Note,
        NoteKind::Unsupported,
        Proto::Unsupported,
        from,
        message,
    );
}

#[cfg(test)]
mod tests {
    use crate::decode::ethernet::tests::{decode_raw, get, ipv4, note};
    use crate::decode::{NoteKind, Proto, Value};

    #[test]
    fn data_cut_by_the_snap_length_covers_the_captured_bytes_and_counts_the_wire_ones() {
        let mut bytes = ipv4(17, 40);
        bytes.extend([
            0x13, 0x88, 0x9c, 0x40, // UDP ports 5000 -> 40000
            0x00, 0x14, 0x00, 0x00, // UDP length 20, no checksum
            b'h', b'e', b'l', b'l', // the first 4 of 12 data bytes; capture ends
        ]);
        let d = decode_raw(bytes, 40);
        assert_eq!(
            d.layer(Proto::Payload).map(|l| l.header.clone()),
            Some(28..32)
        );
        assert_eq!(get(&d, "data.data"), (Value::Bytes(28..32), 28..32, 0));
        // data.len counts what was on the wire, not what was kept.
        assert_eq!(get(&d, "data.len").0, Value::UInt(12));
    }

    #[test]
    fn empty_payload_makes_no_layer() {
        let mut bytes = ipv4(17, 28);
        bytes.extend([0x13, 0x88, 0x9c, 0x40, 0x00, 0x08, 0x00, 0x00]); // UDP, length 8
        let d = decode_raw(bytes, 28);
        assert!(!d.has(Proto::Payload));
        assert!(d.field("data.data").is_none());
    }

    #[test]
    fn unknown_ip_protocol_is_an_undecoded_layer_with_a_note_saying_which() {
        let mut bytes = ipv4(89, 24); // protocol 89: OSPF, which we do not decode
        bytes.extend([0x02, 0x01, 0x00, 0x2c]); // OSPFv2 hello, length 44
        let d = decode_raw(bytes, 24);
        let layer = d.layer(Proto::Unsupported).map(|l| l.header.clone());
        assert_eq!(layer, Some(20..24));
        assert_eq!(get(&d, "data.data").1, 20..24);
        let why = note(&d, Proto::Unsupported, NoteKind::Unsupported);
        assert!(why.contains("IP protocol 89 (OSPF)"), "{why}");
    }
}
