//! An ICMP step's sentence: an echo request or reply (ICMP and ICMPv6),
//! or an ICMP error placed in the conversation whose packet it quotes.

use super::{Conversation, Phase, Step, millis, said};
use crate::decode::{Dissection, icmp, icmpv6};
use crate::teach::glossary::num;

/// ICMP echo: Some(true) for a request, Some(false) for a reply.
pub(super) fn echo_kind(d: &Dissection) -> Option<bool> {
    let t = d
        .field(icmp::TYPE.key)
        .or_else(|| d.field(icmpv6::TYPE.key))?;
    match num(&t.value)? {
        8 | 128 => Some(true),
        0 | 129 => Some(false),
        _ => None,
    }
}

pub(super) fn echo_story(c: &Conversation, step: &mut Step, d: &Dissection) {
    let (who, peer) = (c.label(step.from), c.label(step.from.other()));
    let get = |key: &str| d.field(key).and_then(|f| num(&f.value));
    let (id, seq) = (
        get(icmp::IDENT.key).or_else(|| get(icmpv6::ECHO_IDENTIFIER.key)),
        get(icmp::SEQ.key).or_else(|| get(icmpv6::ECHO_SEQUENCE_NUMBER.key)),
    );
    let numbers = match (id, seq) {
        (Some(id), Some(seq)) => format!("identifier {id}, sequence number {seq}"),
        _ => "an identifier and a sequence number".to_string(),
    };
    step.phase = Phase::Echo;
    step.flags = "ICMP echo".to_string();
    let data = if step.len > 0 {
        format!(" and {} bytes of data{}", step.len, said(step))
    } else {
        String::new()
    };
    step.story = match echo_kind(d) {
        Some(true) => {
            format!("{who} sends an echo request ({numbers}{data}): is the other host there")
        }
        _ => {
            let asked = c
                .steps
                .iter()
                .rev()
                .find(|s| s.from != step.from && s.phase == Phase::Echo);
            let rtt = match (asked.and_then(|s| s.ts), step.ts, asked) {
                (Some(then), Some(now), Some(s)) if now >= then => format!(
                    "; {} ms after the request in frame {}: the round trip as seen here",
                    millis(now - then),
                    s.frame
                ),
                _ => String::new(),
            };
            format!(
                "{who} answers {peer} with an echo reply ({numbers}{data}), copying the request's identifier, sequence number and data{rtt}"
            )
        }
    };
}

pub(super) fn error_story(c: &Conversation, step: &mut Step, d: &Dissection) {
    let field = d
        .field(icmp::TYPE.key)
        .or_else(|| d.field(icmpv6::TYPE.key));
    let code = d
        .field(icmp::CODE.key)
        .or_else(|| d.field(icmpv6::CODE.key));
    let what = match (
        field.and_then(|f| f.meaning.clone()),
        code.and_then(|f| f.meaning.clone()),
    ) {
        (Some(t), Some(c)) => format!("{t}: {c}"),
        (Some(t), None) => t.to_string(),
        _ => "an error".to_string(),
    };
    let by = crate::teach::ip_source(d)
        .map(|ip| format!(" from {ip}"))
        .unwrap_or_default();
    let to = c.label(step.from.other());
    let quoted = c
        .steps
        .iter()
        .rev()
        .find(|s| s.from == step.from.other() && s.phase != Phase::Error)
        .map(|s| format!(" (the packet of frame {})", s.frame))
        .unwrap_or_default();
    step.phase = Phase::Error;
    step.flags = "ICMP error".to_string();
    step.len = 0;
    step.preview = None;
    step.story = format!(
        "an ICMP error{by} comes back to {to} ({what}). It quotes {to}'s packet{quoted}: the quoted IP and port numbers are how {to}'s kernel finds the socket to tell that its message failed"
    );
}
