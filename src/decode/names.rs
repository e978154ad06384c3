//! Names for numbers: EtherTypes, IP protocols, ICMP types, ARP opcodes,
//! TCP options and well-known ports. Tables only; no decoding.

/// Name an EtherType as Wireshark does.
pub fn ethertype(value: u16) -> &'static str {
    match value {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x8035 => "RARP",
        0x8100 => "802.1Q Virtual LAN",
        0x88a8 => "802.1ad Provider Bridge (Q-in-Q)",
        0x9100 => "802.1Q-in-Q (old)",
        0x86dd => "IPv6",
        0x8847 => "MPLS label switched packet",
        0x8863 => "PPPoE Discovery",
        0x8864 => "PPPoE Session",
        0x88cc => "802.1 Link Layer Discovery Protocol (LLDP)",
        0x888e => "802.1X Authentication",
        0x88e5 => "802.1AE (MACsec)",
        0x8809 => "Slow Protocols",
        0x9000 => "Loopback",
        _ => "Unknown",
    }
}

/// Name an IP protocol number (IPv4 protocol / IPv6 next header).
pub fn ip_protocol(value: u8) -> &'static str {
    match value {
        0 => "IPv6 Hop-by-Hop Option",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        43 => "Routing Header for IPv6",
        44 => "Fragment Header for IPv6",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPv6",
        59 => "No Next Header for IPv6",
        60 => "Destination Options for IPv6",
        89 => "OSPF",
        103 => "PIM",
        112 => "VRRP",
        132 => "SCTP",
        _ => "Unknown",
    }
}

/// Name an ICMP (v4) type.
pub fn icmp_type(value: u8) -> &'static str {
    icmp_type_known(value).unwrap_or("Unknown ICMP type")
}

/// Wireshark's name for an ICMP type it knows (`icmp_type_str`).
pub fn icmp_type_known(value: u8) -> Option<&'static str> {
    Some(match value {
        0 => "Echo (ping) reply",
        3 => "Destination unreachable",
        4 => "Source quench (flow control)",
        5 => "Redirect",
        8 => "Echo (ping) request",
        9 => "Router advertisement",
        10 => "Router solicitation",
        11 => "Time-to-live exceeded",
        12 => "Parameter problem",
        13 => "Timestamp request",
        14 => "Timestamp reply",
        17 => "Address mask request",
        18 => "Address mask reply",
        _ => return None,
    })
}

/// Name an ICMP destination-unreachable code.
pub fn icmp_unreach_code(code: u8) -> &'static str {
    match code {
        0 => "Network unreachable",
        1 => "Host unreachable",
        2 => "Protocol unreachable",
        3 => "Port unreachable",
        4 => "Fragmentation needed",
        5 => "Source route failed",
        6 => "Destination network unknown",
        7 => "Destination host unknown",
        9 | 10 => "Communication administratively prohibited",
        13 => "Communication administratively filtered",
        _ => "Unreachable",
    }
}

/// Name an ICMPv6 type.
pub fn icmpv6_type(value: u8) -> &'static str {
    icmpv6_type_known(value).unwrap_or("Unknown ICMPv6 type")
}

/// Wireshark's name for an ICMPv6 type it knows (`icmpv6_type_val`).
pub fn icmpv6_type_known(value: u8) -> Option<&'static str> {
    Some(match value {
        1 => "Destination Unreachable",
        2 => "Packet Too Big",
        3 => "Time Exceeded",
        4 => "Parameter Problem",
        128 => "Echo (ping) request",
        129 => "Echo (ping) reply",
        130 => "Multicast Listener Query",
        131 => "Multicast Listener Report",
        132 => "Multicast Listener Done",
        133 => "Router Solicitation",
        134 => "Router Advertisement",
        135 => "Neighbor Solicitation",
        136 => "Neighbor Advertisement",
        137 => "Redirect",
        138 => "Router Renumbering",
        143 => "Multicast Listener Report Message v2",
        _ => return None,
    })
}

/// Name an ARP opcode.
pub fn arp_opcode(value: u16) -> &'static str {
    match value {
        1 => "request",
        2 => "reply",
        3 => "reverse request",
        4 => "reverse reply",
        8 => "inverse request",
        9 => "inverse reply",
        _ => "unknown",
    }
}

/// Name a TCP option kind.
pub fn tcp_option(kind: u8) -> &'static str {
    match kind {
        0 => "End of Option List (EOL)",
        1 => "No-Operation (NOP)",
        2 => "Maximum segment size",
        3 => "Window scale",
        4 => "SACK permitted",
        5 => "SACK",
        8 => "Timestamps",
        19 => "TCP MD5 signature",
        27 => "Quick-Start Response",
        28 => "User Timeout",
        29 => "TCP Authentication Option",
        30 => "Multipath TCP",
        34 => "TCP Fast Open Cookie",
        _ => "Unknown",
    }
}

/// Name a well-known or registered port, for teaching and the flows view.
pub fn service(port: u16) -> Option<&'static str> {
    Some(match port {
        7 => "echo",
        9 => "discard",
        20 => "ftp-data",
        21 => "ftp",
        22 => "ssh",
        23 => "telnet",
        25 => "smtp",
        53 => "domain (DNS)",
        67 => "bootps (DHCP server)",
        68 => "bootpc (DHCP client)",
        69 => "tftp",
        80 => "http",
        110 => "pop3",
        123 => "ntp",
        137 => "netbios-ns",
        143 => "imap",
        161 => "snmp",
        179 => "bgp",
        389 => "ldap",
        443 => "https",
        445 => "microsoft-ds (SMB)",
        514 => "syslog",
        546 => "dhcpv6-client",
        547 => "dhcpv6-server",
        587 => "submission",
        993 => "imaps",
        995 => "pop3s",
        1723 => "pptp",
        1900 => "ssdp",
        3306 => "mysql",
        3389 => "ms-wbt-server (RDP)",
        5353 => "mdns",
        5432 => "postgresql",
        6379 => "redis",
        7007 => "wirepeek echo",
        8080 => "http-alt",
        _ => return None,
    })
}
