//! The I/O graph's model: frames and bytes per interval over the capture,
//! counted over the packets the list shows (the display filter and a
//! picked conversation apply), as `tshark -q -z io,stat,INTERVAL,FILTER`
//! counts them. Times are from the capture's first frame in whole
//! microseconds (tshark's rounding); a frame earlier than the first counts
//! in the first interval, as tshark does, and is counted aside so the view
//! can say so.
//!
//! The bins are counted a slice at a time (`work`), from the store's index
//! alone (time and wire length; no frame is read back), so a new filter or
//! interval never holds a key up. At most `MAX_BINS` bins are kept: an
//! interval that would need more is refused.

use crate::app::store::FrameStore;
use crate::frame::Timestamp;

/// The intervals offered, in nanoseconds: Wireshark's 1-2-5 steps from
/// 1 ms, then minutes, hours and a day for captures that span years.
pub const STEPS: [u64; 22] = [
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    20_000_000,
    50_000_000,
    100_000_000,
    200_000_000,
    500_000_000,
    1_000_000_000,
    2_000_000_000,
    5_000_000_000,
    10_000_000_000,
    30_000_000_000,
    60_000_000_000,
    120_000_000_000,
    300_000_000_000,
    600_000_000_000,
    1_800_000_000_000,
    3_600_000_000_000,
    21_600_000_000_000,
    86_400_000_000_000,
];

/// The most bins kept (16 bytes each).
pub const MAX_BINS: usize = 100_000;

/// One interval's count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bin {
    pub frames: u64,
    /// Wire lengths (`frame.len`), as tshark's io,stat sums them.
    pub bytes: u64,
}

/// What the bins were counted over; a change starts the count again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Basis {
    pub filter: Option<String>,
    pub flow: Option<u32>,
    pub first: usize,
    pub step: u64,
}

/// The I/O graph and how far its count got.
#[derive(Clone, Debug)]
pub struct IoGraph {
    /// Index into `STEPS`.
    pub step: usize,
    /// The interval was chosen to fit the width (no `+`/`-` yet).
    pub auto: bool,
    /// Show bytes/s instead of packets/s.
    pub bytes: bool,
    /// Bins the plot has columns for.
    pub width: usize,
    pub bins: Vec<Bin>,
    /// Positions of the list counted so far, of `total`.
    pub done: usize,
    pub total: usize,
    pub basis: Basis,
    /// Frames earlier than the first frame, counted in the first interval.
    pub early: u64,
    /// Frames without a time: not counted.
    pub untimed: u64,
    /// Frames past the last bin kept: not counted.
    pub past: u64,
    /// The first bin on screen when there are more bins than columns.
    pub scroll: usize,
}

impl Default for IoGraph {
    fn default() -> Self {
        IoGraph {
            step: 9,
            auto: true,
            bytes: false,
            width: 60,
            bins: Vec::new(),
            done: 0,
            total: 0,
            basis: Basis::default(),
            early: 0,
            untimed: 0,
            past: 0,
            scroll: 0,
        }
    }
}

/// The bin a frame at `rel_ns` from the first frame falls in, with
/// tshark's arithmetic: microseconds rounded to the nearest, negative
/// times in the first bin.
pub fn bin_of(rel_ns: i128, step_ns: u64) -> u64 {
    if rel_ns < 0 {
        return 0;
    }
    let us = (rel_ns + 500) / 1000;
    let step_us = i128::from(step_ns / 1000).max(1);
    u64::try_from(us / step_us).unwrap_or(u64::MAX)
}

/// Nanoseconds from `zero` to `ts`.
pub fn rel_ns(ts: Timestamp, zero: Timestamp) -> i128 {
    ts.as_nanos() - zero.as_nanos()
}

/// An interval as people write it: `1 ms`, `200 ms`, `1 s`, `10 min`, `1 h`.
pub fn step_name(step_ns: u64) -> String {
    const MS: u64 = 1_000_000;
    const S: u64 = 1_000 * MS;
    match step_ns {
        n if n < S => format!("{} ms", n / MS),
        n if n < 60 * S => format!("{} s", n / S),
        n if n < 3600 * S => format!("{} min", n / (60 * S)),
        n if n < 86_400 * S => format!("{} h", n / (3600 * S)),
        n => format!("{} d", n / (86_400 * S)),
    }
}

impl IoGraph {
    /// The interval in nanoseconds.
    pub fn step_ns(&self) -> u64 {
        STEPS[self.step]
    }

    /// Bins needed at `step` for a capture `span_ns` long.
    pub fn needed(span_ns: i128, step: usize) -> u64 {
        bin_of(span_ns, STEPS[step]).saturating_add(1)
    }

    /// The shortest interval whose bins fit the width (the longest one when
    /// none does).
    pub fn fitting(&self, span_ns: i128) -> usize {
        (0..STEPS.len())
            .find(|&s| Self::needed(span_ns, s) <= self.width.max(1) as u64)
            .unwrap_or(STEPS.len() - 1)
    }

    /// The bins on screen: `scroll..scroll + width`, within what exists.
    pub fn visible(&self) -> std::ops::Range<usize> {
        let start = self.scroll.min(self.bins.len().saturating_sub(1));
        start..(start + self.width.max(1)).min(self.bins.len())
    }

    /// Start counting again over `basis`.
    pub fn restart(&mut self, basis: Basis) {
        self.basis = basis;
        self.bins.clear();
        self.done = 0;
        self.early = 0;
        self.untimed = 0;
        self.past = 0;
        self.scroll = 0;
    }

    /// Count up to `units` more of the listed frames `shown`; true while
    /// some are left.
    pub fn work(&mut self, store: &FrameStore, shown: &[u32], units: usize) -> bool {
        self.total = shown.len();
        let Some(zero) = store.first_ts() else {
            self.untimed += (shown.len() - self.done.min(shown.len())) as u64;
            self.done = shown.len();
            return false;
        };
        let step = self.step_ns();
        let end = (self.done + units).min(shown.len());
        for &i in &shown[self.done.min(end)..end] {
            let i = i as usize;
            let Some(ts) = store.ts(i) else {
                self.untimed += 1;
                continue;
            };
            let rel = rel_ns(ts, zero);
            if rel < 0 {
                self.early += 1;
            }
            let b = bin_of(rel, step);
            if b >= MAX_BINS as u64 {
                self.past += 1;
                continue;
            }
            let b = b as usize;
            if b >= self.bins.len() {
                self.bins.resize(b + 1, Bin::default());
            }
            let bin = &mut self.bins[b];
            bin.frames += 1;
            bin.bytes += u64::from(store.orig_len(i).unwrap_or(0));
        }
        self.done = end;
        self.done < shown.len()
    }

    /// The value drawn for a bin: packets or bytes per second.
    pub fn rate(&self, bin: Bin) -> f64 {
        let n = if self.bytes { bin.bytes } else { bin.frames };
        n as f64 * 1e9 / self.step_ns() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_round_to_the_microsecond_as_tshark_does() {
        // 0.9999995 s rounds up to 1.000000 s: the second bin of 1 s.
        assert_eq!(bin_of(999_999_500, 1_000_000_000), 1);
        assert_eq!(bin_of(999_999_499, 1_000_000_000), 0);
        assert_eq!(bin_of(-5, 1_000_000_000), 0);
        assert_eq!(bin_of(2_500_000, 1_000_000), 2);
    }

    #[test]
    fn the_fitting_interval_is_the_shortest_with_few_enough_bins() {
        let g = IoGraph {
            width: 60,
            ..IoGraph::default()
        };
        // 51 s: 1 s bins need 52 columns and fit; 500 ms ones would not.
        assert_eq!(STEPS[g.fitting(51_000_000_000)], 1_000_000_000);
        // A tiny capture gets the shortest interval.
        assert_eq!(g.fitting(3_000_000), 0);
        // Years get the longest one.
        assert_eq!(g.fitting(142_449_834_964_568_000), STEPS.len() - 1);
        assert_eq!(step_name(STEPS[0]), "1 ms");
        assert_eq!(step_name(STEPS[13]), "30 s");
        assert_eq!(step_name(STEPS[19]), "1 h");
    }
}
