//! Host, network and port primitives: what an address or port value means
//! under its qualifiers, with tcpdump's checks (no host bits set in a
//! network, mask lengths, which protocols a qualifier allows).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::ast::{PrimKind, Transports};
use super::lex::Token;
use super::names::{QProto, qproto_name};
use super::parse::{Parser, Qual, R};

impl Parser {
    pub(super) fn host4(&self, q: Qual, addr: u32, mask: u32, col: usize) -> R<PrimKind> {
        let (ip, arp, rarp) = match q.proto {
            None => (true, true, true),
            Some(QProto::Ip) => (true, false, false),
            Some(QProto::Arp) => (false, true, false),
            Some(QProto::Rarp) => (false, false, true),
            Some(p) => {
                return Err(self.err(
                    format!("'{}' modifier applied to host", qproto_name(p)),
                    col,
                ));
            }
        };
        Ok(PrimKind::Host4 {
            addr,
            mask,
            dir: q.dir,
            ip,
            arp,
            rarp,
        })
    }

    pub(super) fn host6(&self, q: Qual, addr: Ipv6Addr, prefix: u32, col: usize) -> R<PrimKind> {
        match q.proto {
            None | Some(QProto::Ip6) => {}
            Some(p) => {
                return Err(self.err(
                    format!("'{}' modifier applied to IPv6 address", qproto_name(p)),
                    col,
                ));
            }
        }
        let bits = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
        let addr = addr.octets();
        let mask = bits.to_be_bytes();
        if addr.iter().zip(mask).any(|(a, m)| a & !m != 0) {
            return Err(self.err("non-network bits set in IPv6 address", col));
        }
        Ok(PrimKind::Host6 {
            addr,
            mask,
            dir: q.dir,
        })
    }

    pub(super) fn net(&mut self, q: Qual, t: &Token) -> R<PrimKind> {
        let v = t.text.to_ascii_lowercase();
        let col = t.col;
        if self.peek_sym(0) == Some("/") {
            self.pos += 1;
            let len = self.number_arg("/")?;
            if let Ok(a) = v.parse::<Ipv6Addr>() {
                if len > 128 {
                    return Err(self.err(format!("mask length must be <= 128, not {len}"), col));
                }
                return self.host6(q, a, len, col);
            }
            let (addr, _) = self.partial_ipv4(&v, col)?;
            if len > 32 {
                return Err(self.err(format!("mask length must be <= 32, not {len}"), col));
            }
            let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
            return self.checked_net(q, addr, mask, col);
        }
        if self.peek_word(0).as_deref() == Some("mask") {
            self.pos += 1;
            let (addr, _) = self.partial_ipv4(&v, col)?;
            let m = self.next();
            let mask = m
                .as_ref()
                .and_then(|m| m.text.parse::<Ipv4Addr>().ok())
                .ok_or_else(|| {
                    self.err(
                        "'mask' needs an IPv4 netmask",
                        m.map_or(self.end_col(), |m| m.col),
                    )
                })?;
            return self.checked_net(q, addr, u32::from(mask), col);
        }
        if let Ok(a) = v.parse::<Ipv6Addr>() {
            return self.host6(q, a, 128, col);
        }
        let (addr, octets) = self.partial_ipv4(&v, col)?;
        let mask = u32::MAX.checked_shl(32 - 8 * octets).unwrap_or(0);
        self.checked_net(q, addr, mask, col)
    }

    fn checked_net(&self, q: Qual, addr: u32, mask: u32, col: usize) -> R<PrimKind> {
        if addr & !mask != 0 {
            return Err(self.err("non-network bits set in the network address", col));
        }
        self.host4(q, addr, mask, col)
    }

    /// `10`, `10.1`, `10.1.2`, `10.1.2.3` → address and number of octets.
    fn partial_ipv4(&self, v: &str, col: usize) -> R<(u32, u32)> {
        let parts: Vec<&str> = v.split('.').collect();
        let mut addr = 0u32;
        if parts.is_empty() || parts.len() > 4 {
            return Err(self.err(format!("'{v}' is not an IPv4 network"), col));
        }
        for (i, p) in parts.iter().enumerate() {
            let Some(b) = p.parse::<u8>().ok() else {
                return Err(self.err(format!("'{v}' is not an IPv4 network"), col));
            };
            addr |= u32::from(b) << (24 - 8 * i);
        }
        Ok((addr, parts.len() as u32))
    }

    pub(super) fn port(&self, q: Qual, lo: u16, hi: u16, col: usize) -> R<PrimKind> {
        let all = Transports {
            tcp: true,
            udp: true,
            sctp: true,
        };
        let (on, v4, v6) = match q.proto {
            None => (all, true, true),
            Some(QProto::Tcp) => (
                Transports {
                    tcp: true,
                    udp: false,
                    sctp: false,
                },
                true,
                true,
            ),
            Some(QProto::Udp) => (
                Transports {
                    tcp: false,
                    udp: true,
                    sctp: false,
                },
                true,
                true,
            ),
            Some(QProto::Sctp) => (
                Transports {
                    tcp: false,
                    udp: false,
                    sctp: true,
                },
                true,
                true,
            ),
            Some(QProto::Ip) => (all, true, false),
            Some(QProto::Ip6) => (all, false, true),
            Some(p) => {
                return Err(self.err(
                    format!("'{}' modifier applied to port", qproto_name(p)),
                    col,
                ));
            }
        };
        Ok(PrimKind::Port {
            lo,
            hi,
            dir: q.dir,
            on,
            v4,
            v6,
        })
    }
}
