//! A capture file that grows while the TUI has it open (another capture
//! writing it, as `tcpdump -w x.pcap` does): in tmux, the test writes the
//! first 10 records of `captures/echo-tcp4.pcap`, opens it, then appends
//! record 11 whole and record 12 in two halves, and the list grows to 11
//! and then 12 packets; with the last row selected (`G`) the selection
//! follows the new packet, as for a live capture. Skips without tmux.

mod common;
mod tui_support;

use std::io::Write;

use tui_support::Tmux;

/// The file header and each record of a pcap (little-endian, as this one).
fn records(file: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let u32_at = |at: usize| u32::from_le_bytes(file[at..at + 4].try_into().expect("4 bytes"));
    assert_eq!(u32_at(0), 0xa1b2_3c4d, "a little-endian nanosecond pcap");
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= file.len() {
        let len = u32_at(at + 8) as usize;
        out.push(file[at..at + 16 + len].to_vec());
        at += 16 + len;
    }
    (file[..24].to_vec(), out)
}

#[test]
fn a_growing_file_shows_each_new_record_and_waits_for_a_half_written_one() {
    let capture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/captures/echo-tcp4.pcap"
    ))
    .expect("the capture");
    let (header, recs) = records(&capture);
    assert_eq!(recs.len(), 14);
    let dir = std::env::temp_dir().join(format!("wirepeek-tui-grow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("growing.pcap");
    let mut file = std::fs::File::create(&path).expect("the file");
    file.write_all(&header).expect("written");
    for r in &recs[..10] {
        file.write_all(r).expect("written");
    }
    file.flush().expect("flushed");

    let bin = env!("CARGO_BIN_EXE_wirepeek");
    let script = format!(
        "cd '{}' && TZ=UTC '{bin}' tui growing.pcap; echo EXIT=$?; sleep 60",
        dir.display()
    );
    let Some(tmux) = Tmux::start("grow", (120, 30), &["sh", "-c", &script]) else {
        return;
    };
    tmux.wait_until(|s| s.contains("Packets 10/10 · watching the file"))
        .unwrap_or_else(|s| panic!("the first 10 packets never appeared:\n{s}"));

    file.write_all(&recs[10]).expect("written");
    file.flush().expect("flushed");
    tmux.wait_for("Packets 11/11")
        .unwrap_or_else(|s| panic!("record 11 was not picked up:\n{s}"));

    // The last row selected: new packets are followed.
    tmux.run(&["send-keys", "-t", "tui", "G"]);
    tmux.wait_for("Frame 11:")
        .unwrap_or_else(|s| panic!("G did not select frame 11:\n{s}"));

    // Half of record 12: waited for, not shown, not called damage.
    let (a, b) = recs[11].split_at(recs[11].len() / 2);
    file.write_all(a).expect("written");
    file.flush().expect("flushed");
    let offset = 24 + recs[..11].iter().map(Vec::len).sum::<usize>();
    let waiting = format!(
        "{} bytes of a record at byte {offset} not complete yet",
        a.len()
    );
    let screen = tmux
        .wait_for(&waiting)
        .unwrap_or_else(|s| panic!("the half record was not reported as pending:\n{s}"));
    assert!(screen.contains("Packets 11/11"), "{screen}");
    assert!(!screen.contains("middle of"), "{screen}");

    file.write_all(b).expect("written");
    file.flush().expect("flushed");
    let screen = tmux
        .wait_until(|s| s.contains("Packets 12/12") && s.contains("Frame 12:"))
        .unwrap_or_else(|s| panic!("record 12 was not picked up and followed:\n{s}"));
    assert!(
        screen.contains("Packets 12/12 · following · watching the file"),
        "{screen}"
    );
    assert!(!screen.contains("not complete yet"), "{screen}");

    tmux.run(&["send-keys", "-t", "tui", "q"]);
    tmux.wait_for("EXIT=0")
        .unwrap_or_else(|s| panic!("q did not quit cleanly:\n{s}"));
    drop(tmux);
    let _ = std::fs::remove_dir_all(&dir);
}
