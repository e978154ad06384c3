//! The column types against what the decoder really emits, over every
//! bundled capture (and the shared corpus when it is there).

use super::*;
use crate::capture::file::FileSource;
use crate::capture::{FrameSource, Next};
use crate::decode::{Detail, decode_into};

fn captures() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        root.join("captures"),
        root.join("../shared/corpus/captures"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x != "sh" && x != "md") {
                files.push(p);
            }
        }
    }
    files
}

#[test]
fn every_field_the_decoder_emits_has_the_type_its_column_declares() {
    let mut checked = 0;
    for path in captures() {
        let Ok(mut src) = FileSource::open(&path.to_string_lossy()) else {
            continue;
        };
        let mut d = Dissection::default();
        while let Ok(Next::Frame(frame)) = src.next_frame() {
            decode_into(&frame, Detail::Fields, &mut d);
            for f in &d.fields {
                let ok = match (kind_of(f.key), &f.value) {
                    (Kind::Int, Value::UInt(_) | Value::Hex(..)) => true,
                    (Kind::Bool, Value::Bool(_)) => true,
                    (Kind::Text, Value::UInt(_) | Value::Hex(..) | Value::Bool(_)) => {
                        // frame.* keys are the table's own typed columns.
                        f.key.starts_with("frame.")
                    }
                    (Kind::Text, _) => true,
                    _ => false,
                };
                assert!(ok, "{}: {} is {:?}", path.display(), f.key, f.value);
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "only {checked} fields checked");
}

#[test]
fn macs_and_ipv4_addresses_are_written_as_read_fields_writes_them() {
    use crate::decode::text::{push_ipv4, push_mac};
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut cases: Vec<[u8; 6]> = vec![[0; 6], [255; 6], [9, 10, 99, 100, 199, 200]];
    for _ in 0..10_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        cases.push(seed.to_le_bytes()[..6].try_into().unwrap());
    }
    for m in cases {
        let (mut ours, mut theirs) = (Vec::new(), String::new());
        mac_text(&mut ours, &m);
        push_mac(&mut theirs, &m);
        assert_eq!(String::from_utf8(ours).unwrap(), theirs);
        let ip = [m[0], m[1], m[2], m[3]];
        let (mut ours, mut theirs) = (Vec::new(), String::new());
        ipv4_text(&mut ours, ip);
        push_ipv4(&mut theirs, &ip);
        assert_eq!(String::from_utf8(ours).unwrap(), theirs);
        assert_eq!(theirs, std::net::Ipv4Addr::from(ip).to_string());
    }
}

#[test]
fn column_types_come_from_the_registry() {
    assert_eq!(kind_of("tcp.srcport"), Kind::Int);
    assert_eq!(kind_of("tcp.flags.syn"), Kind::Bool);
    assert_eq!(kind_of("ip.src"), Kind::Text);
}

#[test]
fn field_lists_are_checked_as_read_fields_checks_them() {
    assert!(
        field_list(Some("ip.src,ip.srcc"))
            .unwrap_err()
            .contains("ip.srcc")
    );
    assert!(field_list(Some("frame.time_delta")).is_err());
    // Base columns are not repeated; community_id is ours.
    assert_eq!(
        field_list(Some("frame.number,ip.src,community_id,ip.src")).unwrap(),
        vec!["ip.src".to_string(), "community_id".to_string()]
    );
    let default = field_list(None).unwrap();
    assert!(default.contains(&"tcp.stream".to_string()));
    assert!(
        default
            .iter()
            .all(|f| f == COMMUNITY_ID || crate::filter::DisplayFilter::parse(f).is_ok())
    );
}

/// The oracle is the decoder with every field: with a set, it must give
/// exactly those of its fields the set names (values, ranges, labels,
/// meanings, depths, in order) and the same layers, notes and tuple.
#[test]
fn a_wanted_set_keeps_exactly_the_full_decodings_fields_it_names() {
    use crate::decode::want::Wanted;
    let keys: Vec<&str> = crate::decode::field::all().map(|f| f.key).collect();
    // The default columns' set, every third key, none.
    let default = wanted(&field_list(None).unwrap());
    let third = Wanted::new(keys.iter().copied().step_by(3));
    let sets = [
        Arc::new(default),
        Arc::new(third),
        Arc::new(Wanted::new([])),
    ];
    let (mut frames, mut kept) = (0, 0);
    for path in captures() {
        let Ok(mut src) = FileSource::open(&path.to_string_lossy()) else {
            continue;
        };
        let (mut full, mut part) = (Dissection::default(), Dissection::default());
        while let Ok(Next::Frame(frame)) = src.next_frame() {
            decode_into(&frame, Detail::Fields, &mut full);
            for set in &sets {
                part.want = Some(set.clone());
                decode_into(&frame, Detail::Fields, &mut part);
                let expected: Vec<String> = full
                    .fields
                    .iter()
                    .filter(|f| set.has(f.key))
                    .map(|f| format!("{f:?}"))
                    .collect();
                let got: Vec<String> = part.fields.iter().map(|f| format!("{f:?}")).collect();
                assert_eq!(got, expected, "{} frame {}", path.display(), frame.number);
                kept += got.len();
                let layers = |d: &Dissection| -> Vec<String> {
                    d.layers
                        .iter()
                        .map(|l| format!("{:?}", (l.proto, &l.header, &l.pdu, l.quoted, l.source)))
                        .collect()
                };
                assert_eq!(layers(&part), layers(&full), "{}", path.display());
                assert_eq!(format!("{:?}", part.notes), format!("{:?}", full.notes));
                assert_eq!(format!("{:?}", part.tuple), format!("{:?}", full.tuple));
                // Each layer's fields are its own.
                for l in &part.layers {
                    assert!(l.fields.start <= l.fields.end && l.fields.end <= part.fields.len());
                }
            }
            frames += 1;
        }
    }
    // The bundled captures alone hold 55 frames; with the corpus beside
    // the repository there are thousands.
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/captures")
        .is_dir();
    let least = if corpus { 1000 } else { 50 };
    assert!(
        frames >= least && kept > 1000,
        "{frames} frames, {kept} fields"
    );
}
