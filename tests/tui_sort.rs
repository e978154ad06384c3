//! Sorting the packet list in a real terminal (tmux, 100×40) on the
//! corpus's `four_ipv6_http_streams.pcap` (81 packets, 27 lengths): `o`
//! sorts by the next column, `O` reverses it; the rows read off the
//! screen are in the order of `tshark -T fields -e frame.number -e
//! frame.len` sorted by length descending, ties by frame number; `:N`
//! then selects frame N; a display filter keeps the sort, against
//! tshark's `-Y` of the same filter. Skips without tmux, the corpus or
//! tshark.

mod common;
mod tui_support;

use tui_support::Tmux;

/// tshark's (frame number, length) of `file` passing `filter`, sorted by
/// length descending, ties in frame order.
fn tshark_by_length(file: &str, filter: Option<&str>) -> Vec<(u64, u64)> {
    let mut cmd = std::process::Command::new("tshark");
    cmd.args(["-n", "-r", file]);
    if let Some(f) = filter {
        cmd.args(["-Y", f]);
    }
    let out = cmd
        .args(["-T", "fields", "-e", "frame.number", "-e", "frame.len"])
        .output()
        .expect("tshark runs");
    let mut rows: Vec<(u64, u64)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (n, len) = l.split_once('\t')?;
            Some((n.parse().ok()?, len.parse().ok()?))
        })
        .collect();
    rows.sort_by_key(|&(n, len)| (std::cmp::Reverse(len), n));
    rows
}

/// The list's (No., Length) rows on the screen, top to bottom.
fn rows_on(screen: &str) -> Vec<(u64, u64)> {
    screen
        .lines()
        .take_while(|l| !l.starts_with(" Details"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            match cells[..] {
                [n, len] => Some((n.parse().ok()?, len.parse().ok()?)),
                _ => None,
            }
        })
        .collect()
}

/// Every row of the list, paging down from the top.
fn all_rows(tmux: &Tmux, want: usize) -> Vec<(u64, u64)> {
    // At the end the last row drawn is the one selected (its frame in the
    // details pane); back at the top, the first is.
    tmux.run(&["send-keys", "-t", "tui", "G"]);
    tmux.wait_until(|s| {
        rows_on(s)
            .last()
            .is_some_and(|r| s.contains(&format!("Frame {}:", r.0)))
    })
    .unwrap_or_else(|s| panic!("G did not go to the end:\n{s}"));
    tmux.run(&["send-keys", "-t", "tui", "g"]);
    let mut screen = tmux
        .wait_until(|s| {
            rows_on(s)
                .first()
                .is_some_and(|r| s.contains(&format!("Frame {}:", r.0)))
        })
        .unwrap_or_else(|s| panic!("g did not go to the top:\n{s}"));
    let mut rows: Vec<(u64, u64)> = Vec::new();
    for _ in 0..want + 1 {
        for r in rows_on(&screen) {
            if !rows.iter().any(|x| x.0 == r.0) {
                rows.push(r);
            }
        }
        if rows.len() >= want {
            break;
        }
        tmux.run(&["send-keys", "-t", "tui", "PageDown"]);
        let before = screen.clone();
        match tmux.wait_until(|s| *s != before) {
            Ok(s) => screen = s,
            Err(_) => break,
        }
    }
    rows
}

#[test]
fn o_and_shift_o_sort_by_length_descending_as_tshark_and_go_to_and_a_filter_keep_working() {
    let Some(dir) = common::corpus_and_tshark() else {
        return;
    };
    let file = dir.join("four_ipv6_http_streams.pcap");
    let file = file.to_str().expect("a UTF-8 path");
    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let script = format!("TZ=UTC '{bin}' tui '{file}'; echo EXIT=$?; sleep 60");
    let Some(tmux) = Tmux::start("sort", (100, 40), &["sh", "-c", &script]) else {
        return;
    };
    let want = tshark_by_length(file, None);
    assert_eq!(want.len(), 81);
    tmux.wait_for("Packets 81/81")
        .unwrap_or_else(|s| panic!("the list never appeared:\n{s}"));
    tmux.run(&["send-keys", "-t", "tui", "c", "C-u"]);
    tmux.run(&["send-keys", "-t", "tui", "-l", "no, length"]);
    tmux.run(&["send-keys", "-t", "tui", "Enter"]);
    tmux.wait_for("No. Length")
        .unwrap_or_else(|s| panic!("the columns were not taken:\n{s}"));
    // `o`: by the next column (Length) ascending; `O`: descending.
    tmux.run(&["send-keys", "-t", "tui", "o"]);
    tmux.wait_for("Length ▲")
        .unwrap_or_else(|s| panic!("no ascending sort:\n{s}"));
    tmux.run(&["send-keys", "-t", "tui", "O"]);
    tmux.wait_for("Length ▼")
        .unwrap_or_else(|s| panic!("no descending sort:\n{s}"));
    assert_eq!(all_rows(&tmux, 81), want);

    // `:40` selects frame 40 wherever it is drawn.
    tmux.run(&["send-keys", "-t", "tui", ":", "4", "0", "Enter"]);
    let screen = tmux
        .wait_for("Frame 40:")
        .unwrap_or_else(|s| panic!(":40 did not select frame 40:\n{s}"));
    assert!(rows_on(&screen).iter().any(|r| r.0 == 40), "{screen}");

    // A display filter: its rows, sorted the same way.
    let filter = "tcp.len > 0";
    let want = tshark_by_length(file, Some(filter));
    assert!(!want.is_empty() && want.len() < 81);
    tmux.run(&["send-keys", "-t", "tui", "/", "C-u"]);
    tmux.run(&["send-keys", "-t", "tui", "-l", filter]);
    tmux.run(&["send-keys", "-t", "tui", "Enter"]);
    let shown = format!("{}/81 shown", want.len());
    tmux.wait_until(|s| s.contains(&shown) && s.contains("Length ▼"))
        .unwrap_or_else(|s| panic!("the filter did not keep the sort:\n{s}"));
    assert_eq!(all_rows(&tmux, want.len()), want);

    tmux.run(&["send-keys", "-t", "tui", "q"]);
    tmux.wait_for("EXIT=0")
        .unwrap_or_else(|s| panic!("q did not quit cleanly:\n{s}"));
}
