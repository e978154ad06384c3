//! Application bytes we do not dissect, and bytes we cannot: both become a
//! layer so every captured byte belongs to some layer.

use super::{Ctx, NoteKind, Proto, Severity, Value};

/// The bytes `from..to` are application data.
pub fn data(ctx: &mut Ctx, from: usize, to: usize) {
    let to_captured = to.min(ctx.data.len());
    if from >= to_captured {
        return;
    }
    ctx.layer(Proto::Payload, from..to_captured);
    ctx.bytes("data.data", "Data", from..to_captured);
    ctx.generated("data.len", "Length", Value::UInt((to - from) as u64));
}

/// The bytes `from..to` belong to something we do not decode; `why` says what.
pub fn unsupported(ctx: &mut Ctx, from: usize, to: usize, why: impl FnOnce() -> String) {
    let to_captured = to.min(ctx.data.len());
    if from >= to_captured {
        return;
    }
    ctx.layer(Proto::Unsupported, from..to_captured);
    ctx.bytes("data.data", "Data", from..to_captured);
    let message = why();
    ctx.note(
        Severity::Note,
        NoteKind::Unsupported,
        Proto::Unsupported,
        from,
        message,
    );
}
