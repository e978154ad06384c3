//! wirepeek's entry point: parse, dispatch, map errors to exit codes.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use wirepeek::cli::{Cli, Command};
use wirepeek::error::{EXIT_FAILURE, EXIT_OK};
use wirepeek::run;

fn main() -> ExitCode {
    let cli = Cli::parse_from(tcpdump_habits(std::env::args_os().collect()));

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = match &cli.command {
        Command::Read(args) => run::read(args, &mut out),
        Command::Capture(args) => run::capture(args, &mut out),
        Command::Demo(args) if args.tui => {
            wirepeek::demo::run_tui(args).map(|frames| run::RunSummary {
                packets: frames.len() as u64,
                ..Default::default()
            })
        }
        Command::Demo(args) => wirepeek::demo::run(args, &mut out, std::io::stdout().is_terminal())
            .map(|frames| run::RunSummary {
                packets: frames.len() as u64,
                ..Default::default()
            }),
        Command::Explain(args) => run::explain(args, &mut out, std::io::stdout().is_terminal())
            .map(|()| run::RunSummary::default()),
        Command::Quiz(args) => run::quiz(args, &mut std::io::stdin().lock(), &mut out)
            .map(|()| run::RunSummary::default()),
        Command::Tui(args) => wirepeek::tui::run_cli(args).map(|()| run::RunSummary::default()),
        Command::Interfaces => run::interfaces(&mut out).map(|()| run::RunSummary::default()),
        // The echo tool has its own error type and exit codes.
        Command::Echo(cmd) => {
            return match wirepeek::echo::run(cmd.clone()) {
                Ok(()) => ExitCode::from(EXIT_OK),
                Err(e) => {
                    eprintln!("wirepeek: {e}");
                    ExitCode::from(e.exit_code())
                }
            };
        }
        Command::Flows(args) => run::flows(args, &mut out),
        Command::Follow(args) => run::follow(args, &mut out),
        Command::Export(args) => run::export(args, &mut out),
    };
    let _ = out.flush();
    match result {
        Ok(summary) => {
            if let Some(warning) = summary.warning {
                eprintln!("wirepeek: warning: {warning}");
            }
            ExitCode::from(EXIT_OK)
        }
        Err(e) => {
            eprintln!("wirepeek: {e}");
            ExitCode::from(e.exit_code().max(EXIT_FAILURE))
        }
    }
}

/// `wirepeek -r FILE ...` as tcpdump and tshark spell it: the same as
/// `wirepeek read -r FILE ...`.
fn tcpdump_habits(mut argv: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let reads_a_file = argv
        .get(1)
        .and_then(|arg| arg.to_str())
        .is_some_and(|arg| arg.starts_with("-r"));
    if reads_a_file {
        argv.insert(1, "read".into());
    }
    argv
}
