//! The loop itself, on a real capture: what each sink is given, when the
//! run stops, and what the flow table adds before the sink sees a frame.

use super::*;
use crate::capture::file::FileSource;
use crate::flow::FlowConfig;

const ECHO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/captures/echo-tcp4.pcap");
/// Frames in `ECHO`, and those from the client's port 34554 (counted
/// with `tcpdump -r`: 14 and 8).
const ECHO_FRAMES: usize = 14;
const FROM_CLIENT: usize = 8;

/// Keeps what it is given: each frame's source port and the dissection's
/// `tcp.stream`, and whether anything was decoded at all.
struct Record {
    detail: Option<Detail>,
    seen: Vec<(Option<u16>, Option<String>, bool)>,
    take: usize,
}

impl Record {
    fn new(detail: Option<Detail>) -> Record {
        Record {
            detail,
            seen: Vec::new(),
            take: usize::MAX,
        }
    }
}

impl Sink for Record {
    fn detail(&self) -> Option<Detail> {
        self.detail
    }

    fn frame(&mut self, _: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        let stream = d.field("tcp.stream").map(|f| format!("{:?}", f.value));
        let port = d.tuple.map(|t| t.src_port);
        self.seen.push((port, stream, !d.layers.is_empty()));
        Ok(self.seen.len() < self.take)
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}

fn run_on_echo(filter: &Filter, count: Option<u64>, track: Track, sink: &mut Record) -> RunSummary {
    let mut source = FileSource::open(ECHO).expect("the bundled capture opens");
    let settings = Settings {
        filter,
        count,
        absolute: false,
    };
    run(&mut source, settings, track, sink, &|| false).expect("runs")
}

#[test]
fn a_raw_sink_with_nothing_to_filter_or_track_gets_every_frame_undecoded() {
    let mut sink = Record::new(None);
    let summary = run_on_echo(&Filter::default(), None, Track::Off, &mut sink);
    assert_eq!(summary.packets, ECHO_FRAMES as u64);
    assert!(summary.ended && !summary.closed_pipe);
    assert_eq!(sink.seen.len(), ECHO_FRAMES);
    assert!(sink.seen.iter().all(|(_, _, decoded)| !decoded));
}

#[test]
fn a_tcpdump_expression_keeps_rejected_frames_from_the_sink_and_count_stops_it() {
    let filter = parse_filter(Some("src port 34554"), None).expect("parses");
    let mut sink = Record::new(Some(Detail::Layers));
    let summary = run_on_echo(&filter, None, Track::Off, &mut sink);
    assert_eq!(sink.seen.len(), FROM_CLIENT);
    assert!(sink.seen.iter().all(|(port, _, _)| *port == Some(34554)));
    assert!(summary.ended);

    let mut sink = Record::new(Some(Detail::Layers));
    let summary = run_on_echo(&filter, Some(3), Track::Off, &mut sink);
    assert_eq!((summary.packets, sink.seen.len()), (3, 3));
    assert!(!summary.ended, "-c stopped it, not the end of the file");
}

#[test]
fn inline_tracking_annotates_every_frame_before_the_sink_sees_it() {
    let mut table = FlowTable::new(FlowConfig::default());
    let mut sink = Record::new(Some(Detail::Fields));
    run_on_echo(
        &Filter::default(),
        None,
        Track::Inline(&mut table),
        &mut sink,
    );
    assert_eq!(sink.seen.len(), ECHO_FRAMES);
    // One conversation: stream 0 on every frame, in order, though the
    // loop holds frames back to prefetch their flows.
    assert!(
        sink.seen
            .iter()
            .all(|(_, stream, _)| stream.as_deref() == Some("UInt(0)")),
        "{:?}",
        sink.seen
    );
    assert_eq!(table.counters().created, 1);
    assert_eq!(table.counters().packets, ECHO_FRAMES as u64);
}

#[test]
fn a_sink_whose_reader_went_away_ends_the_run_quietly() {
    let mut sink = Record::new(None);
    sink.take = 2;
    let summary = run_on_echo(&Filter::default(), None, Track::Off, &mut sink);
    assert!(summary.closed_pipe && !summary.ended);
    assert_eq!(sink.seen.len(), 2);
}

#[test]
fn a_stop_request_ends_the_run_before_the_first_frame() {
    let mut source = FileSource::open(ECHO).expect("opens");
    let mut sink = Record::new(None);
    let settings = Settings {
        filter: &Filter::default(),
        count: None,
        absolute: false,
    };
    let summary = run(&mut source, settings, Track::Off, &mut sink, &|| true).expect("runs");
    assert_eq!(summary.packets, 0);
    assert!(!summary.ended && sink.seen.is_empty());
}
