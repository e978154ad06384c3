//! The `packets` table: one row per packet, the frame's own columns then one
//! typed column per chosen field, named with tshark's field names. A
//! column takes the field's first occurrence in the packet (as `read
//! --fields -E occurrence=f`), its value as `read --fields` prints it:
//! integers as integers, booleans as booleans, the rest as that text.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

pub use super::community_id::packet_community_id;
use super::community_id::{CommunityIds, Ends};
use super::protocols::ProtocolsMemo;
use super::table::{Batch, Column, Kind};
use crate::decode::want::Wanted;
use crate::decode::{
    Dissection, Field, Value, arp, dns, ethernet, frame_layer, http, icmp, icmpv6, ipv4, ipv6, sll,
    tcp, tls, udp, vlan,
};
use crate::filter::any_field;
use crate::frame::{FrameRecord, LinkType};
use crate::output::fields::{sack_base, wanted, write_field};

/// The columns every packets table starts with.
pub const BASE: &[(&str, Kind)] = &[
    ("source_file", Kind::Text),
    (frame_layer::NUMBER.key, Kind::Int),
    (frame_layer::TIME_EPOCH.key, Kind::Timestamp),
    (frame_layer::LEN.key, Kind::Int),
    (frame_layer::CAP_LEN.key, Kind::Int),
    (frame_layer::INTERFACE_ID.key, Kind::Int),
    ("frame.protocols", Kind::Text),
];

/// The Community ID of the packet's flow: a column of ours.
pub const COMMUNITY_ID: &str = "community_id";

/// The default fields: Ethernet, IPv4/IPv6, TCP, UDP, ICMP, ARP, then the
/// application protocols' key fields (those the decoder does not know yet
/// are left out when the table is made).
pub const DEFAULT_FIELDS: &[&str] = &[
    ethernet::SRC.key,
    ethernet::DST.key,
    ethernet::TYPE.key,
    vlan::ID.key,
    ipv4::SRC.key,
    ipv4::DST.key,
    ipv4::PROTO.key,
    ipv4::TTL.key,
    ipv4::LEN.key,
    ipv4::ID.key,
    ipv4::FLAGS_DF.key,
    ipv4::FLAGS_MF.key,
    ipv4::FRAG_OFFSET.key,
    ipv4::DSFIELD_DSCP.key,
    ipv6::SRC.key,
    ipv6::DST.key,
    ipv6::NXT.key,
    ipv6::HLIM.key,
    ipv6::PLEN.key,
    tcp::SRCPORT.key,
    tcp::DSTPORT.key,
    tcp::STREAM.key,
    tcp::SEQ.key,
    tcp::ACK.key,
    tcp::FLAGS.key,
    tcp::FLAGS_SYN.key,
    tcp::FLAGS_ACK.key,
    tcp::FLAGS_FIN.key,
    tcp::FLAGS_RESET.key,
    tcp::WINDOW_SIZE_VALUE.key,
    tcp::LEN.key,
    udp::SRCPORT.key,
    udp::DSTPORT.key,
    udp::LENGTH.key,
    udp::STREAM.key,
    icmp::TYPE.key,
    icmp::CODE.key,
    icmpv6::TYPE.key,
    icmpv6::CODE.key,
    arp::OPCODE.key,
    arp::SRC_PROTO_IPV4.key,
    arp::DST_PROTO_IPV4.key,
    dns::QRY_NAME.key,
    dns::QRY_TYPE.key,
    http::REQUEST_METHOD.key,
    http::HOST.key,
    http::REQUEST_URI.key,
    http::RESPONSE_CODE.key,
    tls::extensions::SNI.key,
    tls::extensions::ALPN_STR.key,
    COMMUNITY_ID,
];

/// Columns `read --fields` works out from several frames: not exported.
const REFUSED: &[&str] = &[
    "frame.time_relative",
    "frame.time_delta",
    "frame.time_delta_displayed",
];

/// A field's column type, from its definition in the registry: integers
/// as integers, flags as booleans, everything else (and fields the
/// registry does not declare) as the text `read --fields` prints.
pub fn kind_of(key: &str) -> Kind {
    use crate::decode::field::{Format, find};
    match find(key).map(|def| def.format) {
        Some(Format::Dec | Format::Hex(_)) => Kind::Int,
        Some(Format::Bool) => Kind::Bool,
        _ => Kind::Text,
    }
}

/// The field names a table is made of: the user's list (checked as `read
/// --fields` checks it) or the default set, without the base columns.
pub fn field_list(list: Option<&str>) -> Result<Vec<String>, String> {
    let Some(list) = list else {
        return Ok(DEFAULT_FIELDS
            .iter()
            .filter(|f| **f == COMMUNITY_ID || crate::filter::DisplayFilter::parse(f).is_ok())
            .map(|f| f.to_string())
            .collect());
    };
    let names: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = names.iter().find(|n| REFUSED.contains(n)) {
        return Err(format!(
            "{bad} depends on the frames before each one and is not exported; use frame.time_epoch"
        ));
    }
    let fields: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| *n != COMMUNITY_ID && !BASE.iter().any(|(b, _)| b == n))
        .collect();
    if !fields.is_empty() {
        crate::output::fields::FieldColumns::parse(
            &fields.join(","),
            crate::output::fields::Occurrence::First,
        )?;
    }
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !BASE.iter().any(|(b, _)| *b == n) && !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    Ok(out)
}

/// A hasher for key addresses: their bits are already spread, so one
/// multiply is enough (SipHash cost more than the rest of a row).
#[derive(Default, Clone, Copy)]
struct BuildAddressHasher;

#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::BuildHasher for BuildAddressHasher {
    type Hasher = AddressHasher;
    fn build_hasher(&self) -> AddressHasher {
        AddressHasher(0)
    }
}

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(5) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A MAC address as `write_field` writes it (`decode::text::push_mac`:
/// lower-case hex, colons), appended to a column's bytes.
fn mac_text(out: &mut Vec<u8>, m: &[u8; 6]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b':'; 17];
    for (i, b) in m.iter().enumerate() {
        text[3 * i] = HEX[usize::from(b >> 4)];
        text[3 * i + 1] = HEX[usize::from(b & 15)];
    }
    out.extend_from_slice(&text);
}

/// An IPv4 address as `write_field` writes it (`decode::text::push_ipv4`:
/// dotted decimal), appended to a column's bytes.
fn ipv4_text(out: &mut Vec<u8>, octets: [u8; 4]) {
    let mut text = [0u8; 15];
    let mut n = 0;
    for (i, o) in octets.into_iter().enumerate() {
        if i > 0 {
            text[n] = b'.';
            n += 1;
        }
        if o >= 100 {
            text[n] = b'0' + o / 100;
            n += 1;
        }
        if o >= 10 {
            text[n] = b'0' + o / 10 % 10;
            n += 1;
        }
        text[n] = b'0' + o % 10;
        n += 1;
    }
    out.extend_from_slice(&text[..n]);
}

/// What fills a column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    File,
    Number,
    Epoch,
    Len,
    CapLen,
    Iface,
    Protocols,
    CommunityId,
    Field,
}

/// The columns one field key feeds, and how its values are written.
struct Feed {
    cols: Vec<usize>,
    /// A SACK edge: tshark shows it relative to the acknowledgement base.
    sack: bool,
    /// Written as `read --fields` writes it by key (a SACK edge, a
    /// checksum status as a number), not by its value's type alone.
    special: bool,
    /// An EtherType field: its header hands on by EtherType, which
    /// `frame.protocols` says.
    ethertype: bool,
}

/// The packets table's columns and how to fill them.
pub struct PacketColumns {
    pub columns: Vec<Column>,
    /// The fields the decoder need build for these columns.
    pub wanted: Arc<Wanted>,
    sources: Vec<Source>,
    /// Columns fed by a field key, found once per key address (keys are
    /// `&'static str`s: a pointer lookup instead of hashing text).
    by_address: HashMap<(usize, usize), usize, BuildAddressHasher>,
    feeds: Vec<Feed>,
    /// The previous packet's (key address, feeds) per field position.
    last_keys: Vec<((usize, usize), usize)>,
    /// The columns not fed by fields, and what fills them.
    fixed: Vec<(usize, Source)>,
    /// Per column, the last row (by `row`) a field was tried in it.
    tried: Vec<u64>,
    /// Rows filled so far, from 1.
    row: u64,
    text: String,
    ids: CommunityIds,
    protocols: ProtocolsMemo,
    /// Indices in the packet's fields of its EtherType fields.
    by_ethertype: Vec<usize>,
    /// The TCP or UDP conversation the flow table put the next packet in
    /// (its number, stream index and ends), set by the sink.
    pub conversation: Option<(u64, u32, Ends)>,
    /// Values that did not fit their column's type (left empty).
    pub mismatched: u64,
    /// Packet times a nanosecond timestamp cannot hold (left empty).
    pub out_of_range: u64,
}

impl PacketColumns {
    pub fn new(fields: &[String]) -> PacketColumns {
        let mut columns: Vec<Column> = BASE.iter().map(|(n, k)| Column::new(n, *k)).collect();
        let mut sources = vec![
            Source::File,
            Source::Number,
            Source::Epoch,
            Source::Len,
            Source::CapLen,
            Source::Iface,
            Source::Protocols,
        ];
        for f in fields {
            if f == COMMUNITY_ID {
                columns.push(Column::new(f, Kind::Text));
                sources.push(Source::CommunityId);
            } else {
                columns.push(Column::new(f, kind_of(f)));
                sources.push(Source::Field);
            }
        }
        PacketColumns {
            wanted: Arc::new(wanted(fields)),
            fixed: (0..sources.len())
                .filter(|&c| sources[c] != Source::Field)
                .map(|c| (c, sources[c]))
                .collect(),
            tried: vec![0; columns.len()],
            row: 1,
            columns,
            sources,
            by_address: HashMap::default(),
            feeds: Vec::new(),
            last_keys: Vec::new(),
            text: String::new(),
            ids: CommunityIds::default(),
            protocols: ProtocolsMemo::default(),
            by_ethertype: Vec::new(),
            conversation: None,
            mismatched: 0,
            out_of_range: 0,
        }
    }

    fn feeds_of(&mut self, key: &'static str) -> usize {
        let address = (key.as_ptr() as usize, key.len());
        if let Some(&i) = self.by_address.get(&address) {
            return i;
        }
        let cols = (0..self.columns.len())
            .filter(|&c| self.sources[c] == Source::Field)
            .filter(|&c| {
                let n = self.columns[c].name.as_str();
                n == key || any_field(n).is_some_and(|parts| parts.contains(&key))
            })
            .collect();
        let sack = key == tcp::OPTIONS_SACK_LE.key || key == tcp::OPTIONS_SACK_RE.key;
        let special = sack || key.ends_with("checksum.status");
        let ethertype = [
            ethernet::TYPE.key,
            vlan::ETYPE.key,
            vlan::AD_ETYPE.key,
            sll::ETYPE.key,
        ]
        .contains(&key);
        self.feeds.push(Feed {
            cols,
            sack,
            special,
            ethertype,
        });
        self.by_address.insert(address, self.feeds.len() - 1);
        self.feeds.len() - 1
    }

    /// Append one packet's row to `batch` (then `end_row` is the caller's).
    pub fn fill(
        &mut self,
        batch: &mut Batch,
        source_file: &str,
        frame: &FrameRecord,
        d: &Dissection,
    ) {
        let mut sack: Option<Option<u32>> = None;
        self.by_ethertype.clear();
        let conversation = self.conversation.take().filter(|c| c.0 == frame.number);
        for (fi, field) in d.fields.iter().enumerate() {
            // Packets of one kind list the same keys in the same order:
            // the previous packet's answer for this position is usually it.
            let address = (field.key.as_ptr() as usize, field.key.len());
            let feeds = match self.last_keys.get(fi) {
                Some(&(a, f)) if a == address => f,
                _ => {
                    let f = self.feeds_of(field.key);
                    if fi < self.last_keys.len() {
                        self.last_keys[fi] = (address, f);
                    } else {
                        self.last_keys.push((address, f));
                    }
                    f
                }
            };
            let feed = &self.feeds[feeds];
            if feed.ethertype {
                self.by_ethertype.push(fi);
            }
            if feed.cols.is_empty() {
                continue;
            }
            // Only a SACK edge needs the base (two searches of the fields).
            let base = if feed.sack {
                *sack.get_or_insert_with(|| sack_base(d))
            } else {
                None
            };
            for i in 0..self.feeds[feeds].cols.len() {
                let col = self.feeds[feeds].cols[i];
                // A column takes the first occurrence (and a value that
                // did not fit leaves it null for good).
                if self.tried[col] == self.row {
                    continue;
                }
                self.tried[col] = self.row;
                self.field(batch, col, field, &frame.data, base, feeds);
            }
        }
        for &(col, source) in &self.fixed {
            match source {
                Source::File => batch.push_text(col, source_file),
                Source::Number => batch.push_int(col, frame.number as i64),
                Source::Epoch => match frame.ts.map(|t| i64::try_from(t.as_nanos())) {
                    Some(Ok(ns)) => batch.push_int(col, ns),
                    Some(Err(_)) => {
                        // Past 2262 (or before 1677): no nanosecond timestamp holds it.
                        self.out_of_range += 1;
                        batch.push_null(col);
                    }
                    None => batch.push_null(col),
                },
                Source::Len => batch.push_int(col, i64::from(frame.orig_len)),
                Source::CapLen => batch.push_int(col, frame.data.len() as i64),
                // A pcapng custom block belongs to no interface.
                Source::Iface if frame.link == LinkType::PCAPNG_CUSTOM => batch.push_null(col),
                Source::Iface => batch.push_int(col, i64::from(frame.iface)),
                Source::Protocols => {
                    let text = self.protocols.text(frame.link, d, &self.by_ethertype);
                    batch.push_text(col, text);
                }
                Source::CommunityId => {
                    let id = match conversation {
                        Some((_, stream, ends)) => self.ids.conversation(stream, ends),
                        None => self.ids.packet(frame, d),
                    };
                    match id {
                        Some(id) => batch.push_text(col, id),
                        None => batch.push_null(col),
                    }
                }
                // Filled above: a column no field fed stays null.
                Source::Field => {}
            }
        }
        self.row = self.row.wrapping_add(1);
    }

    fn field(
        &mut self,
        batch: &mut Batch,
        col: usize,
        field: &Field,
        data: &[u8],
        sack: Option<u32>,
        feed: usize,
    ) {
        let Feed {
            sack: relative_sack,
            special,
            ..
        } = self.feeds[feed];
        match (self.columns[col].kind, &field.value) {
            (Kind::Int, Value::UInt(v) | Value::Hex(v, _)) if !relative_sack => {
                match i64::try_from(*v) {
                    Ok(v) => batch.push_int(col, v),
                    Err(_) => self.mismatch(batch, col),
                }
            }
            (Kind::Int, _) => {
                self.text.clear();
                write_field(&mut self.text, field, data, sack);
                match self.text.parse::<i64>() {
                    Ok(v) => batch.push_int(col, v),
                    Err(_) => self.mismatch(batch, col),
                }
            }
            (Kind::Bool, Value::Bool(b)) => batch.push_bool(col, *b),
            (Kind::Bool, Value::UInt(v)) => batch.push_bool(col, *v != 0),
            (Kind::Bool, _) => self.mismatch(batch, col),
            // What `write_field` writes for these, without `core::fmt`.
            (_, Value::Text(t)) if !special => batch.push_text(col, t),
            (_, Value::Mac(m)) if !special => batch.push_text_with(col, |t| mac_text(t, m)),
            (_, Value::Ip(IpAddr::V4(ip))) if !special => {
                batch.push_text_with(col, |t| ipv4_text(t, ip.octets()))
            }
            _ => {
                self.text.clear();
                write_field(&mut self.text, field, data, sack);
                batch.push_text(col, &self.text);
            }
        }
    }

    fn mismatch(&mut self, batch: &mut Batch, col: usize) {
        self.mismatched += 1;
        batch.push_null(col);
    }
}

#[cfg(test)]
#[path = "packets_tests.rs"]
mod tests;
