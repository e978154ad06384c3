//! `wirepeek flows` and the flow table `capture --flows` prints at the end:
//! the bounded table's conversations, sorted, as a table or NDJSON, with a
//! summary of the ones it did not keep.

use std::io::Write;
use std::sync::Arc;

use crate::capture::file::FileSource;
use crate::cli::FlowsArgs;
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::filter::Filter;
use crate::flow::{FlowKey, FlowTable};
use crate::frame::{FrameRecord, Process};
use crate::output::flows::{self as flow_output, SortKey};
use crate::pipeline::print::{FLUSH_AT, flush};
use crate::pipeline::{self, Settings, Sink, Track};

use super::{RunSummary, flow_config};

/// `wirepeek flows`: every conversation in a file, as a table or NDJSON.
pub fn flows(args: &FlowsArgs, out: &mut dyn Write) -> Result<RunSummary, AppError> {
    let mut source = FileSource::open(&args.file)?;
    let mut table = FlowTable::new(flow_config(&args.limits, true));
    super::reassemble_streams(&args.reassembly, &mut table);
    let settings = Settings {
        filter: &Filter::default(),
        count: args.count,
        absolute: false,
    };
    // Nothing per packet is printed: the table runs on its own thread.
    let mut first = FirstSeen(None);
    let mut summary = pipeline::run_with(
        &mut source,
        settings,
        super::reassembly(&args.reassembly),
        Track::Background(&mut table),
        &mut first,
        &|| false,
    )?;
    if !print_flow_table(out, table, args.json, order(args.sort), first.0, &|_| None)? {
        summary.closed_pipe = true;
    }
    Ok(summary)
}

/// The sink of `flows`: only the capture's first timestamp, in ns.
struct FirstSeen(Option<i64>);

impl Sink for FirstSeen {
    fn detail(&self) -> Option<Detail> {
        Some(Detail::Layers)
    }

    fn frame(&mut self, frame: &mut FrameRecord, _: &Dissection) -> Result<bool, AppError> {
        if let Some(ts) = frame.ts {
            self.0.get_or_insert(ts.as_nanos() as i64);
        }
        Ok(true)
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}

/// Print a flow table's conversations, sorted, as a table or NDJSON, with
/// the local process of each that `process` knows (live captures).
/// Returns false when the reader has gone.
pub(super) fn print_flow_table(
    out: &mut dyn Write,
    table: FlowTable,
    json: bool,
    sort: SortKey,
    start: Option<i64>,
    process: &dyn Fn(&FlowKey) -> Option<Arc<Process>>,
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
            flow_output::write_json_with(&mut text, f, start, process(&f.key).as_deref());
            if text.len() >= FLUSH_AT && !flush(out, &mut text, false)? {
                return Ok(false);
            }
        }
        flow_output::write_json_unlisted(&mut text, &unlisted);
    } else {
        let by_flow = |f: &crate::flow::FlowState| process(&f.key);
        flow_output::write_table_with(&mut text, &all, start, &counters, &unlisted, &by_flow);
    }
    flush(out, &mut text, true)
}

/// The command line's order as the printer's.
fn order(o: crate::cli::FlowOrder) -> SortKey {
    use crate::cli::FlowOrder;
    match o {
        FlowOrder::Bytes => SortKey::Bytes,
        FlowOrder::Packets => SortKey::Packets,
        FlowOrder::First => SortKey::First,
        FlowOrder::Duration => SortKey::Duration,
        FlowOrder::Stream => SortKey::Stream,
    }
}
