//! The decoder's working state for one frame and the emitters every
//! dissector writes through: layers, fields by definition, notes.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use super::field::{FieldDef, Format};
use super::*;

/// The decoder's working state for one frame: the bytes, the model being
/// built, and whether fields are wanted.
pub struct Ctx<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) d: &'a mut Dissection,
    pub(crate) fields_on: bool,
    /// Inside an ICMP error's quoted datagram: those headers describe another
    /// packet, so they must not set this packet's 4-tuple.
    pub(crate) quoted: bool,
    /// Source and destination of the innermost IP header so far, for the
    /// transport layer's 4-tuple and checksum pseudo-header.
    pub(crate) addrs: Option<(IpAddr, IpAddr)>,
    /// Where the current layer's bytes end by its parent's account (or the
    /// capture's end, if sooner): fields past it are not read, so a header
    /// never borrows bytes that belong to a trailer or to nothing.
    pub(crate) limit: usize,
    /// Which data source `data` is (0: the frame; see `Dissection::data`).
    pub(crate) source: u8,
    /// Whether IP fragments are reassembled, and this frame's datagram.
    pub(crate) defrag: reassembly::Defrag<'a>,
    /// Whether this TCP segment continues or completes an application PDU.
    pub(crate) tcp_pdu: desegment::TcpPdu<'a>,
}

impl<'a> Ctx<'a> {
    /// Whether the field `def` is kept: fields are on and the consumer
    /// reads it. Worth asking before working out a costly value (a name,
    /// a time as text); the emitters below ask in any case.
    #[inline]
    pub(crate) fn wants(&mut self, def: &'static FieldDef) -> bool {
        if !self.fields_on {
            return false;
        }
        match &self.d.want {
            None => true,
            Some(want) => self.d.memo.has(want, def),
        }
    }

    /// `wants`, for the field about to be pushed: what is attached to "the
    /// field just pushed" goes nowhere if it is left out.
    #[inline(always)]
    fn keep(&mut self, def: &'static FieldDef) -> bool {
        if !self.fields_on {
            return false;
        }
        let Some(want) = &self.d.want else {
            return true;
        };
        let kept = self.d.memo.has(want, def);
        self.d.skipped = !kept;
        kept
    }

    /// Start a layer; fields pushed after this belong to it.
    pub(crate) fn layer(&mut self, proto: Proto, header: Range<usize>) {
        let header = self.captured(header);
        let start = self.d.fields.len();
        self.d.layers.push(Layer {
            proto,
            pdu: header.clone(),
            header,
            fields: start..start,
            quoted: self.quoted,
            source: self.source,
        });
    }

    /// A header range clipped to the captured bytes: layers describe bytes
    /// we have; what the headers claim beyond them is in the notes.
    fn captured(&self, range: Range<usize>) -> Range<usize> {
        let len = self.data.len();
        let start = range.start.min(len);
        start..range.end.clamp(start, len)
    }

    /// Record how far the current layer's data unit extends, by its
    /// parent's length fields.
    pub(crate) fn set_pdu(&mut self, pdu: Range<usize>) {
        if let Some(layer) = self.d.layers.last_mut() {
            layer.pdu = pdu;
        }
    }

    /// Correct the current layer's header range once its length is known.
    pub(crate) fn set_header(&mut self, header: Range<usize>) {
        let header = self.captured(header);
        if let Some(layer) = self.d.layers.last_mut() {
            layer.header = header;
        }
    }

    /// Push a field built by its dissector (kept if wanted).
    #[inline]
    pub(super) fn push(&mut self, field: Field) {
        if let Some(want) = &self.d.want {
            self.d.skipped = !want.has(field.key);
            if self.d.skipped {
                return;
            }
        }
        self.push_kept(field);
    }

    #[inline]
    fn push_kept(&mut self, mut field: Field) {
        if field.origin == Origin::Wire {
            field.source = self.source;
        }
        self.d.fields.push(field);
        let end = self.d.fields.len();
        if let Some(layer) = self.d.layers.last_mut() {
            layer.fields.end = end;
        }
    }

    /// Read fields only up to `end` (clipped to the captured bytes).
    pub(crate) fn bound(&mut self, end: usize) {
        self.limit = end.min(self.data.len());
    }

    /// The bytes at `range`, if captured and within the current layer.
    #[inline]
    fn get(&self, range: Range<usize>) -> Option<&'a [u8]> {
        if range.end > self.limit {
            return None;
        }
        self.data.get(range)
    }

    /// Big-endian unsigned integer at `range`, if those bytes were captured.
    #[inline]
    pub(crate) fn read(&self, range: Range<usize>) -> Option<u64> {
        let bytes = self.get(range)?;
        Some(bytes.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64))
    }

    #[inline]
    pub(crate) fn u8_at(&self, at: usize) -> Option<u8> {
        self.get(at..at + 1).map(|b| b[0])
    }

    #[inline]
    pub(crate) fn u16_at(&self, at: usize) -> Option<u16> {
        self.read(at..at + 2).map(|v| v as u16)
    }

    /// Attach a table name to the field just pushed.
    #[inline]
    pub(crate) fn meaning(&mut self, text: impl Into<Cow<'static, str>>) {
        if self.fields_on
            && !self.d.skipped
            && let Some(f) = self.d.fields.last_mut()
        {
            f.meaning = Some(text.into());
        }
    }

    /// Nest the field just pushed one level deeper.
    #[inline]
    pub(crate) fn nest(&mut self, depth: u8) {
        if self.fields_on
            && !self.d.skipped
            && let Some(f) = self.d.fields.last_mut()
        {
            f.depth = depth;
        }
    }

    pub(crate) fn note(
        &mut self,
        severity: Severity,
        kind: NoteKind,
        proto: Proto,
        offset: usize,
        message: String,
    ) {
        self.d.notes.push(Note {
            severity,
            kind,
            proto,
            offset,
            message,
        });
    }

    /// Say that `proto`'s header needed `need` bytes at `at` but the capture
    /// ends sooner.
    pub(crate) fn truncated(&mut self, proto: Proto, at: usize, need: usize) {
        let have = self.data.len().saturating_sub(at);
        self.note(
            Severity::Note,
            NoteKind::Truncated,
            proto,
            at,
            format!(
                "{} header needs {need} bytes at offset {at} but only {have} were captured",
                proto.short()
            ),
        );
    }

    /// Say that a layer was expected at `at` but no bytes are left at all.
    pub(crate) fn truncated_before(&mut self, proto: Proto, at: usize) {
        self.note(
            Severity::Note,
            NoteKind::Truncated,
            proto,
            at,
            format!(
                "capture ends at offset {at}, before the {} header",
                proto.short()
            ),
        );
    }

    /// Say that a length field contradicts what contains it.
    pub(crate) fn malformed(&mut self, proto: Proto, at: usize, message: String) {
        self.note(Severity::Warn, NoteKind::Malformed, proto, at, message);
    }

    #[inline(always)]
    pub(super) fn too_deep(&mut self, at: usize) -> bool {
        self.d.layers.len() >= MAX_LAYERS && self.nested_too_deep(at)
    }

    #[cold]
    #[inline(never)]
    fn nested_too_deep(&mut self, at: usize) -> bool {
        let top = self.d.top_proto();
        self.malformed(
            top,
            at,
            format!("more than {MAX_LAYERS} nested headers; decoding stops here"),
        );
        true
    }

    /// A header claims `claimed` bytes from `at` that are not all there.
    /// Beyond `end` (what the enclosing layer allows) the header contradicts
    /// its parent: malformed. Within `end` but past the captured bytes, the
    /// capture's snap length cut it: a note, not an error.
    pub(crate) fn short_of(
        &mut self,
        proto: Proto,
        at: usize,
        claimed: usize,
        end: usize,
        what: &str,
    ) {
        // A datagram quoted in an ICMP error is cut on purpose (RFC 792 asks
        // for its header and 8 bytes only): nothing to say.
        if self.quoted {
            return;
        }
        if at + claimed > end {
            let room = end.saturating_sub(at);
            self.malformed(
                proto,
                at,
                format!(
                    "{} {what} says {claimed} bytes but the enclosing packet leaves only {room}",
                    proto.short()
                ),
            );
        } else {
            let have = self.data.len().saturating_sub(at);
            self.note(
                Severity::Note,
                NoteKind::Truncated,
                proto,
                at,
                format!(
                    "{} {what} says {claimed} bytes but only {have} were captured: the capture's snap length cut it",
                    proto.short()
                ),
            );
        }
    }

    /// Bytes left in the capture from `at` up to `end`.
    pub(crate) fn available(&self, at: usize, end: usize) -> usize {
        end.min(self.data.len()).saturating_sub(at)
    }
}

#[inline]
fn wire(def: &'static FieldDef, bytes: Range<usize>, value: Value) -> Field {
    Field {
        key: def.key,
        name: def.name,
        bytes,
        mask: def.mask,
        value,
        meaning: None,
        origin: Origin::Wire,
        depth: 0,
        source: 0,
    }
}

/// Emitting fields by their registered definitions (`field.rs`).
impl Ctx<'_> {
    /// A field at its registered place in a header starting at `base`
    /// (an unsigned integer, hex number or bit field, by its definition).
    /// Returns its value when captured.
    #[inline(always)]
    pub(crate) fn uint(&mut self, def: &'static FieldDef, base: usize) -> Option<u64> {
        debug_assert!(def.bytes.is_some(), "{} has no fixed place", def.key);
        self.uint_at(def, def.at(base))
    }

    /// An unsigned integer, hex number or bit field over `range` (for fields
    /// whose place varies: options, records).
    #[inline(always)]
    pub(crate) fn uint_at(&mut self, def: &'static FieldDef, range: Range<usize>) -> Option<u64> {
        let raw = self.read(range.clone())?;
        let value = if def.mask == 0 {
            raw
        } else {
            (raw & def.mask) >> def.mask.trailing_zeros()
        };
        if self.fields_on {
            self.emit_uint(def, range, value);
        }
        Some(value)
    }

    /// `uint_at`'s field, if kept. Out of line, as are the other emitters'
    /// fields: without fields (the one-line and `--stats` modes) an
    /// emitter is its read alone, inlined.
    #[inline(never)]
    fn emit_uint(&mut self, def: &'static FieldDef, range: Range<usize>, value: u64) {
        if self.keep(def) {
            let v = match def.format {
                Format::Bool => Value::Bool(value != 0),
                Format::Hex(digits) => Value::Hex(value, digits),
                _ => Value::UInt(value),
            };
            let mut f = wire(def, range, v);
            if def.mask != 0 {
                f.depth = 1;
            }
            self.push_kept(f);
        }
    }

    /// A field read from the wire at `range`, if kept.
    #[inline(never)]
    fn emit(&mut self, def: &'static FieldDef, range: Range<usize>, value: Value) {
        if self.keep(def) {
            self.push_kept(wire(def, range, value));
        }
    }

    /// A MAC address at its registered place in a header starting at `base`.
    #[inline]
    pub(crate) fn mac(&mut self, def: &'static FieldDef, base: usize) -> Option<[u8; 6]> {
        self.mac_at(def, def.at(base).start)
    }

    /// A MAC address at `at` (for fields whose place varies).
    #[inline(always)]
    pub(crate) fn mac_at(&mut self, def: &'static FieldDef, at: usize) -> Option<[u8; 6]> {
        let bytes: [u8; 6] = self.get(at..at + 6)?.try_into().ok()?;
        if self.fields_on {
            self.emit(def, at..at + 6, Value::Mac(bytes));
        }
        Some(bytes)
    }

    /// An IPv4 address at its registered place in a header starting at `base`.
    #[inline]
    pub(crate) fn ipv4(&mut self, def: &'static FieldDef, base: usize) -> Option<Ipv4Addr> {
        self.ipv4_at(def, def.at(base).start)
    }

    /// An IPv4 address at `at` (for fields whose place varies).
    #[inline(always)]
    pub(crate) fn ipv4_at(&mut self, def: &'static FieldDef, at: usize) -> Option<Ipv4Addr> {
        let bytes: [u8; 4] = self.get(at..at + 4)?.try_into().ok()?;
        let addr = Ipv4Addr::from(bytes);
        if self.fields_on {
            self.emit(def, at..at + 4, Value::Ip(IpAddr::V4(addr)));
        }
        Some(addr)
    }

    /// An IPv6 address at its registered place in a header starting at `base`.
    #[inline]
    pub(crate) fn ipv6(&mut self, def: &'static FieldDef, base: usize) -> Option<Ipv6Addr> {
        self.ipv6_at(def, def.at(base).start)
    }

    /// An IPv6 address at `at` (for fields whose place varies).
    #[inline(always)]
    pub(crate) fn ipv6_at(&mut self, def: &'static FieldDef, at: usize) -> Option<Ipv6Addr> {
        let bytes: [u8; 16] = self.get(at..at + 16)?.try_into().ok()?;
        let addr = Ipv6Addr::from(bytes);
        if self.fields_on {
            self.emit(def, at..at + 16, Value::Ip(IpAddr::V6(addr)));
        }
        Some(addr)
    }

    /// Raw bytes over `range`, shown as hex (options, padding, unknown data).
    #[inline(always)]
    pub(crate) fn bytes_at(&mut self, def: &'static FieldDef, range: Range<usize>) {
        if self.fields_on && range.start < range.end && range.end <= self.limit {
            self.emit(def, range.clone(), Value::Bytes(range));
        }
    }

    /// A field whose value the dissector worked out from the bytes at
    /// `range` (text, host byte order, scaled units); the definition's mask
    /// says which bits it came from. `tests/field_ranges.rs` lists these.
    #[inline(always)]
    pub(crate) fn value_at(&mut self, def: &'static FieldDef, range: Range<usize>, value: Value) {
        if self.fields_on && range.end <= self.limit {
            self.emit(def, range, value);
        }
    }

    /// As `value_at`, with the bits it came from given here: one definition
    /// read through different masks by context (mDNS's class without its
    /// top bit, an LLC control field's frame type).
    #[inline]
    pub(crate) fn value_masked(
        &mut self,
        def: &'static FieldDef,
        range: Range<usize>,
        mask: u64,
        value: Value,
    ) {
        if range.end <= self.limit && self.keep(def) {
            let mut f = wire(def, range, value);
            f.mask = mask;
            self.push_kept(f);
        }
    }

    /// A field computed by wirepeek, not read from the packet.
    #[inline(always)]
    pub(crate) fn generated(&mut self, def: &'static FieldDef, value: Value) {
        if self.fields_on {
            self.emit_generated(def, value);
        }
    }

    #[inline(never)]
    fn emit_generated(&mut self, def: &'static FieldDef, value: Value) {
        if self.keep(def) {
            self.push_kept(Field::generated(def, value));
        }
    }

    /// A computed field whose value costs an allocation: built only when
    /// the field is kept (export and `--fields` keep few).
    #[inline]
    pub(crate) fn generated_with(&mut self, def: &'static FieldDef, value: impl FnOnce() -> Value) {
        if self.fields_on && self.keep(def) {
            self.push_kept(Field::generated(def, value()));
        }
    }

    /// Whether the field just offered was kept, so its meaning is worth
    /// building (`meaning` drops it otherwise).
    #[inline]
    pub(crate) fn last_kept(&self) -> bool {
        self.fields_on && !self.d.skipped
    }

    /// Give the field just pushed a label other than its definition's
    /// name, for a reading that differs by context (an address taken from
    /// a source route, a hidden copy under another protocol's key).
    #[inline]
    pub(crate) fn label(&mut self, name: &'static str) {
        if self.fields_on
            && !self.d.skipped
            && let Some(f) = self.d.fields.last_mut()
        {
            f.name = name;
        }
    }
}
