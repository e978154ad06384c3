//! The decoded model of one frame: layers outermost first, each with the byte
//! range of its header, and fields with absolute byte ranges and Wireshark's
//! display-filter names. Every view (line, tree, hex, JSON, fields, teaching)
//! reads this model; none of them parse bytes again.

use std::borrow::Cow;
use std::net::IpAddr;
use std::ops::Range;

/// A protocol layer we recognise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proto {
    /// Generated facts about the frame itself (number, lengths, time).
    Frame,
    Ethernet,
    Vlan,
    /// 802.1ad service tag (S-tag, EtherType 0x88a8).
    Ieee8021ad,
    Sll,
    Sll2,
    /// BSD loopback (DLT_NULL host order, DLT_LOOP network order).
    Null,
    Arp,
    Mpls,
    Ipv4,
    Ipv6,
    Ipv6HopByHop,
    Ipv6Routing,
    Ipv6Fragment,
    Ipv6DestOpts,
    Ipv6Ah,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// IEEE 802.2 LLC (and SNAP) in an 802.3 length frame.
    Llc,
    Stp,
    Gre,
    /// Cisco MetaData (EtherType 0x8909), e.g. inside GRE.
    Cmd,
    Vxlan,
    Geneve,
    Teredo,
    Igmp,
    Ntp,
    Dhcp,
    Dhcpv6,
    Tls,
    Quic,
    Dns,
    Mdns,
    Http,
    Ssdp,
    /// Application bytes we do not dissect further.
    Payload,
    /// Bytes after a layer's own length (Ethernet padding, trailers).
    Trailer,
    /// A link type, EtherType or protocol number we do not decode.
    Unsupported,
    /// A pcapng custom block, delivered as a record as tshark does.
    CustomBlock,
}

impl Proto {
    /// Every protocol, in declaration order. A new variant goes here too
    /// (before `CustomBlock`, which stays last): the assertion after this
    /// `impl` does not compile until it does.
    pub const ALL: [Proto; 41] = [
        Proto::Frame,
        Proto::Ethernet,
        Proto::Vlan,
        Proto::Ieee8021ad,
        Proto::Sll,
        Proto::Sll2,
        Proto::Null,
        Proto::Arp,
        Proto::Mpls,
        Proto::Ipv4,
        Proto::Ipv6,
        Proto::Ipv6HopByHop,
        Proto::Ipv6Routing,
        Proto::Ipv6Fragment,
        Proto::Ipv6DestOpts,
        Proto::Ipv6Ah,
        Proto::Tcp,
        Proto::Udp,
        Proto::Icmp,
        Proto::Icmpv6,
        Proto::Llc,
        Proto::Stp,
        Proto::Gre,
        Proto::Cmd,
        Proto::Vxlan,
        Proto::Geneve,
        Proto::Teredo,
        Proto::Igmp,
        Proto::Ntp,
        Proto::Dhcp,
        Proto::Dhcpv6,
        Proto::Tls,
        Proto::Quic,
        Proto::Dns,
        Proto::Mdns,
        Proto::Http,
        Proto::Ssdp,
        Proto::Payload,
        Proto::Trailer,
        Proto::Unsupported,
        Proto::CustomBlock,
    ];

    /// This protocol's row in the one table of protocol facts.
    pub const fn facts(self) -> ProtoFacts {
        match self {
            Proto::Frame => facts("frame", "Frame", "Frame", Hue::Plain),
            Proto::Ethernet => facts("eth", "Ethernet II", "Ethernet", Hue::Plain),
            Proto::Vlan => facts("vlan", "802.1Q Virtual LAN", "VLAN", Hue::Plain),
            Proto::Ieee8021ad => facts("ieee8021ad", "IEEE 802.1ad", "802.1ad", Hue::Plain),
            Proto::Sll => facts("sll", "Linux cooked capture v1", "SLL", Hue::Plain),
            Proto::Sll2 => facts("sll", "Linux cooked capture v2", "SLL2", Hue::Plain),
            Proto::Null => facts("null", "Null/Loopback", "Null", Hue::Plain),
            Proto::Arp => facts("arp", "Address Resolution Protocol", "ARP", Hue::Arp),
            Proto::Mpls => facts(
                "mpls",
                "MultiProtocol Label Switching Header",
                "MPLS",
                Hue::Plain,
            ),
            Proto::Ipv4 => facts("ip", "Internet Protocol Version 4", "IPv4", Hue::Plain),
            Proto::Ipv6 => facts("ipv6", "Internet Protocol Version 6", "IPv6", Hue::Plain),
            Proto::Ipv6HopByHop => facts(
                "ipv6.hopopts",
                "IPv6 Hop-by-Hop Option",
                "IPv6 hop-by-hop",
                Hue::Plain,
            ),
            Proto::Ipv6Routing => facts(
                "ipv6.routing",
                "IPv6 Routing Header",
                "IPv6 routing",
                Hue::Plain,
            ),
            Proto::Ipv6Fragment => facts(
                "ipv6.fraghdr",
                "IPv6 Fragment Header",
                "IPv6 fragment",
                Hue::Plain,
            ),
            Proto::Ipv6DestOpts => facts(
                "ipv6.dstopts",
                "IPv6 Destination Options",
                "IPv6 dest-opts",
                Hue::Plain,
            ),
            Proto::Ipv6Ah => facts("ah", "Authentication Header", "AH", Hue::Plain),
            Proto::Tcp => facts("tcp", "Transmission Control Protocol", "TCP", Hue::Tcp),
            Proto::Udp => facts("udp", "User Datagram Protocol", "UDP", Hue::Udp),
            Proto::Icmp => facts(
                "icmp",
                "Internet Control Message Protocol",
                "ICMP",
                Hue::Icmp,
            ),
            Proto::Icmpv6 => facts(
                "icmpv6",
                "Internet Control Message Protocol v6",
                "ICMPv6",
                Hue::Icmp,
            ),
            Proto::Llc => facts("llc", "Logical-Link Control", "LLC", Hue::Plain),
            Proto::Stp => facts("stp", "Spanning Tree Protocol", "STP", Hue::Plain),
            Proto::Gre => facts("gre", "Generic Routing Encapsulation", "GRE", Hue::Plain),
            Proto::Cmd => facts("cmd", "Cisco MetaData", "CiscoMetaData", Hue::Plain),
            Proto::Vxlan => facts(
                "vxlan",
                "Virtual eXtensible Local Area Network",
                "VXLAN",
                Hue::Plain,
            ),
            Proto::Geneve => facts(
                "geneve",
                "Generic Network Virtualization Encapsulation",
                "Geneve",
                Hue::Plain,
            ),
            Proto::Teredo => facts(
                "teredo",
                "Teredo IPv6 over UDP tunneling",
                "Teredo",
                Hue::Plain,
            ),
            Proto::Igmp => facts(
                "igmp",
                "Internet Group Management Protocol",
                "IGMP",
                Hue::Plain,
            ),
            Proto::Ntp => facts("ntp", "Network Time Protocol", "NTP", Hue::Udp),
            Proto::Dhcp => facts(
                "dhcp",
                "Dynamic Host Configuration Protocol",
                "DHCP",
                Hue::Udp,
            ),
            Proto::Dhcpv6 => facts("dhcpv6", "DHCPv6", "DHCPv6", Hue::Udp),
            Proto::Tls => facts("tls", "Transport Layer Security", "TLS", Hue::Tcp),
            Proto::Quic => facts("quic", "QUIC IETF", "QUIC", Hue::Udp),
            Proto::Dns => facts("dns", "Domain Name System", "DNS", Hue::Udp),
            Proto::Mdns => facts("mdns", "Multicast Domain Name System", "MDNS", Hue::Udp),
            Proto::Http => facts("http", "Hypertext Transfer Protocol", "HTTP", Hue::Tcp),
            Proto::Ssdp => facts(
                "ssdp",
                "Simple Service Discovery Protocol",
                "SSDP",
                Hue::Udp,
            ),
            Proto::Payload => facts("data", "Data", "Payload", Hue::Plain),
            Proto::Trailer => facts(
                super::ethernet::TRAILER.key,
                "Trailer",
                "Trailer",
                Hue::Plain,
            ),
            Proto::Unsupported => facts("unsupported", "Undecoded", "Undecoded", Hue::Muted),
            Proto::CustomBlock => facts(
                "pcapng.custom",
                "pcapng Custom Block",
                "Custom block",
                Hue::Muted,
            ),
        }
    }

    /// The short name, as Wireshark's filter abbreviation.
    pub const fn key(self) -> &'static str {
        self.facts().key
    }

    /// The human name, as Wireshark's packet-details tree titles it.
    pub const fn title(self) -> &'static str {
        self.facts().title
    }

    /// The name for the protocol column and for stats.
    pub const fn short(self) -> &'static str {
        self.facts().short
    }
}

// `Proto::ALL` lists every variant once, in order.
const _: () = {
    assert!(Proto::ALL.len() == Proto::CustomBlock as usize + 1);
    let mut i = 0;
    while i < Proto::ALL.len() {
        assert!(Proto::ALL[i] as usize == i);
        i += 1;
    }
};

/// What every view needs to know about a protocol, declared in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtoFacts {
    /// Wireshark's filter abbreviation (`tcp`), the `proto` of JSON layers.
    pub key: &'static str,
    /// Wireshark's packet-details title.
    pub title: &'static str,
    /// The protocol column's name.
    pub short: &'static str,
    /// The packet list's colour class, after Wireshark's colouring rules.
    pub hue: Hue,
}

const fn facts(
    key: &'static str,
    title: &'static str,
    short: &'static str,
    hue: Hue,
) -> ProtoFacts {
    ProtoFacts {
        key,
        title,
        short,
        hue,
    }
}

/// Colour classes of the packet list (the TUI maps each to a colour).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hue {
    Plain,
    Tcp,
    Udp,
    Icmp,
    Arp,
    /// Undecoded or out-of-band records.
    Muted,
}

/// A field's value, typed so each view can format it its own way.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Shown in decimal.
    UInt(u64),
    /// Shown in hex with this many digits (tshark's BASE_HEX), e.g. `0x0800`.
    Hex(u64, u8),
    Bool(bool),
    Mac([u8; 6]),
    Ip(IpAddr),
    /// Raw bytes, shown as hex; a range of the frame.
    Bytes(Range<usize>),
    Text(Cow<'static, str>),
}

/// Whether the packet said it, or we worked it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Wire,
    /// Computed by wirepeek (checksum status, lengths in bytes, flow index):
    /// shown in brackets and never mistaken for what the packet says.
    Generated,
}

/// One field of one layer.
#[derive(Clone, Debug)]
pub struct Field {
    /// Wireshark display-filter name, e.g. `tcp.srcport`.
    pub key: &'static str,
    /// Human label, e.g. `Source Port`.
    pub name: &'static str,
    /// Absolute byte range in the frame; empty for generated fields.
    pub bytes: Range<usize>,
    /// For bit fields: the mask over the bytes read big-endian; 0 otherwise.
    pub mask: u64,
    pub value: Value,
    /// A name for the value from a table (`IPv4` for EtherType 0x0800).
    pub meaning: Option<Cow<'static, str>>,
    pub origin: Origin,
    /// Nesting depth under the layer: flags sit under their flags word.
    pub depth: u8,
    /// Which bytes `bytes` (and a `Value::Bytes` range) index: 0 the frame,
    /// N the dissection's N-th data source (a reassembled datagram).
    pub source: u8,
}

impl Field {
    /// A field wirepeek computed (checksum status, stream index): no bytes.
    pub fn generated(def: &'static super::field::FieldDef, value: Value) -> Field {
        Field {
            key: def.key,
            name: def.name,
            bytes: 0..0,
            mask: 0,
            value,
            meaning: None,
            origin: Origin::Generated,
            depth: 0,
            source: 0,
        }
    }
}

/// One layer: its protocol, its header bytes and its fields.
#[derive(Clone, Debug)]
pub struct Layer {
    pub proto: Proto,
    /// The bytes of this layer's header (for payload layers, the payload).
    pub header: Range<usize>,
    /// The bytes this layer's protocol data unit spans by its parent's
    /// account (header and payload), which may run past the captured bytes.
    pub pdu: Range<usize>,
    /// Index range into `Dissection::fields`.
    pub fields: Range<usize>,
    /// True for headers quoted inside an ICMP error message.
    pub quoted: bool,
    /// Which bytes `header` and `pdu` index: 0 the frame, N the
    /// dissection's N-th data source (see [`Dissection::data`]).
    pub source: u8,
}

/// How serious a note is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Normal but worth saying (a capture cut by the snap length).
    Note,
    /// The packet contradicts itself (bad length, bad checksum).
    Warn,
}

/// Why decoding of a layer stopped or what is odd about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// The capture holds fewer bytes than the headers say exist.
    Truncated,
    /// A length or value that cannot be right.
    Malformed,
    /// A checksum that does not match.
    BadChecksum,
    /// Something we do not decode.
    Unsupported,
}

/// An annotation on a layer, at an offset, saying what and why.
#[derive(Clone, Debug)]
pub struct Note {
    pub severity: Severity,
    pub kind: NoteKind,
    pub proto: Proto,
    /// Absolute byte offset in the frame where the problem is.
    pub offset: usize,
    pub message: String,
}

/// The socket 4-tuple (plus protocol) of a TCP or UDP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FourTuple {
    /// IP protocol number: 6 for TCP, 17 for UDP.
    pub protocol: u8,
    pub src: IpAddr,
    pub src_port: u16,
    pub dst: IpAddr,
    pub dst_port: u16,
    /// Where the TCP/UDP header starts in the frame, and where the IP
    /// payload carrying it ends by the IP header's account (may lie past the
    /// captured bytes; for TCP, the segment's end): flow tracking reads
    /// them here without searching the layers.
    pub header_at: usize,
    pub pdu_end: usize,
}

/// Everything decoded from one frame.
#[derive(Clone, Debug, Default)]
pub struct Dissection {
    pub layers: Vec<Layer>,
    pub fields: Vec<Field>,
    pub notes: Vec<Note>,
    /// The connection this packet belongs to, when it is TCP or UDP.
    pub tuple: Option<FourTuple>,
    /// Set after decoding by whoever tracks flows (never by the decoder):
    /// the TCP sequence and acknowledgement numbers the tcpdump-style line
    /// prints instead of the absolute ones, relative to the connection's
    /// first numbers as tcpdump counts them. `None` prints them absolute.
    pub line_seq: Option<(u32, u32)>,
    /// Bytes other than the frame's that layers and fields may index, as
    /// Wireshark's extra data sources ("Reassembled IPv4 (8320 bytes)"):
    /// source N is `sources[N - 1]`.
    pub sources: Vec<DataSource>,
    /// Which bytes `tuple`'s offsets index (0: the frame).
    pub tuple_source: u8,
    /// Set by the IP decoders when this frame is a fragment, for whoever
    /// reassembles (the decoder itself never keeps state between frames).
    pub fragment: Option<crate::decode::reassembly::FragmentInfo>,
    /// Set by `desegment` when an application dissector asked for more
    /// bytes than this TCP segment holds.
    pub desegment: Option<crate::decode::desegment::Desegment>,
    /// What the PDU table said of this segment when asked
    /// (`desegment::TcpPdu::Ask`); `None` when it was not asked.
    pub tcp_asked: Option<crate::decode::desegment::Asked>,
    /// The fields to keep (`None`: every one), set by whoever decodes for
    /// a consumer that reads only some (`export`); kept across `clear`.
    pub want: Option<std::sync::Arc<crate::decode::want::Wanted>>,
    /// Whether `want` left out the last field offered (so what is attached
    /// to "the field just pushed" is not attached to the one before it).
    pub(crate) skipped: bool,
    /// `want`'s answers by definition (kept across `clear`).
    pub(crate) memo: crate::decode::want::Memo,
}

/// Bytes a dissection reads besides its frame's: a reassembled payload.
#[derive(Clone, Debug, Default)]
pub struct DataSource {
    /// Wireshark's tab name, e.g. `Reassembled IPv4`.
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

impl Dissection {
    /// Forget the previous frame but keep the allocations.
    pub fn clear(&mut self) {
        self.layers.clear();
        self.fields.clear();
        self.notes.clear();
        self.tuple = None;
        self.line_seq = None;
        self.sources.clear();
        self.tuple_source = 0;
        self.fragment = None;
        self.desegment = None;
        self.tcp_asked = None;
        self.skipped = false;
    }

    /// Give back memory a rare packet made a buffer grow to (a bogus DNS
    /// message of 25,000 bytes yields tens of thousands of fields): a
    /// dissection kept for reuse then holds at most what common packets
    /// need, so a pool of them stays small whatever the capture.
    pub fn shed(&mut self) {
        const FIELDS: usize = 1024;
        const LAYERS: usize = 64;
        if self.fields.capacity() > FIELDS {
            self.fields = Vec::with_capacity(FIELDS);
        }
        if self.layers.capacity() > LAYERS {
            self.layers = Vec::with_capacity(LAYERS);
        }
        if self.notes.capacity() > LAYERS {
            self.notes = Vec::new();
        }
        if self.sources.capacity() > LAYERS {
            self.sources = Vec::new();
        }
    }

    /// The bytes data source `source` holds: the frame's (`frame`) for 0,
    /// a reassembled payload otherwise (empty if there is no such source).
    pub fn data<'a>(&'a self, source: u8, frame: &'a [u8]) -> &'a [u8] {
        match source {
            0 => frame,
            n => self
                .sources
                .get(usize::from(n) - 1)
                .map_or(&[], |s| &s.bytes[..]),
        }
    }

    /// Append a generated field (a flow index, a relative sequence number:
    /// facts worked out after decoding) to the first unquoted layer of
    /// `proto`, keeping every layer's field range right. Works in
    /// `Detail::Layers` mode too. Returns false when there is no such layer.
    pub fn push_generated(
        &mut self,
        proto: Proto,
        def: &'static super::field::FieldDef,
        value: Value,
    ) -> bool {
        let Some(li) = self
            .layers
            .iter()
            .position(|l| l.proto == proto && !l.quoted)
        else {
            return false;
        };
        self.push_generated_at(li, def, value)
    }

    /// `push_generated` on the layer at index `li` (a tunnel's inner TCP or
    /// UDP header, where the outer one has the same protocol).
    pub fn push_generated_at(
        &mut self,
        li: usize,
        def: &'static super::field::FieldDef,
        value: Value,
    ) -> bool {
        if li >= self.layers.len() {
            return false;
        }
        let at = self.layers[li].fields.end;
        self.fields.insert(at, Field::generated(def, value));
        self.layers[li].fields.end += 1;
        for layer in &mut self.layers[li + 1..] {
            if layer.fields.start >= at {
                layer.fields.start += 1;
                layer.fields.end += 1;
            }
        }
        true
    }

    /// The fields of one layer.
    pub fn fields_of(&self, layer: &Layer) -> &[Field] {
        &self.fields[layer.fields.clone()]
    }

    /// The first (outermost) field with this key, as tshark's occurrence=f.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Every field with this key, outermost first.
    pub fn fields_named<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields.iter().filter(move |f| f.key == key)
    }

    /// The first layer of this protocol.
    pub fn layer(&self, proto: Proto) -> Option<&Layer> {
        self.layers.iter().find(|l| l.proto == proto)
    }

    /// True when a layer of this protocol is present.
    pub fn has(&self, proto: Proto) -> bool {
        self.layers.iter().any(|l| l.proto == proto)
    }

    /// The innermost protocol worth naming in a packet list (payload and
    /// trailers do not count).
    pub fn top_proto(&self) -> Proto {
        self.layers
            .iter()
            .rev()
            .map(|l| l.proto)
            .find(|p| !matches!(p, Proto::Payload | Proto::Trailer | Proto::Frame))
            .unwrap_or(Proto::Unsupported)
    }
}
