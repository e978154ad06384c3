//! A bounded in-memory log of the socket calls the lesson peers make
//! (`lesson.rs`): which side called what, when it was entered and when it
//! returned (nanoseconds since the epoch from `CLOCK_REALTIME`, the clock
//! the kernel stamps captured packets with), the byte count asked for and
//! the count returned. It knows nothing of capture: whoever holds the
//! packets lines the two up.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// How many calls a log keeps by default; later ones are only counted.
pub const DEFAULT_CALL_CAPACITY: usize = 4096;

/// Which peer made a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    Client,
    Server,
}

impl Peer {
    /// `client` or `server`.
    pub fn name(self) -> &'static str {
        match self {
            Peer::Client => "client",
            Peer::Server => "server",
        }
    }
}

/// The socket calls of the lecture's clients and servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Socket,
    Bind,
    Listen,
    Connect,
    Accept,
    Write,
    Read,
    SendTo,
    RecvFrom,
    /// `shutdown(SHUT_WR)`: no more data from this side.
    Shutdown,
    Close,
}

impl CallKind {
    /// The call as a C programmer writes it, without arguments: `read`.
    pub fn name(self) -> &'static str {
        match self {
            CallKind::Socket => "socket",
            CallKind::Bind => "bind",
            CallKind::Listen => "listen",
            CallKind::Connect => "connect",
            CallKind::Accept => "accept",
            CallKind::Write => "write",
            CallKind::Read => "read",
            CallKind::SendTo => "sendto",
            CallKind::RecvFrom => "recvfrom",
            CallKind::Shutdown => "shutdown",
            CallKind::Close => "close",
        }
    }
}

/// One call and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub peer: Peer,
    pub kind: CallKind,
    /// When the call was entered (ns since the epoch, CLOCK_REALTIME).
    pub entered: i128,
    /// When it returned.
    pub returned: i128,
    /// Bytes offered (write, sendto) or room given (read, recvfrom).
    pub asked: Option<usize>,
    /// Bytes the call reported (write, read, sendto, recvfrom).
    pub result: Option<usize>,
    /// The address the call concerned: bound, connected from, accepted from.
    pub addr: Option<SocketAddr>,
    /// The error it failed with, if it did.
    pub error: Option<String>,
}

/// Nanoseconds since the epoch by `CLOCK_REALTIME`, as packets are stamped.
pub fn now_ns() -> i128 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

#[derive(Debug, Default)]
struct Inner {
    calls: Vec<Call>,
    capacity: usize,
    dropped: u64,
}

/// A shared, bounded log of calls; clones share one log.
#[derive(Debug, Clone)]
pub struct CallLog {
    inner: Arc<Mutex<Inner>>,
}

impl Default for CallLog {
    fn default() -> Self {
        CallLog::new(DEFAULT_CALL_CAPACITY)
    }
}

impl CallLog {
    /// A log keeping at most `capacity` calls (later ones are counted).
    pub fn new(capacity: usize) -> Self {
        CallLog {
            inner: Arc::new(Mutex::new(Inner {
                calls: Vec::new(),
                capacity,
                dropped: 0,
            })),
        }
    }

    /// Add one call, or count it when the log is full.
    pub fn push(&self, call: Call) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.calls.len() < inner.capacity {
            inner.calls.push(call);
        } else {
            inner.dropped += 1;
        }
    }

    /// The calls so far, sorted by the time they were entered,
    /// and how many did not fit.
    pub fn snapshot(&self) -> (Vec<Call>, u64) {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let mut calls = inner.calls.clone();
        calls.sort_by_key(|c| c.entered);
        (calls, inner.dropped)
    }

    /// Run `f` as call `kind` of `peer` and record it; `count` reads the
    /// byte count out of a success, `addr` an address.
    pub(crate) fn time<T>(
        &self,
        peer: Peer,
        kind: CallKind,
        asked: Option<usize>,
        f: impl FnOnce() -> io::Result<T>,
        describe: impl FnOnce(&T) -> (Option<usize>, Option<SocketAddr>),
    ) -> io::Result<T> {
        let entered = now_ns();
        let outcome = f();
        let returned = now_ns();
        let (result, addr, error) = match &outcome {
            Ok(value) => {
                let (result, addr) = describe(value);
                (result, addr, None)
            }
            Err(e) => (None, None, Some(e.to_string())),
        };
        self.push(Call {
            peer,
            kind,
            entered,
            returned,
            asked,
            result,
            addr,
            error,
        });
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_log_counts_the_calls_it_cannot_keep() {
        let log = CallLog::new(2);
        for _ in 0..5 {
            let _ = log.time(
                Peer::Client,
                CallKind::Socket,
                None,
                || Ok(()),
                |_| (None, None),
            );
        }
        let (calls, dropped) = log.snapshot();
        assert_eq!((calls.len(), dropped), (2, 3));
    }

    #[test]
    fn a_call_returns_no_earlier_than_it_was_entered() {
        let log = CallLog::default();
        let _ = log.time(
            Peer::Server,
            CallKind::Read,
            Some(10),
            || Err::<usize, _>(io::Error::other("boom")),
            |n| (Some(*n), None),
        );
        let (calls, _) = log.snapshot();
        assert!(calls[0].returned >= calls[0].entered);
        assert_eq!(calls[0].error.as_deref(), Some("boom"));
        assert_eq!(calls[0].asked, Some(10));
    }
}
