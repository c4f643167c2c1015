//! Earmark: play a recording next to its transcript, in sync.
//!
//! The library holds everything that is not drawing: the transcript model and
//! formats, the timeline that maps a time to a segment, and the headless
//! commands, and the open document being edited (`review`); `ui` is the
//! player window and the only module that imports egui; `transcript`,
//! `timeline` and `review` never import GUI or audio crates.

#![warn(missing_docs)]

pub mod app_id;
pub mod atomic_file;
#[cfg(feature = "audio")]
pub mod audio;
pub mod cli;
pub mod crash;
pub mod file_url;
pub mod instance;
pub mod logging;
pub mod review;
#[cfg(feature = "audio")]
pub mod sync;
pub mod timeline;
pub mod transcript;
#[cfg(feature = "app")]
pub mod ui;
#[cfg(feature = "audio")]
pub mod waveform;
