//! Moves through a big capture: `:N` goes to frame N (Ctrl-F's search is
//! in `search`), `m` marks and `]`/`[` jump between marks, Ctrl-T sets
//! the time reference, `a`/`A` apply the selected field as the display
//! filter, `y` copies the selected field's value or the packet's bytes.

use std::fmt::Write;

use crate::decode::Value;

use super::details::TreeRow;
use super::{App, Effect, Pane};

/// A display-filter literal for a field's value, as Wireshark's "Apply as
/// Filter" writes it.
pub fn filter_literal(value: &Value, data: &[u8]) -> String {
    let mut s = String::new();
    match value {
        Value::UInt(n) => {
            let _ = write!(s, "{n}");
        }
        Value::Hex(n, digits) => {
            let _ = write!(s, "0x{n:0w$x}", w = usize::from(*digits));
        }
        Value::Bool(b) => s.push_str(if *b { "1" } else { "0" }),
        Value::Mac(m) => {
            let parts: Vec<String> = m.iter().map(|b| format!("{b:02x}")).collect();
            s.push_str(&parts.join(":"));
        }
        Value::Ip(ip) => {
            let _ = write!(s, "{ip}");
        }
        Value::Bytes(r) => {
            let bytes = data.get(r.clone()).unwrap_or_default();
            let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            s.push_str(&parts.join(":"));
        }
        Value::Text(t) => {
            let _ = write!(s, "{:?}", t.as_ref());
        }
    }
    s
}

impl App {
    /// `:text`: a frame number to go to.
    pub(super) fn command(&mut self, text: &str) {
        let t = text.trim();
        let Ok(number) = t.parse::<u64>() else {
            self.notify(
                format!("unknown command {t:?}: type a frame number (:123 goes to frame 123)"),
                true,
            );
            return;
        };
        self.go_to_number(number);
    }

    /// Select frame `number`, or the nearest shown one after it (in frame
    /// order, wherever a sort draws it).
    pub fn go_to_number(&mut self, number: u64) {
        let store = &self.store;
        let shown = &self.list.shown;
        let pos = shown.partition_point(|&i| store.number(i as usize).is_some_and(|n| n < number));
        let Some(pos) = pos.checked_sub(usize::from(pos == shown.len())) else {
            self.notify("no packet shown to go to", true);
            return;
        };
        let index = shown[pos];
        let got = store.number(index as usize);
        let row = self.list.row_of(index).unwrap_or(pos);
        self.list.select(row);
        self.focus = Pane::List;
        self.sync_details();
        if got != Some(number) {
            let why = if self
                .store
                .number(self.store.first())
                .is_some_and(|f| number < f)
            {
                "is not held"
            } else {
                "is not shown"
            };
            let at = got.map_or(String::new(), |g| format!("; at frame {g}"));
            self.notify(format!("frame {number} {why}{at}"), false);
        }
    }

    /// `m`: mark or unmark the selected packet.
    pub(super) fn toggle_mark(&mut self) {
        let Some(i) = self.list.selected_frame() else {
            return;
        };
        if !self.marks.remove(&(i as u32)) {
            self.marks.insert(i as u32);
        }
    }

    /// `]` / `[`: the next (previous) marked packet the list shows.
    pub(super) fn jump_mark(&mut self, forward: bool) {
        let Some(sel) = self.list.selected else {
            return;
        };
        let marked = |p: &usize| self.list.at(*p).is_some_and(|i| self.marks.contains(&i));
        let pos = if forward {
            (sel + 1..self.list.len()).find(marked)
        } else {
            (0..sel).rev().find(marked)
        };
        match pos {
            Some(p) => {
                self.list.select(p);
                self.sync_details();
            }
            None => self.notify(
                if self.marks.is_empty() {
                    "no packet is marked: m marks the selected one"
                } else if forward {
                    "no marked packet after this one"
                } else {
                    "no marked packet before this one"
                },
                false,
            ),
        }
    }

    /// Ctrl-T: count times from the selected packet, or again from the
    /// first when it already is the reference.
    pub(super) fn toggle_time_ref(&mut self) {
        let sel = self.list.selected_frame();
        self.time_ref = if self.time_ref == sel { None } else { sel };
    }

    /// The selected field in the details pane and its value as a filter
    /// literal, if the cursor is on a field.
    fn selected_field(&self) -> Option<(&'static str, String)> {
        let d = &self.details;
        let TreeRow::Field(_, f) = *d.rows.get(d.cursor)? else {
            return None;
        };
        let field = d.dissection.fields.get(f)?;
        Some((field.key, filter_literal(&field.value, &d.frame.data)))
    }

    /// `a` (`and`: `A`): the selected field as the display filter.
    pub(super) fn apply_field(&mut self, and: bool) {
        let Some((key, value)) = self.selected_field() else {
            self.notify("put the cursor on a field in the details pane first", false);
            return;
        };
        let term = format!("{key} == {value}");
        let text = match (&self.view.display, and) {
            (Some(a), true) => format!("({}) && {term}", a.text),
            _ => term,
        };
        self.apply_filter(&text);
    }

    /// `y`: the selected field's value (details pane), or the packet's
    /// bytes as hex (elsewhere), to the clipboard.
    pub(super) fn copy(&mut self) -> Option<Effect> {
        if self.focus == Pane::Details
            && let Some((key, value)) = self.selected_field()
        {
            self.notify(format!("copied {key}: {value}"), false);
            return Some(Effect::Copy(value));
        }
        self.details.frame_index?;
        let data = &self.details.frame.data;
        let mut hex = String::with_capacity(data.len() * 2);
        for b in data {
            let _ = write!(hex, "{b:02x}");
        }
        self.notify(
            format!(
                "copied frame {}'s {} bytes as hex",
                self.details.frame.number,
                data.len()
            ),
            false,
        );
        Some(Effect::Copy(hex))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_values_become_filter_literals_as_wireshark_writes_them() {
        let ip = "2001:db8::1".parse().expect("an address");
        assert_eq!(filter_literal(&Value::Ip(ip), &[]), "2001:db8::1");
        assert_eq!(filter_literal(&Value::Hex(0x800, 4), &[]), "0x0800");
        assert_eq!(filter_literal(&Value::UInt(80), &[]), "80");
        assert_eq!(
            filter_literal(&Value::Mac([0, 1, 2, 0xa, 0xb, 0xc]), &[]),
            "00:01:02:0a:0b:0c"
        );
        assert_eq!(
            filter_literal(&Value::Bytes(1..3), &[9, 0xab, 0xcd]),
            "ab:cd"
        );
        assert_eq!(
            filter_literal(&Value::Text("a\"b".into()), &[]),
            "\"a\\\"b\""
        );
    }
}
