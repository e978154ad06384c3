//! `wirepeek capture`: open the socket and any output file, give up
//! privileges, say "listening on", then run the pipeline into a printer or
//! the capture writer.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::capture::live::{LiveOptions, LiveSource};
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface};
use crate::capture::{interfaces, stop};
use crate::cli::CaptureArgs;
use crate::error::AppError;
use crate::flow::FlowTable;
use crate::output::flows::SortKey;
use crate::pipeline::{self, check_link};

use super::flow_list::print_flow_table;
use super::{
    RunSummary, Save, create_output, flow_config, parse_filter, print_packets,
    refuse_tshark_format, save_frames,
};

/// `wirepeek capture`: frames from a live interface, printed or saved, until
/// `-c`, `--duration`, SIGINT/SIGTERM or a closed pipe. Prints tcpdump's
/// closing counts on standard error.
pub fn capture(args: &CaptureArgs, out: &mut dyn Write) -> Result<RunSummary, AppError> {
    // A bad filter is a usage error before any socket is opened.
    refuse_tshark_format(&args.output)?;
    let filter = parse_filter(&args.filter)?;
    let stop_flag = stop::install_stop_handlers();
    stop::ignore_sigpipe();
    let name = match &args.interface {
        Some(name) => name.clone(),
        None => interfaces::default_interface(&interfaces::list()?),
    };
    let mut source = pipeline::open::live(
        &name,
        LiveOptions {
            snaplen: args.snaplen,
            ring_mib: args.buffer,
        },
    )?;
    check_link(&filter, source.link())?;
    let deadline = args
        .duration
        .map(|secs| Instant::now() + Duration::from_secs_f64(secs.max(0.0)));
    let stop = || stop_flag.load(Ordering::SeqCst) || deadline.is_some_and(|d| Instant::now() >= d);
    // Create the output file while we may still write anywhere, then give
    // up privileges before the first packet is touched (and before the
    // flow thread of --stats starts). A path that cannot be created, a
    // user that does not exist, are said before "listening on", as tcpdump.
    let writer = match &args.write {
        Some(dest) => Some(open_writer(&source, args, dest)?),
        None => None,
    };
    pipeline::open::drop_privileges(args.user.as_deref())?;
    eprintln!(
        "wirepeek: listening on {}, link-type {} ({}), snapshot length {} bytes",
        interfaces::escape_name(&name),
        source.link().0,
        source.link().name(),
        if args.snaplen == 0 {
            262144
        } else {
            args.snaplen
        }
    );
    let mut flows = FlowTable::new(flow_config(&args.output.limits, args.flows));
    let mut summary = match writer {
        Some(writer) => {
            let save = Save {
                count: args.output.count,
                track_flows: args.flows,
            };
            save_frames(&mut source, save, &filter, writer, &stop, &mut flows)?
        }
        None => print_packets(&mut source, &args.output, &filter, out, &stop, &mut flows)?,
    };
    if args.flows && !summary.closed_pipe {
        // With `-w -` standard output carries the capture file itself.
        let to_stdout = args.write.as_deref() != Some("-");
        let mut stderr = std::io::stderr();
        let sink: &mut dyn Write = if to_stdout { out } else { &mut stderr };
        if !print_flow_table(sink, flows, false, SortKey::Bytes, None)? {
            summary.closed_pipe = true;
        }
    }
    let stats = source.stats();
    // wirepeek has no queue of its own between the kernel ring and the
    // printer (one thread reads and prints), so it cannot drop: 0 is exact.
    eprintln!(
        "{} packets captured, {} dropped by the kernel, 0 dropped by wirepeek ({} received by the socket)",
        summary.packets, stats.kernel_dropped, stats.received
    );
    Ok(summary)
}

/// Create the capture file (or stdout for `-`) and write its header.
fn open_writer(
    source: &LiveSource,
    args: &CaptureArgs,
    dest: &str,
) -> Result<CaptureWriter, AppError> {
    let sink = create_output(dest)?;
    let format = if args.pcapng {
        SaveFormat::PcapNg
    } else {
        SaveFormat::Pcap
    };
    let interface = SavedInterface {
        iface: source.ifindex(),
        link: source.link(),
        name: Some(source.interface().to_string()),
    };
    Ok(CaptureWriter::create(
        sink,
        dest,
        format,
        args.snaplen,
        &[interface],
    )?)
}
