use super::*;

/// What a reader sees: per side, the bytes and gaps in order.
#[derive(Default)]
struct Seen {
    text: [String; 2],
    kinds: Vec<(usize, ChunkKind)>,
}

struct Rig {
    stream: TcpStream,
    limits: StreamLimits,
    budget: Budget,
    seen: Seen,
    frame: u64,
}

impl Rig {
    fn new() -> Rig {
        Rig::with(StreamLimits::default())
    }

    fn with(limits: StreamLimits) -> Rig {
        Rig {
            stream: TcpStream::new(),
            budget: Budget::new(limits.total),
            limits,
            seen: Seen::default(),
            frame: 0,
        }
    }

    fn send(&mut self, side: usize, seq: u32, ack: u32, syn: bool, data: &[u8]) {
        self.frame += 1;
        let seg = Segment {
            frame: self.frame,
            ts: None,
            seq,
            ack,
            syn,
            len: data.len() as u32,
            payload: Payload::Bytes(data),
        };
        let seen = &mut self.seen;
        self.stream
            .segment(side, &seg, &self.limits, &mut self.budget, &mut |c| {
                match c.kind {
                    ChunkKind::Missing(n) => seen.text[c.side].push_str(&format!("[{n}]")),
                    _ => seen.text[c.side].push_str(std::str::from_utf8(c.bytes).unwrap()),
                }
                seen.kinds.push((c.side, c.kind));
            });
    }
}

#[test]
fn in_order_segments_after_a_syn_are_delivered_as_sent() {
    let mut r = Rig::new();
    r.send(0, 100, 0, true, b"");
    r.send(0, 101, 0, false, b"hello ");
    r.send(0, 107, 0, false, b"world");
    assert_eq!(r.seen.text[0], "hello world");
}

#[test]
fn a_retransmission_is_shown_once_and_its_new_tail_kept() {
    let mut r = Rig::new();
    r.send(0, 1, 0, false, b"abcd");
    r.send(0, 1, 0, false, b"abcd");
    r.send(0, 3, 0, false, b"cdef");
    assert_eq!(r.seen.text[0], "abcdef");
}

#[test]
fn on_an_overlap_with_different_bytes_the_first_copy_wins() {
    let mut r = Rig::new();
    r.send(0, 1, 0, false, b"abcd");
    r.send(0, 3, 0, false, b"XYef");
    assert_eq!(r.seen.text[0], "abcdef");
}

#[test]
fn out_of_order_segments_wait_for_the_hole_and_come_out_in_order() {
    let mut r = Rig::new();
    r.send(0, 1, 0, false, b"ab");
    r.send(0, 7, 0, false, b"gh");
    r.send(0, 5, 0, false, b"ef");
    assert_eq!(r.seen.text[0], "ab");
    r.send(0, 3, 0, false, b"cd");
    assert_eq!(r.seen.text[0], "abcdefgh");
    assert_eq!(r.stream.held_bytes(), 0);
    assert_eq!(r.budget.used(), 0);
}

#[test]
fn a_gap_is_marked_once_the_other_side_acknowledges_past_it() {
    let mut r = Rig::new();
    r.send(0, 1, 0, false, b"ab");
    r.send(0, 10, 0, false, b"jk");
    // An acknowledgement that stops short of the held segment says nothing.
    r.send(1, 500, 5, false, b"");
    assert_eq!(r.seen.text[0], "ab");
    r.send(1, 500, 12, false, b"");
    assert_eq!(r.seen.text[0], "ab[7]jk");
    assert_eq!(r.seen.kinds[1], (0, ChunkKind::Missing(7)));
}

#[test]
fn held_segments_nobody_acknowledges_are_never_delivered() {
    let mut r = Rig::new();
    r.send(0, 1, 0, false, b"ab");
    r.send(0, 10, 0, false, b"jk");
    assert_eq!(r.seen.text[0], "ab");
    assert!(r.stream.held_bytes() > 0);
}

#[test]
fn sequence_numbers_wrap_around_zero() {
    let mut r = Rig::new();
    let isn = u32::MAX - 2;
    r.send(0, isn, 0, true, b"");
    r.send(0, isn.wrapping_add(1), 0, false, b"ab");
    // Out of order across the wrap: 4 lands past zero, 2 straddles it.
    r.send(0, isn.wrapping_add(5), 0, false, b"ef");
    r.send(0, isn.wrapping_add(3), 0, false, b"cd");
    assert_eq!(r.seen.text[0], "abcdef");
}

#[test]
fn a_fin_takes_no_sequence_number_and_data_after_it_still_counts() {
    // A FIN with no data is an empty segment: nothing moves.
    let mut r = Rig::new();
    r.send(0, 1, 0, false, b"ab");
    r.send(0, 3, 0, false, b"");
    r.send(0, 3, 0, false, b"cd");
    assert_eq!(r.seen.text[0], "abcd");
}

#[test]
fn the_directions_are_reassembled_apart() {
    let mut r = Rig::new();
    r.send(0, 1, 1, false, b"GET");
    r.send(1, 1, 4, false, b"200");
    r.send(0, 4, 4, false, b" /");
    assert_eq!(r.seen.text, ["GET /".to_string(), "200".to_string()]);
}

#[test]
fn a_segment_past_the_per_direction_bound_is_dropped_and_counted() {
    let mut r = Rig::with(StreamLimits {
        per_direction: 2 * (SEGMENT_OVERHEAD + 4),
        total: 1 << 20,
    });
    r.send(0, 1, 0, false, b"ab");
    r.send(0, 10, 0, false, b"jkl.");
    r.send(0, 20, 0, false, b"tuv.");
    r.send(0, 30, 0, false, b"DROP");
    assert_eq!(r.stream.dropped.segments, 1);
    assert_eq!(r.stream.dropped.bytes, 4);
    // The receiver acknowledges everything: the dropped bytes are a gap.
    r.send(1, 1, 34, false, b"");
    // The dropped bytes are only counted: nothing held lies past them.
    assert_eq!(r.seen.text[0], "ab[7]jkl.[6]tuv.");
}

#[test]
fn the_total_bound_holds_over_all_streams() {
    let limits = StreamLimits {
        per_direction: 1 << 20,
        total: 3 * (SEGMENT_OVERHEAD + 10),
    };
    let mut all = TcpStreams::new(limits);
    let data = [b'x'; 10];
    for stream in 0..5u32 {
        let first = Segment {
            frame: 1,
            ts: None,
            seq: 1,
            ack: 0,
            syn: false,
            len: 1,
            payload: Payload::Bytes(b"a"),
        };
        all.segment(stream, 0, &first, &mut |_| {});
        let ahead = Segment {
            seq: 100,
            len: 10,
            payload: Payload::Bytes(&data),
            ..first
        };
        all.segment(stream, 0, &ahead, &mut |_| {});
    }
    assert_eq!(all.held_bytes(), 3 * (SEGMENT_OVERHEAD + 10));
    assert_eq!(all.dropped().segments, 2);
    all.close(0);
    assert_eq!(all.held_bytes(), 2 * (SEGMENT_OVERHEAD + 10));
    assert_eq!(all.dropped().segments, 2);
}

#[test]
fn bytes_the_capture_cut_are_counted() {
    let mut r = Rig::new();
    r.frame += 1;
    let seg = Segment {
        frame: 1,
        ts: None,
        seq: 1,
        ack: 0,
        syn: false,
        len: 100,
        payload: Payload::Bytes(b"abc"),
    };
    r.stream
        .segment(0, &seg, &r.limits, &mut r.budget, &mut |_| {});
    assert_eq!(r.stream.dropped.uncaptured, 97);
}

#[test]
fn many_held_segments_arriving_backwards_drain_without_quadratic_cost() {
    // tshark's list would scan every held segment per delivery; the index
    // takes each in O(log n). 100,000 segments arrive last-first.
    let mut r = Rig::new();
    r.send(0, 1, 0, false, b"a");
    let n = 100_000u32;
    // Sequence 2 is the hole; 3 ..= n + 2 arrive last-first.
    for i in (1..=n).rev() {
        r.send(0, 2 + i, 0, false, b"b");
    }
    assert_eq!(r.seen.text[0].len(), 1);
    let start = std::time::Instant::now();
    r.send(0, 2, 0, false, b"b");
    assert_eq!(r.seen.text[0].len(), 2 + n as usize);
    assert_eq!(r.stream.held_bytes(), 0);
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
}

/// Every chunk as (side, kind, length), reading the same segments with
/// their bytes or with their lengths only.
fn chunk_lengths(
    segments: &[(usize, u32, u32, &[u8])],
    lengths_only: bool,
) -> Vec<(usize, ChunkKind, usize)> {
    let limits = StreamLimits::default();
    let mut budget = Budget::new(limits.total);
    let mut stream = TcpStream::new();
    let mut seen = Vec::new();
    for (i, &(side, seq, ack, data)) in segments.iter().enumerate() {
        let seg = Segment {
            frame: i as u64 + 1,
            ts: None,
            seq,
            ack,
            syn: false,
            len: data.len() as u32,
            payload: if lengths_only {
                Payload::Length(data.len() as u32)
            } else {
                Payload::Bytes(data)
            },
        };
        stream.segment(side, &seg, &limits, &mut budget, &mut |c| {
            if !lengths_only {
                assert_eq!(c.bytes.len(), c.len);
            }
            seen.push((c.side, c.kind, c.len));
        });
    }
    seen
}

#[test]
fn counting_lengths_only_delivers_what_the_bytes_would() {
    // A retransmission carrying more, an out-of-order pair, a hole the other
    // side acknowledges past, and an overlap trimmed from a held segment.
    let segments: &[(usize, u32, u32, &[u8])] = &[
        (0, 1, 1, b"hello "),
        (0, 1, 1, b"hello world"),
        (0, 22, 1, b"later"),
        (0, 17, 1, b"after"),
        (1, 1, 12, b"ok"),
        (1, 1, 40, b"ok"),
        (0, 40, 3, b"more"),
        (0, 44, 3, b"XXtail"),
        (0, 42, 3, b"ZZZZ"),
    ];
    let bytes = chunk_lengths(segments, false);
    assert_eq!(bytes, chunk_lengths(segments, true));
    // The hole from 12 to 17 shows as 5 missing bytes once acknowledged.
    assert!(bytes.contains(&(0, ChunkKind::Missing(5), 0)), "{bytes:?}");
}

#[test]
fn many_segments_out_of_order_come_out_whole_past_the_small_list() {
    // 64 one-byte segments in a scrambled order (more than the small
    // list holds), then the first: the reader gets them all in order.
    let text: Vec<u8> = (0..65u8).map(|i| b'0' + i % 64).collect();
    let mut r = Rig::new();
    r.send(0, 1, 0, false, b"<");
    let mut order: Vec<u32> = (1..65).collect();
    // A fixed permutation: multiply by a unit modulo 64, mapped to 1..=64.
    for (i, slot) in order.iter_mut().enumerate() {
        *slot = (((i as u32) * 37) % 64) + 1;
    }
    for &i in &order {
        r.send(0, 2 + i, 0, false, &text[i as usize..=i as usize]);
    }
    assert_eq!(r.seen.text[0], "<");
    r.send(0, 2, 0, false, &text[..1]);
    assert_eq!(r.seen.text[0].as_bytes()[1..], text[..]);
    assert_eq!(r.stream.held_bytes(), 0);
}
