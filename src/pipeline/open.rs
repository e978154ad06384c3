//! The pipeline's first step: open the source. A capture socket is opened
//! on the main thread, checked (an interface that is down is an error, as
//! in tcpdump), and then, once the command has also created any output
//! file, [`drop_privileges`] gives up every privilege before any other
//! thread starts. Frames already in memory are a source too.

use crate::capture::live::{LiveOptions, LiveSource};
use crate::capture::multi::MultiSource;
use crate::capture::{CaptureError, FrameSource, Next, interfaces, privilege};
use crate::decode::{Detail, Dissection, decode_into};
use crate::error::AppError;
use crate::filter::TcpdumpFilter;
use crate::frame::FrameRecord;
use crate::pipeline::process;

/// `IFF_UP` in `/sys/class/net/NAME/flags`.
const IFF_UP: u32 = 0x1;

/// Open a capture socket on `name`. An interface that is down captures
/// nothing, so it is an error (tcpdump: "That device is not up").
pub fn live(name: &str, options: LiveOptions) -> Result<LiveSource, AppError> {
    let source = LiveSource::open(name, options)?;
    check_up(name)?;
    Ok(source)
}

/// Open a capture on each of `names` (`-i A -i B`). One name is [`live`];
/// several are captured as Linux cooked v2 frames, as `-i any` would
/// show them: the frames of every interface then share one link type
/// (a pcap file can hold them too) and each says which interface it
/// crossed and in which direction.
pub fn live_many(names: &[String], options: LiveOptions) -> Result<MultiSource, AppError> {
    if let [name] = names {
        return Ok(MultiSource::new(vec![live(name, options)?])?);
    }
    let mut sources: Vec<LiveSource> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        if name == "any" {
            return Err(AppError::Usage(
                "-i any already captures every interface: give it alone".into(),
            ));
        }
        if names[..i].contains(name) {
            let name = interfaces::escape_name(name);
            return Err(AppError::Usage(format!("-i {name} is given twice")));
        }
        let source = LiveSource::open_cooked(name, options)?;
        check_up(name)?;
        sources.push(source);
    }
    Ok(MultiSource::new(sources)?)
}

/// An interface that is down captures nothing, so it is an error.
fn check_up(name: &str) -> Result<(), AppError> {
    // The name is known to exist here (the open looked it up).
    let flags = std::fs::read_to_string(format!("/sys/class/net/{name}/flags"))
        .ok()
        .and_then(|text| u32::from_str_radix(text.trim().trim_start_matches("0x"), 16).ok());
    if flags.is_some_and(|f| f & IFF_UP == 0) {
        let name = interfaces::escape_name(name);
        return Err(AppError::from(CaptureError::Other(format!(
            "{name}: That device is not up (`ip link set {name} up` brings it up)"
        ))));
    }
    Ok(())
}

/// Attach the tcpdump expression to the socket as classic BPF, so the
/// kernel drops what it rejects before it is copied up (tcpdump's way).
/// `Ok(false)` when the kernel's view of this link type's packets would
/// change the expression's meaning (see `filter::tcpdump::bpf`): it is then
/// matched in user space only. Either way frames are matched in user space
/// too ([`Captured`]), since the ring may hold frames from before.
pub fn kernel_filter(source: &LiveSource, expr: Option<&TcpdumpFilter>) -> Result<bool, AppError> {
    let Some(expr) = expr else {
        return Ok(true);
    };
    let Some(program) = expr.compile_bpf(source.link()) else {
        return Ok(false);
    };
    let raw: Vec<(u16, u8, u8, u32)> = program.iter().map(|i| (i.code, i.jt, i.jf, i.k)).collect();
    source.attach_filter(&raw)?;
    Ok(true)
}

/// A live source seen through its capture filter: rejected frames never
/// come out, and frame numbers count only the accepted ones, as tcpdump's
/// do (the kernel filter drops most before they arrive; frames queued
/// before it was attached are caught here).
pub struct Captured {
    inner: MultiSource,
    filter: Option<TcpdumpFilter>,
    accepted: u64,
    /// Process attribution, asked as each frame leaves the ring (before
    /// the pipeline holds it back), with a dissection to find its tuple.
    early: Option<(process::Shared, Dissection)>,
}

impl Captured {
    pub fn new(inner: MultiSource, filter: Option<TcpdumpFilter>) -> Captured {
        Captured {
            inner,
            filter,
            accepted: 0,
            early: None,
        }
    }

    /// Ask about each new conversation's process as soon as its first
    /// frame leaves the ring: the pipeline may hold frames back for up to
    /// a poll interval, and a short-lived socket may be gone by then.
    pub fn attribute(&mut self, attribution: process::Shared) {
        self.early = Some((attribution, Dissection::default()));
    }

    /// The sockets, for their counters.
    pub fn live(&self) -> &MultiSource {
        &self.inner
    }
}

impl FrameSource for Captured {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        loop {
            match self.inner.next_frame()? {
                Next::Frame(mut frame) => {
                    if self.filter.as_ref().is_some_and(|f| !f.matches(&frame)) {
                        continue;
                    }
                    self.accepted += 1;
                    frame.number = self.accepted;
                    if let Some((attribution, d)) = &mut self.early {
                        decode_into(&frame, Detail::Layers, d);
                        attribution.borrow_mut().note_frame(frame.number, d);
                    }
                    return Ok(Next::Frame(frame));
                }
                other => return Ok(other),
            }
        }
    }
}

/// Give up every privilege (see `capture::privilege`), on the calling
/// thread, which must be the only one. `user` is `--user`/`-Z`.
pub fn drop_privileges(user: Option<&str>) -> Result<(), AppError> {
    if let Some(warning) = privilege::drop_after_open(user)? {
        eprintln!("wirepeek: warning: {warning}");
    }
    Ok(())
}

/// Frames already in memory (the demo's conversation), in order.
pub struct Memory {
    frames: std::vec::IntoIter<FrameRecord>,
}

impl Memory {
    pub fn new(frames: Vec<FrameRecord>) -> Memory {
        Memory {
            frames: frames.into_iter(),
        }
    }
}

impl FrameSource for Memory {
    fn next_frame(&mut self) -> Result<Next, CaptureError> {
        Ok(match self.frames.next() {
            Some(frame) => Next::Frame(frame),
            None => Next::End { warning: None },
        })
    }
}
