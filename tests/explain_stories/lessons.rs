//! Markdown escaping and the fragmentation lesson (issue 20).

use super::*;

#[test]
fn markdown_escapes_backticks_and_html_in_quoted_payloads() {
    let payload = b"`rm -rf` <script>alert(1)</script>\n";
    let mut udp = vec![0x45, 0];
    udp.extend(((28 + payload.len()) as u16).to_be_bytes());
    udp.extend([0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    udp.extend(40000u16.to_be_bytes());
    udp.extend(9u16.to_be_bytes());
    udp.extend(((8 + payload.len()) as u16).to_be_bytes());
    udp.extend([0, 0]);
    udp.extend(payload);
    let file = common::raw_pcap("markdown-escape", &[udp]);
    let name = file.to_str().expect("path");
    let md = wirepeek(&["explain", name, "--conversation", "--markdown"]);
    let lesson = wirepeek(&["explain", name, "--markdown"]);
    // Outside code blocks and code spans (where CommonMark shows text as
    // it is) no tag survives.
    for text in [&md, &lesson] {
        let bare = outside_code(text);
        assert!(!bare.contains("<script>"), "{bare}");
        assert!(!bare.contains('`'), "an unescaped backtick in {bare}");
    }
    assert!(
        md.contains("\\`rm -rf\\` &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{md}"
    );
    // In code spans the payload stays literal, fenced by more backticks
    // than it holds.
    assert!(lesson.contains("``\"`rm -rf` <script>"), "{lesson}");
}

/// `text` without its fenced code blocks and code spans (CommonMark: a
/// span closes at the next run of exactly as many backticks).
fn outside_code(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<usize> = None;
    for line in text.lines() {
        let ticks = line.chars().take_while(|&c| c == '`').count();
        if let Some(f) = fence {
            if ticks >= f && line.trim_end().len() == ticks {
                fence = None;
            }
            continue;
        }
        if ticks >= 3 {
            fence = Some(ticks);
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            // An escaped character is text, not markup: dropped here.
            if chars[i] == '\\' && i + 1 < chars.len() {
                i += 2;
                continue;
            }
            if chars[i] == '`' {
                let n = chars[i..].iter().take_while(|&&c| c == '`').count();
                let mut j = i + n;
                let mut closed = None;
                while j < chars.len() {
                    let m = chars[j..].iter().take_while(|&&c| c == '`').count();
                    if m == n {
                        closed = Some(j + m);
                        break;
                    }
                    j += m.max(1);
                }
                match closed {
                    Some(end) => i = end,
                    None => {
                        out.extend(&chars[i..i + n]);
                        i += n;
                    }
                }
                continue;
            }
            out.push(chars[i]);
            i += 1;
        }
        out.push('\n');
    }
    out
}

#[test]
fn the_fragment_lesson_matches_tsharks_offsets_and_reassembly_frame() {
    let file = root().join("captures/ip-fragments.pcap");
    if !common::tshark_present() {
        common::skip("tshark is not installed");
        return;
    }
    // Two passes, so earlier fragments learn where they were reassembled.
    let rows = common::tshark_fields(
        &file,
        &[
            "frame.number",
            "ip.id",
            "ip.frag_offset",
            "ip.flags.mf",
            "ip.reassembled_in",
        ],
    )
    .arg("-2")
    .output()
    .expect("tshark runs");
    let rows = String::from_utf8_lossy(&rows.stdout).to_string();
    let rows: Vec<Vec<&str>> = rows.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 3);
    for r in rows {
        let text = wirepeek(&[
            "explain",
            file.to_str().expect("path"),
            "-n",
            r[0],
            "--color",
            "never",
        ]);
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        // tshark gives the field as the packet does: in 8-byte units.
        let units: u64 = r[2].parse().expect("offset");
        let bytes = units * 8;
        let id = u32::from_str_radix(r[1].trim_start_matches("0x"), 16).expect("id");
        assert!(
            text.contains(&format!("Identification 0x{id:04x}: every fragment")),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "Fragment offset {units}, counted in 8-byte units: {units} × 8 = byte {bytes}"
            )),
            "frame {}: {text}",
            r[0]
        );
        let mf = if r[3] == "1" || r[3] == "True" {
            "= 1"
        } else {
            "= 0"
        };
        assert!(
            text.contains(&format!("More Fragments (MF) {mf}")),
            "{text}"
        );
        let reassembled = r.get(4).copied().filter(|v| !v.is_empty()).unwrap_or(r[0]);
        if reassembled == r[0] {
            assert!(text.contains("Reassembled here"), "{text}");
        } else {
            assert!(
                text.contains(&format!("Reassembled in frame {reassembled}")),
                "{text}"
            );
        }
    }
}
