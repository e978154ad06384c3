//! wirepeek: packet capture and protocol inspection.
//!
//! Dependencies point one way, toward `frame`: `capture` produces frame
//! records, `decode` turns their bytes into a layered model, and `output`
//! renders that model. `main.rs` only parses arguments and dispatches.

pub mod app;
pub mod capture;
pub mod cli;
pub mod decode;
pub mod demo;
pub mod echo;
pub mod error;
pub mod export;
pub mod filter;
pub mod flow;
pub mod frame;
pub mod output;
pub mod pipeline;
pub mod run;
pub mod stream;
pub mod teach;
pub mod tui;
