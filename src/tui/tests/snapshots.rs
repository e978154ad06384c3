//! Whole screens at 80×24 compared with reviewed text in
//! `tests/snapshots/tui/`, so a layout change shows up as a diff to read
//! like code. `WIREPEEK_BLESS=1 cargo test --lib tui::tests::snapshots`
//! rewrites the files. Times are relative (the app's default), so the
//! screens do not depend on the time zone.
use super::*;
use std::path::PathBuf;

pub(super) fn render(app: &mut App) -> (String, Buffer) {
    let area = Rect::new(0, 0, 80, 24);
    sync_viewport(app, area);
    let mut buf = Buffer::empty(area);
    view::render(app, area, &mut buf);
    (text(&buf), buf)
}

/// The cells drawn in the byte highlight's colour, as `row: columns`
/// lines, since plain text loses styles.
fn lit_cells(buf: &Buffer) -> String {
    let lit = super::super::theme::HIGHLIGHT_BYTES.bg;
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut runs: Vec<(u16, u16)> = Vec::new();
        for x in 0..buf.area.width {
            if buf.cell((x, y)).map(|c| Some(c.bg)) == Some(lit) {
                match runs.last_mut() {
                    Some((_, end)) if *end + 1 == x => *end = x,
                    _ => runs.push((x, x)),
                }
            }
        }
        if !runs.is_empty() {
            let cols: Vec<String> = runs.iter().map(|(a, b)| format!("{a}-{b}")).collect();
            out.push_str(&format!("row {y}: columns {}\n", cols.join(", ")));
        }
    }
    out
}

pub(super) fn check(name: &str, got: &str) {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/snapshots/tui"]
        .iter()
        .collect::<PathBuf>()
        .join(format!("{name}.txt"));
    if std::env::var_os("WIREPEEK_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(&path, got).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with WIREPEEK_BLESS=1 to create it",
            path.display()
        )
    });
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "screen {name} differs from {} at line {}:\n got: {:?}\nwant: {:?}\n\n{got}",
            path.display(),
            line + 1,
            got.lines().nth(line),
            want.lines().nth(line)
        );
    }
}

/// Frame 4 of the echo capture selected, every layer expanded.
fn frame4_expanded() -> App {
    let mut app = file_app();
    render(&mut app);
    for _ in 0..3 {
        key(&mut app, Key::Char('j'));
    }
    key(&mut app, Key::Enter);
    app
}

#[test]
fn the_packet_list_of_the_echo_capture_matches_its_snapshot() {
    let mut app = file_app();
    check("packet-list", &render(&mut app).0);
}

#[test]
fn the_details_tree_expanded_on_frame_4_matches_its_snapshot() {
    let mut app = frame4_expanded();
    key(&mut app, Key::Tab);
    // The pane has six rows: show the end of the tree, TCP and its data.
    key(&mut app, Key::Char('G'));
    check("details-frame4", &render(&mut app).0);
}

#[test]
fn the_hex_pane_with_a_field_highlighted_matches_its_snapshot() {
    let mut app = frame4_expanded();
    key(&mut app, Key::Tab);
    // Past the frame's six generated fields and the Ethernet heading to
    // its first field: the destination address, bytes 0..6.
    for _ in 0..8 {
        key(&mut app, Key::Down);
    }
    let (screen, buf) = render(&mut app);
    let lit = lit_cells(&buf);
    assert!(
        !lit.is_empty(),
        "a field is selected, so bytes are lit:\n{screen}"
    );
    check(
        "hex-highlight",
        &format!("{screen}--- cells in the byte highlight colour ---\n{lit}"),
    );
}

#[test]
fn the_flows_tab_matches_its_snapshot() {
    let mut app = file_app();
    render(&mut app);
    key(&mut app, Key::Char('2'));
    check("flows", &render(&mut app).0);
}

#[test]
fn the_help_overlay_matches_its_snapshot() {
    let mut app = file_app();
    render(&mut app);
    key(&mut app, Key::Char('?'));
    check("help", &render(&mut app).0);
}

#[test]
fn a_malformed_ipv4_header_length_matches_its_snapshot() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/captures/ipv4_invalid_hdr_length.pcap"
    );
    let Ok(mut source) = FileSource::open(path) else {
        skip(&format!(
            "the shared corpus is absent ({path} does not open)"
        ));
        return;
    };
    let mut frames = Vec::new();
    while let Ok(Next::Frame(f)) = source.next_frame() {
        frames.push(f);
    }
    let mut app = App::new(
        SourceKind::File {
            path: "ipv4_invalid_hdr_length.pcap".into(),
        },
        None,
    );
    app.update(Msg::Frames(frames));
    app.update(Msg::SourceEnded { warning: None });
    render(&mut app);
    key(&mut app, Key::Enter);
    // The end of the tree, where the bad header length is reported.
    key(&mut app, Key::Tab);
    key(&mut app, Key::Char('G'));
    check("malformed-ipv4-hdr-length", &render(&mut app).0);
}

/// Say why this test skips and record it where `.ci/run` counts skips
/// (`target/tmp/skipped.log`, beside the integration tests' own log).
fn skip(reason: &str) {
    use std::io::Write;
    eprintln!("skipped: {reason}");
    let exe = std::env::current_exe().unwrap_or_default();
    // target/<profile>/deps/wirepeek-<hash> → target/tmp
    let Some(target) = exe.ancestors().nth(3) else {
        return;
    };
    let line = format!(
        "wirepeek (unit)::{}: {reason}\n",
        std::thread::current().name().unwrap_or("?")
    );
    let log = target.join("tmp").join("skipped.log");
    let _ = std::fs::create_dir_all(target.join("tmp"));
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
    {
        let _ = file.write_all(line.as_bytes());
    }
}
