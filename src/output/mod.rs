//! Terminal-free printers: each takes a frame and its dissection and writes
//! text to any `Write`. They format the model; they never parse bytes.

pub mod diagram;
pub mod fields;
pub mod flows;
pub mod follow;
pub mod hex;
pub mod json;
pub mod line;
pub mod stats;
pub mod teach;
pub mod time;
pub mod tree;
pub mod value;
