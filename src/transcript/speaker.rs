//! Stub, replaced by speaker-prefix recognition.

/// Splits a leading speaker label (`Name:`, `[SPEAKER_00]:`, `(speaker 0)`,
/// `>>`) from caption text: (speaker, rest).
pub fn split_speaker_prefix(_line: &str) -> Option<(&str, &str)> {
    None
}
