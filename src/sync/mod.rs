//! Re-syncing a transcript made for another cut of its audio (issue 12).
//! Headless: never imports egui, and only decodes through [`crate::audio`].
//!
//! Two stages so far: [`vad`], speech activity per 10 ms frame of the
//! audio, and [`align`], which matches the transcript's line starts and
//! pauses against it and gives the pieces the transcript was cut into, each
//! with its shift, one rate for a drifting clock, and the lines whose audio
//! is gone. `earmark sync` and the window come next. `benches/sync/` makes
//! episodes with known truth and measures alass and ffsubsync on them, the
//! marks to beat.

pub mod align;
pub mod vad;

pub use align::{AlignError, AlignParams, Alignment, Cut, Piece, Span, align};
pub use vad::{Activity, VadError, VadOptions, VadParams};
