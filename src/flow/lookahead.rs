//! A few decoded frames held back before the flow table sees them, so the
//! memory reads of one packet's flow overlap with the decoding of the next
//! ones. With a million flows each packet's index slot and record are cache
//! misses; one after the other they cost more than decoding the packet.
//! Frames come out in the order they went in, each with its flow facts.

use std::collections::VecDeque;

use super::{FlowTable, Packet};
use crate::decode::Dissection;
use crate::frame::FrameRecord;

/// Frames held back. A slot fetch started when a frame goes in has about
/// `DEPTH / 2` frames' decoding to arrive, and so has the record fetch
/// started at the halfway point.
const DEPTH: usize = 16;

/// One frame waiting for the flow table. The dissection is boxed: it is
/// several hundred bytes, and a frame passes through the queue by moves
/// (in, out, back to the spares), each a copy of what is moved.
pub struct Staged {
    pub frame: FrameRecord,
    pub d: Box<Dissection>,
    /// Its flow facts (`None`: no conversation), for `FlowTable::ingest_packet`.
    pub packet: Option<Packet>,
}

/// The frames held back, oldest first.
pub struct Lookahead {
    queue: VecDeque<Staged>,
    // Boxed as `Staged::d` is: a spare goes out and comes back as a box.
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Dissection>>,
    depth: usize,
}

impl Lookahead {
    /// Without `tracking` flows nothing is held back and no flow facts are
    /// worked out: every frame comes straight out.
    pub fn new(tracking: bool) -> Lookahead {
        let depth = if tracking { DEPTH } else { 1 };
        Lookahead {
            queue: VecDeque::with_capacity(depth),
            spare: Vec::with_capacity(depth),
            depth,
        }
    }

    /// A cleared dissection to decode the next frame into (recycled).
    pub fn dissection(&mut self) -> Box<Dissection> {
        let mut d = self.spare.pop().unwrap_or_default();
        d.clear();
        d
    }

    /// Give back a dissection that is done with.
    pub fn recycle(&mut self, mut d: Box<Dissection>) {
        if self.spare.len() < self.depth {
            d.shed();
            self.spare.push(d);
        }
    }

    /// Hold back a decoded frame and start fetching what the flow table
    /// will read for it, and for the frame halfway through the queue.
    /// `table` is the one the frames will go to, if any.
    pub fn push(&mut self, table: Option<&FlowTable>, frame: FrameRecord, d: Box<Dissection>) {
        let Some(table) = table.filter(|_| self.depth > 1) else {
            self.queue.push_back(Staged {
                frame,
                d,
                packet: None,
            });
            return;
        };
        let packet = Packet::from_dissection(&frame, &d);
        if let Some(p) = &packet {
            table.prefetch_slot(p);
        }
        self.queue.push_back(Staged { frame, d, packet });
        if self.queue.len() > self.depth / 2
            && let Some(p) = &self.queue[self.queue.len() - 1 - self.depth / 2].packet
        {
            table.prefetch_record(p);
        }
    }

    /// The oldest frame, once the queue is full.
    pub fn ready(&mut self) -> Option<Staged> {
        if self.queue.len() >= self.depth {
            self.queue.pop_front()
        } else {
            None
        }
    }

    /// The oldest frame whether or not the queue is full (at the end of the
    /// input, or when a live source goes idle).
    pub fn drain(&mut self) -> Option<Staged> {
        self.queue.pop_front()
    }
}
