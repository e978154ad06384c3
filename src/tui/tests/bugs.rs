//! The list of things a termshark user tripped over, each drawn
//! on screen: relative sequence numbers in Info (as Wireshark shows them),
//! long IPv6 addresses cut in the middle, an empty capture saying so, the
//! Flows tab following the display filter, the status bar clearing after
//! a good filter, and `s` refusing the open file and asking before it
//! replaces another.

use super::*;
use crate::app::Effect;

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, Key::Char(c));
    }
}

#[test]
fn the_info_column_shows_wiresharks_tcp_words_with_relative_numbers_and_the_scaled_window() {
    let mut app = file_app();
    let screen = draw(&mut app, 200, 30);
    // `tshark -r captures/echo-tcp4.pcap -T fields -e _ws.col.Info`, its
    // fourth line: the window field 64 scaled by the handshake's 2^10.
    let row4 = screen
        .lines()
        .find(|l| l.starts_with("4 "))
        .expect("row 4 is drawn");
    assert!(
        row4.contains(
            "34554 → 36619 [PSH, ACK] Seq=1 Ack=1 Win=65536 Len=12 TSval=920527857 TSecr=399869942"
        ),
        "{row4}"
    );
    // The SYN is Seq=0 and unscaled, with its options.
    assert!(
        screen.contains(
            "[SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM TSval=920527857 TSecr=0 WS=1024"
        ),
        "{screen}"
    );
}

#[test]
fn long_ipv6_addresses_are_cut_in_the_middle_so_both_ends_stay_apart() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp6.pcap");
    let mut source = FileSource::open(path).expect("opens");
    let mut frames = Vec::new();
    let a: std::net::Ipv6Addr = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1".parse().expect("addr");
    let b: std::net::Ipv6Addr = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:2".parse().expect("addr");
    while let Ok(Next::Frame(mut f)) = source.next_frame() {
        // Ethernet, then the IPv6 source and destination at 22 and 38.
        let (src, dst) = if f.data[22..38] == f.data[38..54] && frames.len() % 2 == 0 {
            (a, b)
        } else {
            (b, a)
        };
        f.data[22..38].copy_from_slice(&src.octets());
        f.data[38..54].copy_from_slice(&dst.octets());
        frames.push(f);
    }
    let mut app = App::new(SourceKind::Memory { label: "v6".into() }, None);
    app.update(Msg::Frames(frames));
    let screen = draw(&mut app, 120, 30);
    let row1 = screen.lines().find(|l| l.starts_with("1 ")).expect("row 1");
    // 24 columns each at 120: the head and the tail, a "…" between.
    assert!(row1.contains(" 2001:db8:aaa…dddd:eeee:1 "), "{row1}");
    assert!(row1.contains(" 2001:db8:aaa…dddd:eeee:2 "), "{row1}");
}

#[test]
fn an_empty_capture_says_it_is_empty() {
    let dir = std::env::temp_dir().join(format!("wirepeek-tui-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("empty.pcap");
    let mut header = Vec::new();
    for word in [0xa1b2_c3d4u32, 0x0004_0002, 0, 0, 65535, 1] {
        header.extend_from_slice(&word.to_le_bytes());
    }
    std::fs::write(&path, header).expect("write");
    let mut app = source::load(path.to_str().expect("utf-8"));
    let screen = draw(&mut app, 80, 24);
    assert!(
        screen.contains("the capture is empty: it holds no packets"),
        "{screen}"
    );
    assert!(!screen.contains("waiting for packets"), "{screen}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// echo-tcp4.pcap then echo-udp4.pcap as one list, with display filters:
/// a TCP and a UDP conversation.
fn tcp_and_udp_app() -> App {
    let mut app = App::new(
        SourceKind::Memory {
            label: "two".into(),
        },
        None,
    );
    app.view.compiler = Some(crate::app::filter::display_compiler());
    let mut frames = echo_frames();
    let udp = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-udp4.pcap");
    let mut source = FileSource::open(udp).expect("opens");
    while let Ok(Next::Frame(mut f)) = source.next_frame() {
        f.number = frames.len() as u64 + 1;
        frames.push(f);
    }
    app.update(Msg::Frames(frames));
    app
}

#[test]
fn the_flows_tab_lists_only_conversations_the_display_filter_lets_through() {
    let mut app = tcp_and_udp_app();
    assert_eq!(app.flows.list.len(), 2, "a TCP and a UDP conversation");
    key(&mut app, Key::Char('/'));
    type_text(&mut app, "udp");
    key(&mut app, Key::Enter);
    assert_eq!(app.flows.list.len(), 1);
    key(&mut app, Key::Char('2'));
    let screen = draw(&mut app, 100, 24);
    assert!(screen.contains("Flows 1 of 2 (display filter)"), "{screen}");
    assert!(screen.contains("udp"), "{screen}");
    assert!(!screen.contains("tcp "), "{screen}");
    // Picking it shows its packets, not "no packet matches".
    key(&mut app, Key::Enter);
    assert!(!app.list.is_empty());
    // Clearing the filter lists both again.
    key(&mut app, Key::Char('/'));
    for _ in 0..3 {
        key(&mut app, Key::Backspace);
    }
    key(&mut app, Key::Enter);
    assert_eq!(app.flows.list.len(), 2);
}

#[test]
fn a_good_filter_after_a_bad_one_clears_the_warning() {
    let mut app = file_app();
    app.view.compiler = Some(crate::app::filter::display_compiler());
    key(&mut app, Key::Char('/'));
    type_text(&mut app, "tcp.nonsense == 1");
    key(&mut app, Key::Enter);
    let screen = draw(&mut app, 200, 24);
    assert!(screen.contains("filter not applied"), "{screen}");
    key(&mut app, Key::Char('/'));
    key(&mut app, Key::Ctrl('u'));
    type_text(&mut app, "tcp.len > 0");
    key(&mut app, Key::Enter);
    let screen = draw(&mut app, 200, 24);
    assert!(!screen.contains("filter not applied"), "{screen}");
    assert!(screen.contains("filter: tcp.len > 0"), "{screen}");
}

#[test]
fn s_refuses_the_open_file_and_asks_before_replacing_another() {
    let dir = std::env::temp_dir().join(format!("wirepeek-tui-s-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let open = dir.join("victim.pcap");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap"),
        &open,
    )
    .expect("copy");
    let open = open.to_str().expect("utf-8").to_string();
    let before = std::fs::read(&open).expect("read");
    let mut app = source::load(&open);
    let frames = vec![0, 1, 2];
    let msg = super::super::save::save_checked(
        &app.store,
        frames.clone(),
        open.clone(),
        true,
        Some(&open),
    );
    assert!(
        matches!(&msg, Msg::SaveFailed(e) if e.contains("being browsed")),
        "{msg:?}"
    );
    assert_eq!(std::fs::read(&open).expect("read"), before, "untouched");

    let other = dir.join("other.pcap").to_str().expect("utf-8").to_string();
    std::fs::write(&other, b"keep me").expect("write");
    let msg =
        super::super::save::save_checked(&app.store, frames, other.clone(), false, Some(&open));
    assert!(matches!(&msg, Msg::SaveExists { .. }), "{msg:?}");
    assert_eq!(std::fs::read(&other).expect("read"), b"keep me");
    // The app asks; `n` keeps the file, `y` replaces it.
    app.update(msg);
    assert_eq!(
        app.prompt.as_ref().map(|p| p.purpose),
        Some(crate::app::PromptFor::Replace)
    );
    assert!(draw(&mut app, 120, 24).contains("other.pcap exists: replace it? (y/n)"));
    key(&mut app, Key::Char('n'));
    assert!(app.prompt.is_none());
    let Msg::SaveExists { path, frames } =
        super::super::save::save_checked(&app.store, vec![0, 1, 2], other.clone(), false, None)
    else {
        panic!("asks again");
    };
    app.update(Msg::SaveExists { path, frames });
    let effect = app.update(Msg::Input(Input::Key(Key::Char('y'))));
    let Some(Effect::Save {
        path,
        frames,
        replace: true,
    }) = effect
    else {
        panic!("{effect:?}");
    };
    let msg = super::super::save::save_checked(&app.store, frames, path, true, Some(&open));
    assert!(matches!(msg, Msg::Saved { count: 3, .. }), "{msg:?}");
    let mut back = FileSource::open(&other).expect("a capture now");
    let mut n = 0;
    while let Ok(Next::Frame(f)) = back.next_frame() {
        assert_eq!(f.data, echo_frames()[n].data);
        n += 1;
    }
    assert_eq!(n, 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn save_scope_and_format_follow_tab_and_the_name() {
    let mut app = file_app();
    key(&mut app, Key::Char('j'));
    key(&mut app, Key::Char('m'));
    key(&mut app, Key::Char('s'));
    let screen = draw(&mut app, 120, 24);
    assert!(
        screen.contains("Save 14 displayed packets (Tab: all) as pcap to: "),
        "{screen}"
    );
    key(&mut app, Key::Tab);
    key(&mut app, Key::Tab);
    type_text(&mut app, "ng");
    let screen = draw(&mut app, 120, 24);
    assert!(
        screen.contains("Save 1 marked packets (Tab: displayed) as pcapng to: "),
        "{screen}"
    );
    let effect = app.update(Msg::Input(Input::Key(Key::Enter)));
    assert_eq!(
        effect,
        Some(Effect::Save {
            path: "wirepeek-saved.pcapng".into(),
            frames: vec![1],
            replace: false
        })
    );
}

#[test]
fn tcp_stream_and_udp_stream_filter_on_the_conversation_index_as_read_does() {
    // `tshark -Y 'tcp.stream == 0'` on echo-tcp4.pcap lists its 14 frames;
    // `udp.stream == 0` on echo-udp4.pcap its 6. Here the two captures are
    // one list: TCP stream 0 and UDP stream 0 are each one conversation.
    let mut app = tcp_and_udp_app();
    for (filter, shown) in [
        ("tcp.stream == 0", 14),
        ("udp.stream == 0", 6),
        ("tcp.stream == 1", 0),
        ("tcp.stream == 0 || udp.stream == 0", 20),
    ] {
        key(&mut app, Key::Char('/'));
        key(&mut app, Key::Ctrl('u'));
        type_text(&mut app, filter);
        key(&mut app, Key::Enter);
        assert_eq!(app.list.len(), shown, "{filter}");
    }
}
