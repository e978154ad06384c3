//! The loop's jobs (follow, statistics, sort) work through their items a
//! few at a time between events: `run` is that step, looking at the clock
//! every `every` items so a key never waits longer than about `budget`.

use std::time::{Duration, Instant};

/// Call `step` with `*next`, `*next + 1`, … up to `len`, until `budget`
/// has passed (asked every `every` items); true when all are done.
pub fn run(
    next: &mut usize,
    len: usize,
    budget: Duration,
    every: usize,
    mut step: impl FnMut(usize),
) -> bool {
    let began = Instant::now();
    while *next < len {
        let k = *next;
        *next += 1;
        step(k);
        if next.is_multiple_of(every.max(1)) && began.elapsed() >= budget {
            break;
        }
    }
    *next >= len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_stops_at_its_budget_and_the_next_goes_on_from_there() {
        let mut next = 0;
        let mut seen = Vec::new();
        assert!(!run(&mut next, 100, Duration::ZERO, 8, |k| seen.push(k)));
        assert_eq!(next, 8, "stopped at the first look at the clock");
        assert!(run(&mut next, 100, Duration::from_secs(60), 8, |k| seen.push(k)));
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    }
}
