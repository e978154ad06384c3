//! Replay: frames already loaded are released to the view at their original
//! pace times a speed, as if captured live. The clock is the app's tick time,
//! so replay is deterministic under test. Paused, it steps one frame at a
//! time (`n` forward, `N` back).

use super::store::FrameStore;

/// Slowest and fastest replay speeds `+`/`-` reach.
pub const MIN_SPEED: f64 = 1.0 / 64.0;
pub const MAX_SPEED: f64 = 1024.0;

/// Where a replay is.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    pub speed: f64,
    /// Paused: frames are released only by `n`.
    pub stepping: bool,
    /// How many frames of the store are released to the view.
    pub released: usize,
    /// Capture time (ns) that corresponds to wall time `anchor_wall`.
    anchor_pos: Option<i128>,
    anchor_wall: u64,
}

impl Replay {
    /// A replay at `speed` that has not started.
    pub fn new(speed: f64) -> Replay {
        Replay {
            speed: speed.clamp(MIN_SPEED, MAX_SPEED),
            stepping: false,
            released: 0,
            anchor_pos: None,
            anchor_wall: 0,
        }
    }

    fn ts(store: &FrameStore, i: usize) -> Option<i128> {
        store.ts(i).map(|t| t.as_nanos())
    }

    /// The capture time the replay has reached at wall time `now` (ns).
    pub fn position(&self, now: u64) -> Option<i128> {
        let anchor = self.anchor_pos?;
        if self.stepping {
            return Some(anchor);
        }
        let elapsed = now.saturating_sub(self.anchor_wall) as f64 * self.speed;
        Some(anchor + elapsed as i128)
    }

    /// Release every frame whose time has come by `now`.
    pub fn tick(&mut self, now: u64, store: &FrameStore) {
        if self.anchor_pos.is_none() {
            let Some(first) = store.first_ts() else {
                // Nothing timed yet: frames without times go out at once.
                self.released = store.len();
                return;
            };
            self.anchor_pos = Some(first.as_nanos());
            self.anchor_wall = now;
        }
        if self.stepping {
            return;
        }
        let Some(pos) = self.position(now) else {
            return;
        };
        while self.released < store.len() && Self::ts(store, self.released).is_none_or(|t| t <= pos)
        {
            self.released += 1;
        }
    }

    /// Pause (step mode) or resume playback from the last released frame.
    pub fn set_stepping(&mut self, stepping: bool, now: u64, store: &FrameStore) {
        if stepping == self.stepping {
            return;
        }
        if stepping {
            self.anchor_pos = self.position(now);
        } else {
            let last = self
                .released
                .checked_sub(1)
                .and_then(|i| Self::ts(store, i));
            if let Some(t) = last {
                self.anchor_pos = Some(t);
            }
            self.anchor_wall = now;
        }
        self.stepping = stepping;
    }

    /// Release one more frame (enters step mode).
    pub fn step_forward(&mut self, now: u64, store: &FrameStore) {
        self.set_stepping(true, now, store);
        if self.released < store.len() {
            self.released += 1;
            if let Some(t) = Self::ts(store, self.released - 1) {
                self.anchor_pos = Some(t);
            }
        }
    }

    /// Take back the last released frame (enters step mode).
    pub fn step_back(&mut self, now: u64, store: &FrameStore) {
        self.set_stepping(true, now, store);
        if self.released > 1 {
            self.released -= 1;
            if let Some(t) = Self::ts(store, self.released - 1) {
                self.anchor_pos = Some(t);
            }
        }
    }

    /// Double (`faster`) or halve the speed, keeping the current position.
    pub fn change_speed(&mut self, faster: bool, now: u64) {
        if !self.stepping {
            self.anchor_pos = self.position(now);
            self.anchor_wall = now;
        }
        let speed = if faster {
            self.speed * 2.0
        } else {
            self.speed / 2.0
        };
        self.speed = speed.clamp(MIN_SPEED, MAX_SPEED);
    }

    /// Seconds from the first frame to the replay's position, which stops
    /// at the last frame once every frame is released.
    pub fn elapsed_secs(&self, now: u64, store: &FrameStore) -> f64 {
        let mut pos = self.position(now);
        if self.released >= store.len()
            && let Some(last) = store.len().checked_sub(1).and_then(|i| Self::ts(store, i))
        {
            pos = pos.map(|p| p.min(last));
        }
        match (pos, store.first_ts()) {
            (Some(pos), Some(first)) => (pos - first.as_nanos()).max(0) as f64 / 1e9,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{FrameRecord, LinkType, Timestamp, TsPrecision};

    #[test]
    fn the_replay_position_stops_at_the_last_frame() {
        let mut store = FrameStore::default();
        for secs in [10, 11, 13] {
            store.push(&FrameRecord {
                number: 1,
                ts: Some(Timestamp { secs, nanos: 0 }),
                precision: TsPrecision::Micro,
                link: LinkType::RAW,
                orig_len: 1,
                iface: 0,
                data: vec![0x45],
            });
        }
        let mut r = Replay::new(1.0);
        let sec = 1_000_000_000;
        r.tick(0, &store);
        r.tick(sec, &store);
        assert_eq!(r.released, 2);
        assert_eq!(r.elapsed_secs(sec, &store), 1.0);
        r.tick(10 * sec, &store);
        assert_eq!(r.released, 3);
        // Three seconds of capture, however long the replay has run.
        assert_eq!(r.elapsed_secs(10 * sec, &store), 3.0);
        assert_eq!(r.elapsed_secs(100 * sec, &store), 3.0);
    }
}
