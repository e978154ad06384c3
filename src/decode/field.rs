//! The field registry: every field a protocol emits is declared once, as a
//! constant in that protocol's file (Wireshark's `hf_register_info`,
//! smoltcp's `mod field`): its display-filter key, its display name, where
//! it sits in its header (byte range and bit mask) when that is fixed, how
//! its value is shown, and the document that defines it. The dissector emits
//! fields by reference to these definitions (`ctx.uint(&udp::SRCPORT, at)`),
//! `-Y` and `--fields` validate names against [`all`], and the glossary keys
//! its sentences by definition, so a misspelt key does not compile.
//!
//! Declare a protocol's fields with [`fields!`](crate::fields), which also
//! lists them in the module's `FIELDS` table; add that table to
//! [`TABLES`] (one line).

use std::ops::Range;

/// How a field's value is read and shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An unsigned integer in decimal (tshark's BASE_DEC).
    Dec,
    /// An unsigned integer in hex, this many digits (BASE_HEX).
    Hex(u8),
    /// One bit (or a masked group read as a truth value).
    Bool,
    Mac,
    Ipv4,
    Ipv6,
    /// Raw bytes, shown as hex.
    Bytes,
    /// Text: names, strings, or a value the dissector formats itself.
    Text,
    /// A signed or scaled number (seconds, ratios), shown as the dissector
    /// formats it.
    Number,
}

/// One field's definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// Wireshark's display-filter name, e.g. `udp.srcport`.
    pub key: &'static str,
    /// Wireshark's label, e.g. `Source Port`.
    pub name: &'static str,
    /// Byte range within the protocol's header, when the position is fixed;
    /// `None` for fields whose place varies (options, records, names) and
    /// for generated fields.
    pub bytes: Option<Range<usize>>,
    /// For bit fields: the mask over `bytes` read big-endian; 0 for all bits.
    pub mask: u64,
    pub format: Format,
    /// Computed by wirepeek (or by the module that tracks conversations),
    /// not read from the packet.
    pub generated: bool,
    /// The document that defines it ("RFC 768", "IEEE 802.3", "Wireshark"
    /// for fields Wireshark invents).
    pub spec: &'static str,
}

impl FieldDef {
    /// A field at a fixed place in its header.
    pub const fn fixed(
        key: &'static str,
        name: &'static str,
        bytes: Range<usize>,
        format: Format,
    ) -> FieldDef {
        FieldDef {
            key,
            name,
            bytes: Some(bytes),
            mask: 0,
            format,
            generated: false,
            spec: "",
        }
    }

    /// A field whose place in the header varies (options, records, names):
    /// the dissector passes its range when it emits it.
    pub const fn var(key: &'static str, name: &'static str, format: Format) -> FieldDef {
        FieldDef {
            key,
            name,
            bytes: None,
            mask: 0,
            format,
            generated: false,
            spec: "",
        }
    }

    /// A field wirepeek works out (checksum status, lengths, stream index).
    pub const fn generated(key: &'static str, name: &'static str, format: Format) -> FieldDef {
        FieldDef {
            key,
            name,
            bytes: None,
            mask: 0,
            format,
            generated: true,
            spec: "Wireshark",
        }
    }

    /// The bits of `bytes` this field takes (read big-endian).
    pub const fn mask(mut self, mask: u64) -> FieldDef {
        self.mask = mask;
        self
    }

    /// The document that defines the field.
    pub const fn spec(mut self, spec: &'static str) -> FieldDef {
        self.spec = spec;
        self
    }

    /// Its absolute byte range in a frame whose header starts at `base`.
    /// Fields without a fixed place give an empty range at `base`.
    #[inline(always)]
    pub fn at(&self, base: usize) -> Range<usize> {
        match &self.bytes {
            Some(r) => base + r.start..base + r.end,
            None => base..base,
        }
    }
}

/// Declare a protocol's fields once: each becomes a `pub const` and the
/// module's `FIELDS` table lists them all.
///
/// ```ignore
/// fields! {
///     SRCPORT = FieldDef::fixed("udp.srcport", "Source Port", 0..2, Dec).spec("RFC 768");
/// }
/// ```
#[macro_export]
macro_rules! fields {
    ($($(#[$meta:meta])* $id:ident = $def:expr;)*) => {
        $($(#[$meta])* pub const $id: $crate::decode::field::FieldDef = $def;)*
        /// Every field this module declares.
        pub const FIELDS: &[&$crate::decode::field::FieldDef] = &[$(&$id),*];
    };
}

/// Every module's field table. One line per protocol.
pub const TABLES: &[&[&FieldDef]] = &[
    super::frame_layer::FIELDS,
    super::ethernet::FIELDS,
    super::vlan::FIELDS,
    super::sll::FIELDS,
    super::null::FIELDS,
    super::arp::FIELDS,
    super::mpls::FIELDS,
    super::ipv4::FIELDS,
    super::ipv6::FIELDS,
    super::tcp::FIELDS,
    super::udp::FIELDS,
    super::icmp::FIELDS,
    super::icmpv6::FIELDS,
    super::payload::FIELDS,
    super::llc::FIELDS,
    super::stp::FIELDS,
    super::gre::FIELDS,
    super::cmd::FIELDS,
    super::vxlan::FIELDS,
    super::geneve::FIELDS,
    super::teredo::FIELDS,
    super::igmp::FIELDS,
    super::ntp::FIELDS,
    super::dhcp::FIELDS,
    super::dhcpv6::FIELDS,
    super::tls::FIELDS,
    super::tls::handshake::FIELDS,
    super::tls::extensions::FIELDS,
    super::quic::FIELDS,
    super::quic::frames::FIELDS,
    super::dns::FIELDS,
    super::dns::rr::FIELDS,
    super::dns::opt::FIELDS,
    super::http::FIELDS,
    super::reassembly::FIELDS,
    super::desegment::FIELDS,
];

/// Every declared field.
pub fn all() -> impl Iterator<Item = &'static FieldDef> {
    TABLES.iter().flat_map(|t| t.iter().copied())
}

/// The definition with this key, if any.
pub fn find(key: &str) -> Option<&'static FieldDef> {
    all().find(|f| f.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_declared_once() {
        let mut keys: Vec<&str> = all().map(|f| f.key).collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key is declared twice");
    }

    #[test]
    fn fixed_fields_have_a_range_and_masks_fit_it() {
        for f in all() {
            if let Some(r) = &f.bytes {
                assert!(r.start < r.end, "{}", f.key);
                let width = 8 * (r.end - r.start) as u32;
                assert!(
                    f.mask == 0 || (width <= 64 && (width == 64 || f.mask < (1u64 << width))),
                    "{}: mask wider than its bytes",
                    f.key
                );
            }
            assert!(!f.spec.is_empty(), "{} names no defining document", f.key);
        }
    }
}
