//! The packet list's sort job (`app::sort`): each shown row's key read
//! from its frame in the store (No., Time, Delta and Length from the
//! index; the text columns from the row as the list draws it, so a sort
//! orders what is on screen), a slice at a time between events; then the
//! keys sorted, and rows whose text ties over 16 bytes read again for the
//! next 16, run by run, until none ties or `MAX_TEXT` is reached.
//!
//! Memory while sorting: 24 bytes a row (an 18-byte key and the row's
//! position), then the 4-byte order handed to the app.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::app::columns::Column;
use crate::app::sort::{self, Key, MAX_TEXT, SortJob, SortMsg, WINDOW};
use crate::app::store::empty_frame;
use crate::app::{App, Msg, TimeMode};
use crate::decode::Dissection;
use crate::frame::FrameRecord;

use super::list::row_text;
use super::slice;

/// Rows sorted with the key; more go to a thread of their own.
const INLINE_SORT: usize = 1 << 15;
/// Tied rows this few are ordered by their whole texts at once.
pub const SMALL_RUN: usize = 64;

/// A sort on its own thread, and the rows it is of.
struct Pending {
    rx: mpsc::Receiver<Vec<Entry>>,
    run: Run,
}

/// One row: its key and its position in frame order (which breaks ties).
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: Key,
    pos: u32,
}

/// A run of rows whose keys tie on text that goes on.
#[derive(Clone, Copy, Debug)]
struct Run {
    start: usize,
    end: usize,
    depth: usize,
}

/// A sort in progress.
pub struct Job {
    req: SortJob,
    entries: Vec<Entry>,
    /// The next row whose key is read (of the whole list, or of `run`).
    next: usize,
    /// Every row has its first key.
    keyed: bool,
    pending: Option<Pending>,
    /// Runs to read again, and the one being read.
    runs: Vec<Run>,
    run: Option<Run>,
    /// Keys read so far and known to be read.
    done: usize,
    total: usize,
    frame: FrameRecord,
    d: Dissection,
}

impl Job {
    pub fn new(req: SortJob) -> Job {
        let n = req.frames.len();
        Job {
            entries: Vec::with_capacity(n),
            req,
            next: 0,
            keyed: false,
            pending: None,
            runs: Vec::new(),
            run: None,
            done: 0,
            total: n,
            frame: empty_frame(),
            d: Dissection::default(),
        }
    }

    /// Work for up to about `budget`, tell the app how far, and say
    /// whether the job is finished (or no longer wanted).
    pub fn step(&mut self, app: &mut App, budget: Duration) -> bool {
        let id = self.req.job;
        if !app.sort_wanted(id) {
            return true;
        }
        let began = Instant::now();
        if !self.keyed {
            let n = self.req.frames.len();
            let mut next = self.next;
            slice::run(&mut next, n, budget, 64, |pos| {
                let key = self.key(app, pos, 0);
                self.entries.push(Entry {
                    key,
                    pos: pos as u32,
                });
            });
            self.next = next;
            self.done = next;
            if next >= n {
                self.keyed = true;
                let all = Run {
                    start: 0,
                    end: n,
                    depth: 0,
                };
                if let Err(e) = self.sort_range(all) {
                    app.cancel_sort_job(id, e);
                    return true;
                }
            }
        } else if let Some(p) = self.pending.take() {
            // A big sort on its own thread: wait for it a slice at most.
            match p.rx.recv_timeout(budget) {
                Ok(sorted) => {
                    let Run { start, end, depth } = p.run;
                    if start == 0 && end == sorted.len() && self.entries.is_empty() {
                        self.entries = sorted;
                    } else {
                        self.entries[start..end].copy_from_slice(&sorted);
                    }
                    self.find_runs(start, end, depth);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => self.pending = Some(p),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // The sorting thread panicked (it said so): give up.
                    app.cancel_sort_job(id, "the sort failed".into());
                    return true;
                }
            }
        } else {
            while self.pending.is_none() && began.elapsed() < budget {
                let Some(run) = self.run.or_else(|| self.runs.pop()) else {
                    self.finish(app);
                    return true;
                };
                if self.run.is_none() {
                    self.next = run.start;
                    self.run = Some(run);
                }
                if run.end - run.start <= SMALL_RUN {
                    // Few rows: their whole texts, sorted at once.
                    self.sort_small(app, run);
                    self.done += run.end - run.start;
                    self.run = None;
                    continue;
                }
                let before = self.next;
                let mut next = self.next;
                let left = budget.saturating_sub(began.elapsed());
                slice::run(&mut next, run.end, left, 64, |at| {
                    let pos = self.entries[at].pos as usize;
                    self.entries[at].key = self.key(app, pos, run.depth);
                });
                self.next = next;
                self.done += next - before;
                if next >= run.end {
                    self.run = None;
                    if let Err(e) = self.sort_range(run) {
                        app.cancel_sort_job(id, e);
                        return true;
                    }
                }
            }
        }
        app.update(Msg::Sort(SortMsg::Progress {
            job: id,
            done: self.done,
            total: self.total,
        }));
        false
    }

    /// Hand the app the rows in order.
    fn finish(&mut self, app: &mut App) {
        let order: Vec<u32> = self
            .entries
            .iter()
            .map(|e| self.req.frames[e.pos as usize])
            .collect();
        self.entries = Vec::new();
        app.update(Msg::Sort(SortMsg::Sorted {
            job: self.req.job,
            order,
            last: self.req.frames.last().copied(),
        }));
    }

    /// Sort the rows of `run` by their keys: a few at once, many on a
    /// thread of their own (the whole list is moved there, a run copied),
    /// so no slice holds the keys for long. Then note the ties to read
    /// again.
    fn sort_range(&mut self, run: Run) -> Result<(), String> {
        let descending = self.req.spec.descending;
        let Run { start, end, depth } = run;
        if end - start <= INLINE_SORT {
            sort_entries(&mut self.entries[start..end], descending);
            self.find_runs(start, end, depth);
            return Ok(());
        }
        let mut rows = if start == 0 && end == self.entries.len() {
            std::mem::take(&mut self.entries)
        } else {
            self.entries[start..end].to_vec()
        };
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("wirepeek-sort".into())
            .spawn(move || {
                sort_entries(&mut rows, descending);
                let _ = tx.send(rows);
            })
            .map_err(|e| format!("sort stopped: no thread to sort on ({e})"))?;
        self.pending = Some(Pending { rx, run });
        Ok(())
    }

    /// Order the few rows of `run` by their whole text (up to `MAX_TEXT`
    /// bytes), ties in frame order.
    fn sort_small(&mut self, app: &App, run: Run) {
        let mut rows: Vec<(Vec<u8>, u32)> = (run.start..run.end)
            .map(|at| {
                let pos = self.entries[at].pos;
                let mut text = self.text(app, pos as usize).0.into_bytes();
                text.truncate(MAX_TEXT);
                (text, pos)
            })
            .collect();
        if self.req.spec.descending {
            rows.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        } else {
            rows.sort_unstable();
        }
        let key = self.entries[run.start].key;
        for (at, (_, pos)) in (run.start..run.end).zip(rows) {
            self.entries[at] = Entry { key, pos };
        }
    }

    /// Sort every row now (tests).
    pub fn run(&mut self, app: &mut App) {
        while !self.step(app, Duration::from_secs(3600)) {}
    }

    /// Note the runs of `start..end` (sorted) whose keys tie on text that
    /// goes on, to be read again `depth + 1` windows in.
    fn find_runs(&mut self, start: usize, end: usize, depth: usize) {
        if (depth + 1) * WINDOW >= MAX_TEXT {
            return;
        }
        let e = &self.entries;
        let mut at = start;
        while at < end {
            let mut to = at + 1;
            while to < end && e[to].key == e[at].key {
                to += 1;
            }
            if to - at > 1 && sort::goes_on(&e[at].key) {
                self.runs.push(Run {
                    start: at,
                    end: to,
                    depth: depth + 1,
                });
                self.total += to - at;
            }
            at = to;
        }
    }

    /// The key of the row at `pos` (frame order) for the job's column,
    /// `depth` windows into its text.
    fn key(&mut self, app: &App, pos: usize, depth: usize) -> Key {
        let frames = &self.req.frames;
        let i = frames[pos] as usize;
        let store = &app.store;
        let ts = |i: usize| store.ts(i).map(|t| t.as_nanos());
        let column = &self.req.spec.column;
        match column {
            Column::No => return store.number(i).map_or(sort::NONE, sort::number),
            Column::Length => {
                return store
                    .orig_len(i)
                    .map_or(sort::NONE, |n| sort::number(n.into()));
            }
            Column::Time if self.req.time != TimeMode::Delta => {
                return ts(i).map_or(sort::NONE, sort::signed);
            }
            Column::Time | Column::Delta => {
                // Since the previous row in frame order (the first: 0).
                let prev = pos
                    .checked_sub(1)
                    .map_or(Some(i), |p| Some(frames[p] as usize));
                return match (ts(i), prev.and_then(ts)) {
                    (Some(t), Some(p)) => sort::signed(t - p),
                    _ => sort::NONE,
                };
            }
            _ => {}
        }
        let (text, addresses) = self.text(app, pos);
        sort::of_text(&text, addresses, depth)
    }

    /// The text the row at `pos` shows in the job's column, and whether
    /// it may read as an address or a number (Source, Destination and
    /// field columns); empty when the frame cannot be read.
    fn text(&mut self, app: &App, pos: usize) -> (String, bool) {
        let i = self.req.frames[pos] as usize;
        if !app.store.load_into(i, &mut self.frame) {
            return (String::new(), false);
        }
        let mut row = row_text(app, i, &self.frame, &mut self.d);
        match &self.req.spec.column {
            Column::Source => (row.src, true),
            Column::Destination => (row.dst, true),
            Column::Protocol => (row.proto, false),
            Column::Info => (row.info, false),
            c => {
                // Delta and field columns' text is in `extra`, in order.
                let k = app
                    .columns
                    .iter()
                    .filter(|x| matches!(x, Column::Delta | Column::Field(_)))
                    .position(|x| x == c);
                let text = k.and_then(|k| row.extra.get_mut(k)).map(std::mem::take);
                (text.unwrap_or_default(), true)
            }
        }
    }
}

/// Sort by key (descending: reversed), ties in frame order.
fn sort_entries(entries: &mut [Entry], descending: bool) {
    if descending {
        entries.sort_unstable_by(|a, b| b.key.cmp(&a.key).then(a.pos.cmp(&b.pos)));
    } else {
        entries.sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.pos.cmp(&b.pos)));
    }
}
