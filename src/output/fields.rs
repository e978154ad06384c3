//! `--fields`: tab-separated values under a header line, with tshark's field
//! names and value formats (`tshark -T fields -E header=y -E occurrence=f`).

use std::collections::HashMap;

use crate::decode::Dissection;
use crate::frame::FrameRecord;

use super::value::write_tshark;

/// A chosen list of fields, resolved once.
pub struct FieldColumns {
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// Per column, the field index in the current packet (first occurrence).
    slots: Vec<Option<usize>>,
}

impl FieldColumns {
    /// Columns from a comma-separated list of field names.
    pub fn new(list: &str) -> FieldColumns {
        let names: Vec<String> = list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let mut index = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            index.entry(n.clone()).or_insert(i);
        }
        let slots = vec![None; names.len()];
        FieldColumns {
            names,
            index,
            slots,
        }
    }

    /// The names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Append the header line.
    pub fn write_header(&self, out: &mut String) {
        out.push_str(&self.names.join("\t"));
        out.push('\n');
    }

    /// Append one packet's row.
    pub fn write_row(&mut self, out: &mut String, frame: &FrameRecord, d: &Dissection) {
        self.slots.iter_mut().for_each(|s| *s = None);
        for (fi, field) in d.fields.iter().enumerate() {
            if let Some(&col) = self.index.get(field.key)
                && self.slots[col].is_none()
            {
                self.slots[col] = Some(fi);
            }
        }
        for (col, name) in self.names.iter().enumerate() {
            if col > 0 {
                out.push('\t');
            }
            // A name listed twice repeats the first column's value.
            let slot = self.index.get(name.as_str()).and_then(|&c| self.slots[c]);
            if let Some(fi) = slot {
                write_tshark(out, &d.fields[fi].value, &frame.data);
            }
        }
        out.push('\n');
    }
}
