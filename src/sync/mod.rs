//! Re-syncing a transcript made for another cut of its audio (issue 12).
//! Headless: never imports egui, and only decodes through [`crate::audio`].
//!
//! So far it holds the first stage, [`vad`]: speech activity per 10 ms frame
//! of the audio, which the aligner will match against the speech activity
//! the transcript implies. `benches/sync/` makes episodes with known truth
//! and measures alass and ffsubsync on them, the marks to beat.

pub mod vad;

pub use vad::{Activity, VadError, VadOptions, VadParams};
