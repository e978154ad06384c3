//! The Encapsulation tab: the teaching view of the selected packet. The
//! model (`teach::Encapsulation`) is built on the teach branch; its
//! renderer plugs in here.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::app::App;

use super::{pane_title, theme};

/// Draw the Encapsulation tab.
pub fn render(_app: &App, area: Rect, buf: &mut Buffer) {
    let block = Block::new().title(pane_title(" Encapsulation ".into(), true));
    Paragraph::new(
        "The encapsulation view is not available in this build. Press 1 for the packet list.",
    )
    .style(theme::HINT)
    .wrap(Wrap { trim: true })
    .block(block)
    .render(area, buf);
}
