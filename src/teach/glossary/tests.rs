//! The glossary's tests.

use super::*;

/// Every field the decoder declares for the protocols the lesson covers
/// has a sentence (the glossary's own tables are keyed by definition, so
/// none can name an undeclared key).
#[test]
fn every_declared_field_of_the_taught_protocols_has_a_sentence() {
    use crate::decode::{arp, ethernet, icmp, icmpv6, ipv4, ipv6, payload, tcp, udp, vlan};
    let taught = [
        ethernet::FIELDS,
        vlan::FIELDS,
        arp::FIELDS,
        ipv4::FIELDS,
        ipv6::FIELDS,
        tcp::FIELDS,
        udp::FIELDS,
        icmp::FIELDS,
        icmpv6::FIELDS,
        payload::FIELDS,
    ];
    // Worked out by flow tracking after decoding; the lesson does not
    // explain them (it teaches what the packet says).
    let flow = [&tcp::STREAM, &tcp::SEQ, &tcp::ACK, &udp::STREAM].map(|f| f.key);
    let keys: Vec<&str> = taught
        .iter()
        .flat_map(|t| t.iter().map(|f| f.key))
        .filter(|k| !flow.contains(k))
        .collect();
    assert!(keys.len() > 150, "only {} keys declared", keys.len());
    let missing: Vec<&str> = keys.into_iter().filter(|k| !covers(k)).collect();
    assert!(missing.is_empty(), "no sentence for {missing:?}");
}

/// A sentence-maker answers for the key it is listed under: the sentence
/// for `udp.length` is about UDP's length, not some other entry's.
#[test]
fn each_key_finds_its_own_sentence() {
    let field = Field {
        key: crate::decode::udp::LENGTH.key,
        name: "Length",
        bytes: 24..26,
        mask: 0,
        value: Value::UInt(12),
        meaning: None,
        origin: crate::decode::Origin::Wire,
        depth: 0,
        source: 0,
    };
    let g = explain(&field, &Dissection::default(), &[]).expect("a sentence for udp.length");
    assert_eq!(g.sentence, "Length 12 bytes = 8 of header + 4 of data.");
    assert_eq!(g.source, "RFC 768");
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

/// No key is listed under two sentences (the second would never be used).
#[test]
fn no_key_has_two_sentences() {
    let mut keys: Vec<&str> = TABLES
        .iter()
        .flat_map(|t| t.iter().flat_map(|(defs, _)| defs.iter().map(|d| d.key)))
        .collect();
    let n = keys.len();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), n, "a key is listed twice");
}
