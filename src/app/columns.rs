//! The Packets tab's columns (`c`): Wireshark's default seven, a delta
//! time, and any field of the registry by its display-filter name as a
//! custom column (`tcp.window_size_value`, `ip.ttl`, `tcp.stream`), the
//! name checked as `-Y` checks it, with close matches suggested.

use crate::filter::DisplayFilter;

/// One column of the packet list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    No,
    /// As `t` sets it: relative, absolute or since the previous packet.
    Time,
    /// Seconds since the previous packet shown, whatever `t` says.
    Delta,
    Source,
    Destination,
    Protocol,
    Length,
    Info,
    /// A registry field by key: every occurrence in the packet, joined
    /// by commas, as Wireshark's custom columns show them.
    Field(String),
}

/// The built-in columns: their names in the chooser and their headers.
const BUILT_IN: [(Column, &str, &str); 8] = [
    (Column::No, "no", "No."),
    (Column::Time, "time", "Time"),
    (Column::Delta, "delta", "Delta"),
    (Column::Source, "source", "Source"),
    (Column::Destination, "destination", "Destination"),
    (Column::Protocol, "protocol", "Protocol"),
    (Column::Length, "length", "Length"),
    (Column::Info, "info", "Info"),
];

/// Most columns a list may have.
pub const MAX_COLUMNS: usize = 16;

impl Column {
    /// Wireshark's default columns.
    pub fn defaults() -> Vec<Column> {
        vec![
            Column::No,
            Column::Time,
            Column::Source,
            Column::Destination,
            Column::Protocol,
            Column::Length,
            Column::Info,
        ]
    }

    /// The name the chooser takes.
    pub fn name(&self) -> &str {
        match self {
            Column::Field(key) => key,
            c => BUILT_IN
                .iter()
                .find(|(b, ..)| b == c)
                .map_or("", |(_, n, _)| n),
        }
    }

    /// The column's header.
    pub fn header(&self) -> &str {
        match self {
            Column::Field(key) => key,
            c => BUILT_IN
                .iter()
                .find(|(b, ..)| b == c)
                .map_or("", |(.., h)| h),
        }
    }
}

/// The chooser's text for these columns: names separated by commas.
pub fn columns_text(columns: &[Column]) -> String {
    let names: Vec<&str> = columns.iter().map(Column::name).collect();
    names.join(", ")
}

/// Columns from the chooser's text: names separated by commas or spaces,
/// built-in ones (`no`, `time`, `delta`, `source`/`src`, `destination`/
/// `dst`, `protocol`/`proto`, `length`/`len`, `info`) or field keys.
pub fn parse_columns(text: &str) -> Result<Vec<Column>, String> {
    let mut columns = Vec::new();
    let mut bad = Vec::new();
    for word in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        let lower = word.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "src" => "source",
            "dst" => "destination",
            "proto" => "protocol",
            "len" => "length",
            "no." | "number" => "no",
            other => other,
        };
        if let Some((c, ..)) = BUILT_IN.iter().find(|(_, n, _)| *n == alias) {
            columns.push(c.clone());
            continue;
        }
        match field_name(word) {
            Ok(()) => columns.push(Column::Field(word.to_string())),
            Err(why) => bad.push(why),
        }
    }
    if !bad.is_empty() {
        return Err(bad.join("; "));
    }
    if columns.is_empty() {
        return Err(format!(
            "no columns given: e.g. no, time, source, destination, protocol, length, info, {}",
            crate::decode::tcp::STREAM.key
        ));
    }
    if columns.len() > MAX_COLUMNS {
        return Err(format!(
            "{} columns given; at most {MAX_COLUMNS} fit",
            columns.len()
        ));
    }
    Ok(columns)
}

impl super::App {
    /// `c`'s text as the list's columns; a bad name keeps the columns and
    /// says why.
    pub(super) fn set_columns(&mut self, text: &str) {
        match parse_columns(text) {
            Ok(columns) => self.columns = columns,
            Err(e) => self.notify(format!("columns not changed: {e}"), true),
        }
    }
}

/// A field name the display filter knows, or why not (with its close
/// matches, as `-Y` names them).
fn field_name(word: &str) -> Result<(), String> {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-');
    if !plain || !word.contains('.') && !word.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(format!("{word:?} is not a column or a field name"));
    }
    match DisplayFilter::parse(word) {
        Ok(_) => Ok(()),
        Err(e) if e.message.starts_with("unknown field") => {
            // "unknown field 'x' — did you mean 'a', 'b'?", kept short for
            // the prompt line: the first two matches.
            let hints: Vec<&str> = e
                .message
                .split_once("did you mean ")
                .map(|(_, rest)| {
                    rest.trim_end_matches('?')
                        .split(", ")
                        .map(|h| h.trim_matches('\''))
                        .take(2)
                        .collect()
                })
                .unwrap_or_default();
            Err(if hints.is_empty() {
                format!("no field {word}")
            } else {
                format!("no field {word} (did you mean {}?)", hints.join(", "))
            })
        }
        Err(_) => Err(format!("{word:?} is not a column or a field name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_fields_become_columns_and_round_trip() {
        let cols = parse_columns("no, time,src dst proto len info delta tcp.stream").expect("ok");
        assert_eq!(cols.len(), 9);
        assert_eq!(cols[2], Column::Source);
        assert_eq!(cols[8], Column::Field("tcp.stream".into()));
        assert_eq!(parse_columns(&columns_text(&cols)), Ok(cols));
        assert_eq!(
            parse_columns(&columns_text(&Column::defaults())),
            Ok(Column::defaults())
        );
    }

    #[test]
    fn an_unknown_field_is_refused_with_close_matches() {
        let e = parse_columns("no, tcp.strem").expect_err("refused");
        assert!(e.contains("tcp.strem") && e.contains("tcp.stream"), "{e}");
        assert!(parse_columns("no, ip.ttl == 3").is_err());
        assert!(parse_columns(" , ").is_err());
        let many = vec!["no"; MAX_COLUMNS + 1].join(",");
        assert!(parse_columns(&many).is_err());
    }
}
