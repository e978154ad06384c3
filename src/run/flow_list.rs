//! `wirepeek flows` and the flow table `capture --flows` prints at the end:
//! the bounded table's conversations, sorted, as a table or NDJSON, with a
//! summary of the ones it did not keep.

use std::io::Write;

use crate::capture::file::FileSource;
use crate::capture::{FrameSource, Next};
use crate::cli::FlowsArgs;
use crate::decode::{Detail, Dissection, decode_into};
use crate::error::AppError;
use crate::flow::{Background, FlowTable};
use crate::frame::FrameRecord;
use crate::output::flows::{self as flow_output, SortKey};

use super::{FLUSH_AT, RunSummary, flow_config, flush};

/// `wirepeek flows`: every conversation in a file, as a table or NDJSON.
pub fn flows(args: &FlowsArgs, out: &mut dyn Write) -> Result<RunSummary, AppError> {
    let mut source = FileSource::open(&args.file)?;
    let mut table = FlowTable::new(flow_config(&args.limits, true));
    let mut summary = RunSummary::default();
    let mut start: Option<i64> = None;
    let mut d = Dissection::default();
    std::thread::scope(|scope| -> Result<(), AppError> {
        // Nothing per packet is printed: the table runs on its own thread.
        let mut background = Background::start(scope, &mut table);
        loop {
            if args.count.is_some_and(|c| summary.packets >= c) {
                break;
            }
            let frame: FrameRecord = match source.next_frame()? {
                Next::Frame(frame) => frame,
                Next::Idle => continue,
                Next::End { warning } => {
                    summary.warning = warning;
                    break;
                }
            };
            summary.packets += 1;
            if let Some(ts) = frame.ts {
                start.get_or_insert(ts.as_nanos() as i64);
            }
            decode_into(&frame, Detail::Layers, &mut d);
            background.observe(&frame, &d);
        }
        background.finish();
        Ok(())
    })?;
    if !print_flow_table(out, table, args.json, args.sort, start)? {
        summary.closed_pipe = true;
    }
    Ok(summary)
}

/// Print a flow table's conversations, sorted, as a table or NDJSON.
/// Returns false when the reader has gone.
pub(super) fn print_flow_table(
    out: &mut dyn Write,
    table: FlowTable,
    json: bool,
    sort: SortKey,
    start: Option<i64>,
) -> Result<bool, AppError> {
    let counters = table.counters();
    let unlisted = table.unlisted();
    let mut all = table.into_flows();
    flow_output::sort(&mut all, sort);
    // First-seen times count from the capture's first packet when known.
    let start = start
        .or_else(|| all.iter().map(|f| f.first_ns).min())
        .unwrap_or(0);
    let mut text = String::with_capacity(FLUSH_AT + 64 * 1024);
    if json {
        for f in &all {
            flow_output::write_json(&mut text, f, start);
            if text.len() >= FLUSH_AT && !flush(out, &mut text, false)? {
                return Ok(false);
            }
        }
        flow_output::write_json_unlisted(&mut text, &unlisted);
    } else {
        flow_output::write_table(&mut text, &all, start, &counters, &unlisted);
    }
    flush(out, &mut text, true)
}
