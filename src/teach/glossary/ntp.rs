//! The glossary's NTP sentences (RFC 5905).

use super::*;
use crate::decode::ntp;

/// The NTP header.
pub(super) const TABLE: &[Entry] = &[
    (&[&ntp::FLAGS], |c| {
        (
            format!(
                "Flags 0x{:02x}: leap indicator, version and mode packed in one byte.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&ntp::LI], |c| {
        let what = match c.n {
            0 => "no leap second coming",
            1 => "the last minute of today has 61 seconds",
            2 => "the last minute of today has 59 seconds",
            _ => "the clock is not synchronised",
        };
        (format!("Leap indicator {}: {what}.", c.n), spec(c))
    }),
    (&[&ntp::VN], |c| {
        (format!("Version {}: NTPv4 is current.", c.n), spec(c))
    }),
    (&[&ntp::MODE], |c| {
        (
            format!(
                "Mode {} ({}): a client (3) asks, a server (4) answers with its time.",
                c.n,
                ntp::mode_name(c.n as u8)
            ),
            spec(c),
        )
    }),
    (&[&ntp::STRATUM], |c| {
        let what = match c.n {
            0 => "unspecified, or a kiss-o'-death message (the reference ID holds a code)",
            1 => "a primary server, fed directly by a reference clock (GPS, atomic)",
            2..=15 => "a secondary server: this many steps from a reference clock",
            _ => "unsynchronised",
        };
        (format!("Stratum {}: {what}.", c.n), spec(c))
    }),
    (&[&ntp::PPOLL], |c| {
        (
            format!(
                "Poll {}: the sender asks at most every 2^{} = {} s.",
                c.n,
                c.n,
                1u64.checked_shl(c.n as u32).unwrap_or(0)
            ),
            spec(c),
        )
    }),
    (&[&ntp::PRECISION], |c| {
        let p = c.n as u8 as i8;
        (
            format!(
                "Precision {p}: the clock reads time to about 2^{p} s{}.",
                if p < 0 {
                    format!(" (about {:.3} µs)", 1e6 * 2f64.powi(i32::from(p)))
                } else {
                    String::new()
                }
            ),
            spec(c),
        )
    }),
    (&[&ntp::ROOTDELAY], |c| {
        (
            format!(
                "Root delay {:.6} s: the round trip from this server to its reference clock (16.16 fixed point).",
                c.n as f64 / 65536.0
            ),
            spec(c),
        )
    }),
    (&[&ntp::ROOTDISPERSION], |c| {
        (
            format!(
                "Root dispersion {:.6} s: how much error the server may have relative to its reference.",
                c.n as f64 / 65536.0
            ),
            spec(c),
        )
    }),
    (&[&ntp::REFID], |c| {
        (
            format!(
                "Reference ID {}: at stratum 1 four letters naming the clock (GPS, PPS), above it the address of the upstream server.",
                shown(c)
            ),
            spec(c),
        )
    }),
    (&[&ntp::REFTIME], |c| {
        (
            format!(
                "Reference time {}: when the server's clock was last set.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&ntp::ORG], |c| {
        (
            format!(
                "Origin time {}: the client's transmit time, copied back by the server (T1).",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&ntp::REC], |c| {
        (
            format!(
                "Receive time {}: when the request reached the server (T2).",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&ntp::XMT], |c| {
        (
            format!(
                "Transmit time {}: when this packet left its sender (T3). With the arrival time T4 the client works out offset ((T2−T1)+(T3−T4))/2 and delay.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&ntp::KEYID], |c| {
        (
            format!(
                "Key ID ({} bytes): which shared key signed the packet.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&ntp::MAC], |c| {
        (
            format!(
                "Message authentication code, {} bytes: a keyed digest proving the packet came from a holder of the key.",
                c.len
            ),
            spec(c),
        )
    }),
];
