//! The interactive browser: ratatui on crossterm. One loop reads one channel
//! of events (frame batches from the capture thread, keys and mouse from
//! the input thread), feeds them to `App::update`, and draws from `&App` at
//! most about 30 times a second, so the packet rate never sets the frame
//! rate.
//!
//! May use `app`, `capture` (through `FrameSource`s and the writer) and the
//! decoded model; must not use pnet or pcap-file: frames arrive as messages.

pub mod details;
pub mod flows;
pub mod follow;
pub mod graph;
pub mod grow;
pub mod hex;
pub mod keys;
pub mod layout;
pub mod list;
pub mod save;
pub mod slice;
pub mod sort;
pub mod source;
pub mod spool;
pub mod stats;
pub mod teach;
pub mod terminal;
pub mod theme;
pub mod view;

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use crossterm::event::{self as ct, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;

use crate::app::filter::display_compiler;
use crate::app::{App, Effect, FilterCompiler, Input, Key, Msg, SourceKind, Tab};
use crate::capture::interfaces;
use crate::capture::live::LiveOptions;
use crate::capture::stop;
use crate::cli::{FilterArgs, TuiArgs};
use crate::error::AppError;

pub use source::SourceSpec;
pub use view::pane_title;

/// Time between frames: about 30 per second.
const FRAME: Duration = Duration::from_millis(33);
/// Redraw at least this often, for clocks and rates.
const IDLE_REDRAW: Duration = Duration::from_millis(250);
/// Longest the loop spends applying queued events before it draws.
const DRAIN_BUDGET: Duration = Duration::from_millis(25);
/// Longest a follow job or a search works between two looks at the events.
const FOLLOW_SLICE: Duration = Duration::from_millis(10);
/// Batches the channel holds before a live capture starts dropping.
const CHANNEL_SLOTS: usize = 256;

/// What the loop receives.
#[derive(Debug)]
pub enum Event {
    App(Msg),
    Key(Key),
    Mouse {
        kind: MouseEventKind,
        col: u16,
        row: u16,
    },
    Resize,
}

/// Everything `run` needs.
pub struct TuiConfig {
    pub source: SourceSpec,
    /// A display filter to start with.
    pub filter: Option<String>,
    /// Turns filter text into a predicate (`app::filter::display_compiler`);
    /// None leaves `/` saying filters are not available.
    pub compiler: Option<FilterCompiler>,
    /// A tcpdump expression frames must match to enter the store at all,
    /// as a capture filter.
    pub capture_filter: Option<String>,
    /// Keep at most this many frames, the oldest aging out.
    pub max_packets: Option<usize>,
}

impl TuiConfig {
    /// The configuration `wirepeek tui ...` asks for.
    pub fn from_args(args: &TuiArgs) -> Result<TuiConfig, AppError> {
        let mut words = args.args.iter();
        let source = match (&args.interface, args.replay) {
            (Some(_), true) => {
                return Err(AppError::Usage(
                    "--replay plays a file back; it cannot be used with -i".into(),
                ));
            }
            (Some(iface), false) => SourceSpec::Live {
                interface: iface.clone(),
                options: live_options(args),
                processes: !args.no_process,
            },
            (None, replay) => match words.next() {
                Some(path) if replay => {
                    if !(args.speed.is_finite() && args.speed > 0.0) {
                        return Err(AppError::Usage(format!(
                            "--speed must be a positive number, not {}",
                            args.speed
                        )));
                    }
                    SourceSpec::Replay {
                        path: path.clone(),
                        speed: args.speed,
                    }
                }
                Some(path) => SourceSpec::File { path: path.clone() },
                None if replay => {
                    return Err(AppError::Usage("--replay needs a capture file".into()));
                }
                None => SourceSpec::Live {
                    interface: interfaces::default_interface(&interfaces::list()?),
                    options: live_options(args),
                    processes: !args.no_process,
                },
            },
        };
        // Both filters are checked here, so a bad one is a usage error
        // before any terminal or socket is touched.
        let filters = FilterArgs {
            display: args.display.clone(),
            expression: words.cloned().collect(),
        };
        crate::pipeline::parse_filter(filters.tcpdump().as_deref(), filters.display.as_deref())?;
        Ok(TuiConfig {
            source,
            filter: filters.display.clone(),
            compiler: Some(display_compiler()),
            capture_filter: filters.tcpdump(),
            max_packets: args.max_packets.map(|n| n as usize),
        })
    }
}

fn live_options(args: &TuiArgs) -> LiveOptions {
    LiveOptions {
        snaplen: args.snaplen,
        ring_mib: args.buffer,
    }
}

/// `wirepeek tui`.
pub fn run_cli(args: &TuiArgs) -> Result<(), AppError> {
    run(TuiConfig::from_args(args)?)
}

/// Open the source, take over the terminal, and run until the user quits.
pub fn run(config: TuiConfig) -> Result<(), AppError> {
    let speed = match &config.source {
        SourceSpec::Replay { speed, .. } => Some(*speed),
        _ => None,
    };
    let mut app = App::new(config.source.kind(), speed);
    app.set_max_packets(config.max_packets);
    app.view.compiler = config.compiler;
    let capture_filter = match &config.capture_filter {
        Some(expr) => Some(crate::pipeline::parse_filter(Some(expr), None)?),
        None => None,
    };
    app.capture_filter = config.capture_filter.clone();
    if let Some(text) = &config.filter {
        app.view
            .set_display(text)
            .map_err(|e| AppError::Usage(format!("filter {text:?}: {e}")))?;
    }
    let (tx, rx) = mpsc::sync_channel::<Event>(CHANNEL_SLOTS);
    let stop_source = Arc::new(AtomicBool::new(false));
    let drops = Arc::new(source::Drops::default());
    // A capture file is followed as it grows, as `tail -f` would (see
    // `grow`): nothing changes for a file no one writes.
    source::start_following(
        &config.source,
        capture_filter,
        true,
        tx.clone(),
        stop_source.clone(),
        drops.clone(),
    )?;
    // Keys come from standard input, or from /dev/tty when the capture
    // itself comes in on standard input (`wirepeek tui -`).
    let reads_stdin = matches!(
        &config.source,
        SourceSpec::File { path } | SourceSpec::Replay { path, .. } if path == "-"
    );
    let keys =
        std::io::stdin().is_terminal() || (reads_stdin && std::fs::File::open("/dev/tty").is_ok());
    if !(keys && std::io::stdout().is_terminal()) {
        stop_source.store(true, Ordering::Relaxed);
        return Err(AppError::Usage(
            "the TUI needs a terminal on standard input and output; for text use `wirepeek read` or `wirepeek capture`".into(),
        ));
    }
    let signalled = stop::install_stop_handlers();

    let guard = terminal::TerminalGuard::enter().map_err(AppError::Output)?;
    let result = (|| {
        let mut term =
            Terminal::new(CrosstermBackend::new(std::io::stdout())).map_err(AppError::Output)?;
        spawn_input(tx);
        event_loop(&mut term, &mut app, &rx, &drops, signalled)
    })();
    stop_source.store(true, Ordering::Relaxed);
    drop(rx);
    drop(guard);
    result?;
    match app.counters.failed.take() {
        Some(e) => Err(AppError::Capture(crate::capture::CaptureError::Other(e))),
        None => Ok(()),
    }
}

fn spawn_input(tx: SyncSender<Event>) {
    let _ = std::thread::Builder::new()
        .name("wirepeek-input".into())
        .spawn(move || {
            loop {
                let event = match ct::read() {
                    Ok(ct::Event::Key(k)) => match keys::key(k) {
                        Some(key) => Event::Key(key),
                        None => continue,
                    },
                    Ok(ct::Event::Mouse(m)) => Event::Mouse {
                        kind: m.kind,
                        col: m.column,
                        row: m.row,
                    },
                    Ok(ct::Event::Resize(..)) => Event::Resize,
                    Ok(_) => continue,
                    Err(_) => return,
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
        });
}

fn event_loop<B: ratatui::backend::Backend>(
    term: &mut Terminal<B>,
    app: &mut App,
    rx: &mpsc::Receiver<Event>,
    drops: &source::Drops,
    signalled: &AtomicBool,
) -> Result<(), AppError>
where
    B::Error: Into<std::io::Error>,
{
    let start = Instant::now();
    let mut areas = layout::Areas::default();
    let mut next_tick = Instant::now();
    let mut last_draw: Option<Instant> = None;
    let mut dirty = true;
    let mut job: Option<follow::Job> = None;
    let mut count: Option<stats::Job> = None;
    let mut sorter: Option<sort::Job> = None;
    loop {
        let mut timeout = next_tick.saturating_duration_since(Instant::now());
        if job.is_some()
            || count.is_some()
            || sorter.is_some()
            || app.searching()
            || app.graph_pending()
        {
            // A follow, a count, a sort, a search or a graph is running:
            // look at the events, then work on it.
            timeout = Duration::ZERO;
        }
        match rx.recv_timeout(timeout) {
            Ok(first) => {
                let began = Instant::now();
                let mut event = Some(first);
                while let Some(ev) = event.take() {
                    if handle(app, ev, &areas, &mut job, &mut count)? {
                        // Back from a suspension: the screen is the shell's.
                        // (A resize repaints it all; `clear` would ask the
                        // terminal for the cursor, and the input thread
                        // would take the answer.)
                        let size = term.size().map_err(|e| AppError::Output(e.into()))?;
                        term.resize(Rect::new(0, 0, size.width, size.height))
                            .map_err(|e| AppError::Output(e.into()))?;
                    }
                    dirty = true;
                    if app.quit || began.elapsed() >= DRAIN_BUDGET {
                        break;
                    }
                    event = rx.try_recv().ok();
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(timeout),
        }
        if app.quit || signalled.load(Ordering::Relaxed) {
            return Ok(());
        }
        if let Some(j) = &mut job {
            if j.step(app, FOLLOW_SLICE) {
                job = None;
            }
            dirty = true;
        }
        if let Some(c) = &mut count {
            if c.step(app, FOLLOW_SLICE) {
                count = None;
            }
            dirty = true;
        }
        if let Some(req) = app.take_sort_job() {
            sorter = Some(sort::Job::new(req));
        }
        if let Some(s) = &mut sorter {
            if s.step(app, FOLLOW_SLICE) {
                sorter = None;
            }
            dirty = true;
        }
        if app.graph_pending() {
            graph::work(app, FOLLOW_SLICE);
            dirty = true;
        }
        if app.searching() {
            let began = Instant::now();
            app.search_work(&mut || began.elapsed() >= FOLLOW_SLICE);
            dirty = true;
        }
        if terminal::panicked() {
            return Err(AppError::Output(std::io::Error::other(
                "a wirepeek thread panicked (message above); the TUI stopped",
            )));
        }
        let now = Instant::now();
        if now < next_tick {
            continue;
        }
        next_tick = now + FRAME;
        app.update(Msg::Tick(now.duration_since(start).as_nanos() as u64));
        app.update(Msg::Drops {
            kernel: drops.kernel.load(Ordering::Relaxed),
            wirepeek: drops.wirepeek.load(Ordering::Relaxed),
        });
        if app.replay.is_some() {
            dirty = true;
        }
        if dirty || last_draw.is_none_or(|t| t.elapsed() >= IDLE_REDRAW) {
            let size = term.size().map_err(|e| AppError::Output(e.into()))?;
            areas = sync_viewport(app, Rect::new(0, 0, size.width, size.height));
            term.draw(|f| {
                view::render(app, f.area(), f.buffer_mut());
            })
            .map_err(|e| AppError::Output(e.into()))?;
            last_draw = Some(Instant::now());
            dirty = false;
        }
    }
}

/// Lay out the screen and tell the app how many rows each pane has.
pub fn sync_viewport(app: &mut App, area: Rect) -> layout::Areas {
    let a = layout::areas(area, app);
    let (list, details, bytes) = a.viewport();
    app.update(Msg::Viewport {
        list,
        details,
        bytes,
    });
    // The body less its title line and, for the table, its column header.
    let body = usize::from(a.body.height);
    app.update(Msg::FlowRows(body.saturating_sub(2).max(1)));
    graph::sync(app, a.body);
    if app.tab == Tab::Encapsulation {
        let lines = teach::lesson_lines(app, a.body.width).len();
        app.update(Msg::Lesson {
            lines,
            height: body.saturating_sub(1),
        });
    }
    a
}

/// Apply one event; true when the terminal was given up meanwhile (Ctrl-Z)
/// and must be repainted whole.
fn handle(
    app: &mut App,
    event: Event,
    areas: &layout::Areas,
    job: &mut Option<follow::Job>,
    count: &mut Option<stats::Job>,
) -> Result<bool, AppError> {
    let effect = match event {
        Event::App(msg) => app.update(msg),
        Event::Key(key) => app.update(Msg::Input(Input::Key(key))),
        Event::Mouse { kind, col, row } => {
            let Some((pane, at)) = areas.hit(col, row) else {
                return Ok(false);
            };
            let input = match kind {
                MouseEventKind::Down(_) => Input::Click { pane, row: at },
                MouseEventKind::ScrollDown => Input::Wheel { pane, down: true },
                MouseEventKind::ScrollUp => Input::Wheel { pane, down: false },
                _ => return Ok(false),
            };
            app.update(Msg::Input(input))
        }
        Event::Resize => None,
    };
    match effect {
        Some(Effect::Save {
            path,
            frames,
            replace,
        }) => {
            let open = match &app.source {
                SourceKind::File { path } | SourceKind::Replay { path } => Some(path.clone()),
                _ => None,
            };
            let msg = save::save_checked(&app.store, frames, path, replace, open.as_deref());
            app.update(msg);
        }
        Some(Effect::Copy(text)) => terminal::copy(&text).map_err(AppError::Output)?,
        Some(Effect::Follow { job: id, frames }) => *job = Some(follow::Job::new(id, frames)),
        Some(Effect::Stats { job: id, frames }) => *count = Some(stats::Job::new(id, frames)),
        Some(Effect::Suspend) => {
            terminal::suspend().map_err(AppError::Output)?;
            return Ok(true);
        }
        Some(Effect::Quit) | None => {}
    }
    Ok(false)
}

#[cfg(test)]
mod tests;
