//! Print the socket-call timeline and what it teaches: why a TCP reader
//! loops, and how UDP keeps each datagram whole.

use std::io::Write;

use super::timeline::{Row, Summary, thousands};

/// Seconds from `origin`, signed, to the microsecond: `+0.000123`.
fn offset(ts: i128, origin: i128) -> String {
    let d = ts - origin;
    let sign = if d < 0 { '-' } else { '+' };
    let us = d.unsigned_abs() / 1_000;
    format!("{sign}{}.{:06}", us / 1_000_000, us % 1_000_000)
}

/// Write the timeline; `message` is the size of each message the client sent.
pub fn write_timeline(
    out: &mut dyn Write,
    rows: &[Row],
    summary: &Summary,
    origin: i128,
    dropped: u64,
    message: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Socket calls beside the packets (seconds from the first packet; calls and packets are stamped by the same clock, CLOCK_REALTIME):\n"
    )?;
    for row in rows {
        let time = offset(row.ts, origin);
        if row.packet {
            writeln!(out, "  {time}          {}", row.text)?;
        } else {
            writeln!(out, "  {time}  {:<6}  {}", row.who, row.text)?;
        }
    }
    if dropped > 0 {
        writeln!(
            out,
            "  ({dropped} more calls were made but not recorded: the call log was full)"
        )?;
    }
    writeln!(out)?;
    if summary.tcp {
        let mut looped = false;
        for (peer, counts) in &summary.reads {
            let total: usize = counts.iter().sum();
            let messages = (total / message.max(1)).max(1);
            if counts.len() > messages {
                let list: Vec<String> = counts.iter().map(|&n| thousands(n as u64)).collect();
                writeln!(
                    out,
                    "The {}'s read() calls returned {} bytes: {} calls for {} message{} of {} bytes, each sent with one write().",
                    peer.name(),
                    list.join(" + "),
                    counts.len(),
                    messages,
                    if messages > 1 { "s" } else { "" },
                    thousands(message as u64),
                )?;
                looped = true;
            }
        }
        if looped {
            writeln!(
                out,
                "Why the reader loops: TCP is a byte stream. read() returns whatever has arrived so far, up to the room it is given, not what one write() sent; so a reader that needs n bytes calls read() in a loop until it has them, as the lecture's Rio_readn() does."
            )?;
        }
    } else if summary.datagrams > 0 {
        writeln!(
            out,
            "Datagram boundaries: each recvfrom() returned exactly one datagram, the bytes of one sendto(), never part of one and never two together ({} datagrams). UDP keeps message boundaries; TCP's read() does not.",
            summary.datagrams
        )?;
    }
    Ok(())
}
