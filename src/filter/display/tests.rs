//! Unit tests of display-filter parsing, limits and search.

use super::*;

#[test]
fn unknown_field_lists_close_matches() {
    let e = DisplayFilter::parse("ip.scr == 1.2.3.4").unwrap_err();
    assert!(e.message.contains("'ip.src'"), "{}", e.message);
    assert_eq!(e.column, 0);
}

#[test]
fn a_comparison_without_a_value_is_an_error_at_the_end() {
    let e = DisplayFilter::parse("tcp.port ==").unwrap_err();
    assert_eq!(e.column, 11);
}

#[test]
fn literals_read_as_numbers_addresses_and_bytes() {
    let l = Literal::parse("10.0.0.0/8", false).unwrap();
    assert_eq!(l.ip.map(|(_, n)| n), Some(8));
    assert_eq!(Literal::parse("0x0800", false).unwrap().num, Some(0x800));
    assert_eq!(
        Literal::parse("aa:bb:cc:dd:ee:ff", false).unwrap().mac,
        Some([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])
    );
    assert!(Literal::parse("zz", false).is_none());
}

#[test]
fn nesting_past_the_limit_is_an_error_at_the_opening_token() {
    let e = DisplayFilter::parse(&format!("{}tcp", "!".repeat(50_000))).unwrap_err();
    assert_eq!(e.message, "filter nests too deeply (more than 256 levels)");
    assert_eq!(e.column, 256);
    let deep = format!("{}tcp{}", "(".repeat(6000), ")".repeat(6000));
    assert_eq!(DisplayFilter::parse(&deep).unwrap_err().column, 256);
    let nots = format!("{}tcp", "not ".repeat(300));
    assert_eq!(DisplayFilter::parse(&nots).unwrap_err().column, 4 * 256);
    let ok = format!("{}tcp{}", "(".repeat(256), ")".repeat(256));
    assert!(DisplayFilter::parse(&ok).is_ok());
}

#[test]
fn runs_of_and_and_or_are_flat() {
    let f = DisplayFilter::parse(&vec!["tcp && udp"; 10_000].join(" || ")).unwrap();
    let DNode::Or(all) = &f.root else {
        panic!("not an or: {:?}", f.root)
    };
    assert_eq!(all.len(), 10_000);
    assert!(matches!(&all[0], DNode::And(two) if two.len() == 2));
}

#[test]
fn find_is_a_substring_search() {
    assert!(find(b"xxGETxx", b"GET"));
    assert!(find(b"abc", b""));
    assert!(!find(b"GE", b"GET"));
    assert!(!find(b"xxGExTxx", b"GET"));
    // Linear: a needle that matches almost everywhere.
    let hay = vec![b'a'; 200_000];
    let mut needle = vec![b'a'; 100_000];
    needle.push(b'b');
    assert!(!find(&hay, &needle));
}

#[test]
fn the_deepest_allowed_filter_parses_and_runs_on_a_2_mib_stack() {
    let text = format!("{}frame{}", "(!".repeat(128), ")".repeat(128));
    let run = move || {
        let f = DisplayFilter::parse(&text).expect("parses");
        let frame = FrameRecord {
            number: 1,
            ts: None,
            precision: crate::frame::TsPrecision::Micro,
            link: crate::frame::LinkType::ETHERNET,
            orig_len: 0,
            iface: 0,
            data: Vec::new(),
        };
        f.matches(&frame, &Dissection::default())
    };
    let thread = std::thread::Builder::new().stack_size(2 << 20).spawn(run);
    assert!(thread.expect("spawns").join().expect("no overflow"));
}
