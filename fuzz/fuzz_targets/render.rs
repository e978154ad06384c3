//! Every printer but the lesson on a decoded frame. Input as for `decode`: a
//! link-type selector byte, a byte added to the captured length, the frame.
//! The layers-only model goes to the line (three time formats), hex dump and
//! statistics; the full model to the line with link addresses, the tree,
//! JSON and field columns.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::decode::{Detail, Dissection, decode_into};
use wirepeek_fuzz::{one_frame, render_fields, render_layers};

fuzz_target!(|input: &[u8]| {
    let Some(f) = one_frame(input) else {
        return;
    };

    let mut d = Dissection::default();
    decode_into(&f, Detail::Fields, &mut d);
    render_fields(&f, &d);
    decode_into(&f, Detail::Layers, &mut d);
    render_layers(&f, &d);
});
