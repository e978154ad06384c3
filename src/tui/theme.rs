//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

use crate::decode::{Hue, Proto};

pub const TITLE: Style = Style::new().fg(Color::Black).bg(Color::Gray);
pub const TITLE_FOCUSED: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::LightCyan)
    .add_modifier(Modifier::BOLD);
pub const HEADER: Style = Style::new().add_modifier(Modifier::BOLD);
pub const SELECTED: Style = Style::new().add_modifier(Modifier::REVERSED);
pub const CURSOR_UNFOCUSED: Style = Style::new().add_modifier(Modifier::UNDERLINED);
pub const GENERATED: Style = Style::new().fg(Color::DarkGray);
pub const NOTE: Style = Style::new().fg(Color::Yellow);
pub const WARN: Style = Style::new()
    .fg(Color::LightRed)
    .add_modifier(Modifier::BOLD);
pub const STATUS: Style = Style::new().fg(Color::White).bg(Color::Blue);
pub const HINT: Style = Style::new().fg(Color::DarkGray);
pub const HIGHLIGHT_BYTES: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::LightYellow)
    .add_modifier(Modifier::BOLD);
/// A marked packet (`m`), as Wireshark's black rows.
pub const MARKED: Style = Style::new()
    .fg(Color::White)
    .bg(Color::Black)
    .add_modifier(Modifier::BOLD);
/// Wireshark's "Bad TCP" rule (`tcp.analysis.flags`): near-black on red.
pub const BAD_TCP: Style = Style::new()
    .fg(Color::Rgb(0x12, 0x27, 0x2e))
    .bg(Color::Rgb(0xf7, 0x87, 0x87));
/// Wireshark's "TCP RST" rule: dark red on pale yellow.
pub const TCP_RST: Style = Style::new()
    .fg(Color::Rgb(0xa4, 0x00, 0x00))
    .bg(Color::Rgb(0xff, 0xfc, 0x9c));
pub const TAB_ACTIVE: Style = Style::new()
    .fg(Color::LightCyan)
    .add_modifier(Modifier::BOLD);

/// One colour per layer, by position in the frame: the details tree's
/// headings and the hex pane's bytes share it.
const LAYER_COLOURS: [Color; 6] = [
    Color::LightBlue,
    Color::LightGreen,
    Color::LightMagenta,
    Color::LightCyan,
    Color::Yellow,
    Color::LightRed,
];

/// The colour of the `n`th layer after the Frame layer.
pub fn layer(n: usize) -> Color {
    LAYER_COLOURS[n % LAYER_COLOURS.len()]
}

/// The packet list's colour for a protocol, after Wireshark's rules.
pub fn protocol(proto: Proto, warn: bool) -> Style {
    let fg = if warn {
        Color::LightRed
    } else {
        match proto.facts().hue {
            Hue::Tcp => Color::LightBlue,
            Hue::Udp => Color::LightCyan,
            Hue::Icmp => Color::LightMagenta,
            Hue::Arp => Color::Yellow,
            Hue::Muted => Color::DarkGray,
            Hue::Plain => Color::Reset,
        }
    };
    Style::new().fg(fg)
}
