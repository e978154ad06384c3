//! The flow table fed arbitrary packet sequences. Input: a link-type selector
//! byte, then records of [length: u16 big-endian][time step][frame bytes]
//! (see `wirepeek_fuzz::Records`). The time step advances the clock in 10 ms
//! units, so idle expiry runs; a table of four flows makes eviction and the
//! bounded listing run too. Then the flow table and JSON printers; the conversations and lessons
//! `explain` tells are the `lesson` target's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirepeek::decode::{Detail, Dissection, Proto, Value, decode_into};
use wirepeek::flow::{FlowConfig, FlowTable};
use wirepeek::output::flows::{write_json, write_table};
use wirepeek_fuzz::{check_invariants, frame, records};

fuzz_target!(|input: &[u8]| {
    let Some((link, records)) = records(input) else {
        return;
    };
    let mut table = FlowTable::new(FlowConfig {
        idle_timeout_ns: Some(500_000_000),
        max_flows: 4,
        keep_finished: true,
    });
    let mut d = Dissection::default();
    for (number, (ts, data)) in (1..).zip(records) {
        let f = frame(number, link, ts, 0, data);
        decode_into(&f, Detail::Fields, &mut d);
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
    }
    let counters = table.counters();
    assert!(table.live() <= 4, "more live flows than max_flows");
    let unlisted = table.unlisted();
    let flows = table.into_flows();
    // The listing is bounded too: the live flows and as many finished ones;
    // every other conversation is summed in `unlisted`, none counted twice.
    assert!(
        flows.len() <= 8,
        "{} flows listed from a table of 4",
        flows.len()
    );
    assert!(flows.len() as u64 + unlisted.conversations <= counters.created);
    assert!(unlisted.evicted <= counters.evicted);
    assert_eq!(
        unlisted.by_proto.iter().sum::<u64>(),
        unlisted.conversations
    );
    let mut out = String::new();
    write_table(&mut out, &flows, 0, &counters, &unlisted);
    for f in &flows {
        write_json(&mut out, f, 0);
    }
});
