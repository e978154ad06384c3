//! The flow table fed arbitrary packet sequences. Input: a link-type selector
//! byte, then records of [length: u16 big-endian][time step][frame bytes].
//! The time step advances the clock in 10 ms units (0xff: no timestamp), so
//! idle expiry runs; a table of four flows makes eviction run too. Then the
//! conversations are grouped and told the way `explain` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::decode::{Proto, Value, decode};
use wirepeek::flow::{FlowConfig, FlowTable};
use wirepeek::frame::Timestamp;
use wirepeek::output::flows::{write_json, write_table};
use wirepeek::output::teach::{Paint, write_conversation, write_conversation_markdown};
use wirepeek::teach::conversation::{conversations, find};
use wirepeek_fuzz::{check_invariants, frame, link};

fuzz_target!(|input: &[u8]| {
    let Some((&sel, mut rest)) = input.split_first() else {
        return;
    };
    let link = link(sel);
    let mut table = FlowTable::new(FlowConfig {
        idle_timeout_ns: Some(500_000_000),
        max_flows: 4,
        keep_finished: true,
    });
    let mut packets = Vec::new();
    let mut now_ns: i64 = 1_700_000_000_000_000_000;
    while let [hi, lo, step, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (data, next) = tail.split_at(len);
        rest = next;
        let ts = (*step != 0xff).then(|| {
            now_ns += i64::from(*step) * 10_000_000;
            Timestamp {
                secs: now_ns / 1_000_000_000,
                nanos: (now_ns % 1_000_000_000) as u32,
            }
        });
        let f = frame(packets.len() as u64 + 1, link, ts, 0, data);
        let mut d = decode(&f);
        // Annotate the packet as `read` does: relative numbers for the line,
        // generated stream fields for the tree, then check nothing moved.
        if let Some(info) = table.ingest(&f, &d) {
            d.line_seq = info.line_seq;
            let stream = Value::UInt(u64::from(info.stream));
            d.push_generated(Proto::Tcp, "tcp.stream", "Stream index", stream.clone());
            d.push_generated(Proto::Udp, "udp.stream", "Stream index", stream);
            if let Some(seq) = info.rel_seq {
                d.push_generated(
                    Proto::Tcp,
                    "tcp.seq",
                    "Sequence Number (relative)",
                    Value::UInt(seq.into()),
                );
            }
            check_invariants(&d, &f.data);
        }
        packets.push((f, d));
    }
    let counters = table.counters();
    assert!(table.live() <= 4, "more live flows than max_flows");
    let flows = table.into_flows();
    assert!(flows.len() as u64 <= counters.created);
    let mut out = String::new();
    write_table(&mut out, &flows, 0, &counters);
    for f in &flows {
        write_json(&mut out, f, 0);
    }
    // The teaching views group the same packets into conversations.
    let convs = conversations(&packets);
    for c in &convs {
        write_conversation(&mut out, c, Paint { on: false });
        write_conversation_markdown(&mut out, c);
    }
    // A lesson placed in its conversation, for a few packets: `decode`
    // already renders every frame, and lessons are slow under the sanitizer.
    let placed = packets
        .iter()
        .filter_map(|(f, d)| Some((f, d, find(&convs, f.number)?)));
    for (f, d, place) in placed.take(4) {
        wirepeek_fuzz::render_fields(f, d, Some(place));
    }
});
