//! The words of the tcpdump language: qualifiers, keywords, named
//! constants, port and protocol names, and how numbers, MAC addresses are
//! read. Tables only; no parsing state.

use std::net::Ipv6Addr;

pub(super) fn is_mac_or_ip6(word: &str) -> bool {
    parse_mac(word).is_some() || word.parse::<Ipv6Addr>().is_ok()
}

pub(super) fn parse_mac(word: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = if word.contains(':') {
        word.split(':').collect()
    } else if word.contains('-') {
        word.split('-').collect()
    } else {
        return None;
    };
    if parts.len() != 6 {
        return None;
    }
    let mut mac = [0u8; 6];
    for (m, p) in mac.iter_mut().zip(parts) {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *m = u8::from_str_radix(p, 16).ok()?;
    }
    Some(mac)
}

/// A number as libpcap reads it: decimal, `0x` hex or leading-zero octal.
pub(super) fn parse_number(word: &str) -> Option<u32> {
    if let Some(hex) = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if word.len() > 1 && word.starts_with('0') {
        u32::from_str_radix(&word[1..], 8).ok()
    } else {
        word.parse().ok()
    }
}

/// The protocol qualifier of a primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum QProto {
    Ether,
    Ip,
    Ip6,
    Arp,
    Rarp,
    Tcp,
    Udp,
    Sctp,
    Icmp,
    Icmp6,
    Igmp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum QType {
    Host,
    Net,
    Port,
    PortRange,
    Proto,
}

pub(super) fn qproto(word: &str) -> Option<QProto> {
    Some(match word {
        "ether" | "link" => QProto::Ether,
        "ip" => QProto::Ip,
        "ip6" => QProto::Ip6,
        "arp" => QProto::Arp,
        "rarp" => QProto::Rarp,
        "tcp" => QProto::Tcp,
        "udp" => QProto::Udp,
        "sctp" => QProto::Sctp,
        "icmp" => QProto::Icmp,
        "icmp6" => QProto::Icmp6,
        "igmp" => QProto::Igmp,
        _ => return None,
    })
}

pub(super) fn qtype(word: &str) -> Option<QType> {
    Some(match word {
        "host" => QType::Host,
        "net" => QType::Net,
        "port" => QType::Port,
        "portrange" => QType::PortRange,
        "proto" => QType::Proto,
        _ => return None,
    })
}

/// Every keyword we know, for "did you mean" and to tell names from keywords.
pub(super) const KEYWORDS: &[&str] = &[
    "ether",
    "link",
    "ip",
    "ip6",
    "arp",
    "rarp",
    "tcp",
    "udp",
    "sctp",
    "icmp",
    "icmp6",
    "igmp",
    "host",
    "net",
    "mask",
    "port",
    "portrange",
    "proto",
    "src",
    "dst",
    "and",
    "or",
    "not",
    "less",
    "greater",
    "len",
    "vlan",
    "broadcast",
    "multicast",
];

/// libpcap keywords we do not implement: an error, not a host name.
pub(super) const UNSUPPORTED: &[&str] = &[
    "gateway",
    "mpls",
    "pppoed",
    "pppoes",
    "geneve",
    "inbound",
    "outbound",
    "ifname",
    "on",
    "rnr",
    "rulenum",
    "reason",
    "rset",
    "srnr",
    "subrulenum",
    "action",
    "decnet",
    "iso",
    "esis",
    "isis",
    "clnp",
    "stp",
    "ipx",
    "netbeui",
    "atalk",
    "aarp",
    "lat",
    "moprc",
    "mopdl",
    "sca",
    "pim",
    "vrrp",
    "carp",
    "ah",
    "esp",
    "fddi",
    "tr",
    "wlan",
    "type",
    "subtype",
    "dir",
    "addr1",
    "addr2",
    "addr3",
    "addr4",
    "ra",
    "ta",
    "protochain",
    "llc",
    "atm",
    "lane",
    "vpi",
    "vci",
    "oam",
    "oamf4",
    "metac",
    "bcc",
    "sc",
    "ilmic",
    "connectmsg",
    "metaconnect",
    "radio",
    "hdpr",
    "slip",
    "ppp",
    "sio",
    "fisu",
    "lssu",
    "msu",
    "dpc",
    "opc",
    "sls",
    "ip6multicast",
];

/// Named constants usable in arithmetic (`tcp[tcpflags] & tcp-syn`).
pub(super) fn named_constant(word: &str) -> Option<u32> {
    Some(match word {
        "tcpflags" => 13,
        "tcp-fin" => 0x01,
        "tcp-syn" => 0x02,
        "tcp-rst" => 0x04,
        "tcp-push" => 0x08,
        "tcp-ack" => 0x10,
        "tcp-urg" => 0x20,
        "tcp-ece" => 0x40,
        "tcp-cwr" => 0x80,
        "icmptype" | "icmp6type" => 0,
        "icmpcode" | "icmp6code" => 1,
        "icmp-echoreply" => 0,
        "icmp-unreach" => 3,
        "icmp-sourcequench" => 4,
        "icmp-redirect" => 5,
        "icmp-echo" => 8,
        "icmp-routeradvert" => 9,
        "icmp-routersolicit" => 10,
        "icmp-timxceed" => 11,
        "icmp-paramprob" => 12,
        "icmp-tstamp" => 13,
        "icmp-tstampreply" => 14,
        "icmp-ireq" => 15,
        "icmp-ireqreply" => 16,
        "icmp-maskreq" => 17,
        "icmp-maskreply" => 18,
        "icmp6-destinationunreach" => 1,
        "icmp6-packettoobig" => 2,
        "icmp6-timeexceeded" => 3,
        "icmp6-parameterproblem" => 4,
        "icmp6-echo" => 128,
        "icmp6-echoreply" => 129,
        "icmp6-multicastlistenerquery" => 130,
        "icmp6-multicastlistenerreportv1" => 131,
        "icmp6-multicastlistenerdone" => 132,
        "icmp6-routersolicit" => 133,
        "icmp6-routeradvert" => 134,
        "icmp6-neighborsolicit" => 135,
        "icmp6-neighboradvert" => 136,
        "icmp6-redirect" => 137,
        _ => return None,
    })
}

/// Well-known port names (tcpdump reads /etc/services; these are the usual ones).
pub(super) fn port_number(word: &str) -> Option<u16> {
    Some(match word {
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        "http" | "www" => 80,
        "pop3" => 110,
        "ntp" => 123,
        "imap" | "imap2" => 143,
        "snmp" => 161,
        "bgp" => 179,
        "https" => 443,
        _ => return u16::try_from(parse_number(word)?).ok(),
    })
}

pub(super) fn ip_protocol_number(word: &str) -> Option<u8> {
    Some(match word {
        "icmp" => 1,
        "igmp" => 2,
        "tcp" => 6,
        "udp" => 17,
        "ipv6" => 41,
        "icmp6" => 58,
        "sctp" => 132,
        _ => return u8::try_from(parse_number(word)?).ok(),
    })
}

pub(super) fn qproto_name(p: QProto) -> &'static str {
    match p {
        QProto::Ether => "ether",
        QProto::Ip => "ip",
        QProto::Ip6 => "ip6",
        QProto::Arp => "arp",
        QProto::Rarp => "rarp",
        QProto::Tcp => "tcp",
        QProto::Udp => "udp",
        QProto::Sctp => "sctp",
        QProto::Icmp => "icmp",
        QProto::Icmp6 => "icmp6",
        QProto::Igmp => "igmp",
    }
}
