//! The reassembly flags `read`, `capture` and `flows` share.

use clap::Args;

use super::byte_size;

/// IP fragment reassembly (on by default, as in tshark).
#[derive(Args, Debug, Clone)]
pub struct ReassemblyArgs {
    /// Decode one packet at a time: IPv4 and IPv6 fragments are not
    /// reassembled (tshark's `-o ip.defragment:FALSE -o ipv6.defragment:FALSE`).
    #[arg(long = "no-reassembly")]
    pub no_reassembly: bool,
    /// Hold at most this many bytes of fragments waiting for the rest of
    /// their datagram; past it the oldest datagram is dropped (and counted).
    #[arg(long = "max-fragment-bytes", value_name = "BYTES", default_value = "64M", value_parser = byte_size)]
    pub max_fragment_bytes: usize,
    /// Hold at most this many incomplete datagrams at once.
    #[arg(long = "max-fragment-datagrams", value_name = "N", default_value_t = 65_536, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_fragment_datagrams: u32,
    /// TCP streams (counted for `--stats` and `flows`): most out-of-order
    /// bytes held per direction while a hole waits to be filled; past it
    /// segments are dropped and counted.
    #[arg(long = "max-stream-bytes", value_name = "BYTES", default_value = "16M", value_parser = byte_size)]
    pub max_stream_bytes: usize,
    /// TCP streams: most out-of-order bytes held over all conversations.
    #[arg(long = "max-reassembly-bytes", value_name = "BYTES", default_value = "256M", value_parser = byte_size)]
    pub max_reassembly_bytes: usize,
}
