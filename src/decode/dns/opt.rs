//! EDNS options in an OPT record's data (RFC 6891 §6.1.2) and the service
//! parameters of SVCB and HTTPS records (RFC 9460 §2.2).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::super::field::{FieldDef, Format::*};
use super::super::{Ctx, Value};
use super::name_field;

crate::fields! {
    OPT_CODE = FieldDef::var("dns.opt.code", "Option Code", Dec).spec("RFC 6891 §6.1.2");
    OPT_LEN = FieldDef::var("dns.opt.len", "Option Length", Dec).spec("RFC 6891 §6.1.2");
    OPT_DATA = FieldDef::var("dns.opt.data", "Option Data", Bytes).spec("RFC 6891 §6.1.2");
    OPT_DAU = FieldDef::var("dns.opt.dau", "DAU", Dec).spec("RFC 6975 §3");
    OPT_DHU = FieldDef::var("dns.opt.dhu", "DHU", Dec).spec("RFC 6975 §3");
    OPT_N3U = FieldDef::var("dns.opt.n3u", "N3U", Dec).spec("RFC 6975 §3");
    CLIENT_FAMILY = FieldDef::var("dns.opt.client.family", "Family", Dec).spec("RFC 7871 §6");
    CLIENT_NETMASK = FieldDef::var("dns.opt.client.netmask", "Source Netmask", Dec).spec("RFC 7871 §6");
    CLIENT_SCOPE = FieldDef::var("dns.opt.client.scope", "Scope Netmask", Dec).spec("RFC 7871 §6");
    CLIENT_ADDR4 = FieldDef::var("dns.opt.client.addr4", "Client Subnet", Ipv4).spec("RFC 7871 §6");
    CLIENT_ADDR6 = FieldDef::var("dns.opt.client.addr6", "Client Subnet", Ipv6).spec("RFC 7871 §6");
    COOKIE_CLIENT = FieldDef::var("dns.opt.cookie.client", "Client Cookie", Bytes).spec("RFC 7873 §4");
    COOKIE_SERVER = FieldDef::var("dns.opt.cookie.server", "Server Cookie", Bytes).spec("RFC 7873 §4");
    KEEPALIVE_TIMEOUT = FieldDef::var("dns.opt.edns_tcp_keepalive.timeout", "Timeout", Dec).spec("RFC 7828 §3.1");
    PADDING = FieldDef::var("dns.opt.padding", "Padding", Bytes).spec("RFC 7830 §3");
    CHAIN_FQDN = FieldDef::var("dns.opt.chain.fqdn", "Closest Trust Point", Text).spec("RFC 7901 §4");
    SVCPRIORITY = FieldDef::var("dns.svcb.svcpriority", "SvcPriority", Dec).spec("RFC 9460 §2.2");
    TARGETNAME = FieldDef::var("dns.svcb.targetname", "TargetName", Text).spec("RFC 9460 §2.2");
    SVCPARAM_KEY = FieldDef::var("dns.svcb.svcparam.key", "SvcParamKey", Dec).spec("RFC 9460 §2.2");
    SVCPARAM_LEN = FieldDef::var("dns.svcb.svcparam.value.length", "SvcParamValue length", Dec).spec("RFC 9460 §2.2");
    SVCPARAM_VALUE = FieldDef::var("dns.svcb.svcparam.value", "SvcParamValue", Bytes).spec("RFC 9460 §2.2");
    MANDATORY_KEY = FieldDef::var("dns.svcb.svcparam.mandatory.key", "Mandatory key", Dec).spec("RFC 9460 §8");
    ALPN_LENGTH = FieldDef::var("dns.svcb.svcparam.alpn.length", "ALPN length", Dec).spec("RFC 9460 §7.1");
    ALPN = FieldDef::var("dns.svcb.svcparam.alpn", "ALPN", Text).spec("RFC 9460 §7.1");
    PORT = FieldDef::var("dns.svcb.svcparam.port", "Port", Dec).spec("RFC 9460 §7.2");
    IPV4HINT = FieldDef::var("dns.svcb.svcparam.ipv4hint.ip", "IP", Ipv4).spec("RFC 9460 §7.3");
    IPV6HINT = FieldDef::var("dns.svcb.svcparam.ipv6hint.ip", "IP", Ipv6).spec("RFC 9460 §7.3");
    ECHCONFIG = FieldDef::var("dns.svcb.svcparam.echconfig", "ECHConfig", Bytes).spec("RFC 9460 §9");
}

fn be16(msg: &[u8], at: usize) -> usize {
    usize::from(msg[at]) << 8 | usize::from(msg[at + 1])
}

/// The options of an OPT record, `rd..stop` of the message.
pub(super) fn options(ctx: &mut Ctx, msg: &[u8], base: usize, rd: usize, stop: usize) {
    let abs = |o: usize, n: usize| base + o..base + o + n;
    let mut p = rd;
    while p + 4 <= stop {
        let code = be16(msg, p);
        let len = be16(msg, p + 2);
        ctx.uint_at(&OPT_CODE, abs(p, 2));
        ctx.uint_at(&OPT_LEN, abs(p + 2, 2));
        let d = p + 4;
        if d + len > stop {
            let proto = ctx.d.top_proto();
            ctx.malformed(
                proto,
                base + p,
                format!(
                    "EDNS option {code} says {len} bytes but its record leaves {}",
                    stop - d
                ),
            );
            return;
        }
        ctx.bytes_at(&OPT_DATA, abs(d, len));
        match code {
            5..=7 => {
                let def = [&OPT_DAU, &OPT_DHU, &OPT_N3U][code - 5];
                for i in 0..len {
                    ctx.uint_at(def, abs(d + i, 1));
                }
            }
            8 if len >= 4 => {
                let family = be16(msg, d);
                ctx.uint_at(&CLIENT_FAMILY, abs(d, 2));
                ctx.uint_at(&CLIENT_NETMASK, abs(d + 2, 1));
                ctx.uint_at(&CLIENT_SCOPE, abs(d + 3, 1));
                let addr = &msg[d + 4..d + len];
                let range = abs(d + 4, len - 4);
                match family {
                    1 if addr.len() == 4 => {
                        ctx.ipv4_at(&CLIENT_ADDR4, base + d + 4);
                    }
                    2 if addr.len() == 16 => {
                        ctx.ipv6_at(&CLIENT_ADDR6, base + d + 4);
                    }
                    // A prefix shorter than the address: tshark pads it with
                    // zeros (RFC 7871 §6 sends only the prefix's bytes).
                    1 if addr.len() < 4 => {
                        let mut b = [0u8; 4];
                        b[..addr.len()].copy_from_slice(addr);
                        let text = Ipv4Addr::from(b).to_string();
                        ctx.value_at(&CLIENT_ADDR4, range, Value::Text(text.into()));
                    }
                    2 if addr.len() < 16 => {
                        let mut b = [0u8; 16];
                        b[..addr.len()].copy_from_slice(addr);
                        let text = Ipv6Addr::from(b).to_string();
                        ctx.value_at(&CLIENT_ADDR6, range, Value::Text(text.into()));
                    }
                    _ => {}
                }
            }
            10 if len >= 8 => {
                ctx.bytes_at(&COOKIE_CLIENT, abs(d, 8));
                ctx.bytes_at(&COOKIE_SERVER, abs(d + 8, len - 8));
            }
            11 if len == 2 => {
                ctx.uint_at(&KEEPALIVE_TIMEOUT, abs(d, 2));
            }
            12 => ctx.bytes_at(&PADDING, abs(d, len)),
            13 if len > 0 => {
                name_field(ctx, &CHAIN_FQDN, &msg[..d + len], base, d);
            }
            _ => {}
        }
        p = d + len;
    }
}

/// SVCB and HTTPS data, `rd..stop` of the message: priority, target name
/// and the parameters.
pub(super) fn svcb(ctx: &mut Ctx, msg: &[u8], base: usize, rd: usize, stop: usize) {
    let abs = |o: usize, n: usize| base + o..base + o + n;
    if rd + 3 > stop {
        return;
    }
    ctx.uint_at(&SVCPRIORITY, abs(rd, 2));
    let Some(target) = name_field(ctx, &TARGETNAME, &msg[..stop], base, rd + 2) else {
        return;
    };
    let mut p = rd + 2 + target.len;
    while p + 4 <= stop {
        let key = be16(msg, p);
        let len = be16(msg, p + 2);
        ctx.uint_at(&SVCPARAM_KEY, abs(p, 2));
        ctx.uint_at(&SVCPARAM_LEN, abs(p + 2, 2));
        let d = p + 4;
        if d + len > stop {
            return;
        }
        match key {
            0 => {
                for i in (0..len / 2 * 2).step_by(2) {
                    ctx.uint_at(&MANDATORY_KEY, abs(d + i, 2));
                }
            }
            1 => {
                let mut q = d;
                while q < d + len {
                    let n = usize::from(msg[q]);
                    ctx.uint_at(&ALPN_LENGTH, abs(q, 1));
                    let end = (q + 1 + n).min(d + len);
                    let text = String::from_utf8_lossy(&msg[q + 1..end]).into_owned();
                    ctx.value_at(&ALPN, abs(q + 1, end - q - 1), Value::Text(text.into()));
                    q = q + 1 + n;
                }
            }
            3 if len == 2 => {
                ctx.uint_at(&PORT, abs(d, 2));
            }
            4 => {
                for i in (0..len / 4 * 4).step_by(4) {
                    ctx.ipv4_at(&IPV4HINT, base + d + i);
                }
            }
            5 => ctx.bytes_at(&ECHCONFIG, abs(d, len)),
            6 => {
                for i in (0..len / 16 * 16).step_by(16) {
                    ctx.ipv6_at(&IPV6HINT, base + d + i);
                }
            }
            _ => ctx.bytes_at(&SVCPARAM_VALUE, abs(d, len)),
        }
        p = d + len;
    }
}
