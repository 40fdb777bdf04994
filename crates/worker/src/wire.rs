//! A [`Run`] as bytes, for the trip from a worker to the page: fixed-width little-endian
//! fields in struct order (a task's times by kind only for the kinds it spent time in), one
//! `Uint8Array` that `postMessage` transfers without a copy.
//!
//! Hand-written rather than derived because `Run` is `Serialize` only (it holds `&'static str`
//! labels), and because a million segments as JS objects would cost far more than the
//! simulation. Decoding a damaged buffer returns an error, never panics; every `Run` field is
//! named in [`decode`], so a field added to the simulator fails to compile here until it is
//! carried.
//!
//! `wire/encoder.rs` writes a run, `wire/decoder.rs` reads it back over the bounds-checked
//! `wire/reader.rs`.
//!
//! [`Run`]: whenasync_sim::Run

mod decoder;
mod encoder;
mod reader;
#[cfg(test)]
mod tests;

use whenasync_sim::run::KIND_COUNT;

pub use decoder::{decode, Decoder};
pub use encoder::encode;

/// First bytes of every encoded run (and the format's version, last byte).
const MAGIC: [u8; 4] = *b"WAR\x03";

/// Why bytes are not a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "damaged run from the worker: {}", self.0)
    }
}

impl std::error::Error for WireError {}

/// Bytes of one encoded segment (and task segment): u32, u32, u8, u64, u64.
const SEGMENT: usize = 25;
/// Bytes of one encoded task record before its times by kind: u32, u32, u64 × 3, u8 flags,
/// and the u16 mask of the kinds whose times follow (8 bytes each).
const TASK_HEAD: usize = 4 + 4 + 8 + 8 + 8 + 1 + 2;
const _: () = assert!(KIND_COUNT <= 16, "the kinds mask is a u16");
