//! BOOTP (RFC 951) and DHCP (RFC 2131) on UDP ports 67 and 68: the fixed
//! header, the magic cookie and the options (RFC 2132), the common ones
//! decoded, every one with its type, length and raw value as tshark shows.
//!
//! ```text
//! | op | htype | hlen | hops | xid (4) | secs (2) | flags (2) |
//! | ciaddr | yiaddr | siaddr | giaddr | chaddr (16) | sname (64) |
//! | file (128) | magic cookie 99.130.83.99 | options: code, len, value… |
//! ```

use super::field::{FieldDef, Format::*};
use super::{Ctx, Proto, Value};

crate::fields! {
    TYPE = FieldDef::fixed("dhcp.type", "Message type", 0..1, Dec).spec("RFC 951");
    HW_TYPE = FieldDef::fixed("dhcp.hw.type", "Hardware type", 1..2, Hex(2)).spec("RFC 951");
    HW_LEN = FieldDef::fixed("dhcp.hw.len", "Hardware address length", 2..3, Dec).spec("RFC 951");
    HOPS = FieldDef::fixed("dhcp.hops", "Hops", 3..4, Dec).spec("RFC 951");
    ID = FieldDef::fixed("dhcp.id", "Transaction ID", 4..8, Hex(8)).spec("RFC 951");
    SECS = FieldDef::fixed("dhcp.secs", "Seconds elapsed", 8..10, Dec).spec("RFC 951");
    FLAGS = FieldDef::fixed("dhcp.flags", "Bootp flags", 10..12, Hex(4)).spec("RFC 2131 §2");
    FLAGS_BC = FieldDef::fixed("dhcp.flags.bc", "Broadcast flag", 10..12, Bool).mask(0x8000).spec("RFC 2131 §2");
    FLAGS_RESERVED = FieldDef::fixed("dhcp.flags.reserved", "Reserved flags", 10..12, Hex(4)).mask(0x7fff).spec("RFC 2131 §2");
    IP_CLIENT = FieldDef::fixed("dhcp.ip.client", "Client IP address", 12..16, Ipv4).spec("RFC 951");
    IP_YOUR = FieldDef::fixed("dhcp.ip.your", "Your (client) IP address", 16..20, Ipv4).spec("RFC 951");
    IP_SERVER = FieldDef::fixed("dhcp.ip.server", "Next server IP address", 20..24, Ipv4).spec("RFC 951");
    IP_RELAY = FieldDef::fixed("dhcp.ip.relay", "Relay agent IP address", 24..28, Ipv4).spec("RFC 951");
    HW_MAC_ADDR = FieldDef::var("dhcp.hw.mac_addr", "Client MAC address", Mac).spec("RFC 951");
    HW_ADDR = FieldDef::var("dhcp.hw.addr", "Client hardware address", Bytes).spec("RFC 951");
    HW_ADDR_PADDING = FieldDef::var("dhcp.hw.addr_padding", "Client hardware address padding", Bytes).spec("RFC 951");
    SERVER = FieldDef::fixed("dhcp.server", "Server host name", 44..108, Text).spec("RFC 951");
    FILE = FieldDef::fixed("dhcp.file", "Boot file name", 108..236, Text).spec("RFC 951");
    COOKIE = FieldDef::fixed("dhcp.cookie", "Magic cookie", 236..240, Ipv4).spec("RFC 2131 §3");
    OPTION_TYPE = FieldDef::var("dhcp.option.type", "Option", Dec).spec("RFC 2132 §2");
    OPTION_LENGTH = FieldDef::var("dhcp.option.length", "Length", Dec).spec("RFC 2132 §2");
    OPTION_VALUE = FieldDef::var("dhcp.option.value", "Value", Bytes).spec("RFC 2132 §2");
    OPTION_END = FieldDef::var("dhcp.option.end", "Option End", Dec).spec("RFC 2132 §3.2");
    OPTION_PADDING = FieldDef::var("dhcp.option.padding", "Padding", Bytes).spec("RFC 2132 §3.1");
    OPTION_DHCP = FieldDef::var("dhcp.option.dhcp", "DHCP", Dec).spec("RFC 2132 §9.6");
    SUBNET_MASK = FieldDef::var("dhcp.option.subnet_mask", "Subnet Mask", Ipv4).spec("RFC 2132 §3.3");
    ROUTER = FieldDef::var("dhcp.option.router", "Router", Ipv4).spec("RFC 2132 §3.5");
    DNS = FieldDef::var("dhcp.option.domain_name_server", "Domain Name Server", Ipv4).spec("RFC 2132 §3.8");
    HOSTNAME = FieldDef::var("dhcp.option.hostname", "Host Name", Text).spec("RFC 2132 §3.14");
    DOMAIN_NAME = FieldDef::var("dhcp.option.domain_name", "Domain Name", Text).spec("RFC 2132 §3.17");
    REQUESTED_IP = FieldDef::var("dhcp.option.requested_ip_address", "Requested IP Address", Ipv4).spec("RFC 2132 §9.1");
    LEASE_TIME = FieldDef::var("dhcp.option.ip_address_lease_time", "IP Address Lease Time", Dec).spec("RFC 2132 §9.2");
    SERVER_ID = FieldDef::var("dhcp.option.dhcp_server_id", "DHCP Server Identifier", Ipv4).spec("RFC 2132 §9.7");
    REQUEST_LIST_ITEM = FieldDef::var("dhcp.option.request_list_item", "Parameter Request List Item", Dec).spec("RFC 2132 §9.8");
    RENEWAL_TIME = FieldDef::var("dhcp.option.renewal_time_value", "Renewal Time Value", Dec).spec("RFC 2132 §9.11");
    REBINDING_TIME = FieldDef::var("dhcp.option.rebinding_time_value", "Rebinding Time Value", Dec).spec("RFC 2132 §9.12");
    VENDOR_CLASS_ID = FieldDef::var("dhcp.option.vendor_class_id", "Vendor class identifier", Text).spec("RFC 2132 §9.13");
}

pub const SERVER_PORT: u16 = 67;
pub const CLIENT_PORT: u16 = 68;
/// The fixed header, up to the magic cookie.
pub const HEADER_LEN: usize = 236;
const COOKIE_VALUE: u64 = 0x6382_5363;

/// Decode a BOOTP/DHCP message at `start`; `end` is where the datagram ends.
pub fn dissect(ctx: &mut Ctx, start: usize, end: usize) {
    ctx.bound(end);
    ctx.layer(Proto::Dhcp, start..end.min(ctx.data.len()).max(start));
    ctx.set_pdu(start..end);
    if !ctx.fields_on {
        if ctx.available(start, end) < HEADER_LEN {
            ctx.short_of(Proto::Dhcp, start, HEADER_LEN, end, "header");
        }
        return;
    }
    for def in [
        &TYPE,
        &HW_TYPE,
        &HW_LEN,
        &HOPS,
        &ID,
        &SECS,
        &FLAGS,
        &FLAGS_BC,
        &FLAGS_RESERVED,
    ] {
        ctx.uint(def, start);
    }
    for def in [&IP_CLIENT, &IP_YOUR, &IP_SERVER, &IP_RELAY] {
        ctx.ipv4(def, start);
    }
    let (htype, hlen) = (ctx.u8_at(start + 1), ctx.u8_at(start + 2));
    let chaddr = start + 28;
    if ctx.read(chaddr..chaddr + 16).is_some() {
        if htype == Some(1) && hlen == Some(6) {
            ctx.mac_at(&HW_MAC_ADDR, chaddr);
            ctx.bytes_at(&HW_ADDR_PADDING, chaddr + 6..chaddr + 16);
        } else {
            ctx.bytes_at(&HW_ADDR, chaddr..chaddr + 16);
        }
    }
    for def in [&SERVER, &FILE] {
        let range = def.at(start);
        if let Some(bytes) = ctx
            .data
            .get(range.clone())
            .filter(|_| range.end <= ctx.limit)
        {
            let text = nul_terminated(bytes);
            ctx.value_at(def, range, Value::Text(text.into()));
        }
    }
    if ctx.available(start, end) < HEADER_LEN {
        ctx.short_of(Proto::Dhcp, start, HEADER_LEN, end, "header");
        return;
    }
    if ctx.read(start + 236..start + 240) != Some(COOKIE_VALUE) {
        // Plain BOOTP: vendor-specific bytes, not options.
        return;
    }
    ctx.ipv4(&COOKIE, start);
    options(ctx, start + 240, end.min(ctx.data.len()));
}

/// The options from `at` to `end` (captured bytes only); each takes one
/// byte or more, so the loop is bounded by the message.
fn options(ctx: &mut Ctx, mut at: usize, end: usize) {
    while at < end {
        let Some(code) = ctx.u8_at(at) else {
            return;
        };
        match code {
            255 => {
                // tshark 4 shows the End option's type as 0, which its
                // byte (255) does not say: given as a worked-out value.
                ctx.generated(&OPTION_TYPE, Value::UInt(0));
                ctx.uint_at(&OPTION_END, at..at + 1);
                ctx.nest(1);
                if at + 1 < end {
                    ctx.bytes_at(&OPTION_PADDING, at + 1..end);
                }
                return;
            }
            0 => {
                ctx.bytes_at(&OPTION_PADDING, at..at + 1);
                at += 1;
                continue;
            }
            _ => {}
        }
        let Some(len) = ctx.u8_at(at + 1) else {
            ctx.short_of(Proto::Dhcp, at, 2, end, "option");
            return;
        };
        let value = at + 2..at + 2 + usize::from(len);
        if value.end > end {
            ctx.uint_at(&OPTION_TYPE, at..at + 1);
            ctx.uint_at(&OPTION_LENGTH, at + 1..at + 2);
            ctx.nest(1);
            ctx.short_of(
                Proto::Dhcp,
                at,
                2 + usize::from(len),
                ctx.d.layers.last().map_or(end, |l| l.pdu.end),
                "option",
            );
            return;
        }
        ctx.uint_at(&OPTION_TYPE, at..at + 1);
        ctx.uint_at(&OPTION_LENGTH, at + 1..at + 2);
        ctx.nest(1);
        ctx.bytes_at(&OPTION_VALUE, value.clone());
        ctx.nest(1);
        option_value(ctx, code, value.clone());
        at = value.end;
    }
}

/// The decoded value of the options this file knows.
fn option_value(ctx: &mut Ctx, code: u8, v: std::ops::Range<usize>) {
    let len = v.len();
    let addrs = |ctx: &mut Ctx, def: &'static FieldDef| {
        for a in (v.start..v.end).step_by(4).take_while(|a| a + 4 <= v.end) {
            ctx.ipv4_at(def, a);
            ctx.nest(1);
        }
    };
    match code {
        1 if len == 4 => addrs(ctx, &SUBNET_MASK),
        3 => addrs(ctx, &ROUTER),
        6 => addrs(ctx, &DNS),
        50 if len == 4 => addrs(ctx, &REQUESTED_IP),
        54 if len == 4 => addrs(ctx, &SERVER_ID),
        12 | 15 | 60 => {
            let def = match code {
                12 => &HOSTNAME,
                15 => &DOMAIN_NAME,
                _ => &VENDOR_CLASS_ID,
            };
            if let Some(bytes) = ctx.data.get(v.clone()) {
                let text = nul_terminated(bytes);
                ctx.value_at(def, v, Value::Text(text.into()));
                ctx.nest(1);
            }
        }
        51 | 58 | 59 if len == 4 => {
            let def = match code {
                51 => &LEASE_TIME,
                58 => &RENEWAL_TIME,
                _ => &REBINDING_TIME,
            };
            ctx.uint_at(def, v);
            ctx.nest(1);
        }
        53 if len == 1 => {
            if let Some(kind) = ctx.uint_at(&OPTION_DHCP, v) {
                ctx.meaning(message_type_name(kind as u8));
                ctx.nest(1);
            }
        }
        55 => {
            for a in v {
                ctx.uint_at(&REQUEST_LIST_ITEM, a..a + 1);
                ctx.nest(1);
            }
        }
        61 if len == 7 && ctx.u8_at(v.start) == Some(1) => {
            ctx.uint_at(&HW_TYPE, v.start..v.start + 1);
            ctx.nest(1);
            ctx.mac_at(&HW_MAC_ADDR, v.start + 1);
            ctx.nest(1);
        }
        _ => {}
    }
}

/// Text up to the first NUL, non-UTF-8 bytes replaced.
fn nul_terminated(bytes: &[u8]) -> String {
    let n = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..n]).into_owned()
}

/// RFC 2132 §9.6's message types.
pub fn message_type_name(kind: u8) -> &'static str {
    match kind {
        1 => "Discover",
        2 => "Offer",
        3 => "Request",
        4 => "Decline",
        5 => "ACK",
        6 => "NAK",
        7 => "Release",
        8 => "Inform",
        _ => "Unknown",
    }
}

/// The message type option's value in a decoded DHCP layer, if any.
pub fn message_type(data: &[u8], start: usize, end: usize) -> Option<u8> {
    let mut at = start + 240;
    let end = end.min(data.len());
    while at + 1 < end {
        match data[at] {
            0 => at += 1,
            255 => return None,
            53 => return data.get(at + 2).copied(),
            _ => at += 2 + usize::from(data[at + 1]),
        }
    }
    None
}
