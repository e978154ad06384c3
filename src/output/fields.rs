//! `--fields`: tab-separated values under a header line, with tshark's field
//! names and value formats (`tshark -T fields -E header=y`). Like tshark, a
//! field that occurs more than once in a packet prints every occurrence,
//! comma-separated, unless an occurrence (`-E occurrence=f|l|N`) is chosen;
//! the "any" fields (`ip.addr`, `tcp.port`, ...) collect both directions'
//! fields in the packet's order; `frame.time_relative`, `frame.time_delta`,
//! `frame.time_delta_displayed` and `frame.protocols` are worked out here,
//! since they need the frames before this one or the whole layer stack.

use std::collections::HashMap;

use crate::decode::want::Wanted;
use crate::decode::{Dissection, Field, ethernet, igmp, sll, tcp, vlan};
use crate::filter::any_field;
use crate::frame::{FrameRecord, LinkType};

use super::value::write_tshark;

/// Which occurrences of a repeated field a column prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occurrence {
    /// Every occurrence, comma-separated (tshark's default, `-E occurrence=a`).
    All,
    /// The first (`f`).
    First,
    /// The last (`l`).
    Last,
    /// The Nth, counting from 1 (`-E occurrence=N`).
    Nth(usize),
}

impl Occurrence {
    /// tshark's spelling: `a`, `f`, `l` or a positive number.
    pub fn parse(text: &str) -> Result<Occurrence, String> {
        match text {
            "a" => Ok(Occurrence::All),
            "f" => Ok(Occurrence::First),
            "l" => Ok(Occurrence::Last),
            n => match n.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Occurrence::Nth(n)),
                _ => Err(format!(
                    "invalid occurrence '{text}': expected a (all), f (first), l (last) or a number from 1"
                )),
            },
        }
    }
}

/// Columns worked out from the frames rather than read from one dissection.
const COMPUTED: &[&str] = &[
    "frame.time_relative",
    "frame.time_delta",
    "frame.time_delta_displayed",
    "frame.protocols",
];

/// A chosen list of fields, resolved once.
pub struct FieldColumns {
    names: Vec<String>,
    occurrence: Occurrence,
    /// The field keys each column takes (itself, or an any-field's parts).
    /// Per column, the indices of this packet's fields it takes, in order.
    hits: Vec<Vec<usize>>,
    /// Columns fed by each field key seen so far, by the key's address: keys
    /// are `&'static str`, so a pointer lookup replaces hashing the text of
    /// every field of every packet. The value indexes `feeds`.
    by_address: HashMap<(usize, usize), usize, BuildAddressHasher>,
    feeds: Vec<Vec<usize>>,
    /// Boxed: the printer enum holding this stays small.
    times: Box<Times>,
}

/// What the time columns need from earlier frames. Times are (seconds,
/// nanoseconds) pairs kept apart, as tshark's are, so a damaged file's
/// sub-second values past one second print as tshark prints them.
#[derive(Default)]
struct Times {
    /// The first frame's time (0 when it had none), as tshark counts.
    first: Option<Pair>,
    /// The previous frame's time, and the previous printed frame's.
    previous: Pair,
    previous_shown: Option<Pair>,
    /// The last frame `see` was given, so `write_row` does not count it twice.
    seen: Option<u64>,
    /// This frame's deltas, once seen.
    relative: Pair,
    delta: Pair,
}

type Pair = (i64, i64);

/// `b - a` as tshark's `nstime_delta` works it out.
fn delta(b: Pair, a: Pair) -> Pair {
    const NS: i64 = 1_000_000_000;
    let (mut secs, mut nanos) = (b.0.wrapping_sub(a.0), b.1 - a.1);
    if b.0 == a.0 {
        secs = 0;
    } else if b.0 < a.0 {
        if nanos > 0 {
            nanos -= NS;
            secs += 1;
        }
    } else if nanos < 0 {
        nanos += NS;
        secs -= 1;
    }
    (secs, nanos)
}

/// A hasher for `(address, length)` pairs: the address bits are already
/// well spread, so a multiply is enough.
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
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// True when `name` is a field or protocol the display filter knows (its
/// list covers every key the decoder emits), or one of ours above.
fn known(name: &str) -> Result<(), Vec<String>> {
    if COMPUTED.contains(&name) {
        return Ok(());
    }
    match crate::filter::DisplayFilter::parse(name) {
        Ok(_) => Ok(()),
        Err(e) if e.message.starts_with("unknown field") => {
            // "unknown field 'x' — did you mean 'a', 'b'?"
            let hints = e
                .message
                .split_once("did you mean ")
                .map(|(_, rest)| {
                    rest.trim_end_matches('?')
                        .split(", ")
                        .map(|h| h.trim_matches('\'').to_string())
                        .collect()
                })
                .unwrap_or_default();
            Err(hints)
        }
        // Some other complaint about a lone name (a keyword, say): not a field.
        Err(_) => Err(Vec::new()),
    }
}

/// Fields `frame.protocols` is worked out from besides the layers (see
/// `write_protocols`): always decoded.
const PROTOCOLS_READ: &[&str] = &[
    ethernet::TYPE.key,
    vlan::ETYPE.key,
    vlan::AD_ETYPE.key,
    sll::ETYPE.key,
    igmp::TYPE.key,
];

/// The fields the columns of `fields` are filled from: each name, the
/// fields an "any" name (`ip.addr`, `tcp.port`) stands for, what
/// `frame.protocols` reads, and the acknowledgement numbers relative SACK
/// edges are worked out from (`output::fields::sack_base`).
pub fn wanted(fields: &[String]) -> Wanted {
    let mut keys: Vec<&str> = PROTOCOLS_READ.to_vec();
    for f in fields {
        keys.push(f);
        keys.extend(any_field(f).unwrap_or(&[]));
    }
    if keys
        .iter()
        .any(|k| *k == tcp::OPTIONS_SACK_LE.key || *k == tcp::OPTIONS_SACK_RE.key)
    {
        keys.extend([tcp::ACK.key, tcp::ACK_RAW.key]);
    }
    Wanted::new(keys)
}

impl FieldColumns {
    /// Columns from a comma-separated list of field names, every occurrence
    /// printed. Names are taken as given; see `parse` to refuse unknown ones.
    pub fn new(list: &str) -> FieldColumns {
        FieldColumns::with_occurrence(list, Occurrence::All)
    }

    /// Columns printing the chosen occurrence of each field.
    pub fn with_occurrence(list: &str, occurrence: Occurrence) -> FieldColumns {
        let names = split(list);
        FieldColumns {
            hits: vec![Vec::new(); names.len()],
            names,
            occurrence,
            by_address: HashMap::default(),
            feeds: Vec::new(),
            times: Box::default(),
        }
    }

    /// Like `with_occurrence`, but every name must be a field wirepeek knows:
    /// otherwise an error in tshark's words, naming close matches
    /// (`Some fields aren't valid: ip.srcc (did you mean ip.src?)`).
    pub fn parse(list: &str, occurrence: Occurrence) -> Result<FieldColumns, String> {
        let names = split(list);
        if names.is_empty() {
            return Err("no field names given".to_string());
        }
        let mut bad = Vec::new();
        for name in &names {
            if let Err(hints) = known(name) {
                bad.push(if hints.is_empty() {
                    name.clone()
                } else {
                    format!("{name} (did you mean {}?)", hints.join(", "))
                });
            }
        }
        if !bad.is_empty() {
            return Err(format!("Some fields aren't valid: {}", bad.join(", ")));
        }
        Ok(FieldColumns::with_occurrence(list, occurrence))
    }

    /// The only fields these columns read, for the decoder to keep.
    pub fn wanted(&self) -> Wanted {
        wanted(&self.names)
    }

    /// The names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Append the header line.
    pub fn write_header(&self, out: &mut String) {
        out.push_str(&self.names.join("\t"));
        out.push('\n');
    }

    /// Count a frame for the time columns. `write_row` does this itself;
    /// call it for every frame read when a filter hides some of them, so
    /// `frame.time_delta` and `frame.time_relative` count from every frame
    /// as tshark's do (`frame.time_delta_displayed` counts printed ones).
    pub fn see(&mut self, frame: &FrameRecord) {
        let t = &mut self.times;
        if t.seen == Some(frame.number) {
            return;
        }
        // As tshark counts: a packet without a time (a pcapng Simple Packet
        // Block) is at time 0; a custom block is no packet and leaves the
        // previous time alone, though a first one starts the clock at 0.
        let now = frame.ts.map_or((0, 0), |ts| (ts.secs, i64::from(ts.nanos)));
        let first = *t.first.get_or_insert(now);
        if t.seen.is_none() {
            t.previous = first;
        }
        t.relative = delta(now, first);
        t.delta = delta(now, t.previous);
        if frame.link != LinkType::PCAPNG_CUSTOM {
            t.previous = now;
        }
        t.seen = Some(frame.number);
    }

    /// The columns a field key feeds, computed once per key address.
    fn feeds_of(&mut self, key: &'static str) -> usize {
        let address = (key.as_ptr() as usize, key.len());
        if let Some(&i) = self.by_address.get(&address) {
            return i;
        }
        let cols = self
            .names
            .iter()
            .enumerate()
            .filter(|(_, n)| *n == key || any_field(n).is_some_and(|parts| parts.contains(&key)))
            .map(|(c, _)| c)
            .collect();
        self.feeds.push(cols);
        self.by_address.insert(address, self.feeds.len() - 1);
        self.feeds.len() - 1
    }

    /// Append one packet's row.
    pub fn write_row(&mut self, out: &mut String, frame: &FrameRecord, d: &Dissection) {
        self.see(frame);
        self.hits.iter_mut().for_each(Vec::clear);
        for (fi, field) in d.fields.iter().enumerate() {
            let feeds = self.feeds_of(field.key);
            for &col in &self.feeds[feeds] {
                self.hits[col].push(fi);
            }
        }
        let now = frame.ts.map(|ts| (ts.secs, i64::from(ts.nanos)));
        let sack_base = sack_base(d);
        for (col, name) in self.names.iter().enumerate() {
            if col > 0 {
                out.push('\t');
            }
            match name.as_str() {
                "frame.time_relative" if now.is_some() => push_seconds(out, self.times.relative),
                "frame.time_delta" if now.is_some() => push_seconds(out, self.times.delta),
                "frame.time_delta_displayed" => {
                    if let Some(now) = now {
                        push_seconds(out, delta(now, self.times.previous_shown.unwrap_or(now)));
                    }
                }
                "frame.protocols" => write_protocols(out, frame.link, d),
                _ => {
                    let hits = &self.hits[col];
                    let chosen: &[usize] = match self.occurrence {
                        Occurrence::All => hits,
                        Occurrence::First => &hits[..hits.len().min(1)],
                        Occurrence::Last => &hits[hits.len().saturating_sub(1)..],
                        Occurrence::Nth(n) => hits.get(n - 1).map_or(&[], std::slice::from_ref),
                    };
                    for (i, &fi) in chosen.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let field = &d.fields[fi];
                        write_field(out, field, d.data(field.source, &frame.data), sack_base);
                    }
                }
            }
        }
        if frame.link != LinkType::PCAPNG_CUSTOM || self.times.previous_shown.is_none() {
            self.times.previous_shown = Some(now.unwrap_or((0, 0)));
        }
        out.push('\n');
    }
}

/// What tshark subtracts from SACK edges to make them relative: the base of
/// the acknowledgement numbers, known when flow tracking added the relative
/// `tcp.ack` beside the absolute `tcp.ack_raw`.
pub(crate) fn sack_base(d: &Dissection) -> Option<u32> {
    use crate::decode::{Origin, Value};
    let number = |key: &str, origin: Origin| {
        d.fields_named(key)
            .find(|f| f.origin == origin)
            .and_then(|f| match f.value {
                Value::UInt(v) => Some(v as u32),
                _ => None,
            })
    };
    let relative = number(tcp::ACK.key, Origin::Generated)?;
    let raw = number(tcp::ACK_RAW.key, Origin::Wire)?;
    Some(raw.wrapping_sub(relative))
}

/// One field's value as tshark prints it.
pub(crate) fn write_field(out: &mut String, field: &Field, data: &[u8], sack_base: Option<u32>) {
    // tshark's SACK edges are relative to the acknowledgement base, as its
    // tcp.ack is; the model keeps what the packet says.
    if let Some(base) = sack_base
        && (field.key == tcp::OPTIONS_SACK_LE.key || field.key == tcp::OPTIONS_SACK_RE.key)
        && let crate::decode::Value::UInt(edge) = field.value
    {
        return super::value::write_tshark(
            out,
            &crate::decode::Value::UInt(u64::from((edge as u32).wrapping_sub(base))),
            data,
        );
    }
    // tshark's checksum status is a number: 0 bad, 1 good (2 unverified).
    if field.key.ends_with("checksum.status")
        && let crate::decode::Value::Text(t) = &field.value
    {
        match t.as_ref() {
            "Good" => return out.push('1'),
            "Bad" => return out.push('0'),
            _ => {}
        }
    }
    write_tshark(out, &field.value, data);
}

/// A time difference as tshark prints one: seconds, nine decimals, one
/// sign for both parts (`-0.001000000`).
fn push_seconds(out: &mut String, (secs, nanos): Pair) {
    use std::fmt::Write;
    let sign = if secs < 0 || nanos < 0 { "-" } else { "" };
    let _ = write!(
        out,
        "{sign}{}.{:09}",
        secs.unsigned_abs(),
        nanos.unsigned_abs()
    );
}

/// tshark's `frame.protocols`: the layers' names, colon-separated, with the
/// `ethertype` step tshark shows after each header that hands on by
/// EtherType.
pub fn write_protocols(out: &mut String, link: LinkType, d: &Dissection) {
    use crate::decode::Proto;
    let mut first = true;
    let mut push = |out: &mut String, name: &str| {
        if !first {
            out.push(':');
        }
        first = false;
        out.push_str(name);
    };
    match link {
        LinkType::RAW | LinkType::RAW_12 | LinkType::RAW_14 => push(out, "raw"),
        _ => {}
    }
    let mut layers = d.layers.iter().peekable();
    while let Some(layer) = layers.next() {
        let name = match layer.proto {
            Proto::Frame | Proto::Trailer => continue,
            // tshark shows bytes no dissector takes as data.
            Proto::CustomBlock | Proto::Unsupported => "data",
            other => other.key(),
        };
        push(out, name);
        // tshark's IGMP hands membership messages to a per-version
        // dissector that is also named igmp.
        if layer.proto == Proto::Igmp && crate::decode::igmp::twice_in_protocols(d, layer) {
            push(out, "igmp");
        }
        // A header that hands on by EtherType (not by an 802.3 length).
        let by_ethertype = d.fields_of(layer).iter().any(|f| {
            [&ethernet::TYPE, &vlan::ETYPE, &vlan::AD_ETYPE, &sll::ETYPE]
                .iter()
                .any(|def| def.key == f.key)
        });
        if by_ethertype && layers.peek().is_some_and(|n| n.proto != Proto::Trailer) {
            push(out, "ethertype");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrence_takes_tsharks_spellings_and_refuses_others() {
        assert_eq!(Occurrence::parse("a"), Ok(Occurrence::All));
        assert_eq!(Occurrence::parse("f"), Ok(Occurrence::First));
        assert_eq!(Occurrence::parse("l"), Ok(Occurrence::Last));
        assert_eq!(Occurrence::parse("3"), Ok(Occurrence::Nth(3)));
        for bad in ["0", "-1", "x", "", "first"] {
            assert!(Occurrence::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_field_names_are_refused_with_close_matches() {
        let err = FieldColumns::parse("ip.src,ip.srcc,frame.protocols", Occurrence::All)
            .err()
            .expect("ip.srcc is not a field");
        assert!(
            err.starts_with("Some fields aren't valid: ip.srcc (did you mean "),
            "{err}"
        );
        assert!(err.contains("ip.src"), "{err}");
        assert!(!err.contains("frame.protocols"), "{err}");
        assert!(FieldColumns::parse("ip.src,tcp.port,frame.time_delta", Occurrence::First).is_ok());
        // Keys only flow tracking or the newest decoders add are fields too.
        assert!(
            FieldColumns::parse("tcp.stream,eth.padding,ieee8021ah.etype", Occurrence::All).is_ok()
        );
        assert!(FieldColumns::parse(" , ", Occurrence::All).is_err());
    }

    /// `-Y` and `--fields` read one list: every declared field, protocol
    /// and "any" field is accepted by both, generated ones included, and a
    /// misspelling is refused by both with the same close match.
    #[test]
    fn display_filter_and_field_columns_accept_the_same_names() {
        use crate::filter::DisplayFilter;
        let names: Vec<&str> = crate::decode::field::all()
            .map(|f| f.key)
            .chain(crate::decode::Proto::ALL.iter().map(|p| p.key()))
            .filter(|k| *k != crate::decode::Proto::Unsupported.key())
            .chain(["ip.addr", "tcp.port", "udp.port", "eth.addr", "ipv6.addr"])
            .collect();
        assert!(names.len() > 200, "{}", names.len());
        for name in names {
            assert!(DisplayFilter::parse(name).is_ok(), "-Y refuses {name}");
            assert!(
                FieldColumns::parse(name, Occurrence::All).is_ok(),
                "--fields refuses {name}"
            );
        }
        for (typo, meant) in [("tcp.streem", "tcp.stream"), ("udp.stram", "udp.stream")] {
            let Err(y) = DisplayFilter::parse(typo) else {
                panic!("-Y accepts {typo}")
            };
            assert!(y.message.contains(&format!("'{meant}'")), "{}", y.message);
            let f = FieldColumns::parse(typo, Occurrence::All)
                .err()
                .expect("--fields refuses it");
            assert!(f.contains(meant), "{f}");
        }
    }

    #[test]
    fn seconds_print_with_nine_decimals_and_a_sign() {
        let mut s = String::new();
        push_seconds(&mut s, delta((10, 1_082_000), (10, 0)));
        s.push(' ');
        push_seconds(&mut s, delta((8, 500_000_000), (10, 0)));
        s.push(' ');
        push_seconds(&mut s, delta((11, 0), (10, 999_000_000)));
        // A damaged file's 1_000_000_000 ns stays unnormalised, as in tshark.
        s.push(' ');
        push_seconds(&mut s, delta((5, 0), (5, 1_000_000_000)));
        assert_eq!(s, "0.001082000 -1.500000000 0.001000000 -0.1000000000");
    }
}
