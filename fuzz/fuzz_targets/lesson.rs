//! The teaching views `explain` prints. Input as for `flows`: a link-type
//! selector byte, then records of [length: u16 big-endian][time step][frame
//! bytes] (see `wirepeek_fuzz::Records`). The packets are grouped into
//! conversations, each told in colour and as Markdown; then the first two
//! packets get their lesson, placed in their conversation where they have
//! one, and the first, if placed, also alone. A lesson walks every byte of
//! its frame several ways, so these limits keep the target fast.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::decode::decode;
use wirepeek::output::teach::{Paint, write_conversation, write_conversation_markdown};
use wirepeek::teach::conversation::{conversations, find};
use wirepeek_fuzz::{frame, records, render_lesson};

/// Packets read from one input.
const MAX_PACKETS: usize = 8;

/// Packets given their lesson per input.
const MAX_LESSONS: usize = 2;

fuzz_target!(|input: &[u8]| {
    let Some((link, records)) = records(input) else {
        return;
    };
    let packets: Vec<_> = (1..)
        .zip(records)
        .take(MAX_PACKETS)
        .map(|(number, (ts, data))| {
            let f = frame(number, link, ts, 0, data);
            let d = decode(&f);
            (f, d)
        })
        .collect();
    let convs = conversations(&packets);
    let mut out = String::new();
    for c in &convs {
        write_conversation(&mut out, c, Paint { on: false });
        write_conversation_markdown(&mut out, c);
    }
    for (i, (f, d)) in packets.iter().take(MAX_LESSONS).enumerate() {
        let place = find(&convs, f.number);
        let placed = place.is_some();
        render_lesson(f, d, place);
        if i == 0 && placed {
            render_lesson(f, d, None);
        }
    }
});
