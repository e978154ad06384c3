//! `wirepeek explain`: one packet as a lesson, or its conversation as a
//! story, read as a stream. Only what the lesson needs is kept: frame N and
//! the frames of its conversation (at most `MAX_CONVERSATION_FRAMES`), so
//! memory does not grow with the file. A frame in no conversation (ARP,
//! ICMP) stops the reading there. Frames before N are read again from the
//! file once N says which conversation is wanted; from standard input or a
//! pipe, which cannot be read twice, the TCP and UDP frames before N are
//! held instead, up to `MAX_HELD_BYTES`.

use std::io::Write;
use std::net::IpAddr;

use crate::capture::file::FileSource;
use crate::capture::{FrameSource, Next};
use crate::cli::ExplainArgs;
use crate::decode::{Detail, Dissection, Proto, decode, decode_into};
use crate::error::AppError;
use crate::frame::FrameRecord;
use crate::output::diagram as diagram_out;
use crate::output::teach::{self as teach_out, Paint};
use crate::teach::diagram::Diagram;
use crate::teach::{Lesson, conversation};

use crate::pipeline::print::flush;

/// Frames of one conversation kept for its story: beyond them the story
/// (and a lesson's place in it) would cost memory without bound, so the
/// story covers the first ones and says so.
pub const MAX_CONVERSATION_FRAMES: usize = 10_000;

/// Captured bytes of one conversation kept (a story of 10,000 jumbo
/// frames would otherwise hold hundreds of megabytes).
pub const MAX_CONVERSATION_BYTES: usize = 32 << 20;

/// From standard input: bytes of TCP and UDP frames before frame N held
/// until N is reached.
pub const MAX_HELD_BYTES: usize = 64 << 20;

/// A conversation as `teach::conversation` groups packets: protocol and the
/// two sockets, lower first.
type Key = (u8, (IpAddr, u16), (IpAddr, u16));

fn key_of(d: &Dissection) -> Option<Key> {
    let t = d.tuple?;
    let (a, b) = ((t.src, t.src_port), (t.dst, t.dst_port));
    Some((t.protocol, a.min(b), a.max(b)))
}

/// Reads frames to the end once, printing the source's warning (a file
/// cut short) at most once a run.
struct Reader {
    source: FileSource,
    ended: bool,
}

impl Reader {
    fn open(file: &str) -> Result<Reader, AppError> {
        Ok(Reader {
            source: FileSource::open(file)?,
            ended: false,
        })
    }

    fn next(&mut self, warned: &mut bool) -> Result<Option<FrameRecord>, AppError> {
        while !self.ended {
            match self.source.next_frame()? {
                Next::Frame(frame) => return Ok(Some(frame)),
                Next::Idle => {}
                Next::End { warning } => {
                    self.ended = true;
                    if let Some(w) = warning
                        && !*warned
                    {
                        eprintln!("wirepeek: warning: {w}");
                        *warned = true;
                    }
                }
            }
        }
        Ok(None)
    }
}

/// The frames of one conversation: the first ones kept, up to
/// `MAX_CONVERSATION_FRAMES` frames and `MAX_CONVERSATION_BYTES` bytes,
/// all of them counted.
#[derive(Default)]
struct Collected {
    frames: Vec<FrameRecord>,
    bytes: usize,
    /// A frame was left out: so are all after it.
    full: bool,
    total: u64,
}

impl Collected {
    fn offer(&mut self, frame: FrameRecord) {
        self.total += 1;
        let bytes = self.bytes + frame.data.len();
        if self.full
            || self.frames.len() == MAX_CONVERSATION_FRAMES
            || bytes > MAX_CONVERSATION_BYTES
        {
            self.full = true;
            return;
        }
        self.bytes = bytes;
        self.frames.push(frame);
    }
}

/// What the first pass found.
struct Found {
    /// The frame to explain, if the capture has it.
    target: Option<FrameRecord>,
    /// Frames read.
    read: u64,
    /// From a pipe: the TCP and UDP frames before the target.
    held: Vec<FrameRecord>,
    /// `--conversation` without `-n` in a capture with no TCP: the first
    /// TCP or UDP frame's whole conversation, collected on the way to the
    /// end.
    whole: Option<Collected>,
}

/// The frame to explain: `-n N`; with `--conversation` and no `-n`, the
/// first TCP frame (else the first TCP or UDP one, else frame 1); else 1.
fn find_target(
    reader: &mut Reader,
    args: &ExplainArgs,
    piped: bool,
    warned: &mut bool,
) -> Result<Found, AppError> {
    let wanted = match args.frame {
        Some(n) => Some(n),
        None if args.conversation => None,
        None => Some(1),
    };
    let mut found = Found {
        target: None,
        read: 0,
        held: Vec::new(),
        whole: None,
    };
    let mut held_bytes = 0usize;
    let (mut first, mut first_tuple) = (None, None);
    let mut d = Dissection::default();
    while let Some(frame) = reader.next(warned)? {
        found.read += 1;
        if let Some(n) = wanted {
            if frame.number == n {
                found.target = Some(frame);
                return Ok(found);
            }
            if !piped || frame.number > n {
                continue;
            }
            decode_into(&frame, Detail::Layers, &mut d);
            if d.tuple.is_none() {
                continue;
            }
            held_bytes += frame.data.len() + std::mem::size_of::<FrameRecord>();
            if held_bytes > MAX_HELD_BYTES {
                return Err(AppError::Usage(format!(
                    "frame {n} is too far into a capture read from a pipe: the TCP and UDP frames before it take more than {} MiB, the most explain holds from one; save the capture to a file and explain that",
                    MAX_HELD_BYTES >> 20
                )));
            }
            found.held.push(frame);
            continue;
        }
        decode_into(&frame, Detail::Layers, &mut d);
        if d.has(Proto::Tcp) {
            found.target = Some(frame);
            return Ok(found);
        }
        match (key_of(&d), &first_tuple) {
            (Some(key), None) => {
                let mut whole = Collected::default();
                whole.offer(frame.clone());
                found.whole = Some(whole);
                first_tuple = Some((frame, key));
            }
            (Some(key), Some((_, wanted))) if key == *wanted => {
                if let Some(whole) = &mut found.whole {
                    whole.offer(frame);
                }
            }
            (None, _) if first.is_none() => first = Some(frame),
            _ => {}
        }
    }
    // No TCP frame: the first TCP or UDP one, else the first of all.
    found.target = match first_tuple {
        Some((frame, _)) => Some(frame),
        None => first,
    };
    Ok(found)
}

/// `wirepeek explain`: one packet as a lesson, or its conversation as a story.
pub fn explain(args: &ExplainArgs, out: &mut dyn Write, is_terminal: bool) -> Result<(), AppError> {
    // Standard input, a FIFO or a process substitution cannot be read a
    // second time: reopening one would read on from where the first pass
    // stopped.
    let piped = args.file == "-" || !std::fs::metadata(&args.file).is_ok_and(|m| m.is_file());
    let mut warned = false;
    let mut reader = Reader::open(&args.file)?;
    let found = find_target(&mut reader, args, piped, &mut warned)?;
    let Some(target) = found.target else {
        // Every frame was read: `read` is the capture's count.
        return Err(AppError::Usage(format!(
            "{} has no frame {}: it holds {} frames, numbered from 1",
            args.file,
            args.frame.unwrap_or(1),
            found.read
        )));
    };
    let number = target.number;
    let d = decode(&target);
    let paint = Paint {
        on: !args.markdown
            && args
                .color
                .enabled(is_terminal, std::env::var_os("NO_COLOR").as_deref()),
    };
    let mut text = String::new();
    if args.diagram {
        let dg = Diagram::build(&target, &d);
        if args.markdown {
            diagram_out::write_diagram_markdown(&mut text, &dg);
        } else {
            diagram_out::write_diagram(&mut text, &dg, paint);
        }
        return flush(out, &mut text, true).map(|_| ());
    }
    let Some(key) = key_of(&d) else {
        // In no conversation: nothing more to read.
        if args.conversation {
            return Err(AppError::Usage(format!(
                "frame {number} is not TCP or UDP, so it belongs to no conversation; try -n with a TCP packet"
            )));
        }
        let lesson = Lesson::build(&target, &d, None);
        write_lesson(&mut text, &lesson, args.markdown, paint);
        return flush(out, &mut text, true).map(|_| ());
    };
    let (conv, before) = match found.whole {
        Some(whole) => (whole, 0),
        None => collect(
            args,
            piped,
            &mut reader,
            found.held,
            &target,
            key,
            &mut warned,
        )?,
    };
    let packets: Vec<(FrameRecord, Dissection)> = conv
        .frames
        .into_iter()
        .map(|f| {
            let d = decode(&f);
            (f, d)
        })
        .filter(|(_, d)| key_of(d) == Some(key))
        .collect();
    let conversations = conversation::conversations(&packets);
    let cut = conv.full;
    if cut {
        let kept = packets.len();
        eprintln!(
            "wirepeek: note: frame {number} is packet {} of a conversation of {} frames, longer than explain keeps ({MAX_CONVERSATION_FRAMES} frames or {} MiB); {}",
            before + 1,
            conv.total,
            MAX_CONVERSATION_BYTES >> 20,
            if args.conversation {
                format!("the story covers the first {kept}")
            } else {
                "its place in it is told from this packet alone".to_string()
            }
        );
    }
    if args.conversation {
        let Some(c) = conversations.first() else {
            return Err(AppError::Usage(format!(
                "frame {number} is not TCP or UDP, so it belongs to no conversation; try -n with a TCP packet"
            )));
        };
        if args.markdown {
            teach_out::write_conversation_markdown(&mut text, c);
        } else {
            teach_out::write_conversation(&mut text, c, paint);
        }
    } else {
        let place = if cut {
            None
        } else {
            conversation::find(&conversations, number)
        };
        let lesson = Lesson::build(&target, &d, place);
        write_lesson(&mut text, &lesson, args.markdown, paint);
    }
    flush(out, &mut text, true).map(|_| ())
}

/// Frame N's conversation: its frames before N (read again from the file,
/// or held from a pipe), N, and the rest of the capture's; and how many
/// came before N.
fn collect(
    args: &ExplainArgs,
    piped: bool,
    reader: &mut Reader,
    held: Vec<FrameRecord>,
    target: &FrameRecord,
    key: Key,
    warned: &mut bool,
) -> Result<(Collected, u64), AppError> {
    let mut conv = Collected::default();
    let mut screen = Dissection::default();
    let mut matches = |f: &FrameRecord| {
        decode_into(f, Detail::Layers, &mut screen);
        key_of(&screen) == Some(key)
    };
    if piped {
        for f in held {
            if matches(&f) {
                conv.offer(f);
            }
        }
    } else if args.frame.is_some() {
        // (Without -n the target is the first TCP frame: no frame before
        // it is in its conversation.)
        let mut again = Reader::open(&args.file)?;
        while let Some(f) = again.next(warned)? {
            if f.number >= target.number {
                break;
            }
            if matches(&f) {
                conv.offer(f);
            }
        }
    }
    let before = conv.total;
    conv.offer(target.clone());
    while let Some(f) = reader.next(warned)? {
        if matches(&f) {
            conv.offer(f);
        }
    }
    Ok((conv, before))
}

fn write_lesson(text: &mut String, lesson: &Lesson, markdown: bool, paint: Paint) {
    if markdown {
        teach_out::write_lesson_markdown(text, lesson);
    } else {
        teach_out::write_lesson(text, lesson, paint);
    }
}
