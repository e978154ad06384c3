//! The bound on nested tunnels (GRE, VXLAN, Geneve, Teredo): each adds a
//! few layers, so a packet of tunnels inside tunnels is hostile long before
//! `MAX_LAYERS`; we stop with a note at the limit instead of recursing on.

use super::{Ctx, Proto};

/// More tunnel headers than this in one frame end decoding with a note.
pub const MAX_TUNNELS: usize = 32;

/// True (with a note) when the tunnel layer just pushed is one too many.
pub(crate) fn too_deep(ctx: &mut Ctx, at: usize) -> bool {
    let tunnels = ctx
        .d
        .layers
        .iter()
        .filter(|l| {
            matches!(
                l.proto,
                Proto::Gre | Proto::Vxlan | Proto::Geneve | Proto::Teredo
            )
        })
        .count();
    if tunnels <= MAX_TUNNELS {
        return false;
    }
    let top = ctx.d.top_proto();
    ctx.malformed(
        top,
        at,
        format!("more than {MAX_TUNNELS} nested tunnels; decoding stops here"),
    );
    true
}
