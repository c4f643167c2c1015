//! What the format tests compare segments by, shared so each table reads the same.

use earmark::transcript::Transcript;

/// (start ms, end ms, speaker name or "", display text) of every segment.
pub fn segments(t: &Transcript) -> Vec<(u64, u64, &str, &str)> {
    t.segments
        .iter()
        .map(|s| {
            (
                s.start_ms,
                s.end_ms,
                t.speaker_name(s.speaker),
                s.text.as_str(),
            )
        })
        .collect()
}
