//! Sorting the packet list by a column, as a click on a Wireshark column
//! header does: `o` sorts by the next column, `O` reverses the direction.
//! Numbers sort as numbers, addresses as addresses (IPv4 and IPv6 by
//! value, MACs by bytes), text as text; ties keep frame order. Sorting by
//! No. ascending is frame order again.
//!
//! The sort is a permutation over the shown rows (`PacketList::order`),
//! so `shown` stays in frame order: go-to, marks and search move in the
//! order drawn, and a new display filter sorts its rows again. The keys
//! are computed by decoding each frame read back from the store, a slice
//! at a time off the key path (the TUI's sort job, its progress and
//! answer as `Msg::Sort`); Esc cancels. Rows that arrive while sorted go
//! at the end, said in the status bar, until the list is sorted again, no
//! sooner than a second after the last sort, or four times as long as it
//! took.
//!
//! The key of a frame is 18 bytes (`Key`): a class, 16 bytes of value and
//! a flag saying the text goes on. Text longer than 16 bytes is compared
//! 16 bytes at a time: rows whose keys tie with the flag set are read
//! again for their next 16 bytes, up to `MAX_TEXT` bytes.

use super::columns::Column;
use super::{App, TimeMode};

/// A frame's sort key: class, value, "the text goes on".
pub type Key = [u8; 18];
/// Bytes of a text compared at most; rows equal that far keep frame order.
pub const MAX_TEXT: usize = 256;
/// Bytes of text in one key.
pub const WINDOW: usize = 16;

/// Classes, in the order they sort in: nothing, numbers, MACs, IPv4,
/// IPv6, text.
const EMPTY: u8 = 0;
const NUMBER: u8 = 1;
const MAC: u8 = 2;
const IPV4: u8 = 3;
const IPV6: u8 = 4;
const TEXT: u8 = 5;

/// What the sort job tells the app (`Msg::Sort`).
#[derive(Debug)]
pub enum SortMsg {
    /// Job `job` has read `done` keys of the `total` it knows of (tied
    /// longer texts are read again, so `total` can grow).
    Progress { job: u64, done: usize, total: usize },
    /// Job `job`'s rows in order (store indices); `last`: the last of
    /// the rows it was given, in frame order.
    Sorted {
        job: u64,
        order: Vec<u32>,
        last: Option<u32>,
    },
}

/// A column and a direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortSpec {
    pub column: Column,
    pub descending: bool,
}

impl SortSpec {
    /// The header's mark: `▲` ascending, `▼` descending.
    pub fn arrow(&self) -> &'static str {
        if self.descending { "▼" } else { "▲" }
    }

    /// `Length ▼`.
    pub fn label(&self) -> String {
        format!("{} {}", self.column.header(), self.arrow())
    }
}

/// A sort being computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Running {
    pub job: u64,
    pub spec: SortSpec,
    /// Keys read so far, of `total`.
    pub done: usize,
    pub total: usize,
    /// Tick time it started at.
    started: u64,
    /// The job has been handed to the loop (`take_sort_job`).
    taken: bool,
}

/// What the loop's sort job works on.
#[derive(Debug)]
pub struct SortJob {
    pub job: u64,
    pub spec: SortSpec,
    /// The shown rows' store indices, in frame order.
    pub frames: Vec<u32>,
    /// How the Time column reads (in delta mode it sorts by the delta).
    pub time: TimeMode,
}

/// The list's sort.
#[derive(Debug, Default)]
pub struct Sorting {
    /// The order the rows are drawn in, if not frame order.
    pub applied: Option<SortSpec>,
    pub running: Option<Running>,
    /// Rows that arrived after the applied sort, drawn at the end.
    pub newer: usize,
    job: u64,
    /// When the last sort ended and how long it took (tick times).
    last: (u64, u64),
}

impl Sorting {
    /// The sort asked for last: the one running, or the one applied.
    pub fn wanted(&self) -> Option<&SortSpec> {
        self.running
            .as_ref()
            .map(|r| &r.spec)
            .or(self.applied.as_ref())
    }

    /// How far the running sort is, 0 to 100.
    pub fn percent(&self) -> Option<u8> {
        let r = self.running.as_ref()?;
        Some((r.done * 100 / r.total.max(1)).min(100) as u8)
    }
}

/// Key of a number.
pub fn number(n: u64) -> Key {
    let mut k = [0; 18];
    k[0] = NUMBER;
    k[9..17].copy_from_slice(&n.to_be_bytes());
    k
}

/// Key of a signed number (times, deltas): ordered as numbers.
pub fn signed(n: i128) -> Key {
    let mut k = [0; 18];
    k[0] = NUMBER;
    let biased = (n as u128) ^ (1 << 127);
    k[1..17].copy_from_slice(&biased.to_be_bytes());
    k
}

/// Key of a decimal: `0.000123`, `-1.5` (a custom column's float).
fn decimal(f: f64) -> Key {
    // Nanoseconds' worth of precision, ordered as the numbers are.
    signed((f * 1e9).round() as i128)
}

/// Key of a column's text: an address or a number when it reads as one
/// (`addresses`: Source and Destination, or a custom field), else the
/// text's bytes from `depth` × 16 on.
pub fn of_text(text: &str, addresses: bool, depth: usize) -> Key {
    let mut k = [0; 18];
    if text.is_empty() {
        return k;
    }
    if addresses && depth == 0 {
        if let Some(a) = address(text) {
            return a;
        }
        if let Ok(n) = text.parse::<u64>() {
            return number(n);
        }
        if let Ok(n) = text.parse::<i64>() {
            return signed(n.into());
        }
        if let Ok(f) = text.parse::<f64>()
            && f.is_finite()
        {
            return decimal(f);
        }
    }
    k[0] = TEXT;
    let bytes = text.as_bytes();
    let from = (depth * WINDOW).min(bytes.len());
    let to = (from + WINDOW).min(bytes.len());
    k[1..1 + to - from].copy_from_slice(&bytes[from..to]);
    k[17] = u8::from(bytes.len() > to && to < MAX_TEXT);
    k
}

fn address(text: &str) -> Option<Key> {
    let mut k = [0; 18];
    // core::net: parsing only, no I/O (the model may not use std::net).
    match text.parse::<core::net::IpAddr>().ok() {
        Some(core::net::IpAddr::V4(a)) => {
            k[0] = IPV4;
            k[1..5].copy_from_slice(&a.octets());
        }
        Some(core::net::IpAddr::V6(a)) => {
            k[0] = IPV6;
            k[1..17].copy_from_slice(&a.octets());
        }
        None => {
            let parts: Vec<&str> = text.split(':').collect();
            if parts.len() != 6 {
                return None;
            }
            k[0] = MAC;
            for (i, p) in parts.iter().enumerate() {
                k[1 + i] = u8::from_str_radix(p, 16).ok().filter(|_| p.len() == 2)?;
            }
        }
    }
    Some(k)
}

/// True when rows with this key tie on text that goes on: they are read
/// again for the text's next bytes.
pub fn goes_on(k: &Key) -> bool {
    k[0] == TEXT && k[17] == 1
}

/// The key nothing sorts before (a frame that could not be read).
pub const NONE: Key = [EMPTY; 18];

impl App {
    /// `o`: sort by the next column (after the last one: frame order).
    pub(super) fn sort_next_column(&mut self) {
        let current = self.sort.wanted().map(|s| s.column.clone());
        let at = current.and_then(|c| self.columns.iter().position(|x| *x == c));
        let next = match at {
            Some(p) => self.columns.get(p + 1).cloned(),
            None => self.columns.iter().find(|c| **c != Column::No).cloned(),
        };
        let spec = next.map(|column| SortSpec {
            column,
            descending: false,
        });
        self.sort_by(spec);
    }

    /// `O`: the other direction (from frame order: No. descending).
    pub(super) fn sort_reverse(&mut self) {
        let spec = match self.sort.wanted() {
            Some(s) => SortSpec {
                column: s.column.clone(),
                descending: !s.descending,
            },
            None => SortSpec {
                column: Column::No,
                descending: true,
            },
        };
        self.sort_by(Some(spec));
    }

    /// Sort by `spec`; None or No. ascending: frame order.
    pub fn sort_by(&mut self, spec: Option<SortSpec>) {
        self.sort.running = None;
        match spec {
            Some(s) if s.column != Column::No || s.descending => self.request_sort(s),
            _ => {
                self.sort.applied = None;
                self.sort.newer = 0;
                self.list.set_order(None);
                self.notify("in frame order", false);
            }
        }
    }

    /// Start a sort job for `spec` over the rows shown now.
    fn request_sort(&mut self, spec: SortSpec) {
        self.sort.job += 1;
        self.sort.running = Some(Running {
            job: self.sort.job,
            spec,
            done: 0,
            total: self.list.len(),
            started: self.now,
            taken: false,
        });
    }

    /// The rows changed (a filter): sort them again the way they were.
    pub(super) fn resort(&mut self) {
        let spec = self.sort.running.take().map(|r| r.spec);
        if let Some(spec) = spec.or(self.sort.applied.take()) {
            self.sort.newer = 0;
            self.request_sort(spec);
        }
    }

    /// The sort job to start, once for each request (the TUI loop asks).
    pub fn take_sort_job(&mut self) -> Option<SortJob> {
        let r = self.sort.running.as_mut().filter(|r| !r.taken)?;
        r.taken = true;
        r.total = self.list.len();
        Some(SortJob {
            job: r.job,
            spec: r.spec.clone(),
            frames: self.list.shown.clone(),
            time: self.time,
        })
    }

    /// True while job `job` is still wanted.
    pub fn sort_wanted(&self, job: u64) -> bool {
        self.sort.running.as_ref().is_some_and(|r| r.job == job)
    }

    /// True while a sort is being computed.
    pub fn sorting(&self) -> bool {
        self.sort.running.is_some()
    }

    /// Esc: stop the sort being computed; the rows stay as they are.
    pub(super) fn cancel_sort(&mut self) {
        if let Some(pct) = self.sort.percent() {
            self.sort.running = None;
            self.notify(format!("sort cancelled at {pct}%"), false);
        }
    }

    /// Sort job `job` could not go on: say why; the rows stay as they are.
    pub fn cancel_sort_job(&mut self, job: u64, why: String) {
        if self.sort_wanted(job) {
            self.sort.running = None;
            self.notify(why, true);
        }
    }

    pub(super) fn sort_progress(&mut self, job: u64, done: usize, total: usize) {
        if let Some(r) = self.sort.running.as_mut().filter(|r| r.job == job) {
            (r.done, r.total) = (done, total);
        }
    }

    /// Job `job`'s rows in order (store indices). Rows gone meanwhile
    /// (aged out) are left out; rows that came meanwhile go at the end.
    pub(super) fn sorted(&mut self, job: u64, mut order: Vec<u32>, last: Option<u32>) {
        let Some(r) = self.sort.running.take_if(|r| r.job == job) else {
            return;
        };
        let shown = &self.list.shown;
        if order.len() != shown.len() || shown.last().copied() != last {
            order.retain(|i| shown.binary_search(i).is_ok());
            let from = last.map_or(0, |l| shown.partition_point(|&i| i <= l));
            order.extend_from_slice(&shown[from..]);
        }
        self.sort.newer = shown.len() - shown.partition_point(|&i| Some(i) <= last);
        self.sort.last = (self.now, self.now.saturating_sub(r.started));
        self.sort.applied = Some(r.spec);
        self.list.set_order(Some(order));
    }

    /// Sort again when rows arrived after the sort, no sooner than a
    /// second after the last one ended, or four times as long as it took.
    pub(super) fn sort_tick(&mut self) {
        let Some(spec) = &self.sort.applied else {
            return;
        };
        let (ended, took) = self.sort.last;
        let wait = took.saturating_mul(4).max(1_000_000_000);
        if self.sort.newer > 0 && self.sort.running.is_none() && self.now >= ended + wait {
            let spec = spec.clone();
            self.request_sort(spec);
        }
    }

    /// Apply a sort message.
    pub(super) fn sort_msg(&mut self, msg: SortMsg) {
        match msg {
            SortMsg::Progress { job, done, total } => self.sort_progress(job, done, total),
            SortMsg::Sorted { job, order, last } => self.sorted(job, order, last),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_sort_by_value_not_by_their_text() {
        // As text "10.0.0.9" > "10.0.0.10"; as addresses it is before.
        assert!(of_text("10.0.0.9", true, 0) < of_text("10.0.0.10", true, 0));
        assert!(of_text("9.255.255.255", true, 0) < of_text("10.0.0.0", true, 0));
        assert!(of_text("10.0.0.1", true, 0) < of_text("::1", true, 0));
        assert!(of_text("2001:db8::2", true, 0) < of_text("2001:db8::10", true, 0));
        assert!(of_text("00:00:5e:00:53:01", true, 0) < of_text("10.0.0.1", true, 0));
        assert!(of_text("", true, 0) < of_text("00:00:5e:00:53:01", true, 0));
    }

    #[test]
    fn numbers_sort_as_numbers_and_text_as_text() {
        assert!(of_text("9", true, 0) < of_text("10", true, 0));
        assert!(of_text("-1.5", true, 0) < of_text("0.25", true, 0));
        assert!(number(64) < number(1500));
        assert!(signed(-3) < signed(2));
        // Protocol and Info are text even when they read as numbers.
        assert!(of_text("9", false, 0) > of_text("10", false, 0));
        assert!(of_text("ARP", false, 0) < of_text("TCP", false, 0));
    }

    #[test]
    fn long_text_is_compared_sixteen_bytes_at_a_time() {
        let a = "443 → 51234 [ACK] Seq=1 Ack=1";
        let b = "443 → 51234 [ACK] Seq=2 Ack=1";
        assert_eq!(of_text(a, false, 0), of_text(b, false, 0));
        assert!(goes_on(&of_text(a, false, 0)));
        assert!(of_text(a, false, 1) < of_text(b, false, 1));
        // A text that ends where another goes on sorts first.
        let short = "0123456789abcdef";
        let long = "0123456789abcdefg";
        assert!(of_text(short, false, 0) < of_text(long, false, 0));
        assert!(!goes_on(&of_text(short, false, 0)));
        // Past MAX_TEXT nothing goes on.
        let huge = "x".repeat(MAX_TEXT + 40);
        assert!(!goes_on(&of_text(&huge, false, MAX_TEXT / WINDOW - 1)));
    }
}
