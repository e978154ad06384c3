//! The teaching commands' arguments: `explain` and `quiz`.

use clap::Args;

use super::ColorChoice;

#[derive(Args, Debug, Clone)]
pub struct ExplainArgs {
    /// The capture file (pcap or pcapng), or `-` for stdin.
    pub file: String,
    /// The frame to explain, numbered from 1 as in `read` [default: 1; with
    /// --conversation, the first TCP packet].
    #[arg(short = 'n', long = "frame", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub frame: Option<u64>,
    /// Tell the TCP (or UDP) conversation the frame belongs to, packet by packet.
    #[arg(long)]
    pub conversation: bool,
    /// Draw each header as its RFC does: 32-bit rows, every field in its bits.
    #[arg(long, conflicts_with = "conversation")]
    pub diagram: bool,
    /// Write Markdown, for handouts.
    #[arg(long)]
    pub markdown: bool,
    /// Colour: never, always, or auto (a terminal without NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// `wirepeek quiz`: questions on a capture, answered from its decoding.
#[derive(Args, Debug, Clone)]
pub struct QuizArgs {
    /// The capture file (pcap or pcapng), or `-` for stdin.
    pub file: String,
    /// How many questions (1 to 100).
    #[arg(short = 'n', long = "questions", value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub questions: u32,
    /// Seed of the question choice: the same seed gives the same quiz.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Print the questions with their answers (a handout, an autograder's
    /// key) instead of asking.
    #[arg(long)]
    pub answers: bool,
}
