//! Benchmark helper: captures on an interface with `LiveSource`, counts UDP
//! frames to one destination port, and stops once traffic has been quiet for
//! a while (or on Ctrl-C). Prints what it matched, the kernel's counters and
//! its own CPU time.
//!
//! Usage: capture_count IFACE PORT [IDLE_SECS=2] [RING_MIB=32] [MAX_SECS=300]
//!
//! The filter `udp dst port PORT` is compiled to classic BPF and attached
//! to the socket, as `wirepeek capture` does, unless USER_SPACE_FILTER=1
//! asks for every frame to be copied up and matched here.

use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use wirepeek::capture::live::{LiveOptions, LiveSource};
use wirepeek::capture::{FrameSource, Next, stop};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(iface), Some(port)) = (
        args.first(),
        args.get(1).and_then(|p| p.parse::<u16>().ok()),
    ) else {
        eprintln!("usage: capture_count IFACE PORT [IDLE_SECS] [RING_MIB] [MAX_SECS]");
        return ExitCode::from(2);
    };
    let arg = |i: usize, default: u64| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default);
    let idle_limit = Duration::from_secs(arg(2, 2));
    let ring_mib = arg(3, 32) as u32;
    let max_run = Duration::from_secs(arg(4, 300));

    let stop_flag = stop::install_stop_handlers();
    let mut source = match LiveSource::open(
        iface,
        LiveOptions {
            snaplen: 0,
            ring_mib,
        },
    ) {
        Ok(source) => source,
        Err(err) => {
            eprintln!("capture_count: {err}");
            return ExitCode::FAILURE;
        }
    };
    if std::env::var_os("USER_SPACE_FILTER").is_none() {
        let filter = wirepeek::filter::TcpdumpFilter::parse(&format!("udp dst port {port}"))
            .expect("the benchmark's filter parses");
        let program = filter
            .compile_bpf(source.link())
            .expect("udp dst port compiles for this link type");
        let raw: Vec<(u16, u8, u8, u32)> =
            program.iter().map(|i| (i.code, i.jt, i.jf, i.k)).collect();
        if let Err(err) = source.attach_filter(&raw) {
            eprintln!("capture_count: {err}");
            return ExitCode::FAILURE;
        }
    }
    eprintln!("capture_count: listening on {iface}, udp port {port}");
    let started = Instant::now();
    let mut last_match: Option<Instant> = None;
    let (mut frames, mut matched, mut matched_bytes) = (0u64, 0u64, 0u64);
    while !stop_flag.load(Ordering::Relaxed) && started.elapsed() < max_run {
        match source.next_frame() {
            Ok(Next::Frame(frame)) => {
                frames += 1;
                if udp_dst_port(&frame.data) == Some(port) {
                    matched += 1;
                    matched_bytes += frame.data.len() as u64;
                    last_match = Some(Instant::now());
                }
            }
            Ok(Next::Idle) => {
                if last_match.is_some_and(|t| t.elapsed() >= idle_limit) {
                    break;
                }
            }
            Ok(Next::End { .. }) => break,
            Err(err) => {
                eprintln!("capture_count: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    let stats = source.stats();
    let (user, system) = cpu_seconds();
    println!(
        "wirepeek: frames={frames} matched={matched} matched_bytes={matched_bytes} \
         kernel_received={} kernel_dropped={} cpu_user={user:.2}s cpu_sys={system:.2}s",
        stats.received, stats.kernel_dropped
    );
    ExitCode::SUCCESS
}

/// UDP destination port of an Ethernet/IPv4 frame; the capture library does
/// no decoding, so the benchmark reads the few bytes it needs itself.
fn udp_dst_port(frame: &[u8]) -> Option<u16> {
    if frame.len() < 14 + 20 + 8 || frame[12..14] != [0x08, 0x00] || frame[14 + 9] != 17 {
        return None;
    }
    let udp = 14 + usize::from(frame[14] & 0x0f) * 4;
    let bytes = frame.get(udp + 2..udp + 4)?;
    Some(u16::from_be_bytes([bytes[0], bytes[1]]))
}

/// User and system CPU seconds of this process, from /proc/self/stat
/// (fields 14 and 15, in USER_HZ = 100 ticks per second on Linux).
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // after ")" the state is field 3, so utime (14) and stime (15) sit at 11 and 12.
    (ticks(11) / 100.0, ticks(12) / 100.0)
}
