//! `wirepeek export`: the command line to `export::Options`, then one line
//! per file written.

use std::io::Write;

use crate::cli::ExportArgs;
use crate::error::AppError;
use crate::export::{self, Format, Options, Partition};
use crate::pipeline::RunSummary;

pub fn export(args: &ExportArgs, out: &mut dyn Write) -> Result<RunSummary, AppError> {
    use std::io::IsTerminal;
    let format = match args.format.as_str() {
        "ndjson" => Format::Ndjson,
        _ => Format::Parquet,
    };
    let partition = match args.partition.as_str() {
        "day" => Partition::Day,
        "hour" => Partition::Hour,
        _ => Partition::None,
    };
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    let opts = Options {
        inputs: args.inputs.clone(),
        out_dir: args.output.clone().into(),
        format,
        fields: args.fields.clone(),
        partition,
        jobs,
        max_flows: args.max_flows,
        progress: std::io::stderr().is_terminal(),
    };
    let summaries = export::run(&opts)?;
    let mut summary = RunSummary::default();
    let mut warnings = Vec::new();
    for s in summaries {
        summary.packets += s.packets;
        for (path, rows) in &s.files {
            writeln!(out, "{}\t{rows}", path.display()).map_err(AppError::Output)?;
        }
        warnings.extend(s.warnings);
    }
    if !warnings.is_empty() {
        summary.warning = Some(warnings.join("; "));
    }
    Ok(summary)
}
