//! A table's columns and a batch of its rows held column by column, the
//! shape both writers take: Parquet writes each column as it is, NDJSON
//! walks the rows. A batch is flushed (one Parquet row group) when it holds
//! `ROWS_PER_GROUP` rows or `BYTES_PER_GROUP` bytes, so memory stays
//! bounded whatever the input.
//!
//! A column keeps only its values and the row of each: a row without a
//! value is null, and costs that column nothing (an IPv6 column of an
//! IPv4 capture is never touched while rows are filled).

/// Rows per row group.
pub const ROWS_PER_GROUP: usize = 65_536;
/// Or this many bytes of buffered values, whichever comes first.
pub const BYTES_PER_GROUP: usize = 16 << 20;

/// A column's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// 64-bit signed integer.
    Int,
    Bool,
    /// UTF-8 text.
    Text,
    /// Nanoseconds since the epoch, UTC.
    Timestamp,
    /// Seconds, as Zeek's intervals.
    Double,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

impl Column {
    pub fn new(name: &str, kind: Kind) -> Column {
        Column {
            name: name.to_string(),
            kind,
        }
    }
}

/// One column's values in a batch: `rows[n]` is the row of the `n`th
/// value (ascending, at most one value per row); values are stored in
/// order, in the vector of the column's kind.
#[derive(Debug, Default)]
pub struct Values {
    pub rows: Vec<u32>,
    pub ints: Vec<i64>,
    pub bools: Vec<bool>,
    pub doubles: Vec<f64>,
    /// Text: the values back to back, and where each one ends.
    pub text: Vec<u8>,
    pub ends: Vec<usize>,
}

impl Values {
    fn clear(&mut self) {
        self.rows.clear();
        self.ints.clear();
        self.bools.clear();
        self.doubles.clear();
        self.text.clear();
        self.ends.clear();
    }

    /// The `n`th text value.
    pub fn text_at(&self, n: usize) -> &str {
        let start = if n == 0 { 0 } else { self.ends[n - 1] };
        // Only `push_text` fills `text`, always with whole `&str`s.
        std::str::from_utf8(&self.text[start..self.ends[n]]).unwrap_or("")
    }

    /// The Parquet definition levels of `rows` rows: 1 where a row has a
    /// value, 0 where it is null.
    pub fn levels(&self, rows: usize, out: &mut Vec<i16>) {
        out.clear();
        if self.rows.len() == rows {
            out.resize(rows, 1);
            return;
        }
        out.resize(rows, 0);
        for &r in &self.rows {
            if let Some(level) = out.get_mut(r as usize) {
                *level = 1;
            }
        }
    }
}

/// Rows of one table, column by column.
#[derive(Debug)]
pub struct Batch {
    pub columns: Vec<Values>,
    pub rows: usize,
    /// Bytes of values held, counted as they are pushed.
    held: usize,
}

impl Batch {
    pub fn new(width: usize) -> Batch {
        Batch {
            columns: (0..width).map(|_| Values::default()).collect(),
            rows: 0,
            held: 0,
        }
    }

    pub fn clear(&mut self) {
        self.columns.iter_mut().for_each(Values::clear);
        self.rows = 0;
        self.held = 0;
    }

    /// Roughly the bytes held.
    pub fn bytes(&self) -> usize {
        self.held
    }

    pub fn full(&self) -> bool {
        self.rows >= ROWS_PER_GROUP || self.held >= BYTES_PER_GROUP
    }

    fn mark(&mut self, col: usize, bytes: usize) -> &mut Values {
        self.held += bytes + 4;
        let row = self.rows as u32;
        let c = &mut self.columns[col];
        debug_assert!(c.rows.last() != Some(&row), "two values in one cell");
        c.rows.push(row);
        c
    }

    pub fn push_int(&mut self, col: usize, v: i64) {
        self.mark(col, 8).ints.push(v);
    }

    pub fn push_bool(&mut self, col: usize, v: bool) {
        self.mark(col, 1).bools.push(v);
    }

    pub fn push_double(&mut self, col: usize, v: f64) {
        self.mark(col, 8).doubles.push(v);
    }

    pub fn push_text(&mut self, col: usize, v: &str) {
        let c = self.mark(col, v.len() + 8);
        c.text.extend_from_slice(v.as_bytes());
        c.ends.push(c.text.len());
    }

    /// A text value written straight into the column by `write` (which
    /// must append whole UTF-8 text).
    pub fn push_text_with(&mut self, col: usize, write: impl FnOnce(&mut Vec<u8>)) {
        let c = self.mark(col, 8);
        let start = c.text.len();
        write(&mut c.text);
        c.ends.push(c.text.len());
        self.held += self.columns[col].text.len() - start;
    }

    /// Leave `col` empty in this row (a column with no push is null).
    pub fn push_null(&mut self, _col: usize) {}

    /// Close the row.
    pub fn end_row(&mut self) {
        self.rows += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_mark_the_rows_that_have_values() {
        let mut b = Batch::new(3);
        for row in 0..4 {
            b.push_int(0, row);
            if row % 2 == 1 {
                b.push_text(1, "x");
            }
            b.end_row();
        }
        let mut levels = Vec::new();
        b.columns[0].levels(b.rows, &mut levels);
        assert_eq!(levels, [1, 1, 1, 1]);
        b.columns[1].levels(b.rows, &mut levels);
        assert_eq!(levels, [0, 1, 0, 1]);
        b.columns[2].levels(b.rows, &mut levels);
        assert_eq!(levels, [0, 0, 0, 0]);
        assert_eq!(b.columns[1].text_at(1), "x");
    }
}
