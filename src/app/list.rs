//! The packet list's state: which frames it shows, which row is selected,
//! where the window starts, and whether it follows new packets.

use std::ops::Range;

/// The rows of the packet list, as indices into the frame store.
#[derive(Debug, Default)]
pub struct PacketList {
    /// Store indices of the frames shown, in arrival order.
    pub shown: Vec<u32>,
    /// Position in `shown` of the selected row.
    pub selected: Option<usize>,
    /// Position in `shown` of the first visible row.
    pub offset: usize,
    /// Keep the last row selected as packets arrive.
    pub follow: bool,
    /// How many rows fit on screen; set by the view.
    pub rows: usize,
    /// Counts the changes that move rows to other positions (a refilter,
    /// rows dropped at the front or the back, a sort), so work that holds
    /// positions (a search) knows they are stale.
    pub epoch: u64,
    /// When sorted: the same store indices as `shown`, in the order the
    /// rows are drawn (`App::sort`); `selected` and `offset` are then
    /// positions in it. `shown` stays in frame order for everything that
    /// needs it (the delta time, saving, counting).
    pub order: Option<Vec<u32>>,
}

impl PacketList {
    /// A list that starts following new packets or not.
    pub fn new(follow: bool) -> PacketList {
        PacketList {
            follow,
            rows: 1,
            ..PacketList::default()
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    /// True when nothing is shown.
    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// The store index of the selected frame.
    pub fn selected_frame(&self) -> Option<usize> {
        self.selected.and_then(|p| self.at(p)).map(|i| i as usize)
    }

    /// The store index of the frame on row `pos`, in the order drawn.
    pub fn at(&self, pos: usize) -> Option<u32> {
        self.order.as_ref().unwrap_or(&self.shown).get(pos).copied()
    }

    /// The row store index `index` is drawn on, if it is shown.
    pub fn row_of(&self, index: u32) -> Option<usize> {
        match &self.order {
            Some(order) => order.iter().position(|&i| i == index),
            None => self.shown.binary_search(&index).ok(),
        }
    }

    /// The shown frame before store index `index` in frame order, whatever
    /// the sort (the delta time's "previous displayed packet").
    pub fn previous_shown(&self, index: u32) -> Option<u32> {
        let at = self.shown.partition_point(|&i| i < index);
        at.checked_sub(1).map(|p| self.shown[p])
    }

    /// Draw the rows in this order (store indices, the same set as
    /// `shown`), or in frame order again (None); the selected frame stays
    /// selected and in view.
    pub fn set_order(&mut self, order: Option<Vec<u32>>) {
        let keep = self.selected_frame();
        self.epoch += 1;
        self.order = order.filter(|o| o.len() == self.shown.len());
        if let Some(row) = keep.and_then(|k| self.row_of(k as u32)) {
            self.selected = Some(row);
            self.follow = false;
        }
        self.scroll_to_selection();
    }

    /// The positions of the rows on screen.
    pub fn visible(&self) -> Range<usize> {
        let end = (self.offset + self.rows.max(1)).min(self.shown.len());
        self.offset.min(end)..end
    }

    /// Add a newly shown frame; the selection follows it when following, and
    /// the first frame of an empty list is selected either way.
    pub fn push(&mut self, index: u32) {
        self.shown.push(index);
        if let Some(order) = &mut self.order {
            // A sorted list takes newer rows at its end until sorted again.
            order.push(index);
        }
        if self.follow || self.selected.is_none() {
            self.selected = Some(self.shown.len() - 1);
            self.scroll_to_selection();
        }
    }

    /// Drop every row whose store index is `from` or later (a replay
    /// stepping back).
    pub fn truncate_from(&mut self, from: u32) {
        self.epoch += 1;
        while self.shown.last().is_some_and(|&i| i >= from) {
            self.shown.pop();
        }
        if let Some(order) = &mut self.order {
            order.retain(|&i| i < from);
        }
        if let Some(sel) = self.selected
            && sel >= self.shown.len()
        {
            self.selected = self.shown.len().checked_sub(1);
            self.follow = true;
        }
        self.scroll_to_selection();
    }

    /// Drop every row whose store index is below `first` (frames that aged
    /// out of the store). The selected frame stays selected if still there;
    /// otherwise the oldest remaining row is, or the newest when following.
    pub fn drop_before(&mut self, first: u32) {
        let gone = self.shown.partition_point(|&i| i < first);
        if gone == 0 {
            return;
        }
        self.epoch += 1;
        self.shown.drain(..gone);
        if let Some(order) = &mut self.order {
            // Aged-out rows leave a sorted list from anywhere in it.
            let keep = self.selected.and_then(|p| order.get(p)).copied();
            order.retain(|&i| i >= first);
            self.selected = match keep {
                _ if order.is_empty() => None,
                Some(k) if k >= first => order.iter().position(|&i| i == k),
                _ => self.selected.map(|p| p.min(order.len() - 1)),
            };
            self.scroll_to_selection();
            return;
        }
        self.offset = self.offset.saturating_sub(gone);
        self.selected = match self.selected {
            _ if self.shown.is_empty() => None,
            _ if self.follow => Some(self.shown.len() - 1),
            Some(sel) => Some(sel.saturating_sub(gone).min(self.shown.len() - 1)),
            None => Some(0),
        };
        self.scroll_to_selection();
    }

    /// Replace the rows (after a filter change), keeping the selected frame
    /// selected when it is still shown.
    pub fn replace(&mut self, shown: Vec<u32>) {
        let keep = self.selected_frame();
        self.epoch += 1;
        self.shown = shown;
        // A new set of rows is drawn in frame order until sorted again.
        self.order = None;
        self.selected = match keep {
            _ if self.shown.is_empty() => None,
            _ if self.follow => Some(self.shown.len() - 1),
            Some(frame) => Some(
                self.shown
                    .partition_point(|&i| (i as usize) < frame)
                    .min(self.shown.len() - 1),
            ),
            None => Some(0),
        };
        self.scroll_to_selection();
    }

    /// Select the row at `pos` (clamped). Selecting the last row turns
    /// following on; any other row turns it off.
    pub fn select(&mut self, pos: usize) {
        let Some(last) = self.shown.len().checked_sub(1) else {
            return;
        };
        let pos = pos.min(last);
        self.selected = Some(pos);
        self.follow = pos == last;
        self.scroll_to_selection();
    }

    /// Move the selection by `delta` rows.
    pub fn move_by(&mut self, delta: isize) {
        let from = self.selected.unwrap_or(0);
        self.select(from.saturating_add_signed(delta));
    }

    /// Move by one screen.
    pub fn page(&mut self, down: bool) {
        let step = self.rows.saturating_sub(1).max(1) as isize;
        self.move_by(if down { step } else { -step });
    }

    /// Select the row shown `row` lines below the top of the window.
    pub fn click(&mut self, row: usize) {
        let pos = self.offset + row;
        if pos < self.shown.len() {
            self.select(pos);
        }
    }

    /// Set how many rows fit and keep the selection in view.
    pub fn set_rows(&mut self, rows: usize) {
        self.rows = rows.max(1);
        self.scroll_to_selection();
    }

    fn scroll_to_selection(&mut self) {
        let rows = self.rows.max(1);
        let Some(sel) = self.selected else {
            self.offset = 0;
            return;
        };
        if sel < self.offset {
            self.offset = sel;
        } else if sel >= self.offset + rows {
            self.offset = sel + 1 - rows;
        }
        // Never leave blank rows at the bottom when there are rows above.
        let max_offset = self.shown.len().saturating_sub(rows);
        self.offset = self.offset.min(max_offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: u32, follow: bool, rows: usize) -> PacketList {
        let mut l = PacketList::new(follow);
        l.set_rows(rows);
        for i in 0..n {
            l.push(i);
        }
        l
    }

    #[test]
    fn a_following_list_keeps_the_newest_row_selected_and_visible() {
        let l = list(100, true, 10);
        assert_eq!(l.selected, Some(99));
        assert_eq!(l.visible(), 90..100);
    }

    #[test]
    fn a_list_scrolled_up_stays_put_as_rows_arrive() {
        let mut l = list(100, true, 10);
        l.move_by(-5);
        assert!(!l.follow);
        for i in 100..200 {
            l.push(i);
        }
        assert_eq!(l.selected, Some(94));
        assert_eq!(l.visible(), 90..100);
    }

    #[test]
    fn moving_back_to_the_last_row_resumes_following() {
        let mut l = list(20, true, 5);
        l.move_by(-1);
        assert!(!l.follow);
        l.move_by(1);
        assert!(l.follow);
        l.push(20);
        assert_eq!(l.selected, Some(20));
    }

    #[test]
    fn paging_moves_by_one_screen_less_one_row() {
        let mut l = list(100, false, 10);
        assert_eq!(l.selected, Some(0));
        l.page(true);
        assert_eq!(l.selected, Some(9));
        l.page(false);
        assert_eq!(l.selected, Some(0));
    }

    #[test]
    fn a_click_selects_the_row_under_it_relative_to_the_window() {
        let mut l = list(100, false, 10);
        l.select(50);
        let top = l.offset;
        l.click(3);
        assert_eq!(l.selected, Some(top + 3));
        l.click(1000);
        assert_eq!(l.selected, Some(top + 3));
    }

    #[test]
    fn replacing_the_rows_keeps_the_selected_frame_when_still_shown() {
        let mut l = list(10, false, 5);
        l.select(6);
        l.replace(vec![1, 3, 6, 9]);
        assert_eq!(l.selected_frame(), Some(6));
        l.replace(vec![1, 9]);
        assert_eq!(l.selected_frame(), Some(9));
        l.replace(vec![]);
        assert_eq!(l.selected, None);
    }

    #[test]
    fn dropping_aged_out_rows_keeps_the_selected_frame_and_its_place() {
        let mut l = list(100, false, 10);
        l.select(50);
        let top = l.offset;
        l.drop_before(30);
        assert_eq!(l.len(), 70);
        assert_eq!(l.selected_frame(), Some(50));
        assert_eq!(l.offset, top - 30);
        l.drop_before(60);
        assert_eq!(l.selected_frame(), Some(60));
        assert_eq!(l.offset, 0);
        l.drop_before(100);
        assert_eq!(l.selected, None);
    }

    #[test]
    fn stepping_back_removes_rows_and_keeps_a_valid_selection() {
        let mut l = list(10, true, 5);
        l.truncate_from(8);
        assert_eq!(l.len(), 8);
        assert_eq!(l.selected, Some(7));
    }
}
