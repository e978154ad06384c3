//! The glossary's tests.

use super::*;

/// Every field any protocol declares in the registry has a sentence, with
/// no exceptions: the link layers, IP, transport, the application
/// protocols, tunnels, reassembly and the fields flow tracking works out
/// (the glossary's own tables are keyed by definition, so none can name an
/// undeclared key).
#[test]
fn every_declared_field_of_every_protocol_has_a_sentence() {
    let keys: Vec<&str> = crate::decode::field::all().map(|f| f.key).collect();
    assert!(keys.len() > 600, "only {} keys declared", keys.len());
    let missing: Vec<&str> = keys.into_iter().filter(|k| !covers(k)).collect();
    assert!(missing.is_empty(), "no sentence for {missing:?}");
}

/// A field with this definition's key and `value`, as the decoder makes it.
fn field(def: &'static crate::decode::field::FieldDef, value: Value) -> Field {
    Field {
        key: def.key,
        name: def.name,
        bytes: 0..0,
        mask: 0,
        value,
        meaning: None,
        origin: crate::decode::Origin::Wire,
        depth: 0,
        source: 0,
    }
}

/// The sentences of the application protocols read the packet's value and
/// name the document that defines what it means.
#[test]
fn application_sentences_use_the_packets_value_and_cite_their_rfc() {
    use crate::decode::{dhcp, dns, http, ntp, tls};
    let d = Dissection::default();
    let say = |def, value| explain(&field(def, value), &d, &[]).expect("a sentence");
    let g = say(&dns::QRY_TYPE, Value::UInt(28));
    assert!(g.sentence.contains("28 (AAAA)"), "{}", g.sentence);
    assert!(g.sentence.contains("IPv6 address"), "{}", g.sentence);
    assert_eq!(g.source, "RFC 3596");
    let g = say(&dns::QRY_TYPE, Value::UInt(1));
    assert!(g.sentence.contains("1 (A)"), "{}", g.sentence);
    assert_eq!(g.source, "RFC 1035");
    let g = say(&dns::RCODE, Value::UInt(3));
    assert!(g.sentence.contains("NXDomain"), "{}", g.sentence);
    assert_eq!(g.source, "RFC 1035 §4.1.1");
    let g = say(&http::REQUEST_METHOD, Value::Text("GET".into()));
    assert!(
        g.sentence.starts_with("Method GET: fetch"),
        "{}",
        g.sentence
    );
    assert_eq!(g.source, "RFC 9110 §9");
    let g = say(&http::HOST, Value::Text("example.com".into()));
    assert!(
        g.sentence.starts_with("Host: example.com"),
        "{}",
        g.sentence
    );
    assert_eq!(g.source, "RFC 9110 §7.2");
    let g = say(&http::RESPONSE_CODE, Value::UInt(404));
    assert!(g.sentence.contains("404 (not found)"), "{}", g.sentence);
    let g = say(
        &tls::extensions::SNI,
        Value::Text("www.wikipedia.org".into()),
    );
    assert!(
        g.sentence.starts_with("Server name www.wikipedia.org:"),
        "{}",
        g.sentence
    );
    assert_eq!(g.source, "RFC 6066 §3");
    let g = say(&tls::handshake::VERSION, Value::Hex(0x0303, 4));
    assert!(g.sentence.contains("TLS 1.2"), "{}", g.sentence);
    let g = say(&dhcp::OPTION_DHCP, Value::UInt(1));
    assert!(g.sentence.contains("1 (Discover)"), "{}", g.sentence);
    assert_eq!(g.source, "RFC 2132 §9.6");
    let g = say(&ntp::PPOLL, Value::UInt(6));
    assert!(g.sentence.contains("2^6 = 64 s"), "{}", g.sentence);
    assert_eq!(g.source, "RFC 5905 §7.3");
}

/// Tunnel and bridging sentences read their value too.
#[test]
fn tunnel_sentences_use_the_packets_value() {
    use crate::decode::{gre, igmp, llc, vxlan};
    let d = Dissection::default();
    let say = |def, value| explain(&field(def, value), &d, &[]).expect("a sentence");
    let g = say(&vxlan::VNI, Value::UInt(123));
    assert!(g.sentence.starts_with("VNI 123:"), "{}", g.sentence);
    assert_eq!(g.source, "RFC 7348 §5");
    let g = say(&gre::PROTO, Value::Hex(0x6558, 4));
    assert!(g.sentence.contains("0x6558"), "{}", g.sentence);
    assert_eq!(g.source, "RFC 2784 §2.4");
    let g = say(&llc::TYPE, Value::Hex(0x0806, 4));
    assert!(g.sentence.contains("0x0806 (ARP)"), "{}", g.sentence);
    let g = say(&igmp::MAX_RESP, Value::UInt(100));
    assert!(
        g.sentence.starts_with("Max response time 10.0 s"),
        "{}",
        g.sentence
    );
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

/// A record's owner name written as a compression pointer is explained
/// from its two bytes: the offset it points to is read from the packet.
#[test]
fn a_compressed_owner_name_is_told_as_a_pointer_with_its_offset() {
    use crate::decode::dns::rr;
    let data = [0u8, 0, 0xc0, 0x0c];
    let mut f = field(&rr::RESP_NAME, Value::Text("example.com".into()));
    f.bytes = 2..4;
    let g = explain(&f, &Dissection::default(), &data).expect("a sentence");
    assert!(
        g.sentence
            .contains("2-byte pointer (c0 0c: top two bits set) to offset 12"),
        "{}",
        g.sentence
    );
    f.bytes = 0..2;
    let g = explain(&f, &Dissection::default(), &[7, b'e']).expect("a sentence");
    assert!(g.sentence.contains("spelt out"), "{}", g.sentence);
    assert_eq!(g.source, "RFC 1035 §4.1.3");
}
