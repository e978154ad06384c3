//! The glossary's DHCP (BOOTP header and options) sentences (RFC 951,
//! RFC 2131, RFC 2132).

use super::*;
use crate::decode::dhcp;

fn ip_use(c: &Cx, what: &str) -> (String, &'static str) {
    let zero = c.text == "0.0.0.0";
    (
        format!(
            "{} {}: {what}{}",
            c.f.name,
            c.text,
            if zero { " (0.0.0.0: none here)." } else { "." }
        ),
        spec(c),
    )
}

/// BOOTP header and DHCP options.
pub(super) const TABLE: &[Entry] = &[
    (&[&dhcp::TYPE], |c| {
        (
            format!(
                "Op {} ({}): BOOTP's own direction, kept by DHCP; the DHCP message type is in option 53.",
                c.n,
                if c.n == 1 {
                    "Boot Request, from a client"
                } else {
                    "Boot Reply, from a server"
                }
            ),
            spec(c),
        )
    }),
    (&[&dhcp::HW_TYPE], |c| {
        (
            format!(
                "Hardware type 0x{:02x}{}: the kind of link the client is on.",
                c.n,
                if c.n == 1 { " (Ethernet)" } else { "" }
            ),
            spec(c),
        )
    }),
    (&[&dhcp::HW_LEN], |c| {
        (
            format!("Hardware address length {}: 6 for a MAC address.", c.n),
            spec(c),
        )
    }),
    (&[&dhcp::HOPS], |c| {
        (
            format!(
                "Hops {}: relay agents add one each time they forward the message.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dhcp::ID], |c| {
        (
            format!(
                "Transaction ID 0x{:08x}: the client's random number, copied into replies, so a client matches offers to its own request.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dhcp::SECS], |c| {
        (
            format!(
                "Seconds {}: time since the client began trying to get an address.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dhcp::FLAGS], |c| {
        (
            format!("Flags 0x{:04x}: only the top bit is defined.", c.n),
            spec(c),
        )
    }),
    (&[&dhcp::FLAGS_BC], |c| {
        (
            format!(
                "Broadcast flag {}: {}",
                c.n,
                if c.n == 1 {
                    "the client cannot take unicast before it has an address, so the server must broadcast its reply."
                } else {
                    "the server may send its reply by unicast to the offered address."
                }
            ),
            spec(c),
        )
    }),
    (&[&dhcp::FLAGS_RESERVED], |c| {
        (format!("Reserved flags 0x{:04x}: must be 0.", c.n), spec(c))
    }),
    (&[&dhcp::IP_CLIENT], |c| {
        ip_use(c, "the address the client already has, when renewing")
    }),
    (&[&dhcp::IP_YOUR], |c| {
        ip_use(c, "the address the server offers or assigns to the client")
    }),
    (&[&dhcp::IP_SERVER], |c| {
        ip_use(c, "the server to use next, for network boot")
    }),
    (&[&dhcp::IP_RELAY], |c| {
        ip_use(
            c,
            "the relay agent that forwarded this message from another subnet",
        )
    }),
    (&[&dhcp::HW_MAC_ADDR], |c| {
        (
            format!(
                "Client MAC address {}: who the client is; servers key leases by it.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&dhcp::HW_ADDR], |c| {
        (
            format!(
                "Client hardware address, {} bytes, of a non-Ethernet link.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&dhcp::HW_ADDR_PADDING], |c| {
        (
            format!(
                "Padding, {} bytes: the 16-byte chaddr field minus the address.",
                c.len
            ),
            spec(c),
        )
    }),
    (&[&dhcp::SERVER], |c| {
        (
            format!(
                "Server host name {}: 64 bytes, almost always empty now (options carry such things).",
                if c.text.is_empty() { "(empty)" } else { c.text }
            ),
            spec(c),
        )
    }),
    (&[&dhcp::FILE], |c| {
        (
            format!(
                "Boot file name {}: what a network-booting client should load.",
                if c.text.is_empty() { "(empty)" } else { c.text }
            ),
            spec(c),
        )
    }),
    (&[&dhcp::COOKIE], |c| {
        (
            format!(
                "Magic cookie {}: the bytes 99.130.83.99 say DHCP options follow (plain BOOTP had vendor data here).",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&dhcp::OPTION_TYPE], |c| {
        (
            format!(
                "Option {}: the code of an option, each a code, a length and a value.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dhcp::OPTION_LENGTH], |c| {
        (format!("Length {}: bytes of option value.", c.n), spec(c))
    }),
    (&[&dhcp::OPTION_VALUE], |c| {
        (format!("Value, {} bytes: {}.", c.len, shown(c)), spec(c))
    }),
    (&[&dhcp::OPTION_END], |c| {
        (format!("End option ({}): the last option.", c.n), spec(c))
    }),
    (&[&dhcp::OPTION_PADDING], |c| {
        (
            format!("Padding, {} bytes of option 0 after the end.", c.len),
            spec(c),
        )
    }),
    (&[&dhcp::OPTION_DHCP], |c| {
        let what = match c.n {
            1 => "the client looks for servers",
            2 => "a server offers an address",
            3 => "the client asks for the offered (or its old) address",
            4 => "the client found the address already in use",
            5 => "the server confirms: the address is the client's for the lease time",
            6 => "the server refuses",
            7 => "the client gives the address back",
            8 => "the client has an address and asks only for settings",
            _ => "a less common message",
        };
        (
            format!(
                "DHCP message type {} ({}): {what}. Discover, Offer, Request, Ack is the usual four-step exchange (DORA).",
                c.n,
                dhcp::message_type_name(c.n as u8)
            ),
            spec(c),
        )
    }),
    (&[&dhcp::SUBNET_MASK], |c| {
        (
            format!(
                "Subnet mask {}: which addresses are on the client's own link.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&dhcp::ROUTER], |c| {
        (
            format!(
                "Router {}: the default gateway for traffic off the link.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&dhcp::DNS], |c| {
        (
            format!(
                "DNS server {}: where the client sends its DNS queries.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&dhcp::HOSTNAME], |c| {
        (
            format!("Host name {}: the client's name for itself.", c.text),
            spec(c),
        )
    }),
    (&[&dhcp::DOMAIN_NAME], |c| {
        (
            format!(
                "Domain name {}: the suffix for the client's unqualified names.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&dhcp::REQUESTED_IP], |c| {
        (
            format!(
                "Requested address {}: the address the client asks for.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&dhcp::LEASE_TIME], |c| {
        (
            format!(
                "Lease time {} s: how long the client may use the address.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dhcp::SERVER_ID], |c| {
        (
            format!(
                "Server identifier {}: which server made the offer; a Request names it to accept that offer.",
                c.text
            ),
            spec(c),
        )
    }),
    (&[&dhcp::REQUEST_LIST_ITEM], |c| {
        (
            format!(
                "Requested option {}: a setting the client wants in the reply.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dhcp::RENEWAL_TIME], |c| {
        (
            format!(
                "Renewal time T1 {} s: when to ask the same server to extend the lease.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dhcp::REBINDING_TIME], |c| {
        (
            format!(
                "Rebinding time T2 {} s: when to ask any server, if renewal failed.",
                c.n
            ),
            spec(c),
        )
    }),
    (&[&dhcp::VENDOR_CLASS_ID], |c| {
        (
            format!(
                "Vendor class {}: the client's kind (an OS or device), so servers can answer by type.",
                c.text
            ),
            spec(c),
        )
    }),
];
