//! Wireshark's Info column for TLS: each record's content, comma-separated
//! (`Server Hello, Change Cipher Spec, Encrypted Handshake Message`), a
//! ClientHello with its server name as Wireshark 4.2 and later show it
//! (`Client Hello (SNI=example.com)`). tcpdump prints nothing for TLS.

use super::super::tls::{self, names};
use super::super::{Dissection, Layer, NoteKind, Proto, Value};

/// The Info text for the TLS layer `layer` of `d`.
pub(super) fn info(d: &Dissection, layer: &Layer) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    // The record being described: its content type, and whether a
    // handshake message or alert description followed it.
    let mut open: Option<u64> = None;
    let mut said = false;
    let close = |parts: &mut Vec<String>, open: Option<u64>, said: bool| match (open, said) {
        (Some(22), false) => parts.push("Encrypted Handshake Message".into()),
        (Some(21), false) => parts.push("Encrypted Alert".into()),
        _ => {}
    };
    for f in d.fields_of(layer) {
        match (f.key, &f.value) {
            (k, Value::UInt(t)) if k == tls::CONTENT_TYPE.key => {
                close(&mut parts, open, said);
                (open, said) = (Some(*t), false);
                match *t {
                    20 | 23 | 24 => {
                        parts.push(names::content_type(*t as u8).into());
                        said = true;
                    }
                    _ => {}
                }
            }
            (k, Value::UInt(t)) if k == tls::handshake::TYPE.key => {
                parts.push(names::handshake(*t as u8).into());
                said = true;
            }
            (k, Value::Text(name)) if k == tls::extensions::SNI.key => {
                if let Some(last) = parts.last_mut().filter(|p| *p == "Client Hello") {
                    last.push_str(&format!(" (SNI={name})"));
                }
            }
            (k, Value::UInt(l)) if k == tls::ALERT_LEVEL.key => {
                let level = match l {
                    1 => "Warning",
                    2 => "Fatal",
                    _ => "Unknown",
                };
                parts.push(format!("Alert (Level: {level}"));
                said = true;
            }
            (k, Value::UInt(v)) if k == tls::ALERT_DESC.key => {
                if let Some(last) = parts.last_mut() {
                    last.push_str(&format!(", Description: {})", names::alert(*v as u8)));
                }
            }
            _ => {}
        }
    }
    close(&mut parts, open, said);
    if parts.is_empty() {
        let ignored = d.notes.iter().any(|n| {
            n.proto == Proto::Tls
                && n.kind == NoteKind::Unsupported
                && n.message.contains("do not start a TLS record")
        });
        return ignored.then(|| "Ignored Unknown Record".to_string());
    }
    Some(parts.join(", "))
}
