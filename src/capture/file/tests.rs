//! The reader on bytes built here: timestamp arithmetic at its edges, and
//! warnings gathered without bound in count or memory.

use super::pcapng::timestamp;
use super::*;
use crate::frame::Timestamp;

fn ts(secs: i64, nanos: u32) -> Option<Timestamp> {
    Some(Timestamp { secs, nanos })
}

#[test]
fn pcapng_timestamps_are_exact_at_every_resolution_and_may_precede_1970() {
    // Microseconds (the default) and nanoseconds: the 64-bit path.
    assert_eq!(timestamp(1_500_000, 6, 0), ts(1, 500_000_000));
    assert_eq!(timestamp(1_000_000_001, 9, 0), ts(1, 1));
    // Before 1970: whole seconds rounded down, fraction positive.
    assert_eq!(timestamp(1_500_000, 6, -1000), ts(-999, 500_000_000));
    // Picoseconds, where 64-bit arithmetic overflows (tshark 4.0 does).
    assert_eq!(
        timestamp(81_985_529_216_486_895, 12, 0),
        ts(81_985, 529_216_486)
    );
    // 2^-64 s and 2^-127 s: the units do not fit in 64 bits.
    assert_eq!(timestamp(1 << 63, 0x80 | 64, 0), ts(0, 500_000_000));
    assert_eq!(timestamp(u64::MAX, 0xff, 0), ts(0, 0));
    // 10^-127 s: more units per second than 128 bits hold.
    assert_eq!(timestamp(u64::MAX, 0x7f, 7), ts(7, 0));
    // Whole seconds, offset to the edge of what an i64 holds and past it.
    assert_eq!(timestamp(0, 0, i64::MIN), ts(i64::MIN, 0));
    assert_eq!(timestamp(u64::MAX, 0, 0), None);
    assert_eq!(timestamp(1, 0, i64::MAX), None);
    assert_eq!(timestamp(u64::MAX, 0x80, i64::MIN), ts(i64::MAX, 0));
}

/// A little-endian pcapng block.
fn block(type_: u32, body: &[u8]) -> Vec<u8> {
    let total = (12 + body.len()) as u32;
    let mut b = type_.to_le_bytes().to_vec();
    b.extend_from_slice(&total.to_le_bytes());
    b.extend_from_slice(body);
    b.extend_from_slice(&total.to_le_bytes());
    b
}

fn shb() -> Vec<u8> {
    let mut body = 0x1a2b_3c4du32.to_le_bytes().to_vec();
    body.extend_from_slice(&[1, 0, 0, 0]);
    body.extend_from_slice(&u64::MAX.to_le_bytes());
    block(0x0a0d_0d0a, &body)
}

/// An EPB on interface 7 (never described) with 4 bytes of data.
fn stray_epb() -> Vec<u8> {
    epb(7)
}

fn epb(iface: u32) -> Vec<u8> {
    let mut body = iface.to_le_bytes().to_vec();
    body.extend_from_slice(&[0; 8]);
    body.extend_from_slice(&4u32.to_le_bytes());
    body.extend_from_slice(&4u32.to_le_bytes());
    body.extend_from_slice(&[1, 2, 3, 4]);
    block(6, &body)
}

fn drain(source: &mut FileSource) -> (u64, Option<String>) {
    let mut frames = 0;
    loop {
        match source.next_frame().expect("reads") {
            Next::Frame(_) => frames += 1,
            Next::Idle => {}
            Next::End { warning } => return (frames, warning),
        }
    }
}

#[test]
fn a_million_skipped_packets_name_the_first_hundred_and_count_the_rest() {
    let mut file = shb();
    let epb = stray_epb();
    for _ in 0..1_000_000 {
        file.extend_from_slice(&epb);
    }
    let mut source =
        FileSource::from_reader("stray", Box::new(std::io::Cursor::new(file))).expect("a pcapng");
    let (frames, warning) = drain(&mut source);
    assert_eq!(frames, 0);
    let warning = warning.expect("the skipped packets are named");
    let lines: Vec<&str> = warning.lines().collect();
    assert_eq!(lines.len(), MAX_WARNINGS + 1, "{}", lines[MAX_WARNINGS]);
    assert!(lines[0].starts_with("stray: byte offset 28: enhanced packet block names interface 7"));
    assert!(lines[1].starts_with("wirepeek: warning: stray: byte offset 64: "));
    assert!(
        lines[MAX_WARNINGS].ends_with(&format!(
            "{} more records had problems like these; only the first {MAX_WARNINGS} are named",
            1_000_000 - MAX_WARNINGS
        )),
        "{}",
        lines[MAX_WARNINGS]
    );
}

#[test]
fn warnings_taken_early_are_not_repeated_at_the_end() {
    let mut file = shb();
    file.extend(stray_epb());
    file.extend(block(1, &[1, 0, 0, 0, 0, 0, 0, 0]));
    file.extend(epb(0));
    file.extend(stray_epb());
    let mut source =
        FileSource::from_reader("early", Box::new(std::io::Cursor::new(file))).expect("a pcapng");
    assert!(source.take_warnings().is_empty(), "nothing read yet");
    assert!(matches!(source.next_frame(), Ok(Next::Frame(f)) if f.number == 1));
    let early = source.take_warnings();
    assert_eq!(early.len(), 1, "{early:?}");
    assert!(early[0].starts_with("early: byte offset 28: "), "{early:?}");
    let (frames, warning) = drain(&mut source);
    assert_eq!(frames, 0);
    let warning = warning.expect("the second stray packet");
    assert!(warning.starts_with("early: byte offset 120: "), "{warning}");
    assert_eq!(warning.lines().count(), 1, "{warning}");
}
