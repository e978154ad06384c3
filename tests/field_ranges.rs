//! Invariants of the decoded model over every real capture we have
//! (`captures/*.pcap` and the shared corpus): every wire field's bytes lie
//! inside the captured data and inside its layer's header, layers follow one
//! another without overlapping, and re-reading a field's bytes gives back the
//! value the decoder shows. STYLE.md habit 5: the per-protocol tests pin
//! single frames; this one holds the whole model to its own byte ranges.

mod common;
use std::path::{Path, PathBuf};

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};
use wirepeek::decode::check::problems;
use wirepeek::decode::decode;

fn capture_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for (dir, only_pcap) in [
        (root.join("captures"), true),
        (root.join("../shared/corpus/captures"), false),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_pcap = path.extension().is_some_and(|e| e == "pcap");
            if path.is_file() && (is_pcap || !only_pcap) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_wire_field_lies_in_its_layer_and_rereads_to_its_value() {
    let (mut files, mut frames, mut fields) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in capture_files() {
        let Ok(mut source) = FileSource::open(&path.to_string_lossy()) else {
            continue;
        };
        files += 1;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        while let Ok(next) = source.next_frame() {
            let frame = match next {
                Next::Frame(frame) => frame,
                Next::Idle => continue,
                Next::End { .. } => break,
            };
            frames += 1;
            let d = decode(&frame);
            for p in problems(&d, &frame.data, &mut fields) {
                failures.push(format!("{name} frame {}: {p}", frame.number));
            }
        }
    }
    println!("field_ranges: {files} files, {frames} frames, {fields} wire fields checked");
    assert!(
        files > 0 && frames > 0 && fields > 0,
        "no captures found: the test checked nothing"
    );
    assert!(
        failures.is_empty(),
        "{} problems, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}

/// A small deterministic generator, so a failure names a seed that
/// reproduces it.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Property test over damaged packets: take every real frame, damage it at
/// random (flip bytes, overwrite length fields, cut it short, splice another
/// frame in), decode it as every supported link type, and hold the model to
/// the same invariants. Decoding must never panic and never point outside the
/// bytes, whatever the input.
#[test]
fn damaged_frames_of_every_link_type_keep_the_invariants() {
    use wirepeek::frame::{FrameRecord, LinkType, TsPrecision};
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for path in capture_files() {
        let Ok(mut source) = FileSource::open(&path.to_string_lossy()) else {
            continue;
        };
        // A few frames per file keep the test quick but varied.
        let mut taken = 0;
        while let Ok(Next::Frame(frame)) = source.next_frame() {
            if taken < 12 {
                seeds.push(frame.data);
                taken += 1;
            }
        }
    }
    // captures/ alone gives a few dozen seeds; the corpus, when beside the
    // repository, many more.
    let wanted = if common::corpus().is_some() { 100 } else { 20 };
    assert!(seeds.len() > wanted, "too few seed frames: {}", seeds.len());
    let links = [
        LinkType::ETHERNET,
        LinkType::RAW,
        LinkType::IPV4,
        LinkType::IPV6,
        LinkType::LINUX_SLL,
        LinkType::LINUX_SLL2,
        LinkType::NULL,
        LinkType::LOOP,
    ];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let (mut decoded, mut fields) = (0u64, 0usize);
    let mut failures = Vec::new();
    for round in 0..300_000u64 {
        let seed_state = rng.0;
        let mut data = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(4) {
            match rng.below(5) {
                0 if !data.is_empty() => {
                    let at = rng.below(data.len());
                    data[at] = rng.next() as u8;
                }
                1 if data.len() > 1 => {
                    // Length fields sit at small offsets: hit them with extremes.
                    let at = rng.below(data.len().min(80));
                    data[at] = [0, 1, 0x7f, 0xff][rng.below(4)];
                }
                2 => data.truncate(rng.below(data.len() + 1)),
                3 => {
                    let other = &seeds[rng.below(seeds.len())];
                    let at = rng.below(data.len() + 1);
                    data.splice(at..at, other.iter().take(rng.below(64)).copied());
                }
                _ => data.iter_mut().take(rng.below(60)).for_each(|b| *b ^= 0x80),
            }
        }
        let link = links[rng.below(links.len())];
        let orig_len = data.len() as u32 + [0, 0, 1, 1000][rng.below(4)];
        let frame = FrameRecord {
            number: round + 1,
            ts: None,
            precision: TsPrecision::Micro,
            link,
            orig_len,
            iface: 0,
            data,
        };
        let d = decode(&frame);
        decoded += 1;
        for p in problems(&d, &frame.data, &mut fields) {
            failures.push(format!(
                "round {round} (rng state {seed_state:#x}, link {}): {p}",
                link.0
            ));
        }
    }
    println!("damaged frames: {decoded} decoded, {fields} wire fields checked");
    assert!(
        failures.is_empty(),
        "{} problems, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}
