//! Which local process owns a conversation's socket, for live captures:
//! `/proc/net/{tcp,tcp6,udp,udp6}` give the socket's inode and owner uid
//! (`proc_net`), `/proc/PID/fd` the process holding that inode (`owners`).
//!
//! Reading other users' `/proc/PID/fd` needs privilege that packet
//! decoding must never have, so the reading happens in a small separate
//! process (`helper`): forked before the capture socket is opened, while
//! the command is still privileged, it switches to the same unprivileged
//! user as the capture, keeps only CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH
//! (when it had them), and does nothing but answer "which process sends
//! or receives this 4-tuple" over a socket pair. The capture process then
//! drops everything as before. Without those capabilities (a binary given
//! only cap_net_raw), the lookup sees the processes of its own user.
//!
//! Owns the lookup process and its wire format; must not import decoding
//! or output code.

mod helper;
pub mod owners;
pub mod proc_net;

use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use super::CaptureError;
use crate::frame::Process;

/// Longest wait for one answer. A later answer is still taken when it
/// comes (with the next question), keyed by its question's number.
pub const ANSWER_TIMEOUT: Duration = Duration::from_millis(250);

/// A question: one packet's protocol and ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SocketQuery {
    /// IP protocol number: 6 TCP, 17 UDP.
    pub proto: u8,
    pub src: (IpAddr, u16),
    pub dst: (IpAddr, u16),
}

/// Bytes of a question on the wire: number, protocol, two ends.
const QUERY_LEN: usize = 4 + 1 + 2 * (16 + 2 + 1);
/// Longest answer body (after its 2-byte length).
const MAX_ANSWER: usize = 4 + 1 + 4 + 4 + 2 * (1 + 255);

/// What the lookup process can see, said once when it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// True when it kept CAP_SYS_PTRACE: every user's processes.
    pub all_users: bool,
    /// Phrased for the user: what is visible, and why.
    pub message: String,
}

/// The capture's end of the lookup process.
#[derive(Debug)]
pub struct ProcessLookup {
    stream: UnixStream,
    child: libc::pid_t,
    next_id: u32,
    /// Bytes read but not yet a whole answer.
    pending: Vec<u8>,
    /// The lookup process went away: every answer is "unknown" from now.
    broken: bool,
    pub reach: Reach,
}

impl ProcessLookup {
    /// Fork the lookup process. Call while the command still has its
    /// privileges and is one thread (before the capture socket is opened:
    /// the child must not inherit it); `user` is the capture's `--user`.
    pub fn spawn(user: Option<&str>) -> Result<ProcessLookup, CaptureError> {
        let (ours, theirs) = UnixStream::pair()
            .map_err(|e| CaptureError::Other(format!("cannot start the process lookup: {e}")))?;
        let child = helper::fork(theirs, user)?;
        let mut lookup = ProcessLookup {
            stream: ours,
            child,
            next_id: 0,
            pending: Vec::new(),
            broken: false,
            reach: Reach {
                all_users: false,
                message: String::new(),
            },
        };
        // The first message says what the lookup process kept.
        let _ = lookup.stream.set_read_timeout(Some(Duration::from_secs(5)));
        let hello = lookup.read_message(Instant::now() + Duration::from_secs(5));
        match hello {
            Some(body) if !body.is_empty() => {
                lookup.reach = Reach {
                    all_users: body[0] == 1,
                    message: String::from_utf8_lossy(&body[1..]).into_owned(),
                };
            }
            _ => {
                return Err(CaptureError::Other(
                    "the process lookup did not start".to_string(),
                ));
            }
        }
        Ok(lookup)
    }

    /// The process owning the socket `query` travels through, if the
    /// lookup process finds one within `ANSWER_TIMEOUT`. Answers to
    /// earlier questions that came late are handed to `late` with their
    /// question's number.
    pub fn ask(
        &mut self,
        query: &SocketQuery,
        late: &mut dyn FnMut(u32, Option<Process>),
    ) -> (u32, Option<Process>) {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        if self.broken {
            return (id, None);
        }
        if self.stream.write_all(&encode_query(id, query)).is_err() {
            self.broken = true;
            return (id, None);
        }
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        while let Some(body) = self.read_message(deadline) {
            match decode_answer(&body) {
                Some((got, answer)) if got == id => return (id, answer),
                Some((got, answer)) => late(got, answer),
                None => {
                    self.broken = true;
                    break;
                }
            }
        }
        (id, None)
    }

    /// Hand answers that have come (or come within `wait`) to `late`,
    /// with their question's number.
    pub fn late_answers(&mut self, wait: Duration, late: &mut dyn FnMut(u32, Option<Process>)) {
        let deadline = Instant::now() + wait;
        while !self.broken {
            // A zero wait still takes what is already there.
            let until = deadline.max(Instant::now() + Duration::from_micros(1));
            let Some(body) = self.read_message(until) else {
                return;
            };
            match decode_answer(&body) {
                Some((id, answer)) => late(id, answer),
                None => self.broken = true,
            }
        }
    }

    /// One length-prefixed message, or None at the deadline, at end of
    /// stream or on a malformed length (the stream is then broken).
    fn read_message(&mut self, deadline: Instant) -> Option<Vec<u8>> {
        loop {
            if self.pending.len() >= 2 {
                let len = usize::from(u16::from_le_bytes([self.pending[0], self.pending[1]]));
                if len > MAX_ANSWER {
                    self.broken = true;
                    return None;
                }
                if self.pending.len() >= 2 + len {
                    let body = self.pending[2..2 + len].to_vec();
                    self.pending.drain(..2 + len);
                    return Some(body);
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            if left.is_zero() || self.stream.set_read_timeout(Some(left)).is_err() {
                return None;
            }
            let mut buf = [0u8; 512];
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.broken = true;
                    return None;
                }
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return None;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.broken = true;
                    return None;
                }
            }
        }
    }

    /// The lookup process's pid (for the privilege tests).
    pub fn pid(&self) -> u32 {
        self.child as u32
    }
}

impl Drop for ProcessLookup {
    fn drop(&mut self) {
        // End of stream tells the lookup process to exit; give it a moment,
        // then make sure, and reap it either way.
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
        let deadline = Instant::now() + Duration::from_millis(200);
        loop {
            let mut status = 0;
            // SAFETY: waitpid on our own child with a valid status pointer.
            let rc = unsafe { libc::waitpid(self.child, &mut status, libc::WNOHANG) };
            if rc != 0 {
                return; // reaped, or not ours any more
            }
            if Instant::now() >= deadline {
                // SAFETY: signalling and reaping our own child.
                unsafe {
                    libc::kill(self.child, libc::SIGKILL);
                    libc::waitpid(self.child, &mut status, 0);
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// An address in 16 bytes and its family (4 or 6).
fn put_end(out: &mut Vec<u8>, (addr, port): (IpAddr, u16)) {
    match addr {
        IpAddr::V4(a) => {
            out.push(4);
            out.extend_from_slice(&a.octets());
            out.extend_from_slice(&[0; 12]);
        }
        IpAddr::V6(a) => {
            out.push(6);
            out.extend_from_slice(&a.octets());
        }
    }
    out.extend_from_slice(&port.to_le_bytes());
}

fn get_end(bytes: &[u8]) -> Option<(IpAddr, u16)> {
    let port = u16::from_le_bytes([bytes[17], bytes[18]]);
    let addr = match bytes[0] {
        4 => IpAddr::from(<[u8; 4]>::try_from(&bytes[1..5]).ok()?),
        6 => IpAddr::from(<[u8; 16]>::try_from(&bytes[1..17]).ok()?),
        _ => return None,
    };
    Some((addr, port))
}

fn encode_query(id: u32, q: &SocketQuery) -> Vec<u8> {
    let mut out = Vec::with_capacity(QUERY_LEN);
    out.extend_from_slice(&id.to_le_bytes());
    out.push(q.proto);
    put_end(&mut out, q.src);
    put_end(&mut out, q.dst);
    out
}

fn decode_query(bytes: &[u8; QUERY_LEN]) -> Option<(u32, SocketQuery)> {
    let id = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let query = SocketQuery {
        proto: bytes[4],
        src: get_end(&bytes[5..24])?,
        dst: get_end(&bytes[24..43])?,
    };
    Some((id, query))
}

/// An answer, length-prefixed: number, found, pid, uid, command, user.
fn encode_answer(id: u32, found: Option<(&Process, u32)>) -> Vec<u8> {
    let mut body = Vec::with_capacity(64);
    body.extend_from_slice(&id.to_le_bytes());
    match found {
        None => body.push(0),
        Some((p, uid)) => {
            body.push(1);
            body.extend_from_slice(&p.pid.to_le_bytes());
            body.extend_from_slice(&uid.to_le_bytes());
            for text in [&p.command, &p.user] {
                let bytes = &text.as_bytes()[..text.len().min(255)];
                body.push(bytes.len() as u8);
                body.extend_from_slice(bytes);
            }
        }
    }
    framed(&body)
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + body.len());
    out.extend_from_slice(&(body.len().min(MAX_ANSWER) as u16).to_le_bytes());
    out.extend_from_slice(&body[..body.len().min(MAX_ANSWER)]);
    out
}

fn decode_answer(body: &[u8]) -> Option<(u32, Option<Process>)> {
    let id = u32::from_le_bytes(body.get(..4)?.try_into().ok()?);
    if *body.get(4)? == 0 {
        return Some((id, None));
    }
    let pid = u32::from_le_bytes(body.get(5..9)?.try_into().ok()?);
    let mut at = 13;
    let mut text = || {
        let len = usize::from(*body.get(at)?);
        let bytes = body.get(at + 1..at + 1 + len)?;
        at += 1 + len;
        Some(String::from_utf8_lossy(bytes).into_owned())
    };
    let command = text()?;
    let user = text()?;
    Some((id, Some(Process { pid, command, user })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_and_answers_survive_the_wire() {
        let q = SocketQuery {
            proto: 17,
            src: ("127.0.0.1".parse().expect("v4"), 40000),
            dst: ("::1".parse().expect("v6"), 53),
        };
        let bytes: [u8; QUERY_LEN] = encode_query(7, &q).try_into().expect("length");
        assert_eq!(decode_query(&bytes), Some((7, q)));
        let p = Process {
            pid: 1234,
            command: "curl".into(),
            user: "alice".into(),
        };
        let framed = encode_answer(9, Some((&p, 1000)));
        assert_eq!(usize::from(framed[0]) + 2, framed.len());
        assert_eq!(decode_answer(&framed[2..]), Some((9, Some(p))));
        assert_eq!(decode_answer(&encode_answer(3, None)[2..]), Some((3, None)));
        // Cut answers are refused, not read past their end.
        assert_eq!(decode_answer(&framed[2..framed.len() - 1]), None);
    }
}
