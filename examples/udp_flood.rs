//! Benchmark helper: sends a bounded burst of UDP datagrams to 127.0.0.1 as
//! fast as one core can, to a sink socket it binds itself so the kernel
//! answers no ICMP port-unreachable. Loopback only, by construction.
//!
//! Usage: udp_flood PORT COUNT SIZE

use std::net::UdpSocket;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let [port, count, size] = args[..] else {
        eprintln!("usage: udp_flood PORT COUNT SIZE");
        return ExitCode::from(2);
    };
    let Ok(port) = u16::try_from(port) else {
        eprintln!("udp_flood: bad port {port}");
        return ExitCode::from(2);
    };
    let run = || -> std::io::Result<(u64, f64)> {
        let _sink = UdpSocket::bind(("127.0.0.1", port))?;
        let sender = UdpSocket::bind("127.0.0.1:0")?;
        sender.connect(("127.0.0.1", port))?;
        let payload = vec![0x5a_u8; size as usize];
        let started = Instant::now();
        let mut sent = 0;
        for _ in 0..count {
            match sender.send(&payload) {
                Ok(_) => sent += 1,
                // A full sink socket can bounce errors back; keep flooding.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
                Err(e) => return Err(e),
            }
        }
        Ok((sent, started.elapsed().as_secs_f64()))
    };
    match run() {
        Ok((sent, secs)) => {
            println!(
                "udp_flood: sent={sent} size={size} secs={secs:.2} rate={:.0}/s",
                sent as f64 / secs
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("udp_flood: {err}");
            ExitCode::FAILURE
        }
    }
}
