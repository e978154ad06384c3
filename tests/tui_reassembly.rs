//! The TUI's reassembly, against tshark run here: the model's first look
//! at each frame reassembles IP fragments and TCP PDUs as `read` does, and
//! every later decode (the display filter applied after loading, the
//! details pane, the list's Protocol and Info) shows what that pass found.
//! Captures from `../shared/corpus` and `../shared/corpus-app`: an HTTP
//! request cut across TCP segments (`many-protocols.pcap`), a response cut
//! across segments (`get.pcap`), a request cut into IP fragments
//! (`frag_http_req.pcap`). Skips without tshark or the corpora. The
//! budget that bounds what is kept is checked on a tiny one.

mod common;

use std::path::{Path, PathBuf};

use wirepeek::app::store::empty_frame;
use wirepeek::app::{App, Input, Key, Msg, Reassembled, SourceKind, TreeRow};
use wirepeek::decode::{Detail, Dissection, Proto, decode_into};
use wirepeek::tui::list::row_text;

/// A capture of either corpus by name.
fn capture(name: &str) -> Option<PathBuf> {
    let in_corpus = common::corpus().map(|d| d.join(name));
    in_corpus
        .filter(|p| p.exists())
        .or_else(|| common::app_capture(name).filter(|p| p.exists()))
}

/// The captures, or None (after saying why) when the test cannot run.
fn captures(names: &[&str]) -> Option<Vec<PathBuf>> {
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return None;
    }
    let found: Option<Vec<PathBuf>> = names.iter().map(|n| capture(n)).collect();
    if found.is_none() {
        common::skip("the HTTP captures of ../shared/corpus and corpus-app are not here");
    }
    found
}

/// A model of `file` as the TUI loads it, able to compile display filters,
/// keeping at most `budget` reassembled bytes (the default when None).
fn model(file: &Path, budget: Option<usize>) -> App {
    let mut app = common::filtering_app(file);
    if let Some(budget) = budget {
        app.reassembled = Reassembled::with_budget(budget);
    }
    app.update(Msg::Frames(common::frames(file)));
    app.update(Msg::SourceEnded { warning: None });
    app
}

/// Type `filter` at the `/` prompt of a loaded model: applied after the
/// first pass, so every frame is decoded again.
fn apply_filter(app: &mut App, filter: &str) {
    let mut key = |k| app.update(Msg::Input(Input::Key(k)));
    key(Key::Char('/'));
    for c in filter.chars() {
        key(Key::Char(c));
    }
    key(Key::Enter);
}

/// The frame numbers the model's list shows.
fn listed(app: &App) -> Vec<u64> {
    app.list
        .shown
        .iter()
        .filter_map(|&i| app.store.number(i as usize))
        .collect()
}

/// The frame numbers `tshark -Y filter` shows.
fn tshark_shows(file: &Path, filter: &str) -> Vec<u64> {
    common::tshark_shows(file, filter)
}

/// Select the row of frame `number` and give the details pane's layers.
fn details_of(app: &mut App, number: u64) -> Vec<Proto> {
    apply_filter(app, &format!("frame.number == {number}"));
    assert_eq!(listed(app), [number], "frame {number} is listed alone");
    app.update(Msg::Input(Input::Key(Key::Char('g'))));
    app.details
        .dissection
        .layers
        .iter()
        .map(|l| l.proto)
        .collect()
}

#[test]
fn a_filter_applied_after_loading_finds_what_tshark_finds_in_reassembled_pdus() {
    let Some(files) = captures(&["many-protocols.pcap", "get.pcap", "frag_http_req.pcap"]) else {
        return;
    };
    for (file, filter) in [
        (&files[0], "http.request.method == \"GET\""),
        (&files[1], "http.response.code == 200"),
        (&files[2], "http.request.method == \"GET\""),
    ] {
        let want = tshark_shows(file, filter);
        assert!(
            !want.is_empty(),
            "{}: tshark finds {filter}",
            file.display()
        );
        let mut app = model(file, None);
        apply_filter(&mut app, filter);
        assert_eq!(listed(&app), want, "{}: {filter}", file.display());
    }
}

#[test]
fn the_details_of_a_completing_frame_hold_the_reassembled_http_and_its_data_source() {
    let Some(files) = captures(&["get.pcap", "frag_http_req.pcap"]) else {
        return;
    };
    for (file, filter) in [
        (&files[0], "http.response.code == 200"),
        (&files[1], "http.request.method == \"GET\""),
    ] {
        for number in tshark_shows(file, filter) {
            let mut app = model(file, None);
            let layers = details_of(&mut app, number);
            assert!(
                layers.contains(&Proto::Http),
                "{} frame {number}: {layers:?}",
                file.display()
            );
            // The hex pane's extra tab: the reassembled bytes, shown when
            // the cursor is on the HTTP layer, which lies in them.
            assert!(
                !app.details.dissection.sources.is_empty(),
                "{} frame {number} has a reassembled data source",
                file.display()
            );
            let d = &app.details.dissection;
            let http =
                app.details.rows.iter().position(
                    |r| matches!(r, TreeRow::Layer(l) if d.layers[*l].proto == Proto::Http),
                );
            app.details.cursor = http.expect("the HTTP layer has a row");
            let (bytes, name) = app.details.shown_bytes();
            assert!(name.starts_with("Reassembled"), "{name}");
            assert!(bytes.len() > app.details.frame.data.len() / 2, "{name}");
            let lit = app.details.highlight().expect("the layer's bytes are lit");
            assert!(lit.end <= bytes.len());
        }
    }
}

/// Why Protocol/Info cells may differ here; each must be needed.
const MEDIA_TYPE: &str = "tshark's media dissector (data-text-lines) adds the body's type, `(text/plain)`, after HTTP's words; wirepeek has no such dissector";

/// Which listed cause takes our cell to tshark's, if one does.
fn cause(ours: (&str, &str), theirs: (&str, &str)) -> Option<&'static str> {
    let ((op, oi), (tp, ti)) = (ours, theirs);
    if op != tp {
        return None;
    }
    let media = ti
        .strip_prefix(oi)
        .is_some_and(|rest| rest.starts_with(" (") && rest.ends_with(')'));
    (op == "HTTP" && media).then_some(MEDIA_TYPE)
}

#[test]
fn protocol_and_info_of_every_frame_are_tsharks() {
    let Some(files) = captures(&["get.pcap", "frag_http_req.pcap"]) else {
        return;
    };
    let (mut cells, mut excused) = (0, 0);
    let mut used = std::collections::BTreeMap::new();
    for file in &files {
        let theirs = common::tshark_columns(file);
        let app = model(file, None);
        assert_eq!(app.list.len(), theirs.len(), "{}", file.display());
        let (mut frame, mut d) = (empty_frame(), Dissection::default());
        for (pos, want) in theirs.iter().enumerate() {
            let index = app.list.shown[pos] as usize;
            assert!(app.store.load_into(index, &mut frame));
            let row = row_text(&app, index, &frame, &mut d);
            cells += 1;
            if (row.proto.as_str(), row.info.as_str()) == (&want.protocol, &want.info) {
                continue;
            }
            let why = cause((&row.proto, &row.info), (&want.protocol, &want.info));
            let Some(why) = why else {
                panic!(
                    "{} frame {}: ours {} {:?}, tshark {} {:?}",
                    file.display(),
                    frame.number,
                    row.proto,
                    row.info,
                    want.protocol,
                    want.info
                );
            };
            *used.entry(why).or_insert(0) += 1;
            excused += 1;
        }
    }
    eprintln!("{cells} Protocol/Info cells, {} equal", cells - excused);
    for why in [MEDIA_TYPE] {
        match used.get(why) {
            Some(n) => eprintln!("listed {n}: {why}"),
            None => panic!("listed but no cell needs it: {why}"),
        }
    }
}

#[test]
fn past_the_budget_a_completing_frame_decodes_alone_and_is_counted() {
    let Some(files) = captures(&["get.pcap", "frag_http_req.pcap"]) else {
        return;
    };
    for file in &files {
        let whole = model(file, None);
        assert_eq!(whole.reassembled.over_budget, 0, "{}", file.display());
        let kept = whole.reassembled.kept_bytes();
        assert!(kept > 0, "{}: something was reassembled", file.display());

        // One byte short of what the whole file's completions keep.
        let budget = kept - 1;
        let mut app = model(file, Some(budget));
        assert!(app.reassembled.kept_bytes() <= budget);
        assert!(app.reassembled.over_budget > 0, "{}", file.display());
        let notice = app.notice.as_ref().map(|n| n.text.clone());
        assert!(
            notice
                .as_deref()
                .is_some_and(|t| t.contains("decode alone")),
            "the status says so: {notice:?}"
        );
        // The frames turned away decode as they do alone: no HTTP layer,
        // and the details pane says why.
        let filter = "http.request.method == \"GET\" || http.response.code == 200";
        let complete = tshark_shows(file, filter);
        let last = *complete.last().expect("tshark finds the message");
        let layers = details_of(&mut app, last);
        let mut alone = Dissection::default();
        decode_into(&app.details.frame, Detail::Fields, &mut alone);
        let alone: Vec<Proto> = alone.layers.iter().map(|l| l.proto).collect();
        assert_eq!(layers, alone, "{}: frame {last}", file.display());
        assert!(
            app.details.dissection.sources.is_empty(),
            "nothing reassembled"
        );
        assert!(
            app.details
                .dissection
                .notes
                .iter()
                .any(|n| n.message.contains("not reassembled")),
            "the details pane says why"
        );
    }
}

#[test]
fn frames_aged_out_give_their_reassembled_bytes_back() {
    let Some(files) = captures(&["get.pcap"]) else {
        return;
    };
    let mut app = App::new(
        SourceKind::File {
            path: files[0].display().to_string(),
        },
        None,
    );
    app.set_max_packets(Some(2));
    // One frame at a time, so each is looked at before it ages out.
    let mut most = 0;
    for frame in common::frames(&files[0]) {
        app.update(Msg::Frames(vec![frame]));
        most = most.max(app.reassembled.kept_bytes());
    }
    app.update(Msg::SourceEnded { warning: None });
    assert!(app.aged_out() > 0);
    assert!(most > 0, "the response was reassembled while it was held");
    // It completes in the middle of the file, long aged out by the end.
    assert_eq!(app.reassembled.kept_bytes(), 0);
}

/// A model of `file` loaded as the TUI loads it: by its source thread,
/// the bytes left in the file and read back by offset (so PDUs waiting
/// for segments hold offsets, not copies).
fn file_backed(file: &Path) -> App {
    common::file_backed_app(&file.display().to_string(), None)
}

#[test]
fn a_file_backed_model_reassembles_as_one_given_the_frames() {
    let Some(files) = captures(&["many-protocols.pcap", "get.pcap", "frag_http_req.pcap"]) else {
        return;
    };
    for file in &files {
        let (backed, whole) = (file_backed(file), model(file, None));
        assert!(backed.store.file_backed(), "{}", file.display());
        assert_eq!(backed.list.len(), whole.list.len(), "{}", file.display());
        assert_eq!(
            backed.reassembled.kept_bytes(),
            whole.reassembled.kept_bytes()
        );
        let (mut frame, mut d) = (empty_frame(), Dissection::default());
        for &i in &whole.list.shown {
            let i = i as usize;
            assert!(whole.store.load_into(i, &mut frame));
            let want = row_text(&whole, i, &frame, &mut d);
            assert!(backed.store.load_into(i, &mut frame));
            let got = row_text(&backed, i, &frame, &mut d);
            assert_eq!(
                (got.proto, got.info),
                (want.proto, want.info),
                "{} frame {}",
                file.display(),
                frame.number
            );
        }
    }
}
