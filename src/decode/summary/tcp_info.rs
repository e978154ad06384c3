//! Wireshark's Info column for a TCP segment, as tshark 4.0's
//! packet-tcp.c words it: `55064 → 80 [SYN, ACK] Seq=0 Ack=1 Win=65160
//! Len=0 MSS=1460 SACK_PERM TSval=… TSecr=… WS=128`. The bytes give the
//! ports, flags, window and options; what they do not say (the relative
//! sequence numbers and the window scale the handshake agreed) comes from
//! the flow, as [`Flow`]. The analysis prefix (`[TCP Retransmission] `) is
//! the caller's.

use std::fmt::Write;

use super::super::tcp::{self, TcpOption};
use super::super::view::View;
use super::super::{Dissection, Layer};

/// Wireshark's flag names, lowest bit first (`tcp_flags_to_str`): FIN is
/// bit 0, AE (the old NS) bit 8.
const FLAG_NAMES: [&str; 9] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];
/// The three reserved bits above AE, named once as `Reserved`.
const RESERVED: u16 = 0x0e00;
const SYN: u16 = 0x002;
const ACK: u16 = 0x010;
const URG: u16 = 0x020;

/// What Wireshark's column gets when a read runs past the captured bytes
/// (a `BoundsError`), and past the bytes the IP header declares (a
/// `ReportedBoundsError`).
const CUT: &str = "[Packet size limited during capture]";
const MALFORMED: &str = "[Malformed Packet]";

/// A sender's window scale as Wireshark's `win_scale` holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    /// No SYN of the connection seen (-1): the window is shown as sent
    /// (the `tcp.default_window_scaling` preference is off).
    #[default]
    Unknown,
    /// The handshake agreed on none (-2): a SYN without the option, or a
    /// SYN/ACK without it.
    Unscaled,
    /// The sender's shift count, at most 14 (RFC 7323 §2.3).
    Shift(u8),
}

impl Scale {
    /// Wireshark's bookkeeping for a SYN sent in direction `dir` (0 or 1)
    /// of a connection whose scales are `scales`, with `shift` from its
    /// window scale option: the option sets the sender's
    /// (`pdu_store_window_scale_option`), then `verify_tcp_window_scaling`
    /// gives up on scaling when a SYN lacks it.
    pub fn on_syn(scales: &mut [Scale; 2], dir: usize, syn_ack: bool, shift: Option<u8>) {
        let (dir, rev) = (dir & 1, 1 - (dir & 1));
        if let Some(s) = shift {
            scales[dir] = Scale::Shift(s.min(14));
        }
        if scales[dir] == Scale::Unknown {
            scales[dir] = Scale::Unscaled;
            scales[rev] = Scale::Unscaled;
        } else if syn_ack && scales[rev] == Scale::Unscaled {
            scales[dir] = Scale::Unscaled;
        }
    }

    /// The window Wireshark shows for a segment sending `raw`: SYNs are
    /// never scaled (RFC 7323 §2.2).
    pub fn window(self, raw: u16, syn: bool) -> u32 {
        match self {
            Scale::Shift(s) if !syn => u32::from(raw) << s.min(14),
            _ => u32::from(raw),
        }
    }
}

/// What the flow knows of a segment: Wireshark's relative numbers and the
/// window scale in force when the segment was seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flow {
    /// `tcp.seq`, relative to the sender's base.
    pub seq: u32,
    /// `tcp.ack`, relative to the other side's base (read only with ACK).
    pub ack: u32,
    pub scale: Scale,
}

/// Wireshark's flag list, e.g. `SYN, ACK`; `<None>` for no flag.
pub fn flag_names(flags: u16) -> String {
    let mut names: Vec<&str> = FLAG_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| flags & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect();
    if flags & RESERVED != 0 {
        names.push("Reserved");
    }
    if names.is_empty() {
        return "<None>".to_string();
    }
    names.join(", ")
}

/// The Info text of the TCP layer `layer` of `d` (its bytes in `frame`);
/// without `flow` the numbers are the absolute ones and the window
/// unscaled, as Wireshark's with sequence analysis off.
pub fn info(frame: &[u8], d: &Dissection, layer: &Layer, flow: Option<Flow>) -> String {
    let data = d.data(layer.source, frame);
    let v = View::of(data, layer);
    let mut out = String::new();
    let (Some(sport), Some(dport)) = (v.u16(&tcp::SRCPORT), v.u16(&tcp::DSTPORT)) else {
        out.push_str(CUT);
        return out;
    };
    let _ = write!(out, "{sport} → {dport}");
    let fixed = (
        v.u32(&tcp::SEQ_RAW),
        v.u32(&tcp::ACK_RAW),
        v.uint(&tcp::FLAGS),
        v.u16(&tcp::WINDOW_SIZE_VALUE),
        v.u8(&tcp::HDR_LEN),
    );
    let (Some(seq), Some(ack), Some(flags), Some(win), Some(words)) = fixed else {
        out.push_str(CUT);
        return out;
    };
    let flags = flags as u16;
    let (syn, has_ack) = (flags & SYN != 0, flags & ACK != 0);
    let flow = flow.unwrap_or(Flow {
        seq,
        ack,
        scale: Scale::Unknown,
    });
    let _ = write!(out, " [{}] Seq={}", flag_names(flags), flow.seq);
    if has_ack {
        let _ = write!(out, " Ack={}", flow.ack);
    }
    let _ = write!(out, " Win={}", flow.scale.window(win, syn));
    if flags & URG != 0 {
        match v.u16(&tcp::URGENT_POINTER) {
            Some(urp) => {
                let _ = write!(out, " Urg={urp}");
            }
            None => {
                out.push_str(CUT);
                return out;
            }
        }
    }
    let hlen = usize::from(words) * 4;
    // The segment's length by the IP header's account.
    let declared = layer.pdu.len();
    if hlen <= declared {
        let _ = write!(out, " Len={}", declared - hlen);
    }
    if hlen > tcp::MIN_LEN {
        // SACK edges are relative to the other side's base, as the ack.
        let base = ack.wrapping_sub(flow.ack);
        let at = v.start() + tcp::MIN_LEN;
        // tshark's buffer ends at the IP header's account or at the
        // capture's end, whichever comes first.
        let stop = data.len().min(layer.pdu.end);
        let bytes = data.get(at..(v.start() + hlen).min(stop)).unwrap_or(&[]);
        options(bytes, base, &mut out);
        if bytes.len() < hlen - tcp::MIN_LEN {
            out.push_str(if data.len() < layer.pdu.end {
                CUT
            } else {
                MALFORMED
            });
        }
    }
    out
}

/// Append the words of the options in `bytes`, as far as they go.
fn options(bytes: &[u8], sack_base: u32, out: &mut String) {
    each_option(bytes, |opt, raw| word(raw, opt, sack_base, out));
}

/// Call `each` with every option in `bytes` and its bytes, reading on past
/// an End of Option List as tshark does.
fn each_option(bytes: &[u8], mut each: impl FnMut(TcpOption, &[u8])) {
    let mut base = 0;
    loop {
        let mut eol_at = None;
        tcp::walk_options(&bytes[base..], |opt, r| match opt {
            TcpOption::Eol => eol_at = Some(base + r.end),
            _ => each(opt, &bytes[base + r.start..base + r.end]),
        });
        match eol_at {
            Some(e) if e < bytes.len() => base = e,
            _ => break,
        }
    }
}

/// One option's words (packet-tcp.c's `dissect_tcpopt_*`).
fn word(raw: &[u8], opt: TcpOption, sack_base: u32, out: &mut String) {
    let _ = match opt {
        TcpOption::Mss(mss) => write!(out, " MSS={mss}"),
        TcpOption::WindowScale(shift) => write!(out, " WS={}", 1u32 << shift.min(14)),
        TcpOption::SackPermitted => write!(out, " SACK_PERM"),
        TcpOption::Sack(blocks) => {
            for (le, re) in blocks {
                let _ = write!(
                    out,
                    " SLE={} SRE={}",
                    le.wrapping_sub(sack_base),
                    re.wrapping_sub(sack_base)
                );
            }
            Ok(())
        }
        TcpOption::Timestamps { val, ecr } => write!(out, " TSval={val} TSecr={ecr}"),
        // RFC 2385's signature option.
        TcpOption::Other { kind: 19, len: 18 } => write!(out, " MD5"),
        // RFC 4782 Quick-Start: the rate's name (`qs_rate_vals`).
        TcpOption::Other { kind: 27, len: 8 } => {
            write!(out, " QSresp={}", QS_RATES[usize::from(raw[2] & 0x0f)])
        }
        // RFC 5482 User Timeout: the 15-bit timeout.
        TcpOption::Other { kind: 28, len: 4 } => {
            write!(
                out,
                " USER_TO={}",
                u16::from_be_bytes([raw[2], raw[3]]) & 0x7fff
            )
        }
        _ => Ok(()),
    };
}

/// Quick-Start's rates by their 4-bit code (packet-ip.c's `qs_rate_vals`).
const QS_RATES: [&str; 16] = [
    "0 bit/s",
    "80 Kbit/s",
    "160 Kbit/s",
    "320 Kbit/s",
    "640 Kbit/s",
    "1.28 Mbit/s",
    "2.56 Mbit/s",
    "5.12 Mbit/s",
    "10.24 Mbit/s",
    "20.48 Mbit/s",
    "40.96 Mbit/s",
    "81.92 Mbit/s",
    "163.84 Mbit/s",
    "327.68 Mbit/s",
    "655.36 Mbit/s",
    "1.31072 Gbit/s",
];

/// The shift count of the window scale option in the TCP header `layer`
/// (its bytes in `data`), if it has one, capped at 14 as Wireshark and
/// RFC 7323 §2.3 do.
pub fn window_shift(data: &[u8], layer: &Layer) -> Option<u8> {
    let v = View::of(data, layer);
    let hlen = usize::from(v.u8(&tcp::HDR_LEN)?) * 4;
    let from = v.start() + tcp::MIN_LEN;
    let stop = data.len().min(layer.pdu.end);
    let bytes = data.get(from..(v.start() + hlen).min(stop).max(from))?;
    let mut shift = None;
    each_option(bytes, |opt, _| {
        if let TcpOption::WindowScale(s) = opt {
            shift = Some(s.min(14));
        }
    });
    shift
}

#[cfg(test)]
mod tests {
    //! On real captures, each expected text tshark 4.0's `_ws.col.Info`
    //! for the same frame (`tshark -r FILE -T fields -e _ws.col.Info`).

    use super::*;
    use crate::decode::{Proto, decode};
    use crate::frame::{FrameRecord, LinkType, TsPrecision};

    /// The frames of a little-endian nanosecond pcap, read by hand.
    fn frames(file: &[u8]) -> Vec<FrameRecord> {
        let u32_at =
            |at: usize| u32::from_le_bytes([file[at], file[at + 1], file[at + 2], file[at + 3]]);
        assert_eq!(u32_at(0), 0xa1b2_3c4d);
        let link = LinkType(u32_at(20) & 0xffff);
        let (mut out, mut at) = (Vec::new(), 24);
        while at + 16 <= file.len() {
            let len = u32_at(at + 8) as usize;
            out.push(frame(
                link,
                u32_at(at + 12),
                file[at + 16..at + 16 + len].to_vec(),
            ));
            at += 16 + len;
        }
        out
    }

    fn frame(link: LinkType, orig_len: u32, data: Vec<u8>) -> FrameRecord {
        FrameRecord {
            number: 1,
            ts: None,
            precision: TsPrecision::Nano,
            link,
            orig_len,
            iface: 0,
            data,
        }
    }

    fn flow(seq: u32, ack: u32, scale: Scale) -> Flow {
        Flow { seq, ack, scale }
    }

    /// `f`'s TCP layer, with `f` decoded alone.
    fn with_tcp<T>(f: &FrameRecord, read: impl FnOnce(&Dissection, &Layer) -> T) -> T {
        let d = decode(f);
        let l = d
            .layers
            .iter()
            .find(|l| l.proto == Proto::Tcp)
            .expect("a TCP layer");
        read(&d, l)
    }

    /// The TCP Info of `f` with the flow facts `flow`.
    fn text(f: &FrameRecord, flow: Option<Flow>) -> String {
        with_tcp(f, |d, l| info(&f.data, d, l, flow))
    }

    /// The shift of the window scale option in `f`'s TCP header.
    fn shift(f: &FrameRecord) -> Option<u8> {
        with_tcp(f, |_, l| window_shift(&f.data, l))
    }

    fn echo() -> Vec<FrameRecord> {
        frames(include_bytes!("../../../captures/echo-tcp4.pcap"))
    }

    #[test]
    fn a_frames_flow_facts_take_twelve_bytes() {
        // The TUI keeps one per frame (`app::tcp_facts`): the two numbers
        // and the scale, with no room lost to the Option.
        assert_eq!(std::mem::size_of::<Option<Flow>>(), 12);
    }

    #[test]
    fn flag_names_are_wiresharks_lowest_bit_first() {
        // tshark on these flag bits: SYN+AE (0x102), SYN and a reserved
        // bit (0x802), none, ACK+URG, and the real SYN/ACK of echo-tcp4.
        assert_eq!(flag_names(0x102), "SYN, AE");
        assert_eq!(flag_names(0x802), "SYN, Reserved");
        assert_eq!(flag_names(0x000), "<None>");
        assert_eq!(flag_names(0x030), "ACK, URG");
        assert_eq!(flag_names(0x0c2), "SYN, ECE, CWR");
        assert_eq!(flag_names(0x019), "FIN, PSH, ACK");
        let synack = &echo()[1];
        let flags = with_tcp(synack, |_, l| View::of(&synack.data, l).uint(&tcp::FLAGS));
        let flags = flags.expect("flags");
        assert_eq!(flag_names(flags as u16), "SYN, ACK");
    }

    #[test]
    fn the_handshakes_window_scale_multiplies_later_windows() {
        let f = echo();
        // Both SYNs offer shift 10; the SYNs' own windows are never scaled.
        let mut scales = [Scale::Unknown; 2];
        Scale::on_syn(&mut scales, 0, false, shift(&f[0]));
        Scale::on_syn(&mut scales, 1, true, shift(&f[1]));
        assert_eq!(scales, [Scale::Shift(10), Scale::Shift(10)]);
        let syn = flow(0, 0, scales[0]);
        assert_eq!(
            text(&f[0], Some(syn)),
            "34554 → 36619 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM TSval=920527857 TSecr=0 WS=1024"
        );
        let synack = flow(0, 1, scales[1]);
        assert_eq!(
            text(&f[1], Some(synack)),
            "36619 → 34554 [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0 MSS=65495 SACK_PERM TSval=399869942 TSecr=920527857 WS=1024"
        );
        // The ACK's window field is 64: 64 << 10.
        let ack = flow(1, 1, scales[0]);
        assert_eq!(
            text(&f[2], Some(ack)),
            "34554 → 36619 [ACK] Seq=1 Ack=1 Win=65536 Len=0 TSval=920527857 TSecr=399869942"
        );
        assert_eq!(
            text(&f[3], Some(ack)),
            "34554 → 36619 [PSH, ACK] Seq=1 Ack=1 Win=65536 Len=12 TSval=920527857 TSecr=399869942"
        );
    }

    #[test]
    fn without_the_handshake_the_window_is_shown_as_sent() {
        // tshark on frames 3-5 of echo-tcp4 alone (editcap -r … 3-5): the
        // scale is unknown (-1), so the window stays 64.
        let f = echo();
        let ack = flow(1, 1, Scale::Unknown);
        assert_eq!(
            text(&f[2], Some(ack)),
            "34554 → 36619 [ACK] Seq=1 Ack=1 Win=64 Len=0 TSval=920527857 TSecr=399869942"
        );
        // No option in a SYN: no scaling either way (-2), whatever the
        // other SYN offers.
        let mut scales = [Scale::Unknown; 2];
        Scale::on_syn(&mut scales, 0, false, None);
        Scale::on_syn(&mut scales, 1, true, Some(7));
        assert_eq!(scales, [Scale::Unscaled, Scale::Unscaled]);
        assert_eq!(Scale::Unscaled.window(64, false), 64);
        // A SYN/ACK without it after a SYN with it: none either.
        let mut scales = [Scale::Unknown; 2];
        Scale::on_syn(&mut scales, 0, false, Some(7));
        Scale::on_syn(&mut scales, 1, true, None);
        assert_eq!(scales, [Scale::Unscaled, Scale::Unscaled]);
        // RFC 7323 §2.3: a shift above 14 counts as 14 (tshark: WS=16384).
        assert_eq!(Scale::Shift(15).window(1, false), 1 << 14);
    }

    #[test]
    fn sack_edges_are_relative_to_the_acknowledged_side() {
        // gap-data-missing.pcapng frame 15 (Ethernet, 802.1Q, IPv6, TCP):
        // tcp.seq 2598, tcp.ack 1990, scale factor 256.
        let hex = "3cfa30031230000c29c37feb8100005186dd600e145f002006402a006020ad0b\
                   8381fd70e2f9f0319dc42a006020ad0b83800000000000000010c33c0185e053\
                   1635f1b1e95b80100403464d00000101050af1b1e889f1b1e95b";
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect();
        let f = frame(LinkType(1), bytes.len() as u32, bytes);
        let flow = flow(2598, 1990, Scale::Shift(8));
        assert_eq!(
            text(&f, Some(flow)),
            "49980 → 389 [ACK] Seq=2598 Ack=1990 Win=262912 Len=0 SLE=1780 SRE=1990"
        );
    }

    #[test]
    fn options_cut_by_the_snap_length_end_on_tsharks_marker() {
        // captures/tcp-snaplen-60.pcap keeps 60 bytes of each frame.
        let f = frames(include_bytes!("../../../captures/tcp-snaplen-60.pcap"));
        let syn = flow(0, 0, Scale::Unknown);
        assert_eq!(
            text(&f[0], Some(syn)),
            "45890 → 7007 [SYN] Seq=0 Win=65495 Len=0 MSS=65495 SACK_PERM[Packet size limited during capture]"
        );
        let data = flow(1, 1, Scale::Unknown);
        assert_eq!(
            text(&f[3], Some(data)),
            "45890 → 7007 [PSH, ACK] Seq=1 Ack=1 Win=64 Len=53[Packet size limited during capture]"
        );
    }
}
