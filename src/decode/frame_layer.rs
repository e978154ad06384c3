//! The frame's own generated facts, under tshark's `frame.*` keys: number,
//! lengths, time and interface. (The link type is in the tree's frame line
//! and in JSON; tshark has no `frame.*` key for the pcap link type.)

use std::borrow::Cow;

use super::{Ctx, Proto, Value};
use crate::frame::{FrameRecord, LinkType};

pub(crate) fn dissect(ctx: &mut Ctx, frame: &FrameRecord) {
    ctx.layer(Proto::Frame, 0..0);
    if !ctx.fields_on {
        return;
    }
    ctx.generated_lit("frame.number", "Frame Number", Value::UInt(frame.number));
    ctx.generated_lit(
        "frame.len",
        "Frame Length",
        Value::UInt(frame.orig_len as u64),
    );
    ctx.generated_lit(
        "frame.cap_len",
        "Capture Length",
        Value::UInt(frame.data.len() as u64),
    );
    if let Some(ts) = frame.ts {
        let text = format!("{}.{:09}", ts.secs, ts.nanos);
        ctx.generated_lit(
            "frame.time_epoch",
            "Epoch Time",
            Value::Text(Cow::Owned(text)),
        );
    }
    // A custom block belongs to no interface.
    if frame.link != LinkType::PCAPNG_CUSTOM {
        ctx.generated_lit(
            "frame.interface_id",
            "Interface id",
            Value::UInt(frame.iface as u64),
        );
    }
}
