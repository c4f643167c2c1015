//! Review markers: what the producer marks for the editor while listening,
//! a point or a range in audio time with a kind and a note. Kinds carry
//! a colour; the default ones are Note, Fix, Cut, Retake, Ad break and
//! Chapter (a chapter's note is its title). Markers live in the episode's
//! session file (see [`super::session`]); [`super::export`] hands them to
//! other programs.

use serde::{Deserialize, Serialize};

/// The kind whose note is a chapter's title.
pub const CHAPTER: &str = "Chapter";

/// A kind of marker: its name, and the colour it is shown in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkerKind {
    /// What it is called ("Cut").
    pub name: String,
    /// Its colour, red, green and blue.
    pub color: [u8; 3],
}

/// The kinds a new episode starts with.
pub fn default_kinds() -> Vec<MarkerKind> {
    [
        ("Note", [0x4c, 0x8b, 0xf5]),
        ("Fix", [0xf5, 0xa6, 0x23]),
        ("Cut", [0xe5, 0x48, 0x4d]),
        ("Retake", [0xa3, 0x5c, 0xd6]),
        ("Ad break", [0x2e, 0xb8, 0x8a]),
        (CHAPTER, [0x9a, 0xa0, 0xa6]),
    ]
    .into_iter()
    .map(|(name, color)| MarkerKind {
        name: name.to_owned(),
        color,
    })
    .collect()
}

/// A point (no end) or a range in audio time, of a kind, with a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// Where it is (or starts), in audio milliseconds.
    pub start_ms: u64,
    /// Where a range ends; `None` for a point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_ms: Option<u64>,
    /// Its kind, by name.
    pub kind: String,
    /// What the producer wrote (a chapter's title); any text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Marker {
    /// A marker at `start_ms` (to `end_ms` for a range) of kind `kind`
    /// with the note `note`.
    pub fn new(start_ms: u64, end_ms: Option<u64>, kind: &str, note: &str) -> Marker {
        Marker {
            start_ms,
            end_ms,
            kind: kind.to_owned(),
            note: note.to_owned(),
        }
    }

    /// Where it ends: its start, for a point.
    pub fn end_or_start_ms(&self) -> u64 {
        self.end_ms.unwrap_or(self.start_ms).max(self.start_ms)
    }

    /// The key markers are kept in order by: start, then end.
    pub fn order(&self) -> (u64, u64) {
        (self.start_ms, self.end_or_start_ms())
    }

    /// Whether it is of kind `kind` (names compare without case).
    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }
}

/// The markers of `markers` whose kind is one of `kinds` (all without a
/// filter), in time order.
pub fn selected<'a>(markers: &'a [Marker], kinds: Option<&[String]>) -> Vec<&'a Marker> {
    let mut chosen: Vec<&Marker> = markers
        .iter()
        .filter(|m| kinds.is_none_or(|kinds| kinds.iter().any(|k| m.is(k))))
        .collect();
    chosen.sort_by_key(|m| m.order());
    chosen
}
