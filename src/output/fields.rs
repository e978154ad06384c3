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
    /// Column of each field key seen so far, by the key's address: keys are
    /// `&'static str`, so a pointer lookup replaces hashing the text of
    /// every field of every packet.
    by_address: HashMap<(usize, usize), Option<usize>, BuildAddressHasher>,
}

/// A hasher for `(address, length)` pairs: the address bits are already
/// well spread, so a multiply is enough.
#[derive(Default, Clone, Copy)]
struct BuildAddressHasher;

#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::BuildHasher for BuildAddressHasher {
    type Hasher = AddressHasher;
    fn build_hasher(&self) -> AddressHasher {
        AddressHasher(0)
    }
}

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
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
            by_address: HashMap::default(),
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
            let address = (field.key.as_ptr() as usize, field.key.len());
            let column = match self.by_address.get(&address) {
                Some(column) => *column,
                None => {
                    let column = self.index.get(field.key).copied();
                    self.by_address.insert(address, column);
                    column
                }
            };
            if let Some(col) = column
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
