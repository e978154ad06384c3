//! The one error type of the echo module: every failure a user can see, each
//! rendered as a single line, with the process exit code it maps to.

use std::fmt;
use std::io;
use std::net::SocketAddr;

/// Everything that can make an echo server or client give up.
#[derive(Debug)]
pub enum EchoError {
    /// The command line or configuration asks for something impossible.
    Usage(String),
    /// The host name could not be resolved at all.
    Resolve {
        /// The name as the user typed it.
        host: String,
        /// What the resolver said.
        source: io::Error,
    },
    /// The host resolved, but to no address of the requested family.
    NoAddress {
        /// The name as the user typed it.
        host: String,
        /// "IPv4" or "IPv6".
        family: &'static str,
    },
    /// Every address of the host actively refused the connection.
    ConnectionRefused {
        /// Host and port as the user typed them.
        target: String,
        /// The addresses that were tried, in order.
        tried: Vec<SocketAddr>,
    },
    /// Connecting, or waiting for an echo, took longer than the timeout.
    Timeout {
        /// What was being waited for.
        what: String,
    },
    /// Binding a listening socket failed.
    Bind {
        /// "tcp" or "udp".
        protocol: &'static str,
        /// The address that could not be bound.
        addr: SocketAddr,
        /// The operating system's reason.
        source: io::Error,
    },
    /// Any other socket or I/O failure, with what was being done.
    Io {
        /// What was being done, e.g. "connecting to 127.0.0.1:7".
        context: String,
        /// The operating system's reason.
        source: io::Error,
    },
    /// Batch mode finished, but some echoes were lost or wrong.
    Verification {
        /// Messages whose echo never arrived.
        lost: u64,
        /// Messages whose echo differed from what was sent.
        mismatched: u64,
        /// Why the first failing connection stopped, if one did.
        first_failure: Option<String>,
    },
}

impl EchoError {
    /// The process exit code: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            EchoError::Usage(_) => 2,
            _ => 1,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        EchoError::Io {
            context: context.into(),
            source,
        }
    }
}

impl fmt::Display for EchoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EchoError::Usage(message) => write!(f, "{message}"),
            EchoError::Resolve { host, source } => {
                write!(f, "host not found: cannot resolve '{host}': {source}")
            }
            EchoError::NoAddress { host, family } => {
                write!(f, "host '{host}' has no {family} address")
            }
            EchoError::ConnectionRefused { target, tried } => {
                let tried: Vec<String> = tried.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "connection refused by {target} (tried {})",
                    tried.join(", ")
                )
            }
            EchoError::Timeout { what } => write!(f, "timed out {what}"),
            EchoError::Bind {
                protocol,
                addr,
                source,
            } => write!(f, "cannot listen on {protocol} {addr}: {source}"),
            EchoError::Io { context, source } => write!(f, "{context}: {source}"),
            EchoError::Verification {
                lost,
                mismatched,
                first_failure,
            } => {
                write!(
                    f,
                    "echo verification failed: {lost} lost, {mismatched} mismatched"
                )?;
                match first_failure {
                    Some(failure) => write!(f, " ({failure})"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for EchoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EchoError::Resolve { source, .. }
            | EchoError::Bind { source, .. }
            | EchoError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
