//! Walking the TPACKET_V3 receive ring: take the blocks the kernel has
//! filled, copy each packet out as a `FrameRecord`, hand blocks back.

use std::mem::size_of;
use std::sync::atomic::{AtomicU32, Ordering};

use super::{BlockWalk, LiveSource, SOCKADDR_LL_OFFSET, cook, read_u16, read_u32};
use crate::capture::CaptureError;
use crate::frame::{FrameRecord, Timestamp, TsPrecision};

impl LiveSource {
    /// The status word of block `index`, shared with the kernel.
    fn block_status(&self, index: usize) -> &AtomicU32 {
        // SAFETY: `index < block_count`, so the block header lies inside the
        // mapping; block_status is the 4-byte-aligned u32 at offset 8 of
        // tpacket_block_desc (after version and offset_to_priv), and the
        // kernel only touches it atomically with respect to this handoff.
        unsafe { &*self.block_ptr(index).add(8).cast::<AtomicU32>() }
    }

    fn block_ptr(&self, index: usize) -> *mut u8 {
        debug_assert!(index < self.block_count);
        // SAFETY: index < block_count keeps the offset inside the mapping.
        unsafe { self.ring.add(index * self.block_size) }
    }

    /// The bytes of the block we own; valid until we hand it back.
    fn owned_block(&self) -> &[u8] {
        // SAFETY: only called while block_status says TP_STATUS_USER, when
        // the kernel does not write to the block; the slice spans one block
        // inside the mapping and is dropped before the block is returned.
        unsafe { std::slice::from_raw_parts(self.block_ptr(self.block), self.block_size) }
    }

    /// Takes the next deliverable frame from blocks the kernel has filled,
    /// returning blocks as they empty; None when no filled block is waiting.
    pub(super) fn take_ready_frame(&mut self) -> Result<Option<FrameRecord>, CaptureError> {
        loop {
            let walk = match self.walk {
                Some(walk) => walk,
                None => {
                    let status = self.block_status(self.block).load(Ordering::Acquire);
                    if status & libc::TP_STATUS_USER == 0 {
                        return Ok(None);
                    }
                    let block = self.owned_block();
                    BlockWalk {
                        remaining: read_u32(block, 12),
                        offset: read_u32(block, 16) as usize,
                    }
                }
            };
            if walk.remaining == 0 {
                self.release_block();
                continue;
            }
            let (frame, next_offset) = self.read_packet(walk.offset)?;
            let remaining = walk.remaining - 1;
            if remaining == 0 {
                self.release_block();
            } else {
                self.walk = Some(BlockWalk {
                    remaining,
                    offset: walk.offset + next_offset,
                });
            }
            if let Some(frame) = frame {
                return Ok(Some(frame));
            }
        }
    }

    fn release_block(&mut self) {
        self.block_status(self.block)
            .store(libc::TP_STATUS_KERNEL, Ordering::Release);
        self.walk = None;
        self.block = (self.block + 1) % self.block_count;
    }

    /// Copies the packet at `offset` in the owned block out of the ring.
    /// Returns None for packets we skip, plus the offset of the next packet.
    fn read_packet(&mut self, offset: usize) -> Result<(Option<FrameRecord>, usize), CaptureError> {
        let block = self.owned_block();
        let corrupt = || {
            CaptureError::Other(format!(
                "capture ring on {} holds a malformed packet header at block {} offset {offset}",
                self.target.name, self.block
            ))
        };
        let meta_end = offset + SOCKADDR_LL_OFFSET + size_of::<libc::sockaddr_ll>();
        if meta_end > block.len() {
            return Err(corrupt());
        }
        let hdr = &block[offset..];
        let next_offset = read_u32(hdr, 0) as usize;
        let secs = read_u32(hdr, 4);
        let nanos = read_u32(hdr, 8);
        let captured = read_u32(hdr, 12) as usize;
        let wire_len = read_u32(hdr, 16);
        let status = read_u32(hdr, 20);
        let mac = read_u16(hdr, 24) as usize;
        let net = read_u16(hdr, 26) as usize;
        let vlan_tci = read_u32(hdr, 32);
        let vlan_tpid = read_u16(hdr, 36);
        let sll = &hdr[SOCKADDR_LL_OFFSET..SOCKADDR_LL_OFFSET + size_of::<libc::sockaddr_ll>()];
        let sll_protocol = [sll[2], sll[3]];
        let sll_hatype = read_u16(sll, 8);
        let sll_pkttype = sll[10];
        let sll_halen = sll[11] as usize;
        if offset + mac + captured > block.len() || net < mac {
            return Err(corrupt());
        }
        let sll_ifindex = u32::from_ne_bytes([sll[4], sll[5], sll[6], sll[7]]);
        let outgoing = sll_pkttype == libc::PACKET_OUTGOING;
        if outgoing && (self.target.loopback || self.loopback_index == Some(sll_ifindex)) {
            return Ok((None, next_offset));
        }
        let bytes = &hdr[mac..mac + captured];
        let meta = cook::Meta {
            wire_len,
            link_header: (net - mac).min(captured),
            status,
            vlan_tci,
            vlan_tpid,
            sll_protocol,
            sll_ifindex,
            sll_hatype,
            sll_pkttype,
            sll_addr: &sll[12..12 + sll_halen.min(8)],
        };
        let (mut data, mut orig_len) = cook::frame_bytes(self.link, bytes, &meta);
        if self.snaplen != 0 && data.len() > self.snaplen as usize {
            data.truncate(self.snaplen as usize);
        }
        orig_len = orig_len.max(data.len() as u32);

        self.delivered += 1;
        let frame = FrameRecord {
            number: self.delivered,
            ts: Some(Timestamp {
                secs: i64::from(secs),
                nanos,
            }),
            precision: TsPrecision::Nano,
            link: self.link,
            orig_len,
            iface: self.target.index,
            data,
        };
        Ok((Some(frame), next_offset))
    }
}
