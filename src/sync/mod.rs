//! Re-syncing a transcript made for another cut of its audio (issue 12).
//! Headless: never imports egui, and only decodes through [`crate::audio`].
//!
//! Three stages: [`vad`], speech activity per 10 ms frame of the audio;
//! [`align`], which matches the transcript's line starts and pauses against
//! it and gives the pieces the transcript was cut into, each with its shift,
//! one rate for a drifting clock, and the lines whose audio is gone; and
//! [`retimed`], the transcript with every time (lines and words) moved by
//! that alignment and nothing else changed, so the format's writer gives
//! back the original bytes but for the times. After them, optionally,
//! [`snap`] moves each line's start and end onto the speech onset and
//! offset near it (`earmark sync --snap`). `earmark sync`
//! (`crate::cli::sync`) runs the three on files; the window comes next.
//! `benches/sync/` makes episodes with known truth and measures alass and
//! ffsubsync on them, the marks to beat.

pub mod align;
pub mod snap;
pub mod vad;

pub use align::{AlignError, AlignParams, Alignment, Cut, Piece, Span, align};
pub use snap::{SnapParams, SnapStats};
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

/// Lines 0–1 moved by +1 s, line 2 cut at 4.5 s, line 3 moved by −2 s:
/// the alignment the unit tests here and in `review::ops` apply.
#[cfg(test)]
pub(crate) fn example_alignment() -> Alignment {
    let piece = |lines, transcript_start_ms, shift_ms| Piece {
        lines,
        transcript_start_ms,
        shift_ms,
        confidence: 1.0,
    };
    Alignment {
        rate: 1.0,
        pieces: vec![piece(0..2, 1000, 1000), piece(3..4, 9000, -2000)],
        cuts: vec![Cut {
            lines: 2..3,
            transcript_start_ms: 6000,
            audio_ms: 4500,
        }],
        missing: vec![2],
        confidence: 1.0,
    }
}

/// Lines `lines` in one piece that moves nothing, the first starting at
/// `transcript_start_ms`: an alignment of a transcript already in sync.
#[cfg(test)]
pub(crate) fn in_sync_alignment(
    lines: std::ops::Range<usize>,
    transcript_start_ms: u64,
) -> Alignment {
    Alignment {
        rate: 1.0,
        pieces: vec![Piece {
            lines,
            transcript_start_ms,
            shift_ms: 0,
            confidence: 1.0,
        }],
        cuts: Vec::new(),
        missing: Vec::new(),
        confidence: 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Format, Segment, Word, parse_str, write_string};

    #[test]
    fn words_move_with_their_line_and_a_cut_line_collapses() {
        let mut transcript = Transcript::new(Format::PodcastJson);
        for (start_ms, end_ms) in [(1000, 2000), (3000, 5000), (6000, 8000), (9000, 9900)] {
            transcript.segments.push(Segment {
                start_ms,
                end_ms,
                text: "a b".into(),
                words: vec![
                    Word {
                        text: "a".into(),
                        start_ms: Some(start_ms as u32),
                        end_ms: Some(start_ms as u32 + 100),
                        confidence: None,
                    },
                    Word {
                        text: "b".into(),
                        start_ms: None,
                        end_ms: Some(end_ms as u32),
                        confidence: None,
                    },
                ],
                ..Segment::default()
            });
        }
        let out = retimed(&transcript, &example_alignment());
        let times: Vec<_> = out
            .segments
            .iter()
            .map(|s| {
                let words: Vec<_> = s.words.iter().map(|w| (w.start_ms, w.end_ms)).collect();
                (s.start_ms, s.end_ms, words)
            })
            .collect();
        assert_eq!(
            times,
            vec![
                (
                    2000,
                    3000,
                    vec![(Some(2000), Some(2100)), (None, Some(3000))]
                ),
                (
                    4000,
                    6000,
                    vec![(Some(4000), Some(4100)), (None, Some(6000))]
                ),
                (
                    4500,
                    4500,
                    vec![(Some(4500), Some(4500)), (None, Some(4500))]
                ),
                (
                    7000,
                    7900,
                    vec![(Some(7000), Some(7100)), (None, Some(7900))]
                ),
            ]
        );
        assert_eq!(out.segments[0].text, "a b", "only times change");
    }

    #[test]
    fn a_zero_shift_writes_the_same_bytes() {
        let text =
            "[00:00:01.000 - 00:00:02.500] Ann: One.\n[00:00:03.000 - 00:00:04.000] Bob: Two.\n";
        let transcript = parse_str(text, Format::Range).expect("range lines");
        let in_sync = in_sync_alignment(0..2, 1000);
        let out = retimed(&transcript, &in_sync);
        assert_eq!(write_string(&out, Format::Range).expect("writable"), text);
    }
}
