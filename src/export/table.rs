//! A table's columns and a batch of its rows held column by column, the
//! shape both writers take: Parquet writes each column as it is, NDJSON
//! walks the rows. A batch is flushed (one Parquet row group) when it holds
//! `ROWS_PER_GROUP` rows or `BYTES_PER_GROUP` bytes, so memory stays
//! bounded whatever the input.

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

/// One column's values in a batch: `present[i]` says whether row `i` has a
/// value; values are stored for present rows only, in order.
#[derive(Debug, Default)]
pub struct Values {
    pub present: Vec<bool>,
    pub ints: Vec<i64>,
    pub bools: Vec<bool>,
    pub doubles: Vec<f64>,
    /// Text: the values back to back, and where each one ends.
    pub text: Vec<u8>,
    pub ends: Vec<usize>,
}

impl Values {
    fn clear(&mut self) {
        self.present.clear();
        self.ints.clear();
        self.bools.clear();
        self.doubles.clear();
        self.text.clear();
        self.ends.clear();
    }

    /// The `n`th present text value.
    pub fn text_at(&self, n: usize) -> &str {
        let start = if n == 0 { 0 } else { self.ends[n - 1] };
        // Only `push_text` fills `text`, always with whole `&str`s.
        std::str::from_utf8(&self.text[start..self.ends[n]]).unwrap_or("")
    }
}

/// Rows of one table, column by column.
#[derive(Debug)]
pub struct Batch {
    pub columns: Vec<Values>,
    pub rows: usize,
}

impl Batch {
    pub fn new(width: usize) -> Batch {
        Batch {
            columns: (0..width).map(|_| Values::default()).collect(),
            rows: 0,
        }
    }

    pub fn clear(&mut self) {
        self.columns.iter_mut().for_each(Values::clear);
        self.rows = 0;
    }

    /// Roughly the bytes held.
    pub fn bytes(&self) -> usize {
        self.columns
            .iter()
            .map(|c| c.present.len() + 8 * (c.ints.len() + c.doubles.len()) + c.text.len())
            .sum()
    }

    pub fn full(&self) -> bool {
        self.rows >= ROWS_PER_GROUP || self.bytes() >= BYTES_PER_GROUP
    }

    pub fn push_int(&mut self, col: usize, v: i64) {
        let c = &mut self.columns[col];
        c.present.push(true);
        c.ints.push(v);
    }

    pub fn push_bool(&mut self, col: usize, v: bool) {
        let c = &mut self.columns[col];
        c.present.push(true);
        c.bools.push(v);
    }

    pub fn push_double(&mut self, col: usize, v: f64) {
        let c = &mut self.columns[col];
        c.present.push(true);
        c.doubles.push(v);
    }

    pub fn push_text(&mut self, col: usize, v: &str) {
        let c = &mut self.columns[col];
        c.present.push(true);
        c.text.extend_from_slice(v.as_bytes());
        c.ends.push(c.text.len());
    }

    /// A text value written straight into the column by `write` (which
    /// must append whole UTF-8 text).
    pub fn push_text_with(&mut self, col: usize, write: impl FnOnce(&mut Vec<u8>)) {
        let c = &mut self.columns[col];
        c.present.push(true);
        write(&mut c.text);
        c.ends.push(c.text.len());
    }

    pub fn push_null(&mut self, col: usize) {
        self.columns[col].present.push(false);
    }

    /// Close the row: every column must have had one push.
    pub fn end_row(&mut self) {
        self.rows += 1;
        debug_assert!(self.columns.iter().all(|c| c.present.len() == self.rows));
    }
}
