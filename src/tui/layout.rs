//! Where each pane goes for a given screen size. The loop uses the same
//! areas to tell the app how many rows fit and to map mouse clicks, so
//! what is drawn and what is clicked always agree.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::{App, Pane, Tab};

/// Smallest screen we draw anything but a "too small" note on.
pub const MIN_WIDTH: u16 = 20;
pub const MIN_HEIGHT: u16 = 4;

/// The screen, cut into panes. A pane that does not fit is `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub tabs: Rect,
    /// The body of a non-Packets tab.
    pub body: Rect,
    pub list: Option<Rect>,
    pub details: Option<Rect>,
    pub bytes: Option<Rect>,
    pub status: Rect,
    /// Key hints, or the prompt while one is open.
    pub hint: Option<Rect>,
    /// On the Flows and Encapsulation tabs, the lines above the body's
    /// content (title, column header): the body takes clicks and wheel.
    pub body_chrome: Option<u16>,
    pub too_small: bool,
}

impl Areas {
    /// Rows of content each pane has (its title line and, for the list,
    /// the column header excluded).
    pub fn viewport(&self) -> (usize, usize, usize) {
        let rows = |r: Option<Rect>, chrome: u16| {
            r.map_or(1, |r| r.height.saturating_sub(chrome).max(1) as usize)
        };
        (
            rows(self.list, 2),
            rows(self.details, 1),
            rows(self.bytes, 1),
        )
    }

    /// The pane under a screen position and the content row it is on.
    pub fn hit(&self, col: u16, row: u16) -> Option<(Pane, usize)> {
        let inside = |r: Rect| col >= r.x && col < r.right() && row >= r.y && row < r.bottom();
        let panes = [
            (Pane::List, self.list, 2),
            (Pane::Details, self.details, 1),
            (Pane::Bytes, self.bytes, 1),
        ];
        let in_pane = panes.into_iter().find_map(|(pane, r, chrome)| {
            let r = r?;
            (inside(r) && row >= r.y + chrome).then(|| (pane, (row - r.y - chrome) as usize))
        });
        // Another tab's body counts as its list.
        in_pane.or_else(|| {
            let chrome = self.body_chrome?;
            let r = self.body;
            (inside(r) && row >= r.y + chrome).then(|| (Pane::List, (row - r.y - chrome) as usize))
        })
    }
}

/// Cut `area` for the app's current tab, focus and prompt.
pub fn areas(area: Rect, app: &App) -> Areas {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return Areas {
            too_small: true,
            body: area,
            ..Areas::default()
        };
    }
    let show_hint = area.height >= 10 || app.prompt.is_some();
    let [tabs, body, status, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(u16::from(show_hint)),
    ])
    .areas(area);
    let mut out = Areas {
        tabs,
        body,
        status,
        hint: show_hint.then_some(hint),
        ..Areas::default()
    };
    match app.tab {
        Tab::Flows => out.body_chrome = Some(2),
        Tab::Statistics => out.body_chrome = Some(3),
        Tab::Encapsulation | Tab::Follow => out.body_chrome = Some(1),
        Tab::Packets | Tab::Graphs => {}
    }
    if app.tab != Tab::Packets {
        return out;
    }
    if body.height >= 15 {
        let [list, rest] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Fill(1)]).areas(body);
        out.list = Some(list);
        if body.width >= 150 {
            let [details, bytes] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Length(78)]).areas(rest);
            out.details = Some(details);
            out.bytes = Some(bytes);
        } else {
            let [details, bytes] =
                Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas(rest);
            out.details = Some(details);
            out.bytes = Some(bytes);
        }
    } else if body.height >= 8 {
        // Room for two: the list and whichever other pane has focus.
        let [list, other] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(body);
        out.list = Some(list);
        match app.focus {
            Pane::Bytes => out.bytes = Some(other),
            Pane::List | Pane::Details => out.details = Some(other),
        }
    } else {
        // Only the focused pane.
        match app.focus {
            Pane::List => out.list = Some(body),
            Pane::Details => out.details = Some(body),
            Pane::Bytes => out.bytes = Some(body),
        }
    }
    out
}
