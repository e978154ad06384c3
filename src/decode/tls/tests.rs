//! TLS over TCP on literal bytes: the ServerHello of RFC 9001 Appendix A.3
//! (an RFC example, so the expected values are the RFC's, not ours), put
//! in a record in a TCP segment to port 443, whole and cut.

use crate::decode::ethernet::tests::{decode_raw, get, ipv4, note};
use crate::decode::{Dissection, NoteKind, Proto, Value};

/// RFC 9001 A.3's ServerHello handshake message (from its CRYPTO frame).
const SERVER_HELLO: &str = "020000560303eefce7f7b37ba1d1632e96677825ddf73988cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c940d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00020304";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// IPv4 + TCP (443 -> 50000, 20-byte header) carrying `payload`, cut to
/// `keep` bytes of payload (the wire length stays whole).
fn segment(payload: &[u8], keep: usize) -> Dissection {
    let total = 40 + payload.len();
    let mut bytes = ipv4(6, total as u16);
    bytes.extend([
        0x01, 0xbb, 0xc3, 0x50, // ports 443 -> 50000
        0, 0, 0, 1, 0, 0, 0, 1, // seq, ack
        0x50, 0x18, 0xff, 0xff, // header 20 bytes, PSH ACK, window
        0, 0, 0, 0, // checksum, urgent
    ]);
    bytes.extend(&payload[..keep]);
    decode_raw(bytes, total)
}

fn record(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![kind, 3, 3];
    r.extend((body.len() as u16).to_be_bytes());
    r.extend(body);
    r
}

#[test]
fn server_hello_of_rfc_9001_a3_decodes_field_by_field() {
    let payload = record(22, &hex(SERVER_HELLO));
    let d = segment(&payload, payload.len());
    assert!(d.has(Proto::Tls));
    // Record header at the payload's start (offset 40).
    assert_eq!(
        get(&d, "tls.record.content_type"),
        (Value::UInt(22), 40..41, 0)
    );
    assert_eq!(get(&d, "tls.record.version").0, Value::Hex(0x0303, 4));
    assert_eq!(get(&d, "tls.record.length").0, Value::UInt(90));
    assert_eq!(get(&d, "tls.handshake.type").0, Value::UInt(2));
    assert_eq!(get(&d, "tls.handshake.length").0, Value::UInt(0x56));
    assert_eq!(get(&d, "tls.handshake.random").1, 51..83);
    assert_eq!(get(&d, "tls.handshake.session_id_length").0, Value::UInt(0));
    assert!(d.field("tls.handshake.session_id").is_none());
    assert_eq!(
        get(&d, "tls.handshake.ciphersuite").0,
        Value::Hex(0x1301, 4)
    );
    assert_eq!(get(&d, "tls.handshake.comp_method").0, Value::UInt(0));
    assert_eq!(
        get(&d, "tls.handshake.extensions_length").0,
        Value::UInt(46)
    );
    let types: Vec<Value> = d
        .fields_named("tls.handshake.extension.type")
        .map(|f| f.value.clone())
        .collect();
    assert_eq!(types, [Value::UInt(51), Value::UInt(43)]);
    assert_eq!(
        get(&d, "tls.handshake.extensions_key_share_group").0,
        Value::UInt(29)
    );
    assert_eq!(
        get(&d, "tls.handshake.extensions_key_share_key_exchange_length").0,
        Value::UInt(32)
    );
    assert_eq!(
        get(&d, "tls.handshake.extensions.supported_version").0,
        Value::Hex(0x0304, 4)
    );
    assert!(d.notes.is_empty(), "{:?}", d.notes);
    let info = crate::decode::summary::app::info(&[], &d);
    assert_eq!(info.as_deref(), Some("Server Hello"));
}

#[test]
fn several_records_in_one_segment_and_encrypted_handshake_after_change_cipher_spec() {
    let mut payload = record(22, &hex(SERVER_HELLO));
    payload.extend(record(20, &[1]));
    // An encrypted Finished: 40 bytes that happen to start like a message.
    payload.extend(record(22, &[0x14; 40]));
    payload.extend(record(23, &[0xaa; 20]));
    payload.extend(record(21, &[2, 40]));
    let d = segment(&payload, payload.len());
    let kinds: Vec<Value> = d
        .fields_named("tls.record.content_type")
        .map(|f| f.value.clone())
        .collect();
    assert_eq!(
        kinds,
        [22u64, 20, 22, 23, 21].map(Value::UInt),
        "every record's header"
    );
    // Only the ServerHello's handshake type: the record after the
    // ChangeCipherSpec is encrypted, and so is the alert.
    assert_eq!(d.fields_named("tls.handshake.type").count(), 1);
    assert!(d.field("tls.alert_message.level").is_none());
    assert_eq!(
        get(&d, "tls.app_data").0,
        Value::Bytes(40 + 95 + 6 + 45 + 5..40 + 95 + 6 + 45 + 25)
    );
    let info = crate::decode::summary::app::info(&[], &d);
    assert_eq!(
        info.as_deref(),
        Some(
            "Server Hello, Change Cipher Spec, Encrypted Handshake Message, Application Data, Encrypted Alert"
        )
    );
}

#[test]
fn a_plain_alert_shows_level_and_description() {
    let d = segment(&record(21, &[2, 40]), 7);
    assert_eq!(get(&d, "tls.alert_message.level").0, Value::UInt(2));
    assert_eq!(get(&d, "tls.alert_message.desc").0, Value::UInt(40));
    let info = crate::decode::summary::app::info(&[], &d);
    assert_eq!(
        info.as_deref(),
        Some("Alert (Level: Fatal, Description: Handshake Failure)")
    );
}

#[test]
fn a_record_cut_at_the_segments_end_has_no_fields_and_a_note() {
    let mut payload = record(23, &[0xaa; 10]);
    payload.extend(record(22, &hex(SERVER_HELLO)));
    // The segment holds the first record and 30 bytes of the second.
    let mut cut = payload[..15 + 30].to_vec();
    cut.truncate(45);
    let d = segment(&cut, cut.len());
    assert_eq!(d.fields_named("tls.record.content_type").count(), 1);
    assert!(d.field("tls.handshake.type").is_none());
    let why = note(&d, Proto::Tls, NoteKind::Unsupported);
    assert!(why.contains("continues past this segment's end"), "{why}");
}

#[test]
fn tls_cut_anywhere_by_the_capture_or_the_segment_never_panics() {
    let mut payload = record(22, &hex(SERVER_HELLO));
    payload.extend(record(20, &[1]));
    for keep in 0..=payload.len() {
        let _ = segment(&payload, keep);
        let _ = segment(&payload[..keep], keep);
    }
    // Lengths past the end at every level: record, message, extensions.
    let mut hostile = hex(SERVER_HELLO);
    for i in 0..hostile.len() {
        let saved = hostile[i];
        hostile[i] = 0xff;
        let _ = segment(&record(22, &hostile), 5 + hostile.len());
        hostile[i] = saved;
    }
}

#[test]
fn printable_text_on_port_443_is_not_tls_but_a_mid_record_segment_is() {
    let d = segment(b"GET / HTTP/1.1\r\n", 16);
    assert!(!d.has(Proto::Tls));
    // The HTTP dissector's request-line heuristic may take it instead.
    assert!(d.has(Proto::Payload) || d.has(Proto::Http));
    let d = segment(&[0x8d, 0x21, 0xe2, 0x45, 0x96, 0x73], 6);
    assert!(d.has(Proto::Tls));
    assert!(d.field("tls.record.content_type").is_none());
    let info = crate::decode::summary::app::info(&[], &d);
    assert_eq!(info.as_deref(), Some("Ignored Unknown Record"));
}
