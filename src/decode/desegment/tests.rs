//! A dissector-independent stand-in for the application decoders: records
//! framed by a two-byte length, as DNS over TCP frames its messages (RFC
//! 1035 §4.2.2), on a port no real protocol here uses. Only for tests.

use super::{Need, TcpDissector};
use crate::decode::field::{FieldDef, Format::*};
use crate::decode::{Ctx, Proto, Value};

crate::fields! {
    RECORD_LEN = FieldDef::var("data.len", "Length", Dec).spec("test");
    RECORD_DATA = FieldDef::var("data.data", "Data", Bytes).spec("test");
    RECORD = FieldDef::generated("data.record", "Record", Dec);
}

/// The test protocol's port.
pub(crate) const PORT: u16 = 40_999;

pub(crate) fn by_port(sport: u16, dport: u16) -> Option<TcpDissector> {
    (sport == PORT || dport == PORT).then_some(length_prefixed as TcpDissector)
}

/// Each record: a 16-bit length, then that many bytes. A record cut by the
/// segment's end asks for the rest.
fn length_prefixed(ctx: &mut Ctx, at: usize, end: usize) -> Need {
    let mut pos = at;
    while pos < end {
        let Some(len) = ctx.read(pos..pos + 2).filter(|_| pos + 2 <= end) else {
            return Need::More((pos + 2 - end) as u32);
        };
        let len = len as usize;
        if pos + 2 + len > end {
            return Need::More((pos + 2 + len - end) as u32);
        }
        ctx.layer(Proto::Payload, pos..pos + 2 + len);
        ctx.uint_at(&RECORD_LEN, pos..pos + 2);
        ctx.bytes_at(&RECORD_DATA, pos + 2..pos + 2 + len);
        ctx.generated(&RECORD, Value::UInt(len as u64));
        pos += 2 + len;
    }
    Need::Done
}

#[test]
fn the_test_protocol_stays_out_of_the_registry() {
    // Its keys borrow real ones (`data.len`); listed, they would shadow them.
    assert!(
        !crate::decode::field::TABLES
            .iter()
            .any(|t| std::ptr::eq(*t, FIELDS))
    );
    assert_eq!(FIELDS.len(), 3);
}
