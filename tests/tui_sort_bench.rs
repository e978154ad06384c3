//! Benchmark (ignored by default): sort a large capture's packet list by
//! Length, Source and Info as the TUI loop runs the sort job (10 ms
//! slices, a redraw every 33 ms, a key between slices), printing each
//! sort's time, its worst slice with the key and redraw after it, and the
//! process's peak resident memory before and after. Run with
//! `WIREPEEK_BENCH_FILE=/tmp/1m.pcap cargo test --release --test
//! tui_sort_bench -- --ignored --nocapture`.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use wirepeek::app::columns::Column;
use wirepeek::app::sort::SortSpec;
use wirepeek::app::{App, Input, Key, Msg};
use wirepeek::tui::source::{self, Drops, SourceSpec};
use wirepeek::tui::{Event, sort, sync_viewport, view};

/// `VmHWM` and `VmRSS` of this process, in MiB.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

#[test]
#[ignore = "needs a large capture; set WIREPEEK_BENCH_FILE"]
fn bench_sort_a_large_capture_by_length_source_and_info() {
    let Ok(path) = std::env::var("WIREPEEK_BENCH_FILE") else {
        eprintln!("skipped: set WIREPEEK_BENCH_FILE to a capture file");
        return;
    };
    let spec = SourceSpec::File { path };
    let (tx, rx) = mpsc::sync_channel::<Event>(256);
    let stop = Arc::new(AtomicBool::new(false));
    source::start(&spec, tx, stop, Arc::new(Drops::default())).expect("the capture opens");
    let mut app = App::new(spec.kind(), None);
    let area = Rect::new(0, 0, 80, 24);
    let loaded = Instant::now();
    for event in rx {
        let Event::App(msg) = event else { continue };
        let end = matches!(msg, Msg::SourceEnded { .. } | Msg::SourceFailed(_));
        app.update(msg);
        if end {
            break;
        }
    }
    let (peak, rss) = memory_mib();
    println!(
        "loaded {} packets in {:.2} s; peak RSS {peak:.0} MiB, RSS {rss:.0} MiB",
        app.store.len(),
        loaded.elapsed().as_secs_f64()
    );
    let redraw = |app: &mut App| {
        let mut buf = Buffer::empty(area);
        sync_viewport(app, area);
        view::render(app, area, &mut buf);
    };
    redraw(&mut app);
    for (column, descending) in [
        (Column::Length, true),
        (Column::Source, false),
        (Column::Info, false),
    ] {
        let label = column.header().to_string();
        let began = Instant::now();
        app.sort_by(Some(SortSpec { column, descending }));
        let mut job = sort::Job::new(app.take_sort_job().expect("a sort job"));
        let (mut slices, mut worst, mut drawn) = (0, 0.0f64, Instant::now());
        loop {
            let slice = Instant::now();
            let finished = job.step(&mut app, Duration::from_millis(10));
            // A key waiting for the slice, and the screen drawn after it.
            let key = if slices % 2 == 0 {
                Key::Char('j')
            } else {
                Key::Char('k')
            };
            app.update(Msg::Input(Input::Key(key)));
            if finished || drawn.elapsed() >= Duration::from_millis(33) {
                redraw(&mut app);
                drawn = Instant::now();
            }
            slices += 1;
            worst = worst.max(slice.elapsed().as_secs_f64() * 1000.0);
            if finished {
                break;
            }
        }
        assert!(app.list.order.is_some(), "sorted");
        let (peak, rss) = memory_mib();
        println!(
            "sort by {label}: {:.2} s in {slices} slices; a slice, a key and its redraw at worst {worst:.1} ms; peak RSS {peak:.0} MiB, RSS after {rss:.0} MiB",
            began.elapsed().as_secs_f64()
        );
    }
}
