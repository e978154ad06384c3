//! Writes seed inputs from capture files: one `decode` input per frame
//! ([link selector][extra length][frame], also the `render` target's), one
//! `flows` input per file (its first 64 frames as length-prefixed records),
//! and `lesson` inputs of the same kind, 8 frames each, from the same 64.
//! Usage: seed_frames DECODE_DIR FLOWS_DIR LESSON_DIR FILE...

use std::path::Path;

use wirepeek::capture::file::FileSource;
use wirepeek::capture::{FrameSource, Next};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [decode_dir, flows_dir, lesson_dir, files @ ..] = &args[..] else {
        eprintln!("usage: seed_frames DECODE_DIR FLOWS_DIR LESSON_DIR FILE...");
        std::process::exit(2);
    };
    let (mut frames, mut sequences, mut lessons) = (0, 0, 0);
    for file in files {
        let Ok(mut source) = FileSource::open(file) else {
            continue;
        };
        let stem = Path::new(file)
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let mut flows: Option<Vec<u8>> = None;
        let mut last_ns = None;
        // Where each record of `flows` starts, to cut the lesson seeds.
        let mut starts = Vec::new();
        let mut n = 0;
        while let Ok(Next::Frame(f)) = source.next_frame() {
            n += 1;
            // Unsupported link types and custom blocks make poor seeds.
            let Some(sel) = wirepeek_fuzz::selector(f.link).filter(|&s| s < 10) else {
                continue;
            };
            // The decoder sees only the first few hundred bytes of most frames.
            let data = &f.data[..f.data.len().min(2048)];
            let extra = f.orig_len.saturating_sub(data.len() as u32).min(255) as u8;
            let mut input = vec![sel, extra];
            input.extend_from_slice(data);
            std::fs::write(format!("{decode_dir}/{stem}-{n}"), input).expect("write seed");
            frames += 1;
            if n > 64 {
                continue;
            }
            let seq = flows.get_or_insert_with(|| vec![sel]);
            if seq[0] != sel {
                continue;
            }
            let step = match (f.ts, last_ns) {
                (None, _) => 0xff,
                (Some(t), None) => {
                    last_ns = Some(t.as_nanos());
                    0
                }
                (Some(t), Some(prev)) => {
                    last_ns = Some(t.as_nanos());
                    ((t.as_nanos() - prev) / 10_000_000).clamp(0, 254) as u8
                }
            };
            starts.push(seq.len());
            seq.extend_from_slice(&(data.len() as u16).to_be_bytes());
            seq.push(step);
            seq.extend_from_slice(data);
        }
        if let Some(seq) = flows {
            let records = starts.len();
            starts.push(seq.len());
            for (i, first) in (0..records).step_by(8).enumerate() {
                let last = (first + 8).min(records);
                let mut lesson = vec![seq[0]];
                lesson.extend_from_slice(&seq[starts[first]..starts[last]]);
                std::fs::write(format!("{lesson_dir}/{stem}-{i}"), lesson).expect("write seed");
                lessons += 1;
            }
            std::fs::write(format!("{flows_dir}/{stem}"), seq).expect("write seed");
            sequences += 1;
        }
    }
    println!("{frames} decode seeds, {sequences} flows seeds, {lessons} lesson seeds");
}
