//! Flow tracking on a second thread, for runs that need only the flow
//! table's totals and none of its per-packet answers (`read --stats`,
//! `flows`). The decoding thread sends each frame's flow facts in batches;
//! the table thread ingests them while the next frames decode, so with two
//! cores a million-flow table costs little more wall time than decoding.
//! Frames reach the table in the order they were read, so every count is
//! the same as tracking them in line.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use super::{FlowTable, Packet};
use crate::decode::Dissection;
use crate::frame::FrameRecord;

/// Frames per batch: a hand-over wakes the other thread, which under
/// virtualisation costs tens of microseconds, so batches are large (about
/// 500 KB); measured against 1024, the wake-ups had cost 0.15 s per 4M
/// frames.
const BATCH: usize = 4096;
/// Batches in flight before the decoding thread waits.
const IN_FLIGHT: usize = 8;

/// What the flow table needs of one frame.
#[derive(Clone, Debug)]
pub struct Observation {
    pub packet: Option<Packet>,
    /// Capture time in nanoseconds since the epoch, if the record had one.
    pub ts_ns: Option<i64>,
    /// Frame length on the wire.
    pub wire_len: u32,
}

impl Observation {
    pub fn new(frame: &FrameRecord, d: &Dissection) -> Observation {
        Observation {
            packet: Packet::from_dissection(frame, d),
            ts_ns: frame.ts.map(|t| t.as_nanos() as i64),
            wire_len: frame.orig_len,
        }
    }
}

/// The decoding thread's end: collects observations and hands batches to
/// the table thread.
pub struct Background<'scope> {
    batch: Vec<Observation>,
    to_table: Option<SyncSender<Vec<Observation>>>,
    /// Emptied batches coming back, so no batch is allocated twice.
    returned: Receiver<Vec<Observation>>,
    table: ScopedJoinHandle<'scope, ()>,
}

impl<'scope> Background<'scope> {
    /// Start the table thread on `table`, borrowed until `finish`.
    pub fn start<'env>(scope: &'scope Scope<'scope, 'env>, table: &'scope mut FlowTable) -> Self {
        let (to_table, batches) = sync_channel::<Vec<Observation>>(IN_FLIGHT);
        let (give_back, returned) = sync_channel::<Vec<Observation>>(IN_FLIGHT + 1);
        let handle = scope.spawn(move || {
            for mut batch in batches {
                table.ingest_batch(&batch);
                batch.clear();
                // The decoding thread may have finished and gone: fine.
                let _ = give_back.try_send(batch);
            }
        });
        Background {
            batch: Vec::with_capacity(BATCH),
            to_table: Some(to_table),
            returned,
            table: handle,
        }
    }

    /// Note one decoded frame.
    pub fn observe(&mut self, frame: &FrameRecord, d: &Dissection) {
        self.batch.push(Observation::new(frame, d));
        if self.batch.len() == BATCH {
            self.send();
        }
    }

    fn send(&mut self) {
        let next = self
            .returned
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
        let full = std::mem::replace(&mut self.batch, next);
        if let Some(tx) = &self.to_table
            && tx.send(full).is_err()
        {
            // The table thread is gone (it panicked): `finish` reports it.
            self.to_table = None;
        }
    }

    /// Hand over the last frames and wait until the table has them all.
    pub fn finish(mut self) {
        if !self.batch.is_empty() {
            self.send();
        }
        self.to_table = None;
        if let Err(panic) = self.table.join() {
            std::panic::resume_unwind(panic);
        }
    }
}
