//! Statistics over a set of packets, as Wireshark's Statistics menu has
//! them: a protocol hierarchy (`tshark -z io,phs`), and per layer
//! (Ethernet, IPv4, IPv6, TCP, UDP) the endpoints (`-z endpoints,…`) and
//! conversations (`-z conv,…`). `read --stats` and the TUI's Statistics
//! tab both count with [`Tally`]; each decides which packets it hands over.
//!
//! Counting follows tshark's taps: every packet counts its frame length
//! (`frame.len`) once per header of the layer it carries (an IP-in-IP
//! packet is in two IP conversations); headers quoted inside an ICMP error
//! count nowhere; IPv6 extension headers are part of IPv6, as in
//! Wireshark's hierarchy. Memory is bounded: at most [`MAX_NODES`]
//! hierarchy nodes and [`MAX_ROWS`] endpoints and conversations per layer;
//! what did not fit is counted, never dropped silently.
//!
//! May use `frame` and `decode` only.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

use crate::decode::view::View;
use crate::decode::{Dissection, Layer, Proto, ethernet, ipv4, ipv6, tcp, udp};
use crate::frame::FrameRecord;

/// Most distinct protocol paths the hierarchy keeps.
pub const MAX_NODES: usize = 4096;
/// Most endpoints, and most conversations, one layer's table keeps.
pub const MAX_ROWS: usize = 100_000;

/// One node of the protocol hierarchy.
#[derive(Clone, Debug)]
struct Node {
    proto: Proto,
    packets: u64,
    bytes: u64,
    /// Each child's protocol beside its node number: finding the child
    /// for a layer reads this one vector, not each child's node.
    children: Vec<(Proto, usize)>,
}

/// Packets and bytes per protocol path (tshark's `io,phs`).
#[derive(Clone, Debug)]
pub struct Hierarchy {
    nodes: Vec<Node>,
    /// Packets whose path needed a node past `MAX_NODES`: counted down to
    /// the deepest node that fitted.
    pub cut: u64,
}

/// One row of the hierarchy, in tree order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HierRow {
    /// 0 for a protocol right under the frame.
    pub depth: usize,
    pub proto: Proto,
    pub packets: u64,
    pub bytes: u64,
}

impl Default for Hierarchy {
    fn default() -> Self {
        Hierarchy {
            nodes: vec![Node {
                proto: Proto::Frame,
                packets: 0,
                bytes: 0,
                children: Vec::new(),
            }],
            cut: 0,
        }
    }
}

/// True for a layer the hierarchy names: not the frame or its trailer, not
/// an IPv6 extension header (Wireshark shows them inside IPv6), not a
/// header quoted in an ICMP error.
fn in_hierarchy(layer: &Layer) -> bool {
    !layer.quoted
        && !matches!(
            layer.proto,
            Proto::Frame
                | Proto::Trailer
                | Proto::Ipv6HopByHop
                | Proto::Ipv6Routing
                | Proto::Ipv6Fragment
                | Proto::Ipv6DestOpts
        )
}

impl Hierarchy {
    /// Count one packet of `len` bytes along its layers.
    pub fn add(&mut self, d: &Dissection, len: u64) {
        let mut node = 0;
        self.nodes[0].packets += 1;
        self.nodes[0].bytes += len;
        for layer in d.layers.iter().filter(|l| in_hierarchy(l)) {
            let found = self.nodes[node]
                .children
                .iter()
                .find(|&&(p, _)| p == layer.proto)
                .map(|&(_, c)| c);
            let child = match found {
                Some(c) => c,
                None if self.nodes.len() >= MAX_NODES => {
                    self.cut += 1;
                    return;
                }
                None => {
                    self.nodes.push(Node {
                        proto: layer.proto,
                        packets: 0,
                        bytes: 0,
                        children: Vec::new(),
                    });
                    let c = self.nodes.len() - 1;
                    self.nodes[node].children.push((layer.proto, c));
                    c
                }
            };
            self.nodes[child].packets += 1;
            self.nodes[child].bytes += len;
            node = child;
        }
    }

    /// Packets and bytes counted.
    pub fn total(&self) -> (u64, u64) {
        (self.nodes[0].packets, self.nodes[0].bytes)
    }

    /// Every node but the frame's, depth first, children in the order they
    /// were first seen (as tshark prints them).
    pub fn rows(&self) -> Vec<HierRow> {
        let mut rows = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<(usize, usize)> = self.nodes[0]
            .children
            .iter()
            .rev()
            .map(|&(_, c)| (c, 0))
            .collect();
        while let Some((n, depth)) = stack.pop() {
            let node = &self.nodes[n];
            rows.push(HierRow {
                depth,
                proto: node.proto,
                packets: node.packets,
                bytes: node.bytes,
            });
            stack.extend(node.children.iter().rev().map(|&(_, c)| (c, depth + 1)));
        }
        rows
    }
}

/// The layers endpoints and conversations are counted at, as tshark's
/// `-z endpoints,eth|ip|ipv6|tcp|udp`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StatLayer {
    Ethernet,
    #[default]
    Ipv4,
    Ipv6,
    Tcp,
    Udp,
}

impl StatLayer {
    pub const ALL: [StatLayer; 5] = [
        StatLayer::Ethernet,
        StatLayer::Ipv4,
        StatLayer::Ipv6,
        StatLayer::Tcp,
        StatLayer::Udp,
    ];

    /// The protocol whose headers this layer counts.
    pub fn proto(self) -> Proto {
        match self {
            StatLayer::Ethernet => Proto::Ethernet,
            StatLayer::Ipv4 => Proto::Ipv4,
            StatLayer::Ipv6 => Proto::Ipv6,
            StatLayer::Tcp => Proto::Tcp,
            StatLayer::Udp => Proto::Udp,
        }
    }

    /// True when its endpoints have ports.
    pub fn has_ports(self) -> bool {
        matches!(self, StatLayer::Tcp | StatLayer::Udp)
    }

    /// The next layer (or the previous), wrapping around.
    pub fn cycle(self, forward: bool) -> StatLayer {
        let i = StatLayer::ALL.iter().position(|l| *l == self).unwrap_or(0);
        let n = StatLayer::ALL.len();
        StatLayer::ALL[if forward { i + 1 } else { i + n - 1 } % n]
    }
}

/// An endpoint's address: a MAC for Ethernet, an IP address otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Addr {
    Mac([u8; 6]),
    Ip(IpAddr),
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::Mac(m) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ),
            Addr::Ip(ip) => ip.fmt(f),
        }
    }
}

/// One end: an address, and a port for TCP and UDP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct End {
    pub addr: Addr,
    pub port: Option<u16>,
}

/// Packets and bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub packets: u64,
    pub bytes: u64,
}

impl Count {
    fn add(&mut self, len: u64) {
        self.packets += 1;
        self.bytes += len;
    }

    /// The sum of two counts.
    pub fn plus(self, o: Count) -> Count {
        Count {
            packets: self.packets + o.packets,
            bytes: self.bytes + o.bytes,
        }
    }
}

/// One endpoint's traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub end: End,
    pub tx: Count,
    pub rx: Count,
}

impl Endpoint {
    pub fn total(&self) -> Count {
        self.tx.plus(self.rx)
    }
}

/// One conversation: `a` is the first packet's sender, as in tshark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conversation {
    pub a: End,
    pub b: End,
    pub a_to_b: Count,
    pub b_to_a: Count,
    /// First and last packet times, ns since the epoch (None: no time).
    pub first_ns: Option<i64>,
    pub last_ns: Option<i64>,
}

impl Conversation {
    pub fn total(&self) -> Count {
        self.a_to_b.plus(self.b_to_a)
    }
}

/// One layer's endpoints and conversations.
#[derive(Clone, Debug, Default)]
pub struct LayerTable {
    pub endpoints: Vec<Endpoint>,
    pub conversations: Vec<Conversation>,
    ends: HashMap<End, usize>,
    convs: HashMap<(End, End), usize>,
    /// Headers not counted because the table was full (`MAX_ROWS`).
    pub capped: u64,
}

impl LayerTable {
    fn add(&mut self, src: End, dst: End, len: u64, ts: Option<i64>) {
        let key = if src <= dst { (src, dst) } else { (dst, src) };
        let conv = match self.convs.get(&key) {
            Some(&i) => i,
            None if self.conversations.len() >= MAX_ROWS => {
                self.capped += 1;
                return;
            }
            None => {
                self.conversations.push(Conversation {
                    a: src,
                    b: dst,
                    a_to_b: Count::default(),
                    b_to_a: Count::default(),
                    first_ns: ts,
                    last_ns: ts,
                });
                self.convs.insert(key, self.conversations.len() - 1);
                self.conversations.len() - 1
            }
        };
        let c = &mut self.conversations[conv];
        if c.a == src {
            c.a_to_b.add(len);
        } else {
            c.b_to_a.add(len);
        }
        if let Some(t) = ts {
            c.first_ns = Some(c.first_ns.map_or(t, |f| f.min(t)));
            c.last_ns = Some(c.last_ns.map_or(t, |l| l.max(t)));
        }
        let room = self.endpoints.len()
            + usize::from(!self.ends.contains_key(&src))
            + usize::from(src != dst && !self.ends.contains_key(&dst));
        if room > MAX_ROWS {
            self.capped += 1;
            return;
        }
        self.endpoint(src).tx.add(len);
        self.endpoint(dst).rx.add(len);
    }

    fn endpoint(&mut self, end: End) -> &mut Endpoint {
        let i = *self.ends.entry(end).or_insert_with(|| {
            self.endpoints.push(Endpoint {
                end,
                tx: Count::default(),
                rx: Count::default(),
            });
            self.endpoints.len() - 1
        });
        &mut self.endpoints[i]
    }
}

/// Everything the Statistics views show, over the packets handed to `add`.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub hierarchy: Hierarchy,
    tables: [LayerTable; 5],
    pub packets: u64,
    pub bytes: u64,
}

impl Tally {
    /// One layer's table.
    pub fn table(&self, layer: StatLayer) -> &LayerTable {
        &self.tables[layer as usize]
    }

    /// Count one packet.
    pub fn add(&mut self, frame: &FrameRecord, d: &Dissection) {
        let len = u64::from(frame.orig_len);
        let ts = frame.ts.map(|t| t.as_nanos() as i64);
        self.packets += 1;
        self.bytes += len;
        self.hierarchy.add(d, len);
        let mut ip: Option<(IpAddr, IpAddr)> = None;
        for layer in d.layers.iter().filter(|l| !l.quoted) {
            let data = d.data(layer.source, &frame.data);
            let v = View::of(data, layer);
            let (stat, src, dst) = match layer.proto {
                Proto::Ethernet => {
                    let (Some(s), Some(t)) = (mac(&v, &ethernet::SRC), mac(&v, &ethernet::DST))
                    else {
                        continue;
                    };
                    (
                        StatLayer::Ethernet,
                        End::of(Addr::Mac(s)),
                        End::of(Addr::Mac(t)),
                    )
                }
                Proto::Ipv4 => {
                    let (Some(s), Some(t)) = (v.ipv4(&ipv4::SRC), v.ipv4(&ipv4::DST)) else {
                        continue;
                    };
                    ip = Some((s.into(), t.into()));
                    (StatLayer::Ipv4, End::ip(s.into()), End::ip(t.into()))
                }
                Proto::Ipv6 => {
                    // tshark's IPv6 tap sees a fragmented datagram once, in
                    // the frame that completes it (IPv4's sees every
                    // fragment).
                    let fragment = d.fragment.as_ref().is_some_and(|f| f.proto == Proto::Ipv6);
                    if fragment && d.sources.is_empty() {
                        continue;
                    }
                    let (Some(s), Some(t)) = (v.ipv6(&ipv6::SRC), v.ipv6(&ipv6::DST)) else {
                        continue;
                    };
                    ip = Some((s.into(), t.into()));
                    (StatLayer::Ipv6, End::ip(s.into()), End::ip(t.into()))
                }
                Proto::Tcp | Proto::Udp => {
                    let (stat, sp, dp) = if layer.proto == Proto::Tcp {
                        (StatLayer::Tcp, &tcp::SRCPORT, &tcp::DSTPORT)
                    } else {
                        (StatLayer::Udp, &udp::SRCPORT, &udp::DSTPORT)
                    };
                    // The flow key's addresses (an IPv6 routing header's
                    // final destination, as tshark's) for the packet's own
                    // transport header; the enclosing IP header's otherwise.
                    let own = d.tuple.filter(|t| {
                        t.header_at == layer.header.start && d.tuple_source == layer.source
                    });
                    let addrs = own.map(|t| (t.src, t.dst)).or(ip);
                    let (Some((s, t)), Some(ps), Some(pd)) = (addrs, v.u16(sp), v.u16(dp)) else {
                        continue;
                    };
                    (stat, End::with(s, ps), End::with(t, pd))
                }
                _ => continue,
            };
            self.tables[stat as usize].add(src, dst, len, ts);
        }
    }
}

impl End {
    fn of(addr: Addr) -> End {
        End { addr, port: None }
    }

    fn ip(ip: IpAddr) -> End {
        End::of(Addr::Ip(ip))
    }

    fn with(ip: IpAddr, port: u16) -> End {
        End {
            addr: Addr::Ip(ip),
            port: Some(port),
        }
    }
}

fn mac(v: &View, def: &crate::decode::field::FieldDef) -> Option<[u8; 6]> {
    v.bytes(def)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn end(i: u32, port: u16) -> End {
        End::with(IpAddr::V4(Ipv4Addr::from(i)), port)
    }

    #[test]
    fn a_full_table_keeps_max_rows_and_counts_what_it_could_not_keep() {
        let mut t = LayerTable::default();
        let extra = 5;
        for i in 0..(MAX_ROWS + extra) as u32 {
            t.add(end(i + 1, 1000), end(0, 53), 100, Some(i64::from(i)));
        }
        assert_eq!(t.conversations.len(), MAX_ROWS);
        assert!(t.endpoints.len() <= MAX_ROWS);
        // Every packet is in a conversation or in the cap count.
        let kept: u64 = t.conversations.iter().map(|c| c.total().packets).sum();
        assert_eq!(kept + extra as u64, (MAX_ROWS + extra) as u64);
        assert!(t.capped >= extra as u64);
        // A known pair still counts once full.
        t.add(end(0, 53), end(1, 1000), 60, Some(0));
        assert_eq!(
            t.conversations[0].b_to_a,
            Count {
                packets: 1,
                bytes: 60
            }
        );
    }

    #[test]
    fn a_is_the_first_sender_and_a_self_conversation_counts_both_ways_once() {
        let mut t = LayerTable::default();
        t.add(end(2, 80), end(1, 5000), 10, Some(5));
        t.add(end(1, 5000), end(2, 80), 20, Some(9));
        let c = t.conversations[0];
        assert_eq!((c.a, c.b), (end(2, 80), end(1, 5000)));
        assert_eq!((c.a_to_b.bytes, c.b_to_a.bytes), (10, 20));
        assert_eq!((c.first_ns, c.last_ns), (Some(5), Some(9)));
        let mut s = LayerTable::default();
        s.add(end(7, 1), end(7, 1), 30, None);
        assert_eq!(s.endpoints.len(), 1);
        assert_eq!(s.endpoints[0].tx, s.endpoints[0].rx);
        assert_eq!(s.conversations[0].a_to_b.packets, 1);
    }
}
