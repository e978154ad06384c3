//! `wirepeek quiz`: the capture's first frames run through the pipeline
//! into a sink that offers questions (`teach::quiz::Pool`); then the quiz
//! is asked on standard input, or printed with its answers.

use std::io::{BufRead, Write};

use crate::capture::file::FileSource;
use crate::cli::QuizArgs;
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::filter::Filter;
use crate::frame::FrameRecord;
use crate::pipeline::print::flush;
use crate::pipeline::{self, Settings, Sink, Track};
use crate::teach::quiz::{MAX_FRAMES, MAX_QUESTIONS, Pool, Question};

/// Offers every frame to the pool.
struct Offer(Pool);

impl Sink for Offer {
    fn detail(&self) -> Option<Detail> {
        Some(Detail::Fields)
    }
    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        self.0.offer(frame, d);
        Ok(true)
    }
    fn idle(&mut self) -> Result<bool, AppError> {
        Ok(true)
    }
}

/// `wirepeek quiz`: ask (answers read from `input`) or, with `--answers`,
/// print the questions and their answers.
pub fn quiz(args: &QuizArgs, input: &mut dyn BufRead, out: &mut dyn Write) -> Result<(), AppError> {
    if args.questions == 0 || args.questions > MAX_QUESTIONS {
        return Err(AppError::Usage(format!(
            "-n {} is out of range: a quiz has 1 to {MAX_QUESTIONS} questions",
            args.questions
        )));
    }
    let mut source = FileSource::open(&args.file)?;
    let settings = Settings {
        filter: &Filter::default(),
        count: Some(MAX_FRAMES),
        absolute: false,
    };
    let mut offer = Offer(Pool::default());
    let summary = pipeline::run(&mut source, settings, Track::Off, &mut offer, &|| false)?;
    let pool = offer.0;
    if pool.is_empty() {
        return Err(AppError::Usage(format!(
            "{} offers no questions: the quiz asks about IPv4, IPv6, TCP and UDP headers and TCP conversations",
            args.file
        )));
    }
    let wanted = args.questions as usize;
    let offered = pool.len();
    let questions = pool.pick(wanted, args.seed);
    if questions.len() < wanted {
        eprintln!(
            "wirepeek: note: {} offers only {offered} questions; asking {}",
            args.file,
            questions.len()
        );
    }
    if summary.packets >= MAX_FRAMES {
        eprintln!("wirepeek: note: the quiz draws on the first {MAX_FRAMES} frames");
    }
    let mut text = String::new();
    if args.answers {
        for (i, q) in questions.iter().enumerate() {
            text.push_str(&format!(
                "{}. {}\n   Answer: {}\n",
                i + 1,
                q.prompt,
                q.answer
            ));
            why(&mut text, q);
            text.push('\n');
        }
        return write(out, &text).map(|_| ());
    }
    let mut right = 0;
    let mut line = String::new();
    for (i, q) in questions.iter().enumerate() {
        if !write(out, &format!("{}. {}\n> ", i + 1, q.prompt))? {
            return Ok(());
        }
        line.clear();
        let read = input
            .read_line(&mut line)
            .map_err(|e| AppError::Usage(format!("reading an answer from standard input: {e}")))?;
        text.clear();
        if read == 0 {
            text.push_str(&format!("\n   (no answer) The answer is {}.\n", q.answer));
        } else if q.is_right(line.trim()) {
            right += 1;
            text.push_str(&format!("   Right: {}.\n", q.answer));
        } else {
            text.push_str(&format!(
                "   Not quite: you said {:?}; the answer is {}.\n",
                line.trim(),
                q.answer
            ));
        }
        why(&mut text, q);
        text.push('\n');
        if !write(out, &text)? {
            return Ok(());
        }
    }
    write(
        out,
        &format!("Score: {right} of {} right.\n", questions.len()),
    )
    .map(|_| ())
}

fn why(text: &mut String, q: &Question) {
    for w in &q.why {
        text.push_str(&format!("   Why: {w}\n"));
    }
}

/// Write `text` now (the reader is waiting for the question); false when
/// the reader has gone (a closed pipe).
fn write(out: &mut dyn Write, text: &str) -> Result<bool, AppError> {
    flush(out, &mut text.to_string(), true)
}
