//! Benchmark (ignored by default): load a large capture through the TUI's
//! own source thread and model, timing the first screen with packets on it,
//! then time drawing the screen. Run with
//! `WIREPEEK_BENCH_FILE=/tmp/1m.pcap cargo test --test tui_bench -- --ignored --nocapture`.

mod common;

use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use wirepeek::app::{App, Input, Key, Msg};
use wirepeek::tui::{Event, sync_viewport, view};

fn max_rss_mib() -> f64 {
    // SAFETY: getrusage fills the plain-data struct it is given.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    usage.ru_maxrss as f64 / 1024.0
}

#[test]
#[ignore = "needs a large capture; set WIREPEEK_BENCH_FILE"]
fn bench_load_and_draw_a_large_capture() {
    let Ok(path) = std::env::var("WIREPEEK_BENCH_FILE") else {
        eprintln!("skipped: set WIREPEEK_BENCH_FILE to a capture file");
        return;
    };
    let started = Instant::now();
    let (mut app, rx) = common::start_file_source(&path);
    let area = Rect::new(0, 0, 80, 24);
    sync_viewport(&mut app, area);
    let mut first_screen = None;
    for event in rx {
        if let Event::App(msg) = event {
            let end = matches!(msg, Msg::SourceEnded { .. } | Msg::SourceFailed(_));
            app.update(msg);
            if first_screen.is_none() && !app.list.is_empty() {
                // Time to first frame: open, first batch in, screen drawn.
                let mut buf = Buffer::empty(area);
                sync_viewport(&mut app, area);
                view::render(&app, area, &mut buf);
                first_screen = Some((started.elapsed(), app.store.len()));
            }
            if end {
                break;
            }
        }
    }
    let load = started.elapsed();
    if let Some((t, batch)) = first_screen {
        println!(
            "first screen with packets drawn {:.1} ms after opening ({batch} packets in by then)",
            t.as_secs_f64() * 1000.0
        );
    }
    let n = app.store.len();
    println!(
        "loaded {n} packets ({:.0} MB captured bytes) in {:.2} s: {:.0} packets/s; max RSS {:.0} MiB",
        app.store.bytes() as f64 / 1e6,
        load.as_secs_f64(),
        n as f64 / load.as_secs_f64(),
        max_rss_mib()
    );
    let (continuing, completed, pending) = app.reassembled.entries();
    println!(
        "reassembly kept {completed} completions ({:.1} MiB), {continuing} continuing segments, {} past the budget; {:.1} MiB of PDUs pending",
        app.reassembled.kept_bytes() as f64 / (1 << 20) as f64,
        app.reassembled.over_budget,
        pending as f64 / (1 << 20) as f64
    );
    for (label, key) in [
        ("first rows", Key::Char('g')),
        ("last rows", Key::Char('G')),
    ] {
        app.update(Msg::Input(Input::Key(key)));
        let mut buf = Buffer::empty(area);
        let rounds = 200;
        let t = Instant::now();
        for i in 0..rounds {
            // Move so each draw decodes a fresh window, as scrolling does.
            let k = if i % 2 == 0 {
                Key::PageDown
            } else {
                Key::PageUp
            };
            app.update(Msg::Input(Input::Key(k)));
            buf.reset();
            view::render(&app, area, &mut buf);
        }
        println!(
            "draw 80x24 at the {label}: {:.3} ms per frame",
            t.elapsed().as_secs_f64() * 1000.0 / rounds as f64
        );
    }
    // Key to redraw: the key's update and the screen drawn after it, the
    // worst of a few presses. A find for bytes no packet holds scans the
    // whole file: the worst case there is.
    let press = |app: &mut App, keys: &[Key]| {
        let t = Instant::now();
        for &k in keys {
            app.update(Msg::Input(Input::Key(k)));
        }
        let mut buf = Buffer::empty(area);
        sync_viewport(app, area);
        view::render(app, area, &mut buf);
        t.elapsed().as_secs_f64() * 1000.0
    };
    let typed = |prefix: Key, text: &str| -> Vec<Key> {
        let mut keys = vec![prefix];
        keys.extend(text.chars().map(Key::Char));
        keys.push(Key::Enter);
        keys
    };
    let middle = (n / 2).to_string();
    let last = n.to_string();
    let cases: Vec<(&str, Vec<Vec<Key>>)> = vec![
        ("j/k", vec![vec![Key::Char('j')], vec![Key::Char('k')]]),
        ("PgDn/PgUp", vec![vec![Key::PageDown], vec![Key::PageUp]]),
        ("g/G", vec![vec![Key::Char('G')], vec![Key::Char('g')]]),
        (
            ":N (go to)",
            vec![typed(Key::Char(':'), &middle), typed(Key::Char(':'), &last)],
        ),
        (
            "Ctrl-F string, no match (first redraw)",
            vec![typed(Key::Ctrl('f'), "no packet holds this text")],
        ),
    ];
    for (label, presses) in cases {
        let worst = (0..3)
            .flat_map(|_| presses.iter())
            .map(|keys| {
                let ms = press(&mut app, keys);
                app.cancel_search();
                ms
            })
            .fold(0.0, f64::max);
        println!("key to redraw, {label}: worst {worst:.1} ms");
    }
    // The same search to its answer, as the TUI loop runs it: 10 ms
    // slices, a redraw every 33 ms (the status bar's percentage), and
    // what one slice plus a redraw costs at worst (how long a key waits).
    let t = Instant::now();
    press(
        &mut app,
        &typed(Key::Ctrl('f'), "no packet holds this text"),
    );
    let (mut slices, mut worst_slice, mut drawn) = (0, 0.0f64, Instant::now());
    while app.searching() {
        let began = Instant::now();
        app.search_work(&mut || began.elapsed() >= Duration::from_millis(10));
        if drawn.elapsed() >= Duration::from_millis(33) {
            let mut buf = Buffer::empty(area);
            view::render(&app, area, &mut buf);
            drawn = Instant::now();
        }
        slices += 1;
        worst_slice = worst_slice.max(began.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "Ctrl-F string, no match: answer after {:.2} s ({slices} slices, a slice and its redraw at worst {worst_slice:.1} ms)",
        t.elapsed().as_secs_f64()
    );
    // The Flows tab: the table was built while loading; opening it and
    // paging through it draws only the visible conversations.
    println!("{} conversations", app.flows.rows.len());
    for (tab, label) in [('2', "Flows tab"), ('3', "Encapsulation tab")] {
        app.update(Msg::Input(Input::Key(Key::Char(tab))));
        let mut buf = Buffer::empty(area);
        let rounds = 200;
        let t = Instant::now();
        for _ in 0..rounds {
            app.update(Msg::Input(Input::Key(Key::PageDown)));
            sync_viewport(&mut app, area);
            buf.reset();
            view::render(&app, area, &mut buf);
        }
        println!(
            "draw 80x24 on the {label}, paging: {:.3} ms per frame",
            t.elapsed().as_secs_f64() * 1000.0 / rounds as f64
        );
    }
}
