//! The `conn` table: one row per conversation with Zeek's `conn.log`
//! columns under Zeek's JSON names (`ts`, `uid`, `id.orig_h`, …), the
//! conversation's Community ID, and columns of ours: the input, the stream
//! index (`tcp.stream`/`udp.stream` in the packets table), and Wireshark's
//! retransmission, out-of-order and handshake RTT analysis.
//!
//! Counts of packets come from the flow table (as `flows --json` gives
//! them); Zeek's states, history and byte counts from `flow::conn_log`. As
//! in Zeek, `duration`, `orig_bytes` and `resp_bytes` are empty for a
//! conversation whose packets all share one time. ICMP conversations are
//! echo exchanges; their ports are the request's type and code.

use std::net::IpAddr;

use sha1::{Digest, Sha1};

use super::community_id::community_id;
use super::table::{Batch, Column, Kind};
use crate::flow::conn_log::ConnSummary;
use crate::flow::{FlowState, ICMP, ICMPV6, TCP};

pub fn columns() -> Vec<Column> {
    use Kind::*;
    [
        ("ts", Timestamp),
        ("uid", Text),
        ("id.orig_h", Text),
        ("id.orig_p", Int),
        ("id.resp_h", Text),
        ("id.resp_p", Int),
        ("proto", Text),
        ("service", Text),
        ("duration", Double),
        ("orig_bytes", Int),
        ("resp_bytes", Int),
        ("conn_state", Text),
        ("history", Text),
        ("orig_pkts", Int),
        ("orig_ip_bytes", Int),
        ("resp_pkts", Int),
        ("resp_ip_bytes", Int),
        ("community_id", Text),
        ("source_file", Text),
        ("stream", Int),
        ("retransmissions", Int),
        ("out_of_order", Int),
        ("handshake_rtt", Double),
    ]
    .iter()
    .map(|(n, k)| Column::new(n, *k))
    .collect()
}

/// Base62 of the first 12 bytes of a hash: Zeek's uid alphabet and length.
fn uid(source_file: &str, f: &FlowState) -> String {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut h = Sha1::new();
    h.update(source_file.as_bytes());
    h.update([0, f.key.proto]);
    h.update(f.stream.to_be_bytes());
    h.update(f.first_ns.to_be_bytes());
    let digest = h.finalize();
    let mut n = u128::from_be_bytes({
        let mut b = [0u8; 16];
        b[4..].copy_from_slice(&digest[..12]);
        b
    });
    let mut out = vec![b'C'];
    for _ in 0..17 {
        out.push(DIGITS[(n % 62) as usize]);
        n /= 62;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn text(ip: IpAddr) -> String {
    ip.to_string()
}

/// Append one conversation's row (the caller ends the row).
pub fn fill(batch: &mut Batch, source_file: &str, f: &FlowState, zeek: Option<&ConnSummary>) {
    // The originator: Zeek's, else the flow table's client, else A.
    let a = f.a();
    let b = f.b();
    let lo = (f.key.lo(), f.key.lo_port);
    let orig_is_a = match zeek {
        Some(z) => (lo == a) == z.orig_is_lo,
        None => f.client != crate::flow::Client::B,
    };
    let (orig, resp) = if orig_is_a { (a, b) } else { (b, a) };
    let (orig_pkts, resp_pkts) = if orig_is_a {
        (f.packets[0], f.packets[1])
    } else {
        (f.packets[1], f.packets[0])
    };
    let icmp = matches!(f.key.proto, ICMP | ICMPV6);
    let (orig_p, resp_p) = if icmp {
        (if f.key.proto == ICMP { 8 } else { 128 }, 0)
    } else {
        (orig.1, resp.1)
    };
    let mut col = 0..;
    let mut next = || col.next().unwrap_or(0);
    batch.push_int(next(), f.first_ns);
    batch.push_text(next(), &uid(source_file, f));
    batch.push_text(next(), &text(orig.0));
    batch.push_int(next(), i64::from(orig_p));
    batch.push_text(next(), &text(resp.0));
    batch.push_int(next(), i64::from(resp_p));
    batch.push_text(next(), if icmp { "icmp" } else { f.key.proto_name() });
    match zeek.filter(|z| !z.service.is_empty()) {
        Some(z) => batch.push_text(next(), &z.service),
        None => batch.push_null(next()),
    }
    let duration = f.duration_ns();
    let (c_dur, c_ob, c_rb) = (next(), next(), next());
    match zeek.filter(|_| duration > 0) {
        Some(z) => {
            batch.push_double(c_dur, duration as f64 / 1e9);
            batch.push_int(c_ob, z.orig_bytes as i64);
            batch.push_int(c_rb, z.resp_bytes as i64);
        }
        None => {
            batch.push_null(c_dur);
            batch.push_null(c_ob);
            batch.push_null(c_rb);
        }
    }
    let (c_state, c_hist) = (next(), next());
    match zeek {
        Some(z) => {
            batch.push_text(c_state, z.conn_state);
            if z.history.is_empty() {
                batch.push_null(c_hist);
            } else {
                batch.push_text(c_hist, &z.history);
            }
        }
        None => {
            batch.push_null(c_state);
            batch.push_null(c_hist);
        }
    }
    let (c_opk, c_oip, c_rpk, c_rip) = (next(), next(), next(), next());
    batch.push_int(c_opk, orig_pkts as i64);
    batch.push_int(c_rpk, resp_pkts as i64);
    match zeek {
        Some(z) => {
            batch.push_int(c_oip, z.orig_ip_bytes as i64);
            batch.push_int(c_rip, z.resp_ip_bytes as i64);
        }
        None => {
            batch.push_null(c_oip);
            batch.push_null(c_rip);
        }
    }
    let (orig_cid, resp_cid) = if icmp {
        ((orig.0, orig_p), (resp.0, resp_p))
    } else {
        (orig, resp)
    };
    match community_id(0, f.key.proto, orig_cid, resp_cid) {
        Some(id) => batch.push_text(next(), &id),
        None => batch.push_null(next()),
    }
    batch.push_text(next(), source_file);
    batch.push_int(next(), i64::from(f.stream));
    let (c_re, c_ooo, c_rtt) = (next(), next(), next());
    if f.key.proto == TCP {
        batch.push_int(c_re, i64::from(f.tcp.retransmissions));
        batch.push_int(c_ooo, i64::from(f.tcp.out_of_order));
        match f.tcp.rtt_us() {
            Some(us) => batch.push_double(c_rtt, f64::from(us) / 1e6),
            None => batch.push_null(c_rtt),
        }
    } else {
        batch.push_null(c_re);
        batch.push_null(c_ooo);
        batch.push_null(c_rtt);
    }
}
