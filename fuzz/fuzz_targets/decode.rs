//! The decoder on every link type. Input: a link-type selector byte, a byte
//! added to the captured length to make `orig_len` (snap-length cuts), then
//! the frame. Decodes both ways the printers do and holds each model to its
//! invariants; printing is the `render` and `lesson` targets' job, so this
//! one runs as fast as the decoder does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::decode::{Detail, Dissection, decode_into};
use wirepeek_fuzz::{check_invariants, one_frame};

fuzz_target!(|input: &[u8]| {
    let Some(f) = one_frame(input) else {
        return;
    };

    let mut fields = Dissection::default();
    decode_into(&f, Detail::Fields, &mut fields);
    check_invariants(&fields, &f.data);

    let mut layers = Dissection::default();
    decode_into(&f, Detail::Layers, &mut layers);
    check_invariants(&layers, &f.data);
    // Both modes must agree on the layers and the connection.
    assert_eq!(layers.layers.len(), fields.layers.len());
    assert_eq!(layers.tuple, fields.tuple);
});
