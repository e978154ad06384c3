//! `wirepeek export`: captures to tables an engine queries (DuckDB, Spark,
//! Trino): a `packets` table (one row per packet, tshark's field names,
//! typed columns) and a `conn` table (one row per conversation, Zeek's
//! `conn.log` columns and Community ID), as Parquet or NDJSON, in Hive
//! partition folders by time.
//!
//! A sink of the one pipeline (`sink.rs`): each input is read, decoded
//! and tracked by `pipeline::run` on a worker thread of its own (`-j`
//! workers take the inputs in turn); its rows go to files of its own,
//! written under temporary names and renamed when complete.
//!
//! May use `frame`, `capture` (to open inputs), `decode`, `flow`,
//! `filter`, `output` (tshark's value formats, as `read --fields` prints
//! them), `pipeline` and `error`; never `app`, `tui` or `run`.

pub mod community_id;
mod conn;
mod ndjson;
pub mod packets;
#[cfg(feature = "parquet")]
mod parquet;
pub mod partition;
mod protocols;
mod sink;
mod table;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

pub use partition::{Format, Partition};

use crate::capture::file::FileSource;
use crate::error::AppError;
use crate::filter::Filter;
use crate::flow::{FlowConfig, FlowTable};
use crate::pipeline::{self, Settings, Track};
use packets::PacketColumns;
use sink::ExportSink;
use writer::TableWriter;

/// What to export, from the command line.
pub struct Options {
    pub inputs: Vec<String>,
    pub out_dir: PathBuf,
    pub format: Format,
    pub fields: Option<String>,
    pub partition: Partition,
    pub jobs: usize,
    /// Conversations tracked at once per input.
    pub max_flows: u32,
    /// Show a progress line (standard error is a terminal).
    pub progress: bool,
}

/// What one input gave.
#[derive(Debug, Default)]
pub struct InputSummary {
    pub input: String,
    pub packets: u64,
    pub conns: u64,
    pub files: Vec<(PathBuf, u64)>,
    pub warnings: Vec<String>,
}

/// A file name part from an input path: its file name, with anything but
/// letters, digits, `.`, `_` and `-` replaced.
fn stem(path: &str) -> String {
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".to_string());
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Export one input (the `index`th of the command line).
fn export_one(
    opts: &Options,
    fields: &[String],
    index: usize,
    path: &str,
    progress: &AtomicU64,
    stop: &AtomicBool,
) -> Result<InputSummary, AppError> {
    let mut source = FileSource::open(path)?;
    let name = format!("{}-{index}", stem(path));
    let columns = PacketColumns::new(fields);
    let writer = TableWriter::new(
        columns.columns.clone(),
        &opts.out_dir,
        opts.partition,
        opts.format,
        format!("packets-{name}"),
    );
    let mut sink = ExportSink::new(path.to_string(), columns, writer, progress);
    let mut flows = FlowTable::new(FlowConfig {
        idle_timeout_ns: None,
        max_flows: opts.max_flows,
        keep_finished: true,
    });
    let filter = Filter::default();
    let settings = Settings {
        filter: &filter,
        count: None,
        absolute: false,
    };
    let run = pipeline::run(
        &mut source,
        settings,
        Track::Inline(&mut flows),
        &mut sink,
        &|| stop.load(Ordering::Relaxed),
    )?;
    sink.report();
    if stop.load(Ordering::Relaxed) {
        return Err(AppError::Usage("export stopped".to_string()));
    }
    sink.packets.finish().map_err(AppError::Output)?;
    let mut summary = InputSummary {
        input: path.to_string(),
        packets: run.packets,
        ..Default::default()
    };
    summary.warnings.extend(run.warning);
    if sink.columns.mismatched > 0 {
        summary.warnings.push(format!(
            "{path}: {} values did not fit their column's type and were left empty",
            sink.columns.mismatched
        ));
    }
    if sink.columns.out_of_range > 0 {
        summary.warnings.push(format!(
            "{path}: {} packet times are outside the years 1677-2262 a nanosecond timestamp holds; their frame.time_epoch is empty",
            sink.columns.out_of_range
        ));
    }
    let unlisted = flows.unlisted();
    if unlisted.conversations > 0 {
        summary.warnings.push(format!(
            "{path}: {} conversations left the table (more than --max-flows {} at once) and have no conn row",
            unlisted.conversations, opts.max_flows
        ));
    }
    let mut conn = TableWriter::new(
        conn::columns(),
        &opts.out_dir,
        opts.partition,
        opts.format,
        format!("conn-{name}"),
    );
    for f in flows.into_flows() {
        let zeek = sink
            .take_conn(f.key.proto, f.stream)
            .map(|log| log.summary());
        let batch = conn.batch(f.first_ns).map_err(AppError::Output)?;
        conn::fill(batch, path, &f, zeek.as_ref());
        conn.row_done().map_err(AppError::Output)?;
        summary.conns += 1;
    }
    conn.finish().map_err(AppError::Output)?;
    summary.files.append(&mut sink.packets.done);
    summary.files.append(&mut conn.done);
    Ok(summary)
}

/// Export every input, `opts.jobs` at a time. Returns each input's summary
/// in command-line order; the first failure stops the others.
pub fn run(opts: &Options) -> Result<Vec<InputSummary>, AppError> {
    let fields = packets::field_list(opts.fields.as_deref()).map_err(AppError::Usage)?;
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| {
        AppError::Output(std::io::Error::new(
            e.kind(),
            format!("{}: {e}", opts.out_dir.display()),
        ))
    })?;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let packets = AtomicU64::new(0);
    let finished = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<InputSummary, AppError>>>> =
        Mutex::new((0..opts.inputs.len()).map(|_| None).collect());
    let workers = opts.jobs.clamp(1, opts.inputs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= opts.inputs.len() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let r = export_one(opts, &fields, i, &opts.inputs[i], &packets, &stop);
                    if r.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    finished.fetch_add(1, Ordering::Relaxed);
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(r);
                    }
                }
            });
        }
        if opts.progress {
            let started = std::time::Instant::now();
            while finished.load(Ordering::Relaxed) < opts.inputs.len()
                && !stop.load(Ordering::Relaxed)
            {
                std::thread::sleep(std::time::Duration::from_millis(250));
                let n = packets.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                eprint!(
                    "\rexport: {}/{} inputs, {n} packets, {:.0} packets/s ",
                    finished.load(Ordering::Relaxed),
                    opts.inputs.len(),
                    n as f64 / secs
                );
            }
            eprintln!();
        }
    });
    let all = results.into_inner().unwrap_or_default();
    let mut out = Vec::new();
    let mut first_error = None;
    for r in all.into_iter().flatten() {
        match r {
            Ok(s) => out.push(s),
            Err(AppError::Usage(m)) if m == "export stopped" => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
