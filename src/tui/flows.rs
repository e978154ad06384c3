//! The Flows tab. The conversation table is built on the flows branch; it
//! plugs in here (and sets `app.view.flow` when a flow is picked).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::app::App;

use super::{pane_title, theme};

/// Draw the Flows tab.
pub fn render(_app: &App, area: Rect, buf: &mut Buffer) {
    let block = Block::new().title(pane_title(" Flows ".into(), true));
    Paragraph::new(
        "The conversation table is not available in this build. Press 1 for the packet list.",
    )
    .style(theme::HINT)
    .wrap(Wrap { trim: true })
    .block(block)
    .render(area, buf);
}
