//! Process attribution in the pipeline: each TCP or UDP conversation is
//! asked about once, when it is first seen (`capture::process` answers
//! from a separate lookup process), and the answer is kept for every
//! later packet of the conversation. An unknown answer is asked again at
//! most `MAX_TRIES` times, `RETRY_AFTER` apart (a socket may appear after
//! its first packet, a scan may have been rate-limited); the questions
//! asked per second are bounded (`LOOKUPS_PER_SECOND`), so a flood of new
//! conversations cannot slow the capture down. Nothing is guessed: a
//! conversation whose socket was not found has no process.
//!
//! [`Attributed`] puts it in front of a sink: the sink is told each
//! frame's process before it sees the frame. The TUI (or any other
//! consumer) can use [`Attribution::of`] per frame and
//! [`Attribution::of_flow`] per conversation the same way.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Sink;
use crate::capture::process::{ProcessLookup, SocketQuery};
use crate::decode::{Detail, Dissection};
use crate::error::AppError;
use crate::flow::FlowKey;
use crate::frame::{FrameRecord, Process};

/// Times an unknown conversation is asked about, in all.
pub const MAX_TRIES: u8 = 3;
/// The wait before an unknown conversation is asked about again.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);
/// Questions per second at most (and at most this many in a burst).
pub const LOOKUPS_PER_SECOND: f64 = 200.0;
/// Conversations remembered; past it the memory starts afresh.
const MAX_CONVERSATIONS: usize = 1 << 16;
/// Frames noted at the source and not yet at the sink (the pipeline holds
/// a few back): more than it ever holds.
const MAX_RECENT: usize = 4096;

/// A conversation: protocol and its two ends, lower end first.
type Conversation = (u8, (IpAddr, u16), (IpAddr, u16));

fn conversation(proto: u8, a: (IpAddr, u16), b: (IpAddr, u16)) -> Conversation {
    if a <= b { (proto, a, b) } else { (proto, b, a) }
}

#[derive(Debug)]
struct Entry {
    process: Option<Arc<Process>>,
    asked: Instant,
    tries: u8,
}

/// What the lookup said about each conversation seen so far.
#[derive(Debug)]
pub struct Attribution {
    lookup: ProcessLookup,
    known: HashMap<Conversation, Entry>,
    /// Questions whose answer has not come yet (it may come late).
    waiting: HashMap<u32, Conversation>,
    tokens: f64,
    refilled: Instant,
    /// Each frame's process as the source found it (frame number, oldest
    /// first), so the sink need not decode the frame again.
    recent: VecDeque<(u64, Option<Arc<Process>>)>,
    /// The last conversation found with its process: a run of packets of
    /// one conversation costs a comparison each, not a hash.
    last: Option<(Conversation, Arc<Process>)>,
    /// Questions asked, and answered with a process.
    pub asked: u64,
    pub found: u64,
}

impl Attribution {
    pub fn new(lookup: ProcessLookup) -> Attribution {
        Attribution {
            lookup,
            known: HashMap::new(),
            waiting: HashMap::new(),
            tokens: LOOKUPS_PER_SECOND,
            refilled: Instant::now(),
            recent: VecDeque::new(),
            last: None,
            asked: 0,
            found: 0,
        }
    }

    /// What the lookup process can see (for the start-up message).
    pub fn reach(&self) -> &crate::capture::process::Reach {
        &self.lookup.reach
    }

    /// The lookup process's pid.
    pub fn helper_pid(&self) -> u32 {
        self.lookup.pid()
    }

    /// The process of the conversation `d` belongs to (TCP or UDP),
    /// asking the lookup process when it is new.
    pub fn of(&mut self, d: &Dissection) -> Option<Arc<Process>> {
        let t = d.tuple?;
        let (src, dst) = ((t.src, t.src_port), (t.dst, t.dst_port));
        let key = conversation(t.protocol, src, dst);
        if let Some((last, process)) = &self.last
            && *last == key
        {
            return Some(process.clone());
        }
        let found = self.lookup_or_ask(key, t.protocol, src, dst);
        if let Some(process) = &found {
            self.last = Some((key, process.clone()));
        }
        found
    }

    fn lookup_or_ask(
        &mut self,
        key: Conversation,
        proto: u8,
        src: (IpAddr, u16),
        dst: (IpAddr, u16),
    ) -> Option<Arc<Process>> {
        if let Some(entry) = self.known.get(&key)
            && (entry.process.is_some()
                || entry.tries >= MAX_TRIES
                || entry.asked.elapsed() < RETRY_AFTER)
        {
            return entry.process.clone();
        }
        if !self.take_token() {
            return None;
        }
        if self.known.len() >= MAX_CONVERSATIONS {
            self.known.clear();
            self.waiting.clear();
            self.last = None;
        }
        let query = SocketQuery { proto, src, dst };
        let (known, waiting) = (&mut self.known, &mut self.waiting);
        let mut late = |id, answer| take_late(known, waiting, id, answer);
        let (id, answer) = self.lookup.ask(&query, &mut late);
        self.asked += 1;
        let process = answer.map(Arc::new);
        if process.is_some() {
            self.found += 1;
        } else if self.waiting.len() < MAX_CONVERSATIONS {
            self.waiting.insert(id, key);
        }
        let entry = self.known.entry(key).or_insert(Entry {
            process: None,
            asked: Instant::now(),
            tries: 0,
        });
        entry.asked = Instant::now();
        entry.tries = entry.tries.saturating_add(1);
        if process.is_some() {
            entry.process = process;
        }
        entry.process.clone()
    }

    /// Take the answers to earlier questions that have come since, waiting
    /// up to `wait` for them while any is outstanding.
    pub fn collect_late(&mut self, wait: Duration) {
        if self.waiting.is_empty() {
            return;
        }
        let (known, waiting) = (&mut self.known, &mut self.waiting);
        let mut late = |id, answer| take_late(known, waiting, id, answer);
        self.lookup.late_answers(wait, &mut late);
    }

    /// Questions still without an answer.
    pub fn outstanding(&self) -> usize {
        self.waiting.len()
    }

    /// Find frame `number`'s process (decoded as `d`) as it leaves the
    /// source, for [`Attribution::frame`] to hand to the sink.
    pub fn note_frame(&mut self, number: u64, d: &Dissection) {
        let process = self.of(d);
        if self.recent.len() >= MAX_RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back((number, process));
    }

    /// Frame `number`'s process: as the source noted it, else found now
    /// from `d` (which then must be decoded to layers).
    pub fn frame(&mut self, number: u64, d: &Dissection) -> Option<Arc<Process>> {
        // Frames the display filter dropped were noted but never come.
        while self.recent.front().is_some_and(|(n, _)| *n < number) {
            self.recent.pop_front();
        }
        match self.recent.front() {
            Some((n, _)) if *n == number => self.recent.pop_front().and_then(|(_, p)| p),
            _ => self.of(d),
        }
    }

    /// The process of a conversation of the flow table, if one was found.
    pub fn of_flow(&self, key: &FlowKey) -> Option<Arc<Process>> {
        let conv = conversation(key.proto, (key.lo(), key.lo_port), (key.hi(), key.hi_port));
        self.known.get(&conv)?.process.clone()
    }

    fn take_token(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.refilled).as_secs_f64() * LOOKUPS_PER_SECOND;
        self.tokens = (self.tokens + refill).min(LOOKUPS_PER_SECOND);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// An answer that came after its question's wait: kept for the
/// conversation's later packets and for the flow table.
fn take_late(
    known: &mut HashMap<Conversation, Entry>,
    waiting: &mut HashMap<u32, Conversation>,
    id: u32,
    answer: Option<Process>,
) {
    if let (Some(conv), Some(p)) = (waiting.remove(&id), answer)
        && let Some(entry) = known.get_mut(&conv)
    {
        entry.process.get_or_insert_with(|| Arc::new(p));
    }
}

/// Attribution shared by the capture source (which asks as soon as a
/// frame leaves the ring) and the sink (which reads the answer).
pub type Shared = Rc<RefCell<Attribution>>;

/// A sink that can be told the process of the frame it is about to get.
pub trait Annotate {
    fn set_process(&mut self, process: Option<Arc<Process>>);
}

/// A sink with process attribution in front of it. With `noted` the
/// source notes each frame's process (`Captured::attribute`), so the sink
/// decodes no more than it would without attribution.
pub struct Attributed<S> {
    pub inner: S,
    pub attribution: Shared,
    pub noted: bool,
}

impl<S: Sink + Annotate> Sink for Attributed<S> {
    fn detail(&self) -> Option<Detail> {
        match self.inner.detail() {
            Some(detail) => Some(detail),
            // Else the 4-tuple is needed: frames decoded to layers.
            None if !self.noted => Some(Detail::Layers),
            None => None,
        }
    }

    fn frame(&mut self, frame: &mut FrameRecord, d: &Dissection) -> Result<bool, AppError> {
        let process = self.attribution.borrow_mut().frame(frame.number, d);
        self.inner.set_process(process);
        self.inner.frame(frame, d)
    }

    fn hidden(&mut self, frame: &FrameRecord) {
        self.inner.hidden(frame);
    }

    fn wanted(&self) -> Option<std::sync::Arc<crate::decode::want::Wanted>> {
        self.inner.wanted()
    }

    fn idle(&mut self) -> Result<bool, AppError> {
        self.attribution.borrow_mut().collect_late(Duration::ZERO);
        self.inner.idle()
    }
}

/// The pcapng comment for a packet of `p`'s conversation, as ptcpdump
/// writes it (`PID: 1234, Command: curl`), with the user after.
pub fn comment(p: &Process) -> String {
    format!("PID: {}, Command: {}, User: {}", p.pid, p.command, p.user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversation_is_the_same_from_either_end() {
        let a = ("127.0.0.1".parse().expect("v4"), 40000);
        let b = ("127.0.0.1".parse().expect("v4"), 53);
        assert_eq!(conversation(17, a, b), conversation(17, b, a));
        assert_ne!(conversation(17, a, b), conversation(6, a, b));
        // A flow key's ends give the same conversation.
        let (key, _) = FlowKey::new(17, a, b);
        assert_eq!(
            conversation(key.proto, (key.lo(), key.lo_port), (key.hi(), key.hi_port)),
            conversation(17, a, b)
        );
    }

    #[test]
    fn the_comment_names_pid_command_and_user() {
        let p = Process {
            pid: 1234,
            command: "curl".into(),
            user: "alice".into(),
        };
        assert_eq!(comment(&p), "PID: 1234, Command: curl, User: alice");
    }
}
