//! Finding text in the transcript: every match as a segment and a byte range,
//! the current match, and which speaker the list is filtered to. Never draws.

use std::ops::Range;

use crate::transcript::{SpeakerId, Transcript};

/// One place the query occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index into `transcript.segments`.
    pub segment: usize,
    /// Bytes of the segment's text that match.
    pub bytes: Range<usize>,
}

/// The search bar's state and its results.
#[derive(Debug, Default)]
pub struct Search {
    /// The bar is shown.
    pub open: bool,
    /// The text typed.
    pub query: String,
    /// Only this speaker's lines are listed (`None`: everyone).
    pub speaker_filter: Option<Option<SpeakerId>>,
    /// The replace row is shown (Ctrl+H).
    pub replacing: bool,
    /// What matches are replaced with.
    pub replacement: String,
    /// Where the query occurs, in file order (within the filter).
    matches: Vec<Match>,
    /// Index into `matches` of the current one.
    current: Option<usize>,
    /// The query and filter `matches` were computed for.
    computed_for: Option<(String, Option<Option<SpeakerId>>)>,
}

impl Search {
    /// Recomputes the matches if the query or filter changed since the last call;
    /// returns true if it did.
    pub fn refresh(&mut self, transcript: &Transcript) -> bool {
        let key = (self.query.clone(), self.speaker_filter);
        if self.computed_for.as_ref() == Some(&key) {
            return false;
        }
        self.matches = find_matches(transcript, &self.query, self.speaker_filter);
        self.current = if self.matches.is_empty() {
            None
        } else {
            Some(0)
        };
        self.computed_for = Some(key);
        true
    }

    /// Closes the bar; the speaker filter goes with it, so a closed bar
    /// never leaves the list filtered out of sight.
    pub fn close(&mut self) {
        self.open = false;
        self.replacing = false;
        self.speaker_filter = None;
    }

    /// Every match, in file order (what Replace all replaces).
    pub fn matches(&self) -> &[Match] {
        &self.matches
    }

    /// Forgets results (a new transcript was opened).
    pub fn reset(&mut self) {
        self.matches.clear();
        self.current = None;
        self.computed_for = None;
        self.speaker_filter = None;
    }

    /// The current match and its index, if any.
    pub fn current(&self) -> Option<(usize, &Match)> {
        let index = self.current?;
        Some((index, self.matches.get(index)?))
    }

    /// Moves to the next match (wrapping) and returns it.
    pub fn go_next(&mut self) -> Option<&Match> {
        let count = self.matches.len();
        if count == 0 {
            return None;
        }
        let index = self.current.map_or(0, |i| (i + 1) % count);
        self.current = Some(index);
        self.matches.get(index)
    }

    /// Moves to the previous match (wrapping) and returns it.
    pub fn go_previous(&mut self) -> Option<&Match> {
        let count = self.matches.len();
        if count == 0 {
            return None;
        }
        let index = self.current.map_or(count - 1, |i| (i + count - 1) % count);
        self.current = Some(index);
        self.matches.get(index)
    }

    /// The matches inside `segment` (they are sorted, so a binary search finds them).
    pub fn matches_in(&self, segment: usize) -> &[Match] {
        let from = self.matches.partition_point(|m| m.segment < segment);
        let to = self.matches.partition_point(|m| m.segment <= segment);
        &self.matches[from..to]
    }

    /// "3 of 17", "No matches", or empty with no query.
    pub fn count_label(&self) -> String {
        if self.query.trim().is_empty() {
            String::new()
        } else if self.matches.is_empty() {
            "No matches".to_string()
        } else {
            let index = self.current.map_or(0, |i| i + 1);
            format!("{index} of {}", self.matches.len())
        }
    }
}

/// Every case-insensitive occurrence of `query` in the segments `filter`
/// keeps, in file order; none for a blank query.
pub fn find_matches(
    transcript: &Transcript,
    query: &str,
    filter: Option<Option<SpeakerId>>,
) -> Vec<Match> {
    let needle = query.trim().to_lowercase();
    let mut matches = Vec::new();
    if needle.is_empty() {
        return matches;
    }
    let mut lowered = String::new();
    let mut byte_map: Vec<usize> = Vec::new();
    for (index, segment) in transcript.segments.iter().enumerate() {
        if filter.is_some_and(|speaker| segment.speaker != speaker) {
            continue;
        }
        if segment.text.is_ascii() {
            lowered.clear();
            lowered.push_str(&segment.text);
            lowered.make_ascii_lowercase();
            for (at, _) in lowered.match_indices(&needle) {
                matches.push(Match {
                    segment: index,
                    bytes: at..at + needle.len(),
                });
            }
        } else {
            // Lower-casing can change byte lengths: map each lowered byte back.
            lowered.clear();
            byte_map.clear();
            for (at, ch) in segment.text.char_indices() {
                for lower in ch.to_lowercase() {
                    let before = lowered.len();
                    lowered.push(lower);
                    byte_map.extend(std::iter::repeat_n(at, lowered.len() - before));
                }
            }
            byte_map.push(segment.text.len());
            for (at, _) in lowered.match_indices(&needle) {
                let start = byte_map[at];
                let end = byte_map[at + needle.len()];
                let end = if end <= start {
                    next_char_boundary(&segment.text, start)
                } else {
                    end
                };
                matches.push(Match {
                    segment: index,
                    bytes: start..end,
                });
            }
        }
    }
    matches
}

fn next_char_boundary(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .map_or(text.len(), |ch| at + ch.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Format, Segment};

    fn transcript(lines: &[(&str, &str)]) -> Transcript {
        let mut t = Transcript::new(Format::Range);
        for (i, (speaker, text)) in lines.iter().enumerate() {
            let speaker = t.intern_speaker(speaker);
            t.push(
                Segment {
                    start_ms: i as u64 * 1000,
                    end_ms: i as u64 * 1000 + 900,
                    speaker,
                    text: text.to_string(),
                    ..Segment::default()
                },
                i + 1,
            );
        }
        t
    }

    #[test]
    fn matches_ignore_case_and_map_back_to_the_original_bytes() {
        let t = transcript(&[
            ("Host", "The Podcast about podcasts"),
            ("Guest", "Straße and STRASSE, Ünïcode podcast"),
        ]);
        let found = find_matches(&t, "podcast", None);
        let texts: Vec<&str> = found
            .iter()
            .map(|m| &t.segments[m.segment].text[m.bytes.clone()])
            .collect();
        assert_eq!(texts, ["Podcast", "podcast", "podcast"]);
        let found = find_matches(&t, "ünï", None);
        assert_eq!(&t.segments[1].text[found[0].bytes.clone()], "Ünï");
    }

    #[test]
    fn navigation_wraps_and_the_filter_keeps_one_speaker() {
        let t = transcript(&[("Host", "a a"), ("Guest", "a"), ("Host", "b a")]);
        let mut search = Search {
            query: "a".into(),
            ..Search::default()
        };
        assert!(search.refresh(&t));
        assert!(!search.refresh(&t));
        assert_eq!(search.count_label(), "1 of 4");
        assert_eq!(search.go_previous().map(|m| m.segment), Some(2));
        assert_eq!(search.go_next().map(|m| m.segment), Some(0));
        assert_eq!(search.matches_in(0).len(), 2);
        search.speaker_filter = Some(t.segments[1].speaker);
        assert!(search.refresh(&t));
        assert_eq!(search.count_label(), "1 of 1");
        assert_eq!(search.current().map(|(_, m)| m.segment), Some(1));
        search.query = "zzz".into();
        search.refresh(&t);
        assert_eq!(search.count_label(), "No matches");
        assert!(search.go_next().is_none());
    }
}
