//! Earmark: play a recording next to its transcript, in sync.
//!
//! The library holds everything that is not drawing: the transcript model and
//! formats, the timeline that maps a time to a segment, and the headless
//! commands. Only `ui` (later) may import egui; `transcript` and `timeline`
//! never import GUI or audio crates.

#![warn(missing_docs)]

#[cfg(feature = "audio")]
pub mod audio;
pub mod cli;
pub mod timeline;
pub mod transcript;
#[cfg(feature = "app")]
pub mod ui;
#[cfg(feature = "audio")]
pub mod waveform;
