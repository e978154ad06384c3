//! The Follow tab's model on pieces handed over as the follow job hands
//! them: the cut at `MAX_BYTES` is counted, not silent; a search wraps and
//! says when nothing matches; a side change keeps the cursor's frame.

use crate::app::FollowChunk;
use crate::app::follow::{FollowView, MAX_BYTES, Sides};

fn chunk(side: u8, frame: u64, bytes: &[u8]) -> FollowChunk {
    FollowChunk {
        side,
        frame,
        bytes: bytes.to_vec(),
        missing: None,
    }
}

#[test]
fn bytes_past_the_limit_are_counted_as_cut_not_kept() {
    let mut v = FollowView::new(1, "t".into(), 3);
    v.take(vec![chunk(0, 1, &vec![b'a'; MAX_BYTES - 10])]);
    v.take(vec![chunk(1, 2, &[b'b'; 25]), chunk(0, 3, b"later")]);
    assert_eq!(v.held, MAX_BYTES);
    assert_eq!(v.cut, 15 + 5);
    assert_eq!(v.chunks.len(), 2);
    assert_eq!(v.chunks[1].bytes, vec![b'b'; 10]);
}

#[test]
fn lines_split_at_newlines_show_control_bytes_as_dots_and_keep_their_frame() {
    let mut v = FollowView::new(1, "t".into(), 2);
    v.take(vec![
        chunk(0, 4, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        chunk(1, 5, b"\x00\x01ok\n"),
    ]);
    let text: Vec<(&str, u64)> = v.lines.iter().map(|l| (l.text.as_str(), l.frame)).collect();
    assert_eq!(
        text,
        [("GET / HTTP/1.1", 4), ("Host: x", 4), ("", 4), ("..ok", 5)]
    );
}

#[test]
fn a_search_wraps_around_and_a_miss_leaves_the_cursor() {
    let mut v = FollowView::new(1, "t".into(), 3);
    v.take(vec![
        chunk(0, 1, b"alpha\n"),
        chunk(1, 2, b"beta\n"),
        chunk(0, 3, b"ALPHA\n"),
    ]);
    v.search = Some("alpha".into());
    assert!(v.find(true));
    assert_eq!(v.cursor, 2, "case-insensitive, after the cursor");
    assert!(v.find(true));
    assert_eq!(v.cursor, 0, "wrapped");
    assert!(v.find(false));
    assert_eq!(v.cursor, 2, "backwards wraps too");
    v.search = Some("gamma".into());
    assert!(!v.find(true));
    assert_eq!(v.cursor, 2);
}

#[test]
fn keeping_one_side_keeps_the_cursor_near_its_frame() {
    let mut v = FollowView::new(1, "t".into(), 4);
    v.take(vec![
        chunk(0, 1, b"q1\n"),
        chunk(1, 2, b"a1\n"),
        chunk(0, 3, b"q2\n"),
        chunk(1, 4, b"a2\n"),
    ]);
    v.move_by(2);
    assert_eq!(v.cursor_frame(), Some(3));
    v.sides = Sides::Server;
    v.relayout();
    let text: Vec<&str> = v.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(text, ["a1", "a2"]);
    assert_eq!(
        v.cursor_frame(),
        Some(4),
        "the first line at or after frame 3"
    );
}
