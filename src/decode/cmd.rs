//! Cisco MetaData (EtherType 0x8909), as GRE carries it: the type of the
//! packet that follows, then the version, length, options and security
//! group tag (Cisco TrustSec).
//!
//! ```text
//! +----------------+--------+--------+----------------+----------------+
//! | Type (2)       | Ver (1)| Len (1)| Options (2)    | SGT (2)        |
//! +----------------+--------+--------+----------------+----------------+
//! ```

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, ether_payload, names};

crate::fields! {
    TYPE = FieldDef::fixed("cmd.type", "Type", 0..2, Hex(4)).spec("Cisco TrustSec");
    VERSION = FieldDef::fixed("cmd.version", "Version", 2..3, Dec).spec("Cisco TrustSec");
    LENGTH = FieldDef::fixed("cmd.length", "Length", 3..4, Dec).spec("Cisco TrustSec");
    OPTIONS = FieldDef::fixed("cmd.options", "Options", 4..6, Hex(4)).spec("Cisco TrustSec");
    SGT = FieldDef::fixed("cmd.sgt", "SGT", 6..8, Dec).spec("Cisco TrustSec");
}

pub const HEADER_LEN: usize = 8;

/// Decode Cisco MetaData inside GRE at `start`, then what its type names.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Cmd, start..(start + HEADER_LEN).min(end));
    let kind = ctx.uint(&TYPE, start);
    if let Some(kind) = kind {
        ctx.meaning(names::ethertype(kind as u16));
    }
    for def in [&VERSION, &LENGTH, &OPTIONS, &SGT] {
        ctx.uint(def, start);
    }
    let Some(kind) = kind else {
        ctx.short_of(Proto::Cmd, start, HEADER_LEN, end, "header");
        return;
    };
    if ctx.available(start, end) < HEADER_LEN {
        ctx.short_of(Proto::Cmd, start, HEADER_LEN, end, "header");
        return;
    }
    ether_payload(ctx, kind as u16, start + HEADER_LEN, end);
}
