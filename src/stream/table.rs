//! TCP reassembly for a whole flow table: one [`TcpStream`] per record,
//! fed by the table as it tracks each segment (`flow::SegmentSink`), so
//! `flows` and `read --stats` count what each side's reader got from the
//! one frame loop. Only lengths are kept (nothing here prints bytes): a
//! held segment costs its record, and all held segments together stay
//! within `StreamLimits`. Per-conversation state is a few words, kept as
//! long as the table keeps the conversation (bounded by `--max-flows`).

use super::{Budget, ChunkKind, Dropped, Payload, Segment, StreamLimits, TcpStream};
use crate::flow::{Delivery, DeliveryReport, SegmentSink, TcpSegment};

/// Every conversation of one table, by record number.
#[derive(Debug)]
pub struct TableStreams {
    limits: StreamLimits,
    budget: Budget,
    streams: Vec<TcpStream>,
    /// Drops of conversations that left the table.
    closed: Dropped,
    delivered: u64,
    missing: u64,
    peak: usize,
}

impl TableStreams {
    pub fn new(limits: StreamLimits) -> TableStreams {
        TableStreams {
            limits,
            budget: Budget::new(limits.total),
            streams: Vec::new(),
            closed: Dropped::default(),
            delivered: 0,
            missing: 0,
            peak: 0,
        }
    }

    pub fn boxed(limits: StreamLimits) -> Box<dyn SegmentSink> {
        Box::new(TableStreams::new(limits))
    }
}

impl SegmentSink for TableStreams {
    fn segment(
        &mut self,
        slot: u32,
        side: usize,
        seg: &TcpSegment,
        (seq, ack): (u32, u32),
        delivery: &mut Delivery,
    ) {
        let slot = slot as usize;
        if slot >= self.streams.len() {
            self.streams.resize_with(slot + 1, TcpStream::new);
        }
        let segment = Segment {
            frame: 0,
            ts: None,
            seq,
            ack,
            syn: seg.has(TcpSegment::SYN),
            len: seg.len,
            payload: Payload::Length(seg.captured),
        };
        let (delivered, missing) = (&mut self.delivered, &mut self.missing);
        let stream = &mut self.streams[slot];
        stream.segment(side, &segment, &self.limits, &mut self.budget, &mut |c| {
            let side = c.side.min(1);
            match c.kind {
                ChunkKind::Missing(n) => {
                    // tshark prints the count signed; a negative one (a
                    // hole of more than 2 GiB) is no bytes of ours.
                    let n = u64::try_from(n).unwrap_or(0);
                    delivery.missing[side] += n;
                    *missing += n;
                }
                _ => {
                    delivery.delivered[side] += c.len as u64;
                    *delivered += c.len as u64;
                }
            }
        });
        self.peak = self.peak.max(self.budget.used());
    }

    fn prefetch(&self, slot: u32) {
        if let Some(s) = self.streams.get(slot as usize) {
            let start = std::ptr::from_ref(s).cast::<u8>();
            let size = std::mem::size_of::<TcpStream>();
            for offset in (0..size).step_by(64).chain([size - 1]) {
                crate::flow::prefetch(start.wrapping_add(offset));
            }
        }
    }

    fn close(&mut self, slot: u32) {
        if let Some(s) = self.streams.get_mut(slot as usize) {
            s.release(&mut self.budget);
            self.closed.add(s.dropped);
            *s = TcpStream::new();
        }
    }

    fn report(&self) -> DeliveryReport {
        let mut dropped = self.closed;
        for s in &self.streams {
            dropped.add(s.dropped);
        }
        DeliveryReport {
            delivered: self.delivered,
            missing: self.missing,
            held: self.budget.used(),
            peak_held: self.peak,
            bound: self.limits.total,
            dropped_segments: dropped.segments,
            dropped_bytes: dropped.bytes,
        }
    }
}
