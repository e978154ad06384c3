//! Network interfaces of this host: listing them for `wirepeek interfaces`,
//! choosing the default capture interface, and looking one up by name for a
//! live capture (index and link type from `/sys/class/net`).
//!
//! Reads only; holds no `unsafe` and must not import decoding or output code.

use std::io::Write;
use std::net::IpAddr;

use super::CaptureError;
use crate::frame::LinkType;

/// Where Linux publishes per-interface attributes.
const SYS_NET: &str = "/sys/class/net";

/// ARPHRD_ values (linux/if_arp.h) that decide how frames start.
const ARPHRD_ETHER: u16 = 1;
const ARPHRD_LOOPBACK: u16 = 772;
const ARPHRD_NONE: u16 = 65534;
/// Not a kernel hardware type: the `any` pseudo-interface (all of them).
pub const ARPHRD_ANY: u16 = 0xffff;

/// One address assigned to an interface, with its prefix length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceAddr {
    pub addr: IpAddr,
    pub prefix: u8,
}

/// What the host says about one network interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// Kernel ifindex (what live frames carry in `FrameRecord::iface`).
    pub index: u32,
    pub name: String,
    /// Hardware address; None for interfaces without one (tun, wireguard).
    pub mac: Option<[u8; 6]>,
    pub addresses: Vec<InterfaceAddr>,
    /// Administratively up (IFF_UP).
    pub up: bool,
    /// Has carrier and is passing traffic (IFF_RUNNING).
    pub running: bool,
    pub loopback: bool,
    /// None when `/sys/class/net/IF/mtu` could not be read.
    pub mtu: Option<u32>,
    /// The link type a live capture on this interface produces, None when
    /// the interface's hardware type could not be read.
    pub link: Option<LinkType>,
}

/// Lists every interface of this network namespace, ordered by index.
pub fn list() -> Result<Vec<InterfaceInfo>, CaptureError> {
    let mut list: Vec<InterfaceInfo> = pnet_datalink::interfaces()
        .into_iter()
        .map(|nic| InterfaceInfo {
            index: nic.index,
            mac: nic
                .mac
                .filter(|mac| !mac.is_zero() || !nic.is_loopback())
                .map(|mac| mac.octets()),
            addresses: nic
                .ips
                .iter()
                .map(|net| InterfaceAddr {
                    addr: net.ip(),
                    prefix: net.prefix(),
                })
                .collect(),
            up: nic.is_up(),
            running: nic.is_running(),
            loopback: nic.is_loopback(),
            mtu: read_sys_u32(&nic.name, "mtu"),
            link: hardware_type(&nic.name).map(link_type_for_arphrd),
            // pnet builds the name with from_utf8_unchecked; a name is any
            // bytes but '/' and NUL, so check it before treating it as text.
            name: match String::from_utf8(nic.name.into_bytes()) {
                Ok(name) => name,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            },
        })
        .collect();
    if list.is_empty() {
        return Err(CaptureError::Other(
            "no network interfaces found (is /sys mounted?)".to_string(),
        ));
    }
    list.sort_by_key(|info| info.index);
    Ok(list)
}

/// Picks the interface to capture on when none is named: the first one that
/// is up, not loopback and has an address (as tcpdump does), else `lo`.
pub fn default_interface(list: &[InterfaceInfo]) -> String {
    list.iter()
        .find(|info| info.up && !info.loopback && !info.addresses.is_empty())
        .map(|info| info.name.clone())
        .unwrap_or_else(|| "lo".to_string())
}

/// An interface name made safe to print: a Linux name may hold any byte
/// but '/' and NUL, escape sequences included, so control characters (C0,
/// DEL, C1), bidi and line-separator controls are written as `\xNN` (their
/// UTF-8 bytes) and a backslash as `\\`, which keeps the output
/// unambiguous. Use it wherever a name reaches a terminal ("listening on").
pub fn escape_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let unsafe_char = c.is_control()
            || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c == '\\' {
            out.push_str("\\\\");
        } else if unsafe_char {
            let mut utf8 = [0u8; 4];
            for byte in c.encode_utf8(&mut utf8).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes the `wirepeek interfaces` table, marking the default with `*`.
/// Names are printed through [`escape_name`].
pub fn render(list: &[InterfaceInfo], out: &mut dyn Write) -> std::io::Result<()> {
    let default = default_interface(list);
    let names: Vec<String> = list.iter().map(|info| escape_name(&info.name)).collect();
    let name_width = names
        .iter()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(
        out,
        "  {:>5}  {:<name_width$}  {:<13}  {:>5}  {:<17}  {:<12}  ADDRESSES",
        "INDEX", "NAME", "STATE", "MTU", "MAC", "LINK"
    )?;
    for (info, name) in list.iter().zip(&names) {
        let marker = if info.name == default { '*' } else { ' ' };
        let mut state = vec![if info.up { "up" } else { "down" }];
        if info.up && !info.running {
            state.push("no-carrier");
        }
        if info.loopback {
            state.push("loopback");
        }
        let mtu = info.mtu.map_or_else(|| "-".to_string(), |m| m.to_string());
        let mac = info.mac.map_or_else(|| "-".to_string(), |m| format_mac(&m));
        let link = info.link.map_or("-", link_short_name);
        let addresses = if info.addresses.is_empty() {
            "-".to_string()
        } else {
            info.addresses
                .iter()
                .map(|a| format!("{}/{}", a.addr, a.prefix))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            out,
            "{marker} {:>5}  {:<name_width$}  {:<13}  {:>5}  {:<17}  {:<12}  {addresses}",
            info.index,
            name,
            state.join(","),
            mtu,
            mac,
            link,
        )?;
    }
    writeln!(
        out,
        "* = default capture interface ({})",
        escape_name(&default)
    )
}

/// Formats a MAC address as six colon-separated lowercase hex pairs.
pub fn format_mac(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Short link-type names for the interface table, where width is scarce.
fn link_short_name(link: LinkType) -> &'static str {
    match link {
        LinkType::ETHERNET => "ethernet",
        LinkType::RAW => "raw-ip",
        LinkType::LINUX_SLL => "linux-sll",
        _ => "other",
    }
}

/// The link type a live capture gets from an interface of this ARPHRD
/// hardware type: Ethernet and loopback frames start with an Ethernet
/// header, ARPHRD_NONE (tun, wireguard) with the IP header; anything else is
/// given a Linux cooked (SLL) header built from the packet's metadata.
pub fn link_type_for_arphrd(arphrd: u16) -> LinkType {
    match arphrd {
        ARPHRD_ETHER | ARPHRD_LOOPBACK => LinkType::ETHERNET,
        ARPHRD_NONE => LinkType::RAW,
        // Every interface at once: each frame's link header differs, so
        // each gets a Linux cooked v2 header naming its interface.
        ARPHRD_ANY => LinkType::LINUX_SLL2,
        _ => LinkType::LINUX_SLL,
    }
}

/// An interface a live capture can bind to, as `/sys/class/net` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureTarget {
    pub name: String,
    pub index: u32,
    /// ARPHRD_ hardware type.
    pub arphrd: u16,
    pub loopback: bool,
}

/// Looks up an interface by name for capturing; the error for an unknown
/// name lists the interfaces that do exist.
pub fn capture_target(name: &str) -> Result<CaptureTarget, CaptureError> {
    if name == "any" && read_sys_u32("any", "ifindex").is_none() {
        // tcpdump's `any`: bound to interface index 0, every interface.
        return Ok(CaptureTarget {
            name: name.to_string(),
            index: 0,
            arphrd: ARPHRD_ANY,
            loopback: false,
        });
    }
    // A name with a slash or a dot-path would escape /sys/class/net.
    let plausible = !name.is_empty() && !name.contains('/') && name != "." && name != "..";
    let found = if plausible {
        read_sys_u32(name, "ifindex").zip(hardware_type(name))
    } else {
        None
    };
    match found {
        Some((index, arphrd)) => Ok(CaptureTarget {
            name: name.to_string(),
            index,
            arphrd,
            loopback: arphrd == ARPHRD_LOOPBACK,
        }),
        None => Err(CaptureError::Other(unknown_interface_message(
            name,
            &interface_names(),
        ))),
    }
}

/// The message for a capture on an interface that does not exist.
pub fn unknown_interface_message(name: &str, existing: &[String]) -> String {
    let name = escape_name(name);
    let existing: Vec<String> = existing.iter().map(|n| escape_name(n)).collect();
    if existing.is_empty() {
        format!("no interface named '{name}', and no interfaces were found")
    } else {
        format!(
            "no interface named '{name}'; interfaces here: {} (see `wirepeek interfaces`)",
            existing.join(", ")
        )
    }
}

/// Names under /sys/class/net, sorted; empty when it cannot be read.
fn interface_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(SYS_NET)
        .map(|dir| {
            dir.filter_map(|entry| entry.ok())
                .filter_map(|entry| entry.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn hardware_type(name: &str) -> Option<u16> {
    read_sys_u32(name, "type").and_then(|t| u16::try_from(t).ok())
}

fn read_sys_u32(name: &str, attribute: &str) -> Option<u32> {
    std::fs::read_to_string(format!("{SYS_NET}/{name}/{attribute}"))
        .ok()
        .and_then(|text| text.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, index: u32, up: bool, loopback: bool, addrs: &[&str]) -> InterfaceInfo {
        InterfaceInfo {
            index,
            name: name.to_string(),
            mac: Some([0x02, 0, 0, 0, 0, index as u8]),
            addresses: addrs
                .iter()
                .map(|a| InterfaceAddr {
                    addr: a.parse().expect("test address"),
                    prefix: 24,
                })
                .collect(),
            up,
            running: up,
            loopback,
            mtu: Some(1500),
            link: Some(LinkType::ETHERNET),
        }
    }

    #[test]
    fn default_is_first_up_non_loopback_interface_with_an_address() {
        let list = vec![
            info("lo", 1, true, true, &["127.0.0.1"]),
            info("eth0", 2, false, false, &["192.0.2.1"]),
            info("eth1", 3, true, false, &[]),
            info("eth2", 4, true, false, &["192.0.2.2"]),
            info("eth3", 5, true, false, &["192.0.2.3"]),
        ];
        assert_eq!(default_interface(&list), "eth2");
    }

    #[test]
    fn default_falls_back_to_lo_when_nothing_else_qualifies() {
        let list = vec![
            info("lo", 1, true, true, &["127.0.0.1"]),
            info("eth0", 2, false, false, &["192.0.2.1"]),
        ];
        assert_eq!(default_interface(&list), "lo");
    }

    #[test]
    fn render_marks_the_default_and_shows_addresses_with_prefix() {
        let list = vec![
            info("lo", 1, true, true, &["127.0.0.1"]),
            info("eth0", 2, true, false, &["192.0.2.1"]),
        ];
        let mut out = Vec::new();
        render(&list, &mut out).expect("render to memory");
        let text = String::from_utf8(out).expect("utf-8");
        let eth0 = text.lines().find(|l| l.contains("eth0")).expect("eth0 row");
        assert!(eth0.starts_with('*'), "{text}");
        assert!(eth0.contains("192.0.2.1/24"), "{text}");
        assert!(eth0.contains("02:00:00:00:00:02"), "{text}");
        let lo = text.lines().find(|l| l.contains(" lo ")).expect("lo row");
        assert!(lo.starts_with(' ') && lo.contains("loopback"), "{text}");
    }

    #[test]
    fn interface_names_are_escaped_in_the_listing() {
        let hostile = "\x1b[31mx\x07\u{9b}\u{202e}a\\b";
        assert_eq!(
            escape_name(hostile),
            "\\x1b[31mx\\x07\\xc2\\x9b\\xe2\\x80\\xaea\\\\b"
        );
        assert_eq!(escape_name("enp0s31f6.100@eth0"), "enp0s31f6.100@eth0");
        let list = vec![
            info("lo", 1, true, true, &["127.0.0.1"]),
            info(hostile, 2, true, false, &["192.0.2.1"]),
        ];
        let mut out = Vec::new();
        render(&list, &mut out).expect("render to memory");
        assert!(
            !out.iter().any(|b| b.is_ascii_control() && *b != b'\n'),
            "{out:?}"
        );
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains(&escape_name(hostile)), "{text}");
        let message = unknown_interface_message("\x1b]0;t\x07", &[hostile.to_string()]);
        assert!(!message.chars().any(char::is_control), "{message}");
    }

    #[test]
    fn arphrd_types_map_to_link_types() {
        assert_eq!(link_type_for_arphrd(1), LinkType::ETHERNET);
        assert_eq!(link_type_for_arphrd(772), LinkType::ETHERNET);
        assert_eq!(link_type_for_arphrd(65534), LinkType::RAW);
        assert_eq!(link_type_for_arphrd(778), LinkType::LINUX_SLL);
    }

    #[test]
    fn unknown_interface_message_lists_existing_interfaces() {
        let msg = unknown_interface_message("eht0", &["eth0".to_string(), "lo".to_string()]);
        assert_eq!(
            msg,
            "no interface named 'eht0'; interfaces here: eth0, lo (see `wirepeek interfaces`)"
        );
    }

    #[test]
    fn capture_target_rejects_names_that_escape_sys_class_net() {
        let err = capture_target("../lo").expect_err("path-like name");
        assert!(err.to_string().contains("no interface named '../lo'"));
    }

    #[test]
    fn this_host_lists_lo_as_loopback() {
        let list = list().expect("interfaces");
        let lo = list.iter().find(|i| i.name == "lo").expect("lo exists");
        assert!(lo.loopback);
        assert_eq!(lo.link, Some(LinkType::ETHERNET));
        assert!(lo.mtu.is_some());
    }
}
