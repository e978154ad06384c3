//! `wirepeek explain`: one packet as a lesson, or its conversation as a
//! story. Frames go through the one pipeline (IP reassembly, flow
//! tracking), twice: the first pass finds frame N and its flow (key and
//! stream index, as `flows` numbers them); the second keeps that stream's
//! frames (at most `MAX_CONVERSATION_FRAMES`), and the ICMP errors that
//! quote them, so memory does not grow with the file. The story is told
//! from the flow table's answers (`output::teach::stories`): the client
//! by flow's one rule, relative numbers and analysis verdicts. From
//! standard input or a pipe, which cannot be read twice, every frame the
//! first pass read is held for the second, up to `MAX_HELD_BYTES`.

use std::collections::VecDeque;
use std::io::Write;

use crate::capture::file::FileSource;
use crate::capture::{CaptureError, FrameSource, Next};
use crate::cli::ExplainArgs;
use crate::decode::{Detail, Dissection, Proto, Value, decode};
use crate::error::AppError;
use crate::filter::Filter;
use crate::flow::{FlowConfig, FlowInfo, FlowKey, FlowTable, Packet};
use crate::frame::FrameRecord;
use crate::output::diagram as diagram_out;
use crate::output::teach::{self as teach_out, Paint};
use crate::pipeline::{self, Settings, Sink, Track};
use crate::teach::diagram::Diagram;
use crate::teach::fragment::Reassembled;
use crate::teach::{Lesson, conversation};

use crate::pipeline::print::flush;

/// Frames of one conversation kept for its story: beyond them the story
/// (and a lesson's place in it) would cost memory without bound, so the
/// story covers the first ones and says so.
pub const MAX_CONVERSATION_FRAMES: usize = 10_000;

/// Captured bytes of one conversation kept (a story of 10,000 jumbo
/// frames would otherwise hold hundreds of megabytes).
pub const MAX_CONVERSATION_BYTES: usize = 32 << 20;

/// From standard input: bytes of frames read by the first pass held for
/// the second.
pub const MAX_HELD_BYTES: usize = 64 << 20;

/// The capture, read through the pipeline: frames held from an earlier
/// pass first, then the file's; from a pipe, a copy of each frame handed
/// out is kept for the next pass.
struct Input {
    source: FileSource,
    held: VecDeque<FrameRecord>,
    record: bool,
    kept: Vec<FrameRecord>,
    kept_bytes: usize,
    /// Recording would have passed `MAX_HELD_BYTES`.
    overflow: bool,
    ended: bool,
    /// Hand out no frame after this one (the first pass needs nothing
    /// past frame N, and the pipeline reads ahead).
    stop_after: Option<u64>,
    /// The number of the last frame handed out.
    last: u64,
    /// Hand out only frames of this conversation, and frames that name no
    /// conversation (IP fragments, ICMP errors): the second pass's flow
    /// table then holds one conversation, not the file's.
    only: Option<FlowKey>,
}

impl Input {
    fn open(file: &str, record: bool) -> Result<Input, AppError> {
        Ok(Input {
            source: FileSource::open(file)?,
            held: VecDeque::new(),
            record,
            kept: Vec::new(),
            kept_bytes: 0,
            overflow: false,
            ended: false,
            stop_after: None,
            last: 0,
            only: None,
        })
    }

    /// Hand out what was recorded again, then the rest of the source;
    /// `record`: keep recording for a pass after the next.
    fn rewind(&mut self, record: bool) {
        let mut again: VecDeque<FrameRecord> = std::mem::take(&mut self.kept).into();
        again.append(&mut self.held);
        self.held = again;
        self.kept_bytes = 0;
        self.record = record;
        self.stop_after = None;
    }

    /// Ready for another pass: the file again, or what a pipe gave.
    fn again(self, file: &str, piped: bool, record: bool) -> Result<Input, AppError> {
        if piped {
            let mut input = self;
            input.rewind(record);
            Ok(input)
        } else {
            Input::open(file, false)
        }
    }
}

impl FrameSource for Input {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        loop {
            let next = self.next_any()?;
            let (Next::Frame(frame), Some(key)) = (&next, self.only) else {
                return Ok(next);
            };
            let d = decode(frame);
            match Packet::from_dissection(frame, &d) {
                Some(p) if p.key != key => continue,
                _ => return Ok(next),
            }
        }
    }
}

impl Input {
    fn next_any(&mut self) -> Result<Next, CaptureError> {
        if self.stop_after.is_some_and(|n| self.last >= n) {
            return Ok(Next::End { warning: None });
        }
        let frame = match self.held.pop_front() {
            Some(frame) => frame,
            None if self.ended => return Ok(Next::End { warning: None }),
            None => match self.source.next_frame()? {
                Next::Frame(frame) => frame,
                Next::End { warning } => {
                    self.ended = true;
                    return Ok(Next::End { warning });
                }
                Next::Idle => return Ok(Next::Idle),
            },
        };
        if self.record {
            self.kept_bytes += frame.data.len() + std::mem::size_of::<FrameRecord>();
            if self.kept_bytes > MAX_HELD_BYTES {
                self.overflow = true;
                return Ok(Next::End { warning: None });
            }
            self.kept.push(frame.clone());
        }
        self.last = frame.number;
        Ok(Next::Frame(frame))
    }
}

/// A frame, decoded and annotated by the pipeline, with its flow (key and
/// stream index) when it has one.
type Found = (FrameRecord, Dissection, Option<(FlowKey, u32)>);

/// The first pass: frame N (`-n`), or with `--conversation` and no `-n`
/// the first TCP frame (else the first frame of any conversation).
struct Finder {
    wanted: Option<u64>,
    /// The flow the pipeline gave the frame about to arrive.
    pending: Option<(u64, FlowKey, u32)>,
    target: Option<Found>,
    first_flow: Option<Found>,
    read: u64,
}

impl Sink for Finder {
    fn detail(&self) -> Option<Detail> {
        Some(Detail::Fields)
    }

    fn flow(&mut self, frame: &FrameRecord, _d: &Dissection, info: &FlowInfo, p: &Packet) {
        self.pending = Some((frame.number, p.key, info.stream));
    }

    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        self.read += 1;
        let flow = self
            .pending
            .take()
            .filter(|(n, _, _)| *n == frame.number)
            .map(|(_, k, s)| (k, s));
        match self.wanted {
            Some(n) if frame.number == n => {
                self.target = Some((frame.take(), d.clone(), flow));
                Ok(false)
            }
            Some(_) => Ok(true),
            None if flow.is_some() && d.has(Proto::Tcp) => {
                self.target = Some((frame.take(), d.clone(), flow));
                Ok(false)
            }
            None => {
                if flow.is_some() && self.first_flow.is_none() {
                    self.first_flow = Some((frame.take(), d.clone(), flow));
                }
                Ok(true)
            }
        }
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}

/// The frames of one conversation: the first ones kept, up to
/// `MAX_CONVERSATION_FRAMES` frames and `MAX_CONVERSATION_BYTES` bytes,
/// all of them counted.
struct Collector {
    key: FlowKey,
    target: u64,
    pending: Option<u64>,
    frames: Vec<(FrameRecord, Dissection)>,
    bytes: usize,
    /// A frame was left out: so are all after it.
    full: bool,
    total: u64,
    /// Frames of the conversation before the target.
    before: u64,
}

impl Collector {
    fn offer(&mut self, frame: FrameRecord, d: &Dissection) {
        self.total += 1;
        if frame.number < self.target {
            self.before += 1;
        }
        let bytes = self.bytes + frame.data.len();
        if self.full
            || self.frames.len() == MAX_CONVERSATION_FRAMES
            || bytes > MAX_CONVERSATION_BYTES
        {
            self.full = true;
            return;
        }
        self.bytes = bytes;
        self.frames.push((frame, d.clone()));
    }
}

impl Sink for Collector {
    fn detail(&self) -> Option<Detail> {
        Some(Detail::Fields)
    }

    fn flow(&mut self, frame: &FrameRecord, _d: &Dissection, _info: &FlowInfo, p: &Packet) {
        // The input holds this conversation alone, so the pass numbers its
        // streams afresh: the key is what identifies it (a later reuse of
        // the same four-tuple is told with it).
        if p.key == self.key {
            self.pending = Some(frame.number);
        }
    }

    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        let tracked = self.pending.take() == Some(frame.number);
        // An ICMP error about one of the conversation's packets.
        let about = !tracked && d.tuple.is_none() && teach_out::quoted_key(d) == Some(self.key);
        if tracked || about {
            self.offer(frame.take(), d);
        }
        Ok(true)
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}

/// Run `input` through the pipeline with flow tracking into `sink`.
fn pass<S: Sink>(input: &mut Input, sink: &mut S) -> Result<(FlowTable, Option<String>), AppError> {
    let filter = Filter::default();
    let settings = Settings {
        filter: &filter,
        count: None,
        absolute: false,
    };
    let mut table = FlowTable::new(FlowConfig::default());
    let summary = pipeline::run(input, settings, Track::Inline(&mut table), sink, &|| false)?;
    Ok((table, summary.warning))
}

/// `wirepeek explain`: one packet as a lesson, or its conversation as a story.
pub fn explain(args: &ExplainArgs, out: &mut dyn Write, is_terminal: bool) -> Result<(), AppError> {
    // Standard input, a FIFO or a process substitution cannot be read a
    // second time: reopening one would read on from where the first pass
    // stopped.
    let piped = args.file == "-" || !std::fs::metadata(&args.file).is_ok_and(|m| m.is_file());
    let mut input = Input::open(&args.file, piped)?;
    let mut finder = Finder {
        wanted: match args.frame {
            Some(n) => Some(n),
            None if args.conversation => None,
            None => Some(1),
        },
        pending: None,
        target: None,
        first_flow: None,
        read: 0,
    };
    input.stop_after = finder.wanted;
    let (table, mut warning) = pass(&mut input, &mut finder)?;
    if input.overflow {
        return Err(AppError::Usage(format!(
            "frame {} is too far into a capture read from a pipe: the frames before it take more than {} MiB, the most explain holds from one; save the capture to a file and explain that",
            args.frame.unwrap_or(1),
            MAX_HELD_BYTES >> 20
        )));
    }
    let Some((target, annotated, flow)) = finder.target.or(finder.first_flow) else {
        warn(&mut warning);
        // Every frame was read: `read` is the capture's count.
        return Err(AppError::Usage(format!(
            "{} has no frame {}: it holds {} frames, numbered from 1",
            args.file,
            args.frame.unwrap_or(1),
            finder.read
        )));
    };
    let number = target.number;
    // The lesson reads the packet as it is; a reassembled datagram only
    // exists in the pipeline's dissection.
    let d = if annotated.sources.is_empty() {
        decode(&target)
    } else {
        annotated
    };
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
    // The conversation: the frame's own flow, or the one an ICMP error
    // quotes (its latest stream so far).
    let flow = flow.or_else(|| {
        let key = teach_out::quoted_key(&d)?;
        Some((key, table.get(&key)?.stream))
    });
    drop(table);
    let mut input = input;
    let mut fragment = crate::teach::fragment::Fragment::of(&d);
    if let Some(f) = &mut fragment {
        let mut finder = Reassembly {
            target: number,
            found: None,
        };
        if piped || !finder.look(&d) {
            input = input.again(&args.file, piped, true)?;
            pass(&mut input, &mut finder)?;
        }
        f.reassembled = finder.found;
    }
    let Some((key, stream)) = flow else {
        warn(&mut warning);
        if args.conversation {
            return Err(AppError::Usage(format!(
                "frame {number} is not TCP, UDP or ICMP echo, so it belongs to no conversation; try -n with a TCP packet"
            )));
        }
        let mut lesson = Lesson::build(&target, &d, None);
        lesson.fragment = fragment;
        write_lesson(&mut text, &lesson, args.markdown, paint);
        return flush(out, &mut text, true).map(|_| ());
    };
    let mut collector = Collector {
        key,
        target: number,
        pending: None,
        frames: Vec::new(),
        bytes: 0,
        full: false,
        total: 0,
        before: 0,
    };
    let mut input = input.again(&args.file, piped, false)?;
    input.only = Some(key);
    let (_, again) = pass(&mut input, &mut collector)?;
    warning = warning.or(again);
    warn(&mut warning);
    let mut conversations = teach_out::stories(&collector.frames);
    for c in &mut conversations {
        c.stream = stream;
    }
    let cut = collector.full;
    if cut {
        let kept = collector.frames.len();
        eprintln!(
            "wirepeek: note: frame {number} is packet {} of a conversation of {} frames, longer than explain keeps ({MAX_CONVERSATION_FRAMES} frames or {} MiB); {}",
            collector.before + 1,
            collector.total,
            MAX_CONVERSATION_BYTES >> 20,
            if args.conversation {
                format!("the story covers the first {kept}")
            } else {
                "its place in it is told from this packet alone".to_string()
            }
        );
    }
    if args.conversation {
        let chosen = conversation::find(&conversations, number)
            .map(|(c, _)| c)
            .or(conversations.first());
        let Some(c) = chosen else {
            return Err(AppError::Usage(format!(
                "frame {number} is not TCP, UDP or ICMP echo, so it belongs to no conversation; try -n with a TCP packet"
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
        let mut lesson = Lesson::build(&target, &d, place);
        lesson.fragment = fragment;
        write_lesson(&mut text, &lesson, args.markdown, paint);
    }
    flush(out, &mut text, true).map(|_| ())
}

/// A pass that finds where the fragment in frame `target` was reassembled:
/// the frame whose datagram lists it among its fragments.
struct Reassembly {
    target: u64,
    found: Option<Reassembled>,
}

impl Reassembly {
    /// Whether `d` is the datagram rebuilt with the target (noting it).
    fn look(&mut self, d: &Dissection) -> bool {
        use crate::decode::reassembly::{IP_FRAGMENT, IP_LENGTH, IP6_FRAGMENT, IP6_LENGTH};
        let frames: Vec<u64> = d
            .fields_named(IP_FRAGMENT.key)
            .chain(d.fields_named(IP6_FRAGMENT.key))
            .filter_map(|f| match f.value {
                Value::UInt(n) => Some(n),
                _ => None,
            })
            .collect();
        if !frames.contains(&self.target) {
            return false;
        }
        let length = d
            .field(IP_LENGTH.key)
            .or_else(|| d.field(IP6_LENGTH.key))
            .and_then(|f| match f.value {
                Value::UInt(n) => Some(n),
                _ => None,
            })
            .unwrap_or(0);
        self.found = Some(Reassembled {
            frame: frames
                .last()
                .copied()
                .unwrap_or(self.target)
                .max(self.target),
            fragments: frames,
            length,
        });
        true
    }
}

impl Sink for Reassembly {
    fn detail(&self) -> Option<Detail> {
        Some(Detail::Fields)
    }

    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        if self.look(d) {
            if let Some(r) = &mut self.found {
                r.frame = frame.number;
            }
            return Ok(false);
        }
        Ok(true)
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}

/// Print the source's warning (a file cut short) once.
fn warn(warning: &mut Option<String>) {
    if let Some(w) = warning.take() {
        eprintln!("wirepeek: warning: {w}");
    }
}

fn write_lesson(text: &mut String, lesson: &Lesson, markdown: bool, paint: Paint) {
    if markdown {
        teach_out::write_lesson_markdown(text, lesson);
    } else {
        teach_out::write_lesson(text, lesson, paint);
    }
}
