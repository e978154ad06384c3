//! Timestamps as tcpdump prints them: local wall-clock time with microsecond
//! or nanosecond digits, or seconds since the first packet.

use std::fmt::Write;

use crate::decode::text::push_padded;
use crate::frame::{Timestamp, TsPrecision};

/// How to show times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeFormat {
    /// Local time of day, `HH:MM:SS.ffffff` (tcpdump's default).
    Absolute,
    /// Seconds since the first packet (tcpdump `-ttttt`).
    Relative,
    /// Seconds since the epoch (tcpdump `-tt`).
    Epoch,
    /// No timestamp at all (tcpdump `-t`).
    Omitted,
    /// ` HH:MM:SS.ffffff` since the packet before it (tcpdump `-ttt`); the
    /// caller passes the previous packet's time as the reference.
    SincePrevious,
    /// `YYYY-MM-DD HH:MM:SS.ffffff` in local time (tcpdump `-tttt`).
    DateTime,
    /// ` HH:MM:SS.ffffff` since the first packet (tcpdump `-ttttt`).
    SinceFirst,
}

impl TimeFormat {
    /// tcpdump's `-t` count (1 to 5 and more) as a format.
    pub fn from_tcpdump_count(count: u8) -> Option<TimeFormat> {
        match count {
            0 => None,
            1 => Some(TimeFormat::Omitted),
            2 => Some(TimeFormat::Epoch),
            3 => Some(TimeFormat::SincePrevious),
            4 => Some(TimeFormat::DateTime),
            _ => Some(TimeFormat::SinceFirst),
        }
    }
}

/// Append a timestamp. `first` is the reference of relative times: the
/// first packet's time, or for `SincePrevious` the previous packet's.
pub fn write_ts(
    out: &mut String,
    ts: Option<Timestamp>,
    precision: TsPrecision,
    format: TimeFormat,
    first: Option<Timestamp>,
) {
    if format == TimeFormat::Omitted {
        return;
    }
    let Some(ts) = ts else {
        out.push_str("--:--:--.------");
        return;
    };
    let (frac, digits) = match precision {
        TsPrecision::Micro => (ts.nanos as u64 / 1000, 6),
        TsPrecision::Nano => (ts.nanos as u64, 9),
    };
    match format {
        TimeFormat::Omitted => {}
        TimeFormat::DateTime => {
            let (year, month, day) = local_date(ts.secs);
            let _ = write!(out, "{year:04}-{month:02}-{day:02} ");
            write_ts(out, Some(ts), precision, TimeFormat::Absolute, None);
        }
        TimeFormat::SincePrevious | TimeFormat::SinceFirst => {
            let delta = ts.as_nanos() - first.unwrap_or(ts).as_nanos();
            out.push(if delta < 0 { '-' } else { ' ' });
            let delta = delta.unsigned_abs();
            let secs = (delta / 1_000_000_000) as u64;
            let nanos = (delta % 1_000_000_000) as u64;
            let frac = if digits == 6 { nanos / 1000 } else { nanos };
            let _ = write!(
                out,
                "{:02}:{:02}:{:02}.{frac:0digits$}",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            );
        }
        TimeFormat::Absolute => {
            let (h, m, s) = local_hms(ts.secs);
            push_padded(out, h as u64, 2);
            out.push(':');
            push_padded(out, m as u64, 2);
            out.push(':');
            push_padded(out, s as u64, 2);
            out.push('.');
            push_padded(out, frac, digits);
        }
        TimeFormat::Epoch => {
            let _ = write!(out, "{}.{frac:0digits$}", ts.secs);
        }
        TimeFormat::Relative => {
            let base = first.unwrap_or(ts).as_nanos();
            let delta = ts.as_nanos() - base;
            let sign = if delta < 0 { "-" } else { "" };
            let delta = delta.unsigned_abs();
            let secs = delta / 1_000_000_000;
            let nanos = (delta % 1_000_000_000) as u64;
            let frac = if digits == 6 { nanos / 1000 } else { nanos };
            let _ = write!(out, "{sign}{secs}.{frac:0digits$}");
        }
    }
}

/// Hours, minutes and seconds of the day in the local time zone.
fn local_hms(secs: i64) -> (i32, i32, i32) {
    thread_local! {
        /// localtime_r is slow-ish; consecutive packets mostly share a minute.
        static CACHE: std::cell::Cell<(i64, (i32, i32, i32))> = const { std::cell::Cell::new((i64::MIN, (0, 0, 0))) };
    }
    let minute = secs.div_euclid(60);
    let (cached_minute, (h, m, _)) = CACHE.with(|c| c.get());
    if cached_minute == minute {
        return (h, m, secs.rem_euclid(60) as i32);
    }
    let t = secs as libc::time_t;
    // SAFETY: `tm` is plain data that localtime_r fully initialises on
    // success; both pointers are valid for the call's duration.
    let hms = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            (
                ((secs.rem_euclid(86400)) / 3600) as i32,
                ((secs.rem_euclid(3600)) / 60) as i32,
                secs.rem_euclid(60) as i32,
            )
        } else {
            (tm.tm_hour, tm.tm_min, tm.tm_sec)
        }
    };
    CACHE.with(|c| c.set((minute, hms)));
    hms
}

/// Year, month and day in the local time zone.
fn local_date(secs: i64) -> (i32, i32, i32) {
    let t = secs as libc::time_t;
    // SAFETY: `tm` is plain data that localtime_r fully initialises on
    // success; both pointers are valid for the call's duration.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return (1970, 1, 1);
        }
        (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday)
    }
}
