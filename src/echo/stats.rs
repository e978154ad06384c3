//! Numbers for the client's report: round-trip-time percentiles, rates, and
//! human-readable formatting of durations and sizes; plus the deterministic
//! payload pattern that lets every echoed byte be checked.

use std::time::Duration;

/// Minimum, median, 99th percentile and maximum of a set of round trips.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RttSummary {
    /// Fastest round trip.
    pub min: Duration,
    /// Median round trip (nearest rank).
    pub median: Duration,
    /// 99th-percentile round trip (nearest rank).
    pub p99: Duration,
    /// Slowest round trip.
    pub max: Duration,
}

impl RttSummary {
    /// Summarises round-trip samples given in nanoseconds; all zero if empty.
    pub fn from_nanos(mut samples: Vec<u64>) -> Self {
        if samples.is_empty() {
            return RttSummary::default();
        }
        samples.sort_unstable();
        let at = |fraction: f64| {
            // Nearest-rank percentile: the smallest sample with at least
            // `fraction` of all samples at or below it.
            let rank = (fraction * samples.len() as f64).ceil() as usize;
            Duration::from_nanos(samples[rank.clamp(1, samples.len()) - 1])
        };
        RttSummary {
            min: Duration::from_nanos(samples[0]),
            median: at(0.50),
            p99: at(0.99),
            max: Duration::from_nanos(samples[samples.len() - 1]),
        }
    }
}

/// Formats a duration with a unit that keeps three significant-ish digits.
pub fn format_duration(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1000.0 {
        format!("{micros:.1}us")
    } else if micros < 1_000_000.0 {
        format!("{:.2}ms", micros / 1000.0)
    } else {
        format!("{:.3}s", micros / 1e6)
    }
}

/// A tiny xorshift64 generator: deterministic payloads without a rand crate.
#[derive(Debug, Clone)]
pub struct XorShift64(u64);

impl XorShift64 {
    /// Seeds the generator; a zero seed (which would stick at zero) is replaced.
    pub fn new(seed: u64) -> Self {
        XorShift64(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next pseudo-random value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Fills `buffer` with pseudo-random bytes.
    pub fn fill(&mut self, buffer: &mut [u8]) {
        for chunk in buffer.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// How many distinct starting offsets messages cycle through in a pattern,
/// so consecutive messages differ and a stale or shifted echo is caught.
pub(crate) const PATTERN_OFFSETS: usize = 4093;

/// Pseudo-random bytes from which each message of one connection is a
/// slice, at an offset that depends on the message number.
pub(crate) struct Pattern {
    bytes: Vec<u8>,
    message_len: usize,
}

impl Pattern {
    pub(crate) fn new(message_len: usize, seed: u64) -> Self {
        let mut bytes = vec![0u8; message_len + PATTERN_OFFSETS];
        XorShift64::new(seed).fill(&mut bytes);
        Pattern { bytes, message_len }
    }

    /// The payload of message number `seq`.
    pub(crate) fn message(&self, seq: u64) -> &[u8] {
        let offset = (seq % PATTERN_OFFSETS as u64) as usize;
        &self.bytes[offset..offset + self.message_len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let summary = RttSummary::from_nanos((1..=100).rev().collect());
        assert_eq!(summary.min, Duration::from_nanos(1));
        assert_eq!(summary.median, Duration::from_nanos(50));
        assert_eq!(summary.p99, Duration::from_nanos(99));
        assert_eq!(summary.max, Duration::from_nanos(100));
    }

    #[test]
    fn a_single_sample_is_every_percentile() {
        let summary = RttSummary::from_nanos(vec![7]);
        assert_eq!(summary.min, summary.max);
        assert_eq!(summary.median, Duration::from_nanos(7));
        assert_eq!(summary.p99, Duration::from_nanos(7));
    }

    #[test]
    fn consecutive_pattern_messages_differ() {
        let pattern = Pattern::new(64, 1);
        assert_ne!(pattern.message(0), pattern.message(1));
        assert_eq!(pattern.message(0), pattern.message(PATTERN_OFFSETS as u64));
    }

    #[test]
    fn durations_are_formatted_with_a_fitting_unit() {
        assert_eq!(format_duration(Duration::from_nanos(25_400)), "25.4us");
        assert_eq!(format_duration(Duration::from_micros(1_500)), "1.50ms");
        assert_eq!(format_duration(Duration::from_millis(2_500)), "2.500s");
    }
}
