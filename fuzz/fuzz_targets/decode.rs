//! The decoder on every link type. Input: a link-type selector byte, a byte
//! added to the captured length to make `orig_len` (snap-length cuts), then
//! the frame. Decodes both ways the printers do, holds the model to its
//! invariants and renders it with every printer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::decode::{Detail, Dissection, decode, decode_into};
use wirepeek::frame::Timestamp;
use wirepeek_fuzz::{check_invariants, frame, link, render_fields, render_layers};

fuzz_target!(|input: &[u8]| {
    let [sel, extra, data @ ..] = input else {
        return;
    };
    let ts = Some(Timestamp {
        secs: 1_700_000_000,
        nanos: 123_456_789,
    });
    let f = frame(1, link(*sel), ts, u32::from(*extra), data);

    let d = decode(&f);
    check_invariants(&d, &f.data);
    render_fields(&f, &d, None);

    let mut layers = Dissection::default();
    decode_into(&f, Detail::Layers, &mut layers);
    check_invariants(&layers, &f.data);
    // Both modes must agree on the layers and the connection.
    assert_eq!(layers.layers.len(), d.layers.len());
    assert_eq!(layers.tuple, d.tuple);
    render_layers(&f, &layers);
});
