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

use crate::transcript::{Transcript, word_ms};

/// Each line's `(start_ms, end_ms)`, in file order, as [`align`] takes them.
pub fn spans_of(transcript: &Transcript) -> Vec<Option<Span>> {
    transcript
        .segments
        .iter()
        .map(|s| Some((s.start_ms, s.end_ms)))
        .collect()
}

/// The transcript with every time moved to the audio by `alignment`: each
/// line's start and end as [`Alignment::retime`] gives them, its words'
/// times by the same mapping (a missing line's words all at its cut).
/// Nothing else
/// changes, so the format's writer gives back the original bytes but for
/// the times.
pub fn retimed(transcript: &Transcript, alignment: &Alignment) -> Transcript {
    let spans = alignment.retime(&spans_of(transcript));
    let mut out = transcript.clone();
    for (index, (segment, span)) in out.segments.iter_mut().zip(spans).enumerate() {
        let Some((start_ms, end_ms)) = span else {
            continue;
        };
        segment.start_ms = start_ms;
        segment.end_ms = end_ms;
        let on_line = |ms: Option<u32>| {
            ms.and_then(|ms| word_ms(alignment.audio_ms_on_line(index, u64::from(ms))))
        };
        for word in &mut segment.words {
            word.start_ms = on_line(word.start_ms);
            word.end_ms = on_line(word.end_ms);
        }
    }
    out
}
