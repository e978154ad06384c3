//! `--format ndjson`: the same rows as JSON objects, one per line, keyed by
//! the column names (tshark's field names for packets, Zeek's JSON log
//! names for conn); a missing value is left out, as Zeek's JSON logs do.

use std::io::Write;

use super::table::{Batch, Column, Kind};

/// JSON string escaping (RFC 8259 §7).
fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Nanoseconds since the epoch as seconds with nine decimals.
pub fn seconds(out: &mut Vec<u8>, ns: i64) {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    let _ = write!(
        out,
        "{sign}{}.{:09}",
        abs / 1_000_000_000,
        abs % 1_000_000_000
    );
}

/// Append the batch's rows as JSON lines to `out`.
pub fn write_rows(out: &mut Vec<u8>, columns: &[Column], batch: &Batch) {
    let mut cursor = vec![0usize; columns.len()];
    let keys: Vec<Vec<u8>> = columns
        .iter()
        .map(|c| {
            let mut k = Vec::new();
            string(&mut k, &c.name);
            k.push(b':');
            k
        })
        .collect();
    for row in 0..batch.rows {
        out.push(b'{');
        let mut first = true;
        for (ci, col) in columns.iter().enumerate() {
            let values = &batch.columns[ci];
            let n = cursor[ci];
            if values.rows.get(n) != Some(&(row as u32)) {
                continue;
            }
            cursor[ci] += 1;
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(&keys[ci]);
            match col.kind {
                Kind::Int => {
                    let _ = write!(out, "{}", values.ints[n]);
                }
                Kind::Bool => {
                    out.extend_from_slice(if values.bools[n] { b"true" } else { b"false" })
                }
                Kind::Double => {
                    let v = values.doubles[n];
                    if v.is_finite() {
                        let _ = write!(out, "{v:.6}");
                    } else {
                        out.extend_from_slice(b"null");
                    }
                }
                // Zeek's JSON logs give times as epoch seconds.
                Kind::Timestamp => seconds(out, values.ints[n]),
                Kind::Text => string(out, values.text_at(n)),
            }
        }
        out.extend_from_slice(b"}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_leave_out_missing_values_and_escape_text() {
        let columns = vec![
            Column::new("frame.number", Kind::Int),
            Column::new("ip.src", Kind::Text),
            Column::new("tcp.flags.syn", Kind::Bool),
            Column::new("frame.time_epoch", Kind::Timestamp),
        ];
        let mut b = Batch::new(4);
        b.push_int(0, 1);
        b.push_text(1, "a\"b\\c\u{1}");
        b.push_bool(2, true);
        b.push_int(3, -1_500_000_000);
        b.end_row();
        b.push_int(0, 2);
        b.push_null(1);
        b.push_null(2);
        b.push_int(3, 1_000_000_001);
        b.end_row();
        let mut out = Vec::new();
        write_rows(&mut out, &columns, &b);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"frame.number\":1,\"ip.src\":\"a\\\"b\\\\c\\u0001\",\"tcp.flags.syn\":true,\"frame.time_epoch\":-1.500000000}\n\
             {\"frame.number\":2,\"frame.time_epoch\":1.000000001}\n"
        );
    }
}
