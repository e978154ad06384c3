//! `wirepeek explain --diagram`: every fixed field of the registry drawn in
//! exactly the bits its byte range and mask give it, checked on every frame
//! of the bundled captures (and the corpus, when present); golden diagrams
//! for IPv4+TCP with options, IPv6+UDP, ARP and DNS, compared by hand with
//! the diagrams of RFC 791 §3.1, RFC 9293 §3.1, RFC 8200 §3, RFC 768,
//! RFC 826 and RFC 1035 §4.1.1 before they were blessed
//! (`WIREPEEK_BLESS=1` rewrites them); Markdown keeps them in code blocks.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::decode::{Origin, Proto, decode, field};
use wirepeek::output::diagram::write_header;
use wirepeek::output::teach::Paint;
use wirepeek::teach::diagram::{Diagram, GridRow, HeaderDiagram};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Frames read from one file at most: enough for every field a file has.
const FRAMES_PER_FILE: usize = 400;

fn capture_files() -> Vec<PathBuf> {
    let mut dirs = vec![root().join("captures")];
    dirs.extend(common::corpus());
    dirs.push(root().join("../shared/corpus-app/captures"));
    let mut files = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "pcap" || x == "pcapng") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// The bits a mask selects over `len` bytes, counted from the first byte's
/// top bit, one at a time (independently of the diagram's arithmetic).
fn selected_bits(len: usize, mask: u64) -> Vec<u32> {
    let width = 8 * len as u32;
    (0..width)
        .filter(|i| mask == 0 || (mask >> (width - 1 - i)) & 1 == 1)
        .collect()
}

/// Check one header's cells against the registry: returns the keys checked.
fn check_header(
    h: &HeaderDiagram,
    fields: &[wirepeek::decode::Field],
    file: &Path,
    frame: u64,
) -> Vec<&'static str> {
    let mut checked = Vec::new();
    // Cells tile the drawn bits in order, without overlap.
    let mut at = 0;
    for c in &h.cells {
        assert_eq!(
            c.bits.start,
            at,
            "{}: frame {frame}: cells leave a gap",
            file.display()
        );
        assert!(c.bits.end > c.bits.start);
        at = c.bits.end;
    }
    assert_eq!(at, h.bits);
    for f in fields {
        let Some(def) = field::find(f.key) else {
            continue;
        };
        let Some(rel) = def.bytes.clone() else {
            continue;
        };
        if f.origin != Origin::Wire || f.bytes.len() != rel.len() {
            continue;
        }
        if f.bytes.start < h.range.start || f.bytes.end > h.range.start + h.bits as usize / 8 {
            continue;
        }
        let base = 8 * (f.bytes.start - h.range.start) as u32;
        for want in runs(&selected_bits(rel.len(), def.mask)) {
            check_run(h, def.key, base + want.start..base + want.end, file, frame);
        }
        checked.push(def.key);
    }
    checked
}

/// Adjacent bits grouped: a mask with a hole is drawn as two cells.
fn runs(bits: &[u32]) -> Vec<std::ops::Range<u32>> {
    let mut out: Vec<std::ops::Range<u32>> = Vec::new();
    for &b in bits {
        match out.last_mut() {
            Some(r) if r.end == b => r.end = b + 1,
            _ => out.push(b..b + 1),
        }
    }
    out
}

/// The field `key` takes exactly the bits `want`: a cell of its own, or
/// its sub-fields tile them; and no cell crosses their edges.
fn check_run(h: &HeaderDiagram, key: &str, want: std::ops::Range<u32>, file: &Path, frame: u64) {
    {
        let def_key = key;
        let own = h.cells.iter().any(|c| c.key == def_key && c.bits == want);
        // Else its sub-fields (or a field with the same bits) tile it.
        let inside: Vec<_> = h
            .cells
            .iter()
            .filter(|c| c.bits.start >= want.start && c.bits.end <= want.end)
            .collect();
        let tiled = inside.first().map(|c| c.bits.start) == Some(want.start)
            && inside.last().map(|c| c.bits.end) == Some(want.end);
        assert!(
            own || tiled,
            "{}: frame {frame}: {} should span bits {want:?} of {}; cells: {:?}",
            file.display(),
            def_key,
            h.title,
            h.cells
                .iter()
                .map(|c| (c.key, c.bits.clone()))
                .collect::<Vec<_>>()
        );
        // No cell crosses the field's edges.
        for c in &h.cells {
            let straddles = (c.bits.start < want.start && c.bits.end > want.start)
                || (c.bits.start < want.end && c.bits.end > want.end);
            assert!(
                !straddles,
                "{}: frame {frame}: cell {} {:?} crosses {} {want:?}",
                file.display(),
                c.key,
                c.bits,
                def_key
            );
        }
    }
}

/// The drawn text puts `|` exactly at each cell edge of each row.
fn check_drawing(h: &HeaderDiagram) {
    let mut text = String::new();
    write_header(&mut text, h, Paint { on: false });
    let lines: Vec<&str> = text.lines().skip(2).collect();
    let mut li = 0;
    for (r, row) in h.rows.iter().enumerate() {
        li += 1; // the border above
        let GridRow::Bits {
            height,
            first,
            width,
        } = row
        else {
            li += 1;
            continue;
        };
        for line in &lines[li..li + height] {
            let chars: Vec<char> = line.chars().collect();
            assert_eq!(chars.len(), 2 * *width as usize + 1, "{line:?}");
            for b in 0..=*width {
                let edge = b == 0 || b == *width || h.owner(first + b - 1) != h.owner(first + b);
                if edge {
                    assert_eq!(chars[2 * b as usize], '|', "row {r} bit {b}: {line:?}");
                }
            }
        }
        li += height;
    }
}

#[test]
fn every_fixed_field_spans_exactly_the_bits_its_mask_gives() {
    let mut seen: BTreeSet<&'static str> = BTreeSet::new();
    for file in capture_files() {
        let Ok(mut src) = FileSource::open(file.to_str().expect("UTF-8 path")) else {
            continue;
        };
        for _ in 0..FRAMES_PER_FILE {
            let frame = match src.next_frame() {
                Ok(Next::Frame(f)) => f,
                Ok(Next::Idle) => continue,
                _ => break,
            };
            let d = decode(&frame);
            let dg = Diagram::build(&frame, &d);
            let layers = d
                .layers
                .iter()
                .filter(|l| l.proto != Proto::Frame && !l.header.is_empty());
            for (layer, h) in layers.zip(&dg.headers) {
                assert_eq!(layer.proto, h.proto);
                seen.extend(check_header(h, d.fields_of(layer), &file, frame.number));
                check_drawing(h);
            }
        }
    }
    let fixed = field::all().filter(|f| f.bytes.is_some()).count();
    eprintln!("{} of {fixed} fixed fields checked", seen.len());
    // The bundled captures alone hold these: the test cannot pass empty.
    for key in [
        wirepeek::decode::ipv4::VERSION.key,
        wirepeek::decode::ipv4::HDR_LEN.key,
        wirepeek::decode::ipv4::DSFIELD_DSCP.key,
        wirepeek::decode::ipv4::DSFIELD_ECN.key,
        wirepeek::decode::ipv4::FLAGS_DF.key,
        wirepeek::decode::ipv4::FRAG_OFFSET.key,
        wirepeek::decode::ipv6::TCLASS.key,
        wirepeek::decode::ipv6::FLOW.key,
        wirepeek::decode::tcp::HDR_LEN.key,
        wirepeek::decode::tcp::FLAGS.key,
        wirepeek::decode::tcp::FLAGS_RES.key,
        wirepeek::decode::tcp::FLAGS_SYN.key,
        wirepeek::decode::udp::LENGTH.key,
        wirepeek::decode::arp::OPCODE.key,
        wirepeek::decode::ethernet::TYPE.key,
        wirepeek::decode::icmp::TYPE.key,
    ] {
        assert!(seen.contains(key), "no frame checked {key}");
    }
}

fn wirepeek(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wirepeek"))
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("the wirepeek binary runs")
}

fn golden(name: &str, args: &[&str]) {
    let out = wirepeek(args);
    assert!(
        out.status.success(),
        "wirepeek {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let path = root().join("tests/golden").join(format!("{name}.txt"));
    if std::env::var_os("WIREPEEK_BLESS").is_some() {
        std::fs::write(&path, &text).expect("write golden file");
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; WIREPEEK_BLESS=1 creates it", path.display()));
    if let Some(i) = text.lines().zip(want.lines()).position(|(a, b)| a != b) {
        panic!(
            "{name} differs at line {}:\n got: {:?}\nwant: {:?}",
            i + 1,
            text.lines().nth(i),
            want.lines().nth(i)
        );
    }
    assert_eq!(text, want, "{name}: line count differs");
}

#[test]
fn ipv4_and_tcp_with_options_are_drawn_as_rfc_791_and_9293_draw_them() {
    golden(
        "echo-tcp4-frame1-diagram",
        &["explain", "captures/echo-tcp4.pcap", "-n", "1", "--diagram"],
    );
}

#[test]
fn ipv6_and_udp_are_drawn_as_rfc_8200_and_768_draw_them() {
    golden(
        "echo-udp6-frame1-diagram",
        &["explain", "captures/echo-udp6.pcap", "-n", "1", "--diagram"],
    );
}

#[test]
fn arp_is_drawn_in_32_bit_rows() {
    golden(
        "arp-request-diagram",
        &[
            "explain",
            "captures/arp-request-reply.pcap",
            "-n",
            "1",
            "--diagram",
        ],
    );
}

#[test]
fn dns_header_flags_and_records_are_drawn() {
    let Some(file) = common::app_capture("dns_udp.pcap") else {
        common::skip("../shared/corpus-app/captures/dns_udp.pcap not found");
        return;
    };
    let file = file.to_str().expect("UTF-8 path").to_string();
    golden(
        "dns-udp-frame1-diagram",
        &["explain", &file, "-n", "1", "--diagram"],
    );
}

#[test]
fn markdown_diagrams_sit_in_code_blocks() {
    let out = wirepeek(&[
        "explain",
        "captures/echo-udp4.pcap",
        "--diagram",
        "--markdown",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(!text.contains('\x1b'), "no colour in Markdown");
    let mut inside = false;
    let mut blocks = 0;
    for line in text.lines() {
        if line.starts_with("```") {
            if !inside {
                assert_eq!(line, "```text");
                blocks += 1;
            }
            inside = !inside;
            continue;
        }
        if line.starts_with('+') || line.starts_with('|') || line.starts_with(" 0 1 2") {
            assert!(inside, "diagram line outside a code block: {line:?}");
        }
    }
    assert!(!inside, "a code block is left open");
    // Ethernet, IPv4, UDP and the payload.
    assert_eq!(blocks, 4, "{text}");
    assert_eq!(text.matches("## ").count(), 4);
}

#[test]
fn diagram_colours_headers_on_request_and_not_otherwise() {
    let args = ["explain", "captures/echo-tcp4.pcap", "--diagram"];
    let plain = wirepeek(&[&args[..], &["--color", "never"]].concat());
    let coloured = wirepeek(&[&args[..], &["--color", "always"]].concat());
    let (plain, coloured) = (
        String::from_utf8(plain.stdout).expect("UTF-8"),
        String::from_utf8(coloured.stdout).expect("UTF-8"),
    );
    assert!(!plain.contains('\x1b'));
    // The second layer (IPv4) in the hex pane's second colour.
    assert!(coloured.contains("\x1b[92m"), "{coloured}");
    let stripped: String = {
        let mut s = String::new();
        let mut esc = false;
        for c in coloured.chars() {
            match (esc, c) {
                (_, '\x1b') => esc = true,
                (true, 'm') => esc = false,
                (true, _) => {}
                (false, c) => s.push(c),
            }
        }
        s
    };
    assert_eq!(stripped, plain, "colour adds codes only");
}

#[test]
fn diagram_and_conversation_cannot_be_combined() {
    let out = wirepeek(&[
        "explain",
        "captures/echo-tcp4.pcap",
        "--diagram",
        "--conversation",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--conversation"));
}
