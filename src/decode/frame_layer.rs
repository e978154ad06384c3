//! The frame's own generated facts, under tshark's `frame.*` keys: number,
//! lengths, time and interface. (The link type is in the tree's frame line
//! and in JSON; tshark has no `frame.*` key for the pcap link type.)

use std::borrow::Cow;

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value};
use crate::frame::{FrameRecord, LinkType};

crate::fields! {
    NUMBER = FieldDef::generated("frame.number", "Frame Number", Dec);
    LEN = FieldDef::generated("frame.len", "Frame Length", Dec);
    CAP_LEN = FieldDef::generated("frame.cap_len", "Capture Length", Dec);
    TIME_EPOCH = FieldDef::generated("frame.time_epoch", "Epoch Time", Text);
    INTERFACE_ID = FieldDef::generated("frame.interface_id", "Interface id", Dec);
}

pub(crate) fn dissect(ctx: &mut Ctx, frame: &FrameRecord) {
    ctx.layer(Proto::Frame, 0..0);
    if !ctx.fields_on {
        return;
    }
    ctx.generated(&NUMBER, Value::UInt(frame.number));
    ctx.generated(&LEN, Value::UInt(frame.orig_len as u64));
    ctx.generated(&CAP_LEN, Value::UInt(frame.data.len() as u64));
    if let Some(ts) = frame.ts
        && ctx.wants(&TIME_EPOCH)
    {
        let text = format!("{}.{:09}", ts.secs, ts.nanos);
        ctx.generated(&TIME_EPOCH, Value::Text(Cow::Owned(text)));
    }
    // A custom block belongs to no interface.
    if frame.link != LinkType::PCAPNG_CUSTOM {
        ctx.generated(&INTERFACE_ID, Value::UInt(frame.iface as u64));
    }
}
