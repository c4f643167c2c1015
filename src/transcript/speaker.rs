//! Speaker labels at the start of a caption or transcript line, in the styles
//! real files use: `Name: `, `[SPEAKER_00]: ` / `[SPEAKER_00] ` (WhisperX),
//! `(speaker 0) ` (whisper.cpp) and `>> ` (broadcast captions: a change of
//! speaker without a name). Format-neutral: it looks at one line and never
//! decides file-level questions (whether a `Note:` is really a speaker is for
//! the format parser, which sees the whole file).
//!
//! Rules:
//! - `Name:` is 1–3 words, each starting with an uppercase letter or a digit
//!   (lowercase particles such as `van`, `de` allowed after the first word),
//!   at most 40 bytes, containing a letter, followed by whitespace or the end
//!   of the line. `Note: x` matches; callers that see the whole file decide.
//! - `[name]` followed by `:` takes any short name; without the colon only an
//!   ASR-style name (`SPEAKER_00`, `Speaker 1`), so `[Music]` stays text.
//! - `(speaker N)` only in its ASR spelling, so `(laughs)` stays text;
//!   `(speaker ?)` is a change of speaker with no name.
//! - `>>` gives no name: a change of speaker the caller may record as a label.

/// The longest name, in bytes, taken as a speaker.
const MAX_NAME_BYTES: usize = 40;
/// The most words a `Name:` label may have.
const MAX_NAME_WORDS: usize = 3;
/// Lowercase name particles allowed after the first word (`Ludwig van Beethoven`).
const PARTICLES: [&str; 12] = [
    "de", "da", "di", "del", "der", "den", "van", "von", "la", "le", "du", "bin",
];

/// How a speaker label was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// `Name: `.
    Name,
    /// `[SPEAKER_00]: ` or `[SPEAKER_00] `.
    Bracketed,
    /// `(speaker 0) `.
    Parenthesised,
    /// `>> `.
    Chevrons,
}

/// A speaker label found at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeakerPrefix<'a> {
    /// The speaker's name; empty when the label marks a change of speaker
    /// without naming one (`>>`, `(speaker ?)`).
    pub name: &'a str,
    /// The label exactly as written, with the whitespace after it.
    pub label: &'a str,
    /// The line after the label.
    pub rest: &'a str,
    /// Which of the label styles it was written in.
    pub kind: LabelKind,
}

/// Splits a leading speaker label (`Name:`, `[SPEAKER_00]:`, `(speaker 0)`,
/// `>>`) from caption text: (speaker, rest), the speaker empty for `>>`.
pub fn split_speaker_prefix(line: &str) -> Option<(&str, &str)> {
    speaker_prefix(line).map(|prefix| (prefix.name, prefix.rest))
}

/// The speaker label at the start of `line`, with its kind and exact spelling.
pub fn speaker_prefix(line: &str) -> Option<SpeakerPrefix<'_>> {
    let bytes = line.as_bytes();
    let (name, label_end, kind) = match bytes.first()? {
        b'>' => {
            if bytes.get(1) != Some(&b'>') || !ends_label(bytes, 2) {
                return None;
            }
            ("", 2, LabelKind::Chevrons)
        }
        b'[' => {
            let close = find_close(bytes, b']')?;
            let name = line[1..close].trim();
            if name.is_empty() || name.contains('[') {
                return None;
            }
            if bytes.get(close + 1) == Some(&b':') && ends_label(bytes, close + 2) {
                (name, close + 2, LabelKind::Bracketed)
            } else if is_generic_name(name) && ends_label(bytes, close + 1) {
                (name, close + 1, LabelKind::Bracketed)
            } else {
                return None;
            }
        }
        b'(' => {
            let close = find_close(bytes, b')')?;
            let name = line[1..close].trim();
            let unnamed = name.eq_ignore_ascii_case("speaker ?");
            if !(unnamed || is_generic_name(name)) {
                return None;
            }
            let mut end = close + 1;
            if bytes.get(end) == Some(&b':') {
                end += 1;
            }
            if !ends_label(bytes, end) {
                return None;
            }
            (
                if unnamed { "" } else { name },
                end,
                LabelKind::Parenthesised,
            )
        }
        _ => {
            let colon = memchr::memchr(b':', &bytes[..bytes.len().min(MAX_NAME_BYTES + 1)])?;
            let name = &line[..colon];
            if !ends_label(bytes, colon + 1) || !is_name_like(name) {
                return None;
            }
            (name, colon + 1, LabelKind::Name)
        }
    };
    let spaces = bytes[label_end..]
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let label_end = label_end + spaces;
    Some(SpeakerPrefix {
        name,
        label: &line[..label_end],
        rest: &line[label_end..],
        kind,
    })
}

/// Whether `name` is an ASR placeholder such as `SPEAKER_00`, `Speaker 1`,
/// `speaker_2` or `Speaker A` (any case).
pub fn is_generic_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.len() < 8 || !bytes[..7].eq_ignore_ascii_case(b"speaker") {
        return false;
    }
    let tail = match bytes[7] {
        b' ' | b'_' => &bytes[8..],
        _ => &bytes[7..],
    };
    (!tail.is_empty() && tail.len() <= 4 && tail.iter().all(u8::is_ascii_digit))
        || (tail.len() == 1 && tail[0].is_ascii_uppercase())
}

/// The index of the closing byte of a bracket opened at 0, within a name's length.
fn find_close(bytes: &[u8], close: u8) -> Option<usize> {
    let window = &bytes[..bytes.len().min(MAX_NAME_BYTES + 2)];
    memchr::memchr(close, window).filter(|&at| at > 1)
}

/// A label ends at `at` when the line ends there or whitespace follows.
fn ends_label(bytes: &[u8], at: usize) -> bool {
    bytes.get(at).is_none_or(|b| *b == b' ' || *b == b'\t')
}

fn is_name_like(name: &str) -> bool {
    if name.is_empty() || name.len() > MAX_NAME_BYTES || !name.chars().any(char::is_alphabetic) {
        return false;
    }
    let mut words = 0;
    for (i, word) in name.split(' ').enumerate() {
        words += 1;
        let Some(first) = word.chars().next() else {
            // Two spaces in a row, or a leading/trailing space.
            return false;
        };
        let capitalised = first.is_uppercase() || first.is_ascii_digit();
        if !(capitalised || (i > 0 && PARTICLES.contains(&word))) {
            return false;
        }
        if !word
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '\'' | '\u{2019}' | '-' | '_'))
        {
            return false;
        }
    }
    words <= MAX_NAME_WORDS && !name.ends_with("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Option<(&str, &str, &str, LabelKind)> {
        speaker_prefix(line).map(|p| (p.name, p.label, p.rest, p.kind))
    }

    #[test]
    fn the_label_styles_real_files_use() {
        assert_eq!(
            split("Anna: Hello there"),
            Some(("Anna", "Anna: ", "Hello there", LabelKind::Name))
        );
        assert_eq!(
            split("Dr. Jane van Dyke: ok"),
            None,
            "four words are a sentence, not a name"
        );
        assert_eq!(
            split("Ludwig van Beethoven:  da"),
            Some((
                "Ludwig van Beethoven",
                "Ludwig van Beethoven:  ",
                "da",
                LabelKind::Name
            ))
        );
        assert_eq!(
            split("[SPEAKER_00]: hi"),
            Some(("SPEAKER_00", "[SPEAKER_00]: ", "hi", LabelKind::Bracketed))
        );
        assert_eq!(
            split("[SPEAKER_01] hi"),
            Some(("SPEAKER_01", "[SPEAKER_01] ", "hi", LabelKind::Bracketed))
        );
        assert_eq!(
            split("[Anna Lee]: hi"),
            Some(("Anna Lee", "[Anna Lee]: ", "hi", LabelKind::Bracketed))
        );
        assert_eq!(
            split("(speaker 0) so"),
            Some(("speaker 0", "(speaker 0) ", "so", LabelKind::Parenthesised))
        );
        assert_eq!(
            split("(speaker ?) so"),
            Some(("", "(speaker ?) ", "so", LabelKind::Parenthesised))
        );
        assert_eq!(
            split(">> We are back."),
            Some(("", ">> ", "We are back.", LabelKind::Chevrons))
        );
        assert_eq!(split_speaker_prefix("JOHN: What?"), Some(("JOHN", "What?")));
        assert_eq!(split_speaker_prefix("Anna:"), Some(("Anna", "")));
    }

    #[test]
    fn text_that_only_looks_like_a_label() {
        for line in [
            "[Music]",
            "[laughs] okay",
            "(laughs) okay",
            "(Anna) okay",
            "well: that is it",
            "I said this: no",
            "10:30 am is fine",
            "https://example.com is down",
            "Remember to say: hi",
            ">>> nope",
            ">>nope",
            "1: one",
            "",
            ":",
            "[]: x",
            "Anna:hi",
        ] {
            assert_eq!(split(line), None, "{line:?}");
        }
    }

    #[test]
    fn generic_names() {
        for name in [
            "SPEAKER_00",
            "Speaker 1",
            "speaker_12",
            "Speaker A",
            "speaker3",
        ] {
            assert!(is_generic_name(name), "{name}");
        }
        for name in [
            "Speaker",
            "Speakers 1",
            "Speaker one",
            "Anna",
            "speaker_12345",
        ] {
            assert!(!is_generic_name(name), "{name}");
        }
    }

    #[test]
    fn never_panics_on_multibyte_text() {
        for line in [
            "é:",
            "[é",
            "(ééééééééééééééééééééééééé)",
            "Ünal: hallo",
            "»> x",
        ] {
            let _ = speaker_prefix(line);
        }
        assert_eq!(split_speaker_prefix("Ünal: hallo"), Some(("Ünal", "hallo")));
    }
}
