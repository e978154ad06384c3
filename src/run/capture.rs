//! `wirepeek capture`: open the socket and any output file, give up
//! privileges, say "listening on", then run the pipeline into a printer or
//! the capture writer.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::capture::live::LiveOptions;
use crate::capture::multi::MultiSource;
use crate::capture::process::{ANSWER_TIMEOUT, ProcessLookup};
use crate::capture::rotate::{RotatingWriter, Rotation};
use crate::capture::save::{CaptureWriter, SaveFormat, SavedInterface};
use crate::capture::{FrameSource, interfaces, stop};
use crate::cli::{CaptureArgs, OutputArgs};
use crate::error::AppError;
use crate::filter::Filter;
use crate::filter::tcpdump::bpf;
use crate::flow::{FlowKey, FlowTable};
use crate::frame::LinkType;
use crate::output::flows::SortKey;
use crate::output::time::TimeFormat;
use crate::pipeline::print::PrintSink;
use crate::pipeline::process::{Attributed, Attribution, Shared};
use crate::pipeline::save::Output;
use crate::pipeline::save::SaveSink;
use crate::pipeline::{self, check_link};
use crate::pipeline::{Settings, Track};

use super::flow_list::print_flow_table;
use super::{
    RunSummary, Save, create_output, flow_config, parse_filter, print_packets, printer,
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
    let names = match args.interface.as_slice() {
        [] => vec![interfaces::default_interface(&interfaces::list()?)],
        names => names.to_vec(),
    };
    let rotation = rotation(args)?;
    if args.dump_filter {
        return dump_filter(&filter, &names, out);
    }
    // The lookup process is forked first: while this process is still
    // privileged and one thread, and before the capture socket exists.
    let attribution = if wants_process(args) {
        let lookup = ProcessLookup::spawn(args.user.as_deref())?;
        Some(Rc::new(RefCell::new(Attribution::new(lookup))))
    } else {
        None
    };
    let options = LiveOptions {
        snaplen: args.snaplen,
        ring_mib: args.buffer,
    };
    let source = pipeline::open::live_many(&names, options)?;
    let link = source.link().ok_or_else(|| {
        AppError::Usage(
            "these interfaces have different link types: capture them one by one".into(),
        )
    })?;
    check_link(&filter, link)?;
    let mut in_kernel = true;
    for live in source.sources() {
        in_kernel &= pipeline::open::kernel_filter(live, filter.tcpdump.as_ref())?;
    }
    if !in_kernel {
        eprintln!(
            "wirepeek: the filter runs in user space: the kernel's view of {} frames would change its meaning",
            link.name()
        );
    }
    let deadline = args
        .duration
        .map(|secs| Instant::now() + Duration::from_secs_f64(secs.max(0.0)));
    let stop = || stop_flag.load(Ordering::SeqCst) || deadline.is_some_and(|d| Instant::now() >= d);
    // Create the output file while we may still write anywhere, then give
    // up privileges before the first packet is touched (and before the
    // flow thread of --stats starts). A path that cannot be created, a
    // user that does not exist, are said before "listening on", as tcpdump.
    let writer = match &args.write {
        Some(dest) => Some(open_writer(&source, args, dest, rotation)?),
        None => None,
    };
    pipeline::open::drop_privileges(args.user.as_deref())?;
    let listened: Vec<String> = names.iter().map(|n| interfaces::escape_name(n)).collect();
    eprintln!(
        "wirepeek: listening on {}, link-type {} ({}), snapshot length {} bytes",
        listened.join(" and "),
        link.0,
        link.name(),
        if args.snaplen == 0 {
            262144
        } else {
            args.snaplen
        }
    );
    if let Some(a) = &attribution
        && !a.borrow().reach().all_users
    {
        eprintln!(
            "wirepeek: process attribution: {}",
            a.borrow().reach().message
        );
    }
    let mut flows = FlowTable::new(flow_config(&args.output.limits, args.flows));
    // The tcpdump expression is a capture filter: applied (and frames
    // numbered) at the source, as the kernel applies it.
    let mut source = pipeline::open::Captured::new(source, filter.tcpdump.clone());
    if let Some(a) = &attribution {
        source.attribute(a.clone());
    }
    let filter = Filter {
        tcpdump: None,
        display: filter.display.clone(),
    };
    let save = Save {
        count: args.output.count,
        track_flows: args.flows,
    };
    let mut summary = match (writer, &attribution) {
        (Some(writer), None) => save_frames(&mut source, save, &filter, writer, &stop, &mut flows)?,
        (None, None) => print_packets(&mut source, &args.output, &filter, out, &stop, &mut flows)?,
        (Some(writer), Some(shared)) => {
            let sink = SaveSink::new(writer);
            save_attributed(&mut source, save, &filter, sink, &stop, &mut flows, shared)?
        }
        (None, Some(shared)) => {
            let run = Run {
                source: &mut source,
                filter: &filter,
                stop: &stop,
                flows: &mut flows,
            };
            print_attributed(run, &args.output, out, shared)?
        }
    };
    // Answers that were late are still worth having for the table.
    if let Some(a) = &attribution {
        a.borrow_mut().collect_late(ANSWER_TIMEOUT);
    }
    if args.flows && !summary.closed_pipe {
        // With `-w -` standard output carries the capture file itself.
        let to_stdout = args.write.as_deref() != Some("-");
        let mut stderr = std::io::stderr();
        let sink: &mut dyn Write = if to_stdout { out } else { &mut stderr };
        let process = |key: &FlowKey| attribution.as_ref().and_then(|a| a.borrow().of_flow(key));
        if !print_flow_table(sink, flows, false, SortKey::Bytes, None, &process)? {
            summary.closed_pipe = true;
        }
    }
    let stats = source.live().stats();
    // wirepeek has no queue of its own between the kernel ring and the
    // printer (one thread reads and prints), so it cannot drop: 0 is exact.
    eprintln!(
        "{} packets captured, {} dropped by the kernel, 0 dropped by wirepeek ({} received by the socket)",
        summary.packets, stats.kernel_dropped, stats.received
    );
    Ok(summary)
}

/// Whether conversations are attributed to processes: when something
/// shows them (`--flows`, `--json`, pcapng comments), unless `--no-process`.
fn wants_process(args: &CaptureArgs) -> bool {
    !args.no_process && (args.flows || args.output.json || (args.write.is_some() && args.pcapng))
}

/// What a run reads from and keeps count in.
struct Run<'a> {
    source: &'a mut dyn FrameSource,
    filter: &'a Filter,
    stop: &'a dyn Fn() -> bool,
    flows: &'a mut FlowTable,
}

/// `print_packets`, with each frame's process known to the printer (the
/// JSON printer writes it). Returns the attribution for the flow table.
fn print_attributed(
    run: Run,
    args: &OutputArgs,
    out: &mut dyn Write,
    attribution: &Shared,
) -> Result<RunSummary, AppError> {
    let printer = printer(args)?;
    let flows = run.flows;
    let track = if args.no_flows {
        Track::Off
    } else {
        Track::Inline(&mut *flows)
    };
    let since_previous =
        TimeFormat::from_tcpdump_count(args.tstamp) == Some(TimeFormat::SincePrevious);
    let mut sink = Attributed {
        inner: PrintSink::new(printer, out, since_previous, args.line_buffered),
        attribution: attribution.clone(),
        noted: true,
    };
    let settings = Settings {
        filter: run.filter,
        count: args.count,
        absolute: args.absolute,
    };
    let mut summary = pipeline::run(run.source, settings, track, &mut sink, run.stop)?;
    if !summary.closed_pipe && !sink.inner.finish(flows)? {
        summary.closed_pipe = true;
    }
    Ok(summary)
}

/// `save_frames`, with each frame's process written as its pcapng
/// comment. Returns the attribution for the flow table.
fn save_attributed(
    source: &mut dyn FrameSource,
    save: Save,
    filter: &Filter,
    sink: SaveSink,
    stop: &dyn Fn() -> bool,
    flows: &mut FlowTable,
    attribution: &Shared,
) -> Result<RunSummary, AppError> {
    let mut sink = Attributed {
        inner: sink,
        attribution: attribution.clone(),
        noted: true,
    };
    let settings = Settings {
        filter,
        count: save.count,
        absolute: false,
    };
    let track = if save.track_flows {
        Track::Inline(flows)
    } else {
        Track::Off
    };
    let result = pipeline::run(source, settings, track, &mut sink, stop);
    sink.inner.finish(result)
}

/// tcpdump's `-C`, `-G` and `-W`, checked.
fn rotation(args: &CaptureArgs) -> Result<Rotation, AppError> {
    let rotation = Rotation {
        file_bytes: args.file_size.map(|millions| millions * 1_000_000),
        seconds: args.rotate_seconds,
        files: args.file_count,
    };
    if rotation.files.is_some() && !rotation.active() {
        return Err(AppError::Usage(
            "-W needs -C or -G: it limits the number of rotated files".into(),
        ));
    }
    if rotation.active() && args.write.as_deref() == Some("-") {
        return Err(AppError::Usage(
            "-C and -G rotate files; standard output (-w -) cannot rotate".into(),
        ));
    }
    Ok(rotation)
}

/// `capture -d`: the filter as the classic BPF program the kernel would
/// run on this interface (tcpdump -d); no socket is opened.
fn dump_filter(
    filter: &Filter,
    names: &[String],
    out: &mut dyn Write,
) -> Result<RunSummary, AppError> {
    let Some(expr) = &filter.tcpdump else {
        return Err(AppError::Usage(
            "-d prints a filter expression's program: give one".into(),
        ));
    };
    let mut link = LinkType::LINUX_SLL2;
    for name in names {
        let target = interfaces::capture_target(name)?;
        // Several interfaces are captured as cooked v2 frames.
        if names.len() == 1 {
            link = interfaces::link_type_for_arphrd(target.arphrd);
        }
    }
    check_link(filter, link)?;
    let text = match expr.compile_bpf(link) {
        Some(program) => bpf::disassemble(&program),
        None => format!(
            "no kernel program: the kernel's view of {} frames would change this expression's meaning; it is matched in user space\n",
            link.name()
        ),
    };
    out.write_all(text.as_bytes()).map_err(AppError::Output)?;
    Ok(RunSummary::default())
}

/// The capture's output: one file (or stdout for `-`), or files that
/// rotate. Each starts with its header at once.
fn open_writer(
    source: &MultiSource,
    args: &CaptureArgs,
    dest: &str,
    rotation: Rotation,
) -> Result<Output, AppError> {
    let format = if args.pcapng {
        SaveFormat::PcapNg
    } else {
        SaveFormat::Pcap
    };
    // One interface block each, in the order given: frames name theirs.
    let interfaces: Vec<SavedInterface> = source
        .sources()
        .iter()
        .map(|live| SavedInterface {
            iface: live.ifindex(),
            link: live.link(),
            name: Some(live.interface().to_string()),
        })
        .collect();
    if rotation.active() {
        let writer = RotatingWriter::create(dest, format, args.snaplen, &interfaces, rotation)?;
        return Ok(Output::Rotating(writer));
    }
    let sink = create_output(dest)?;
    Ok(Output::Single(CaptureWriter::create(
        sink,
        dest,
        format,
        args.snaplen,
        &interfaces,
    )?))
}
