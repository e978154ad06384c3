//! The glossary's tests.

use super::*;

/// Every key the decoder can emit for the protocols the lesson covers,
/// read from the decoder's source, has a sentence.
#[test]
fn every_decoded_key_of_the_taught_protocols_has_a_sentence() {
    let sources = [
        include_str!("../../decode/ethernet.rs"),
        include_str!("../../decode/vlan.rs"),
        include_str!("../../decode/arp.rs"),
        include_str!("../../decode/ipv4.rs"),
        include_str!("../../decode/ipv6.rs"),
        include_str!("../../decode/tcp.rs"),
        include_str!("../../decode/udp.rs"),
        include_str!("../../decode/icmp.rs"),
        include_str!("../../decode/icmpv6.rs"),
        include_str!("../../decode/payload.rs"),
    ];
    let d = Dissection::default();
    let mut missing = Vec::new();
    let mut seen = 0;
    for src in sources {
        for piece in src.split('"').skip(1).step_by(2) {
            let prefix = piece.split('.').next().unwrap_or("");
            let is_key = piece.contains('.')
                && !piece.contains(' ')
                && matches!(
                    prefix,
                    "eth"
                        | "vlan"
                        | "ieee8021ad"
                        | "arp"
                        | "ip"
                        | "ipv6"
                        | "ah"
                        | "tcp"
                        | "udp"
                        | "icmp"
                        | "icmpv6"
                        | "data"
                );
            // Layer keys such as `ipv6.hopopts` name a header, not a field.
            if !is_key
                || matches!(
                    piece,
                    "ipv6.hopopts" | "ipv6.routing" | "ipv6.fraghdr" | "ipv6.dstopts"
                )
            {
                continue;
            }
            seen += 1;
            let key: &'static str = Box::leak(piece.to_string().into_boxed_str());
            let field = Field {
                key,
                name: "test",
                bytes: 0..0,
                mask: 0,
                value: Value::UInt(1),
                meaning: None,
                origin: crate::decode::Origin::Wire,
                depth: 0,
                source: 0,
            };
            if explain(&field, &d, &[]).is_none() {
                missing.push(piece.to_string());
            }
        }
    }
    assert!(seen > 150, "only {seen} keys found in the decoder sources");
    assert!(missing.is_empty(), "no sentence for {missing:?}");
}

#[test]
fn ttl_sentence_uses_the_packets_value() {
    let field = Field {
        key: "ip.ttl",
        name: "Time to Live",
        bytes: 22..23,
        mask: 0,
        value: Value::UInt(63),
        meaning: None,
        origin: crate::decode::Origin::Wire,
        depth: 0,
        source: 0,
    };
    let g = explain(&field, &Dissection::default(), &[]).expect("a sentence for ip.ttl");
    assert!(
        g.sentence.starts_with("TTL 63: each router subtracts one"),
        "{}",
        g.sentence
    );
    assert_eq!(g.source, "RFC 791");
}
