#![allow(dead_code)] // each test binary uses a different part of this module
//! What the differential tests against tshark share: where the corpus is,
//! whether tshark is here, how tshark is run (reassembly on, sequence
//! analysis on, first occurrence of each field), and reading our NDJSON.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/corpus/captures`, if this checkout has it beside it.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/captures");
    dir.is_dir().then_some(dir)
}

/// The corpus directory when it and tshark are both here; otherwise says
/// which is missing (the test then skips).
pub fn corpus_and_tshark() -> Option<PathBuf> {
    let Some(dir) = corpus() else {
        skip("corpus ../shared/corpus/captures not found");
        return None;
    };
    if !tshark_present() {
        skip("tshark is not installed");
        return None;
    }
    Some(dir)
}

pub fn tshark_present() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `tshark -r FILE -T fields -e FIELD…` with IP reassembly on (tshark's
/// default and wirepeek's) and TCP sequence analysis on, one value per
/// field (`occurrence=f`); more arguments (statistics, more fields) may
/// follow.
pub fn tshark_fields(file: &Path, fields: &[&str]) -> Command {
    let mut command = Command::new("tshark");
    command.args(["-n", "-r"]).arg(file).args([
        "-o",
        "tcp.analyze_sequence_numbers:TRUE",
        "-T",
        "fields",
        "-E",
        "occurrence=f",
    ]);
    for field in fields {
        command.args(["-e", field]);
    }
    command
}

/// A value of a flat JSON object (our own NDJSON: no nesting, no commas in
/// values).
pub fn json_value<'a>(line: &'a str, key: &str) -> &'a str {
    let pat = format!("\"{key}\":");
    let start = line
        .find(&pat)
        .map(|i| i + pat.len())
        .unwrap_or_else(|| panic!("no {key} in {line}"));
    let rest = &line[start..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim_matches('"')
}

/// Say why this test skips, in one line, and record it so that `.ci/run`
/// counts it as skipped rather than passed (libtest has no run-time skip).
/// The caller returns right after.
pub fn skip(reason: &str) {
    use std::io::Write;
    eprintln!("skipped: {reason}");
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_string();
    let binary = std::env::args()
        .next()
        .and_then(|arg0| {
            Path::new(&arg0)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    let binary = binary
        .rsplit_once('-')
        .map_or(binary.as_str(), |(name, _hash)| name);
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped.log");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
    {
        // One write per line, so lines from parallel tests never interleave.
        let _ = file.write_all(format!("{binary}::{test}: {reason}\n").as_bytes());
    }
}

/// True as root; otherwise records the skip with `reason`.
pub fn root_or_skip(reason: &str) -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() == 0 };
    if !root {
        skip(reason);
    }
    root
}

/// The first line a child writes to `out` (at most 200 bytes), read a byte
/// at a time so nothing after it is taken: an echo server's
/// `listening on tcp ADDR` banner.
pub fn first_line(out: &mut impl std::io::Read) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\n") && line.len() < 200 {
        if out.read(&mut byte).expect("read the first line") == 0 {
            break;
        }
        line.push(byte[0]);
    }
    String::from_utf8(line).expect("a UTF-8 line")
}

/// A capture of `../shared/corpus-app/captures`, if this checkout has it.
pub fn app_capture(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus-app/captures")
        .join(name);
    p.is_file().then_some(p)
}

/// True when tcpdump runs here.
pub fn tcpdump_present() -> bool {
    Command::new("tcpdump")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Every field of `keys`, every occurrence (`occurrence=a`), ours against
/// tshark's, frame by frame. Returns the disagreements.
pub fn fields_disagree(file: &Path, keys: &[&str]) -> Vec<String> {
    let mut tshark = Command::new("tshark");
    tshark.args(["-n", "-r"]).arg(file).args([
        "-o",
        "ip.defragment:FALSE",
        "-o",
        "ipv6.defragment:FALSE",
        "-o",
        "tcp.desegment_tcp_streams:FALSE",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
    ]);
    for k in keys {
        tshark.args(["-e", k]);
    }
    let theirs = String::from_utf8_lossy(&tshark.output().expect("tshark runs").stdout).to_string();
    let ours = Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .arg("read")
        .arg(file)
        .args(["--fields", &keys.join(",")])
        .output()
        .expect("wirepeek runs");
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    let ours = String::from_utf8_lossy(&ours.stdout).to_string();
    let ours: Vec<&str> = ours.lines().skip(1).collect();
    let theirs: Vec<&str> = theirs.lines().collect();
    let mut bad = Vec::new();
    if ours.len() != theirs.len() {
        bad.push(format!(
            "{} frames ours, {} tshark's",
            ours.len(),
            theirs.len()
        ));
    }
    for (n, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        for ((x, y), k) in a.split('\t').zip(b.split('\t')).zip(keys) {
            if x != y {
                bad.push(format!("frame {} {k}: ours {x:?}, tshark {y:?}", n + 1));
            }
        }
    }
    bad
}

/// A raw-IP frame (LINKTYPE_RAW) holding `data`, for decoding in tests.
pub fn raw_frame(data: Vec<u8>) -> wirepeek::frame::FrameRecord {
    wirepeek::frame::FrameRecord {
        number: 1,
        ts: None,
        precision: wirepeek::frame::TsPrecision::Micro,
        link: wirepeek::frame::LinkType::RAW,
        orig_len: data.len() as u32,
        iface: 0,
        data,
    }
}

/// Write packets as a classic pcap (LINKTYPE_RAW) for the oracles.
pub fn raw_pcap(name: &str, packets: &[Vec<u8>]) -> PathBuf {
    pcap_of(name, 101, packets)
}

/// Write packets as a classic pcap of link type `link` (1: Ethernet,
/// 101: raw IP) for the oracles.
pub fn pcap_of(name: &str, link: u32, packets: &[Vec<u8>]) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("wirepeek-raw-{}-{name}.pcap", std::process::id()));
    let mut out = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    out.extend(65535u32.to_le_bytes());
    out.extend(link.to_le_bytes());
    for (i, p) in packets.iter().enumerate() {
        out.extend((1_600_000_000 + i as u32).to_le_bytes());
        out.extend(0u32.to_le_bytes());
        out.extend((p.len() as u32).to_le_bytes());
        out.extend((p.len() as u32).to_le_bytes());
        out.extend_from_slice(p);
    }
    std::fs::write(&path, out).expect("temp pcap written");
    path
}

/// Every frame of a capture file, in order (for decoding in tests).
#[allow(dead_code)]
pub fn frames(path: &Path) -> Vec<wirepeek::frame::FrameRecord> {
    use wirepeek::capture::{FrameSource, Next};
    let mut source =
        wirepeek::capture::file::FileSource::open(&path.to_string_lossy()).expect("capture opens");
    let mut frames = Vec::new();
    while let Ok(next) = source.next_frame() {
        match next {
            Next::Frame(f) => frames.push(f),
            Next::Idle => continue,
            Next::End { .. } => break,
        }
    }
    frames
}

/// tshark's packet-list columns of one frame, with its `frame.protocols`.
#[derive(Debug, Default)]
pub struct TsharkColumns {
    pub protocols: String,
    pub source: String,
    pub destination: String,
    pub protocol: String,
    pub info: String,
}

/// tshark's Source, Destination, Protocol and Info columns (tshark 4.0
/// names them `_ws.col.Source`, `_ws.col.Destination`, `_ws.col.Protocol`
/// and `_ws.col.Info`), one pass as `tshark -r` reads, frame by frame.
pub fn tshark_columns(file: &Path) -> Vec<TsharkColumns> {
    let fields = [
        "frame.protocols",
        "_ws.col.Source",
        "_ws.col.Destination",
        "_ws.col.Protocol",
        "_ws.col.Info",
    ];
    let out = tshark_fields(file, &fields).output().expect("tshark runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let mut c = l.splitn(5, '\t').map(str::to_string);
            let mut next = || c.next().unwrap_or_default();
            TsharkColumns {
                protocols: next(),
                source: next(),
                destination: next(),
                protocol: next(),
                info: next(),
            }
        })
        .collect()
}

/// Wireshark's Info column, ours (`decode::summary::columns::info`, the
/// text the TUI shows, without an echo reply's `(request in N)`) against
/// tshark's `_ws.col.Info`, frame by frame on `file`; frames where ours
/// has none are skipped (the caller counts what was compared). Returns
/// (frames compared, disagreements).
#[allow(dead_code)]
pub fn info_disagree(file: &Path) -> (usize, Vec<String>) {
    let theirs = tshark_columns(file);
    let (mut compared, mut bad) = (0, Vec::new());
    for (f, want) in frames(file).iter().zip(&theirs) {
        let d = wirepeek::decode::decode(f);
        let Some(ours) = wirepeek::decode::summary::columns::info(&f.data, &d) else {
            continue;
        };
        compared += 1;
        if ours != want.info {
            bad.push(format!(
                "{} frame {}: ours {ours:?}, tshark {:?}",
                file.display(),
                f.number,
                want.info
            ));
        }
    }
    (compared, bad)
}

/// The TUI's model with every frame of `file` loaded, as `wirepeek tui
/// FILE` has it once the file has been read.
pub fn loaded_app(file: &Path) -> wirepeek::app::App {
    use wirepeek::app::{App, Msg, SourceKind};
    let mut app = App::new(
        SourceKind::File {
            path: file.display().to_string(),
        },
        None,
    );
    app.update(Msg::Frames(frames(file)));
    app.update(Msg::SourceEnded { warning: None });
    app
}

/// Print how many cells each listed exception (`labels`, in list order)
/// excused, then fail with every disagreement in `bad`, counting a listed
/// exception no cell needed as one (a stale list is a failure too).
pub fn settle_exceptions(
    labels: impl Iterator<Item = String>,
    used: &std::collections::BTreeMap<usize, usize>,
    mut bad: Vec<String>,
) {
    for (e, label) in labels.enumerate() {
        match used.get(&e) {
            Some(n) => eprintln!("listed {n}: {label}"),
            None => bad.push(format!("exception listed but no cell needs it: {label}")),
        }
    }
    assert!(
        bad.is_empty(),
        "{}\n{} disagreements",
        bad.join("\n"),
        bad.len()
    );
}

/// Every capture of both corpora (none when neither is here).
pub fn corpus_files() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = corpus().into_iter().collect();
    dirs.extend(app_capture("vxlan.pcap").and_then(|p| p.parent().map(Path::to_path_buf)));
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).expect("corpus directory lists"))
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    files.sort();
    files
}

/// The TUI's model of a capture beside tshark's columns for it.
pub struct Beside {
    pub name: String,
    pub app: wirepeek::app::App,
    pub theirs: Vec<TsharkColumns>,
}

/// `file` loaded into the model beside tshark's columns, when `wanted`
/// picks one of tshark's frames at least (`None` otherwise); `Err` says
/// the two list different frame counts.
pub fn beside_tshark(
    file: &Path,
    wanted: impl Fn(&TsharkColumns) -> bool,
) -> Option<Result<Beside, String>> {
    let theirs = tshark_columns(file);
    if !theirs.iter().any(wanted) {
        return None;
    }
    let name = file
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let app = loaded_app(file);
    if app.list.len() != theirs.len() {
        return Some(Err(format!(
            "{name}: {} frames ours, {} tshark's",
            app.list.len(),
            theirs.len()
        )));
    }
    Some(Ok(Beside { name, app, theirs }))
}

impl Beside {
    /// The TUI's row at list position `pos`, its frame loaded into `frame`.
    pub fn row(
        &self,
        pos: usize,
        frame: &mut wirepeek::frame::FrameRecord,
        d: &mut wirepeek::decode::Dissection,
    ) -> wirepeek::tui::list::RowText {
        let index = self.app.list.shown[pos] as usize;
        assert!(
            self.app.store.load_into(index, frame),
            "{}: frame {pos} loads",
            self.name
        );
        wirepeek::tui::list::row_text(&self.app, index, frame, d)
    }
}

/// A TUI model for `file`, no frame in yet, that compiles display filters.
pub fn filtering_app(file: &Path) -> wirepeek::app::App {
    use wirepeek::app::{App, SourceKind};
    let mut app = App::new(
        SourceKind::File {
            path: file.display().to_string(),
        },
        None,
    );
    app.view.compiler = Some(wirepeek::app::filter::display_compiler());
    app
}

/// The TUI's source thread started on the file at `path`, and a model for
/// what it sends.
pub fn start_file_source(
    path: &str,
) -> (
    wirepeek::app::App,
    std::sync::mpsc::Receiver<wirepeek::tui::Event>,
) {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use wirepeek::tui::source::{self, Drops, SourceSpec};
    let spec = SourceSpec::File { path: path.into() };
    let (tx, rx) = std::sync::mpsc::sync_channel(256);
    source::start(
        &spec,
        tx,
        Arc::new(AtomicBool::new(false)),
        Arc::new(Drops::default()),
    )
    .expect("the capture opens");
    (wirepeek::app::App::new(spec.kind(), None), rx)
}

/// The TUI's model loaded from `path` by the TUI's own source thread (the
/// bytes left in the file, read back by offset), keeping at most `max`
/// packets; the source must not fail.
pub fn file_backed_app(path: &str, max: Option<usize>) -> wirepeek::app::App {
    use wirepeek::app::Msg;
    use wirepeek::tui::Event;
    let (mut app, rx) = start_file_source(path);
    app.set_max_packets(max);
    for event in rx {
        if let Event::App(msg) = event {
            let end = matches!(msg, Msg::SourceEnded { .. } | Msg::SourceFailed(_));
            app.update(msg);
            if end {
                break;
            }
        }
    }
    assert!(app.counters.failed.is_none(), "{:?}", app.counters.failed);
    app
}

/// The frame numbers `tshark -Y filter` shows of `file`, in order.
pub fn tshark_shows(file: &Path, filter: &str) -> Vec<u64> {
    let out = tshark_fields(file, &["frame.number"])
        .args(["-Y", filter])
        .output()
        .expect("tshark runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// The default lines of `wirepeek read FILE` (the binary at `bin`) and of
/// `tcpdump -n -r FILE`, both in UTC, as text. The caller checks that
/// tcpdump is present first (`tcpdump_present`).
pub fn read_and_tcpdump_lines(bin: &str, file: &Path) -> (String, String) {
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd.env("TZ", "UTC").output();
        String::from_utf8_lossy(&out.unwrap_or_else(|e| panic!("{what} runs: {e}")).stdout)
            .into_owned()
    };
    let ours = run(Command::new(bin).arg("read").arg(file), "wirepeek");
    let theirs = run(
        Command::new("tcpdump").args(["-n", "-r"]).arg(file),
        "tcpdump",
    );
    (ours, theirs)
}
