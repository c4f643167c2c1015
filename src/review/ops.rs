//! The edits a user makes, built from the transcript as it is: each function
//! looks at the current state and returns the [`Edit`] that makes the
//! change (or `None` when there is nothing to change). Nothing is applied
//! here; the document applies and records.

use std::ops::Range;

use crate::sync::{self, Alignment};
use crate::transcript::{Segment, SpeakerId, Transcript, Word, word_ms};

use super::edit::{Edit, TimesOf};

/// How long a line inserted at the playhead lasts when nothing follows it
/// sooner.
pub const INSERTED_LINE_MS: u64 = 2000;

/// Changes the text of line `index`. Word times are kept for the words that
/// did not change (matched from both ends of the line); on a line whose
/// words all had times, the new words share out the time between the kept
/// ones (an estimate, so the line stays timed word by word), otherwise they
/// have none. Markup from the file is kept only while it still reads as the
/// new text (the writers check that).
pub fn set_text(transcript: &Transcript, index: usize, text: &str) -> Option<Edit> {
    let segment = transcript.segments.get(index)?;
    // Space around a line's text is not part of it (no file keeps it).
    let text = text.trim();
    if segment.text == text {
        return None;
    }
    let mut changed = segment.clone();
    changed.text = text.to_owned();
    if !segment.words.is_empty() {
        changed.words = rematch_words(segment, text);
    }
    Some(one_for_one(index, changed))
}

/// The words of `text`, with the times of `segment`'s words kept where the
/// word is the same, matched from the start and from the end of the line;
/// the words between are estimated (see [`set_text`]).
fn rematch_words(segment: &Segment, text: &str) -> Vec<Word> {
    let old = &segment.words;
    let new: Vec<&str> = text.split_whitespace().collect();
    let same_start = old
        .iter()
        .zip(&new)
        .take_while(|(w, n)| &*w.text == **n)
        .count();
    let same_end = old[same_start..]
        .iter()
        .rev()
        .zip(new[same_start..].iter().rev())
        .take_while(|(w, n)| &*w.text == **n)
        .count();
    let middle = &new[same_start..new.len() - same_end];
    let timed = old.iter().all(|w| w.start_ms.is_some());
    let from_ms = old[..same_start]
        .last()
        .and_then(|w| w.end_ms.or(w.start_ms))
        .map_or(segment.start_ms, u64::from);
    let to_ms = old[old.len() - same_end..]
        .first()
        .and_then(|w| w.start_ms)
        .map_or(segment.end_ms, u64::from)
        .max(from_ms);
    let share = |i: usize| from_ms + (to_ms - from_ms) * i as u64 / middle.len().max(1) as u64;
    let mut words = Vec::with_capacity(new.len());
    words.extend_from_slice(&old[..same_start]);
    words.extend(middle.iter().enumerate().map(|(i, n)| Word {
        text: (*n).into(),
        start_ms: timed.then(|| word_ms(share(i))).flatten(),
        end_ms: timed.then(|| word_ms(share(i + 1))).flatten(),
        confidence: None,
    }));
    words.extend_from_slice(&old[old.len() - same_end..]);
    words
}

/// Sets who speaks line `index`: `name` is looked up in the speaker list,
/// added if new; an empty name means no speaker.
pub fn set_speaker(transcript: &Transcript, index: usize, name: &str) -> Option<Edit> {
    let segment = transcript.segments.get(index)?;
    let name = name.trim();
    let mut speakers = transcript.speakers.clone();
    let speaker = if name.is_empty() {
        None
    } else if let Some(i) = speakers.iter().position(|s| s == name) {
        Some(SpeakerId(i as u32))
    } else {
        speakers.push(name.to_owned());
        Some(SpeakerId((speakers.len() - 1) as u32))
    };
    if segment.speaker == speaker {
        return None;
    }
    let mut changed = segment.clone();
    changed.speaker = speaker;
    let line = one_for_one(index, changed);
    Some(if speakers.len() == transcript.speakers.len() {
        line
    } else {
        Edit::Group(vec![Edit::Speakers(speakers), line])
    })
}

/// Sets line `index`'s speaker to the `n`-th speaker (0-based) of the list.
pub fn set_speaker_number(transcript: &Transcript, index: usize, n: usize) -> Option<Edit> {
    let name = transcript.speakers.get(n)?;
    set_speaker(transcript, index, name)
}

/// Renames `speaker` everywhere. A name another speaker already has merges
/// the two: every line of `speaker` goes to that one.
pub fn rename_speaker(transcript: &Transcript, speaker: SpeakerId, name: &str) -> Option<Edit> {
    let name = name.trim();
    let old = transcript.speakers.get(speaker.0 as usize)?;
    if name.is_empty() || old == name {
        return None;
    }
    match transcript.speakers.iter().position(|s| s == name) {
        None => {
            let mut speakers = transcript.speakers.clone();
            speakers[speaker.0 as usize] = name.to_owned();
            Some(Edit::Speakers(speakers))
        }
        Some(other) => {
            let edits: Vec<Edit> = transcript
                .segments
                .iter()
                .enumerate()
                .filter(|(_, s)| s.speaker == Some(speaker))
                .map(|(i, s)| {
                    let mut changed = s.clone();
                    changed.speaker = Some(SpeakerId(other as u32));
                    one_for_one(i, changed)
                })
                .collect();
            (!edits.is_empty()).then_some(Edit::Group(edits))
        }
    }
}

/// Sets line `index`'s start (the end stays; a start after the end is
/// allowed and flagged by [`problems`]).
pub fn set_start(transcript: &Transcript, index: usize, start_ms: u64) -> Option<Edit> {
    let segment = transcript.segments.get(index)?;
    set_range(index, segment, start_ms, segment.end_ms)
}

/// Sets line `index`'s end.
pub fn set_end(transcript: &Transcript, index: usize, end_ms: u64) -> Option<Edit> {
    let segment = transcript.segments.get(index)?;
    set_range(index, segment, segment.start_ms, end_ms)
}

/// Moves line `index`'s start (`start == true`) or end by `delta_ms`
/// (±10, ±100 from the keys), never before 0.
pub fn nudge(transcript: &Transcript, index: usize, start: bool, delta_ms: i64) -> Option<Edit> {
    let segment = transcript.segments.get(index)?;
    let moved = |ms: u64| ms.saturating_add_signed(delta_ms);
    if start {
        set_range(index, segment, moved(segment.start_ms), segment.end_ms)
    } else {
        set_range(index, segment, segment.start_ms, moved(segment.end_ms))
    }
}

fn set_range(index: usize, segment: &Segment, start_ms: u64, end_ms: u64) -> Option<Edit> {
    if segment.start_ms == start_ms && segment.end_ms == end_ms {
        return None;
    }
    let mut times = TimesOf::of(index, segment);
    times.start_ms = start_ms;
    times.end_ms = end_ms;
    Some(Edit::Times(vec![times]))
}

/// Splits line `index` at byte `at_byte` of its text (moved back to a
/// character boundary). The second part starts at `playhead_ms` when that
/// is inside the line, otherwise at the time in proportion to the text.
/// Words go with their part; the first part keeps the file's details.
pub fn split(
    transcript: &Transcript,
    index: usize,
    at_byte: usize,
    playhead_ms: Option<u64>,
) -> Option<Edit> {
    let segment = transcript.segments.get(index)?;
    let mut at_byte = at_byte.min(segment.text.len());
    while !segment.text.is_char_boundary(at_byte) {
        at_byte -= 1;
    }
    let (head, tail) = segment.text.split_at(at_byte);
    let (head, tail) = (head.trim_end(), tail.trim_start());
    if head.is_empty() || tail.is_empty() {
        return None;
    }
    let split_ms = match playhead_ms {
        Some(ms) if segment.start_ms < ms && ms < segment.end_ms => ms,
        _ => {
            let share =
                head.chars().count() as f64 / (head.chars().count() + tail.chars().count()) as f64;
            segment.start_ms + (segment.duration_ms() as f64 * share).round() as u64
        }
    };
    let (head_words, tail_words) = split_words(segment, at_byte);
    let mut first = segment.clone();
    first.text = head.to_owned();
    first.end_ms = split_ms;
    first.end_derived = false;
    first.words = head_words;
    let second = Segment {
        start_ms: split_ms,
        end_ms: segment.end_ms,
        end_derived: segment.end_derived,
        speaker: segment.speaker,
        text: tail.to_owned(),
        raw: None,
        words: tail_words,
        extra: None,
    };
    Some(Edit::Splice {
        at: index,
        remove: 1,
        insert: vec![first, second],
    })
}

/// The words of `segment` split at byte `at_byte` of its text: each goes
/// with the part it is in; a word cut in two becomes two words, its time
/// shared between them in proportion to their letters. Words are found in
/// the text in order; when they cannot all be, they go by count.
fn split_words(segment: &Segment, at_byte: usize) -> (Vec<Word>, Vec<Word>) {
    let words = &segment.words;
    let text = &segment.text;
    let mut cursor = 0;
    let mut ranges = Vec::with_capacity(words.len());
    for word in words {
        let Some(offset) = text.get(cursor..).and_then(|rest| rest.find(&*word.text)) else {
            let in_head = text[..at_byte].split_whitespace().count().min(words.len());
            return (words[..in_head].to_vec(), words[in_head..].to_vec());
        };
        let start = cursor + offset;
        cursor = start + word.text.len();
        ranges.push(start..cursor);
    }
    let mut head = Vec::new();
    let mut tail = Vec::new();
    for (word, range) in words.iter().zip(ranges) {
        if range.end <= at_byte {
            head.push(word.clone());
        } else if range.start >= at_byte {
            tail.push(word.clone());
        } else {
            let (before, after) = (&text[range.start..at_byte], &text[at_byte..range.end]);
            let mid_ms = match (word.start_ms, word.end_ms) {
                (Some(start), Some(end)) => {
                    let letters = (before.chars().count() + after.chars().count()).max(1) as u64;
                    let share = u64::from(end.saturating_sub(start))
                        * before.chars().count() as u64
                        / letters;
                    word_ms(u64::from(start) + share)
                }
                _ => None,
            };
            head.push(Word {
                text: before.into(),
                end_ms: mid_ms.or(word.end_ms),
                ..word.clone()
            });
            tail.push(Word {
                text: after.into(),
                start_ms: mid_ms,
                ..word.clone()
            });
        }
    }
    (head, tail)
}

/// Merges line `index` with the next: one line from the first's start to
/// the later end, texts joined by a space, words in order.
pub fn merge_with_next(transcript: &Transcript, index: usize) -> Option<Edit> {
    let first = transcript.segments.get(index)?;
    let second = transcript.segments.get(index + 1)?;
    let mut merged = first.clone();
    merged.text = match (first.text.is_empty(), second.text.is_empty()) {
        (_, true) => first.text.clone(),
        (true, false) => second.text.clone(),
        (false, false) => format!("{} {}", first.text, second.text),
    };
    merged.end_ms = first.end_ms.max(second.end_ms);
    merged.end_derived = second.end_derived && second.end_ms >= first.end_ms;
    // A line with word times keeps them whole: the other's words, if it
    // has none, are estimated over its own time.
    let timed = |s: &Segment| !s.words.is_empty() && s.words.iter().all(|w| w.start_ms.is_some());
    let words_of = |s: &Segment, other: &Segment| {
        if s.words.is_empty() && timed(other) {
            estimated_words(s)
        } else {
            s.words.clone()
        }
    };
    merged.words = words_of(first, second);
    merged.words.extend(words_of(second, first));
    Some(Edit::Splice {
        at: index,
        remove: 2,
        insert: vec![merged],
    })
}

/// The words of `segment`'s text, its time shared out between them in
/// proportion to their letters.
fn estimated_words(segment: &Segment) -> Vec<Word> {
    let tokens: Vec<&str> = segment.text.split_whitespace().collect();
    let letters: u64 = tokens
        .iter()
        .map(|t| t.chars().count() as u64)
        .sum::<u64>()
        .max(1);
    let span_ms = segment.end_ms.saturating_sub(segment.start_ms);
    let mut before = 0;
    tokens
        .iter()
        .map(|token| {
            let start_ms = segment.start_ms + span_ms * before / letters;
            before += token.chars().count() as u64;
            Word {
                text: (*token).into(),
                start_ms: word_ms(start_ms),
                end_ms: word_ms(segment.start_ms + span_ms * before / letters),
                confidence: None,
            }
        })
        .collect()
}

/// Inserts an empty line at `at_ms`, after the lines that start by then,
/// lasting until the next line starts or [`INSERTED_LINE_MS`].
pub fn insert_at(transcript: &Transcript, at_ms: u64) -> (usize, Edit) {
    let index = transcript
        .segments
        .iter()
        .rposition(|s| s.start_ms <= at_ms)
        .map_or(0, |i| i + 1);
    let next_start = transcript
        .segments
        .get(index)
        .map(|s| s.start_ms)
        .filter(|&start| start > at_ms);
    let end_ms = next_start.map_or(at_ms + INSERTED_LINE_MS, |next| {
        next.min(at_ms + INSERTED_LINE_MS)
    });
    let segment = Segment {
        start_ms: at_ms,
        end_ms,
        ..Segment::default()
    };
    let edit = Edit::Splice {
        at: index,
        remove: 0,
        insert: vec![segment],
    };
    (index, edit)
}

/// Deletes line `index`.
pub fn delete(transcript: &Transcript, index: usize) -> Option<Edit> {
    transcript.segments.get(index)?;
    Some(Edit::Splice {
        at: index,
        remove: 1,
        insert: Vec::new(),
    })
}

/// Replaces every `find` with `replace` in every line (case-sensitive), as
/// one step; `None` when nothing matches.
pub fn replace_all(transcript: &Transcript, find: &str, replace: &str) -> Option<Edit> {
    if find.is_empty() {
        return None;
    }
    let found: Vec<(usize, Range<usize>)> = transcript
        .segments
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.text
                .match_indices(find)
                .map(move |(at, m)| (i, at..at + m.len()))
        })
        .collect();
    replace_ranges(transcript, &found, replace)
}

/// Replaces the given byte ranges of lines' text (`(line, bytes)`, in file
/// order, not overlapping; what a search found) with `replace`, as one
/// step; `None` when there are none or they change nothing.
pub fn replace_ranges(
    transcript: &Transcript,
    found: &[(usize, Range<usize>)],
    replace: &str,
) -> Option<Edit> {
    let mut edits = Vec::new();
    let mut rest = found;
    while let Some((line, _)) = rest.first() {
        let count = rest.iter().take_while(|(l, _)| l == line).count();
        let (these, after) = rest.split_at(count);
        rest = after;
        let Some(segment) = transcript.segments.get(*line) else {
            continue;
        };
        let mut text = segment.text.clone();
        for (_, bytes) in these.iter().rev() {
            if text.get(bytes.clone()).is_some() {
                text.replace_range(bytes.clone(), replace);
            }
        }
        edits.extend(set_text(transcript, *line, &text));
    }
    (!edits.is_empty()).then_some(Edit::Group(edits))
}

/// Moves every time (lines and words) by `delta_ms`; times that would go
/// before 0 stop at 0.
pub fn shift_all(transcript: &Transcript, delta_ms: i64) -> Option<Edit> {
    if delta_ms == 0 || transcript.segments.is_empty() {
        return None;
    }
    retime_all(transcript, |ms| ms.saturating_add_signed(delta_ms))
}

/// Re-times every line linearly so that `first.0` (a time in the transcript)
/// lands on `first.1` (where it is heard) and `second.0` on `second.1`:
/// for a transcript made from another cut or at another rate. `None` when
/// the two points share a transcript time.
pub fn retime_two_points(
    transcript: &Transcript,
    first: (u64, u64),
    second: (u64, u64),
) -> Option<Edit> {
    if first.0 == second.0 || transcript.segments.is_empty() {
        return None;
    }
    let rate = (second.1 as f64 - first.1 as f64) / (second.0 as f64 - first.0 as f64);
    if !(rate.is_finite() && rate > 0.0) {
        return None;
    }
    retime_all(transcript, |ms| {
        let mapped = first.1 as f64 + (ms as f64 - first.0 as f64) * rate;
        mapped.round().max(0.0) as u64
    })
}

/// Sets every line's times, and its words', to where `alignment` (found by
/// [`crate::sync::align`] for this transcript) puts them in the audio, as
/// one step: what [`crate::sync::retimed`] gives, and `earmark sync`
/// writes. A line whose audio is gone collapses to its cut. `None` when
/// the alignment moves nothing, or was made for a transcript with other
/// lines.
pub fn sync_to(transcript: &Transcript, alignment: &Alignment) -> Option<Edit> {
    let covers = |lines: &Range<usize>| lines.end <= transcript.segments.len();
    let fits = alignment.pieces.iter().all(|p| covers(&p.lines))
        && alignment.cuts.iter().all(|c| covers(&c.lines))
        && alignment
            .missing
            .iter()
            .all(|&line| line < transcript.segments.len());
    if !fits {
        return None;
    }
    times_from(transcript, &sync::retimed(transcript, alignment))
}

/// Sets every line's times and its words' to those of the same line of
/// `timed` (the same lines, re-timed), as one step; `None` when nothing
/// changes or `timed` has other lines or words.
pub fn times_from(transcript: &Transcript, timed: &Transcript) -> Option<Edit> {
    if timed.segments.len() != transcript.segments.len() {
        return None;
    }
    let mut times = Vec::new();
    for (index, (segment, new)) in transcript.segments.iter().zip(&timed.segments).enumerate() {
        if new.words.len() != segment.words.len() {
            return None;
        }
        let new_times = TimesOf::of(index, new);
        if new_times != TimesOf::of(index, segment) {
            times.push(new_times);
        }
    }
    (!times.is_empty()).then_some(Edit::Times(times))
}

fn retime_all(transcript: &Transcript, map: impl Fn(u64) -> u64) -> Option<Edit> {
    let word = |ms: Option<u32>| ms.and_then(|ms| u32::try_from(map(u64::from(ms))).ok());
    let times: Vec<TimesOf> = transcript
        .segments
        .iter()
        .enumerate()
        .map(|(index, s)| TimesOf {
            index,
            start_ms: map(s.start_ms),
            end_ms: map(s.end_ms),
            words: s
                .words
                .iter()
                .map(|w| (word(w.start_ms), word(w.end_ms)))
                .collect(),
        })
        .collect();
    let unchanged = times
        .iter()
        .zip(&transcript.segments)
        .all(|(t, s)| *t == TimesOf::of(t.index, s));
    (!unchanged).then_some(Edit::Times(times))
}

fn one_for_one(index: usize, segment: Segment) -> Edit {
    Edit::Splice {
        at: index,
        remove: 1,
        insert: vec![segment],
    }
}

/// What is wrong with a line's times, for the flag beside it: it ends
/// before it starts, or it overlaps the next line.
pub fn problems(transcript: &Transcript, index: usize) -> Vec<String> {
    let Some(segment) = transcript.segments.get(index) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if segment.end_ms < segment.start_ms {
        found.push("ends before it starts".to_owned());
    }
    if let Some(next) = transcript.segments.get(index + 1)
        && next.start_ms < segment.end_ms
        && !segment.end_derived
    {
        found.push("overlaps the next line".to_owned());
    }
    found
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::review::{ReviewState, apply};
    use crate::transcript::Format;

    /// Four lines of two timed words each, at 1, 3, 6 and 9 s.
    fn transcript() -> Transcript {
        let mut transcript = Transcript::new(Format::PodcastJson);
        for (start_ms, end_ms) in [(1000, 2000), (3000, 5000), (6000, 8000), (9000, 9900)] {
            let word = |text: &str, from_ms: u64, to_ms: u64| Word {
                text: text.into(),
                start_ms: word_ms(from_ms),
                end_ms: word_ms(to_ms),
                confidence: None,
            };
            transcript.segments.push(Segment {
                start_ms,
                end_ms,
                text: "a b".into(),
                words: vec![
                    word("a", start_ms, start_ms + 100),
                    word("b", start_ms + 100, end_ms),
                ],
                ..Segment::default()
            });
        }
        transcript
    }

    #[test]
    fn a_sync_is_one_edit_that_gives_what_earmark_sync_writes() {
        let before = transcript();
        let edit = sync_to(&before, &sync::example_alignment()).expect("lines move");
        assert!(matches!(edit, Edit::Times(_)), "one edit: {edit:?}");
        let mut edited = Arc::new(before.clone());
        apply(&mut edited, &mut ReviewState::default(), edit).expect("the edit fits");
        assert_eq!(*edited, sync::retimed(&before, &sync::example_alignment()));
    }

    #[test]
    fn words_move_with_their_lines_and_a_missing_line_collapses_to_its_cut() {
        let mut edited = Arc::new(transcript());
        let edit = sync_to(&edited, &sync::example_alignment()).expect("lines move");
        apply(&mut edited, &mut ReviewState::default(), edit).expect("the edit fits");
        let line = |index, start_ms, end_ms, words: [(u32, u32); 2]| TimesOf {
            index,
            start_ms,
            end_ms,
            words: words.iter().map(|&(a, b)| (Some(a), Some(b))).collect(),
        };
        assert_eq!(
            TimesOf::all(&edited),
            vec![
                line(0, 2000, 3000, [(2000, 2100), (2100, 3000)]),
                line(1, 4000, 6000, [(4000, 4100), (4100, 6000)]),
                line(2, 4500, 4500, [(4500, 4500), (4500, 4500)]),
                line(3, 7000, 7900, [(7000, 7100), (7100, 7900)]),
            ]
        );
    }

    #[test]
    fn undoing_a_sync_restores_every_time_exactly() {
        let before = transcript();
        let mut edited = Arc::new(before.clone());
        let mut review = ReviewState::default();
        let edit = sync_to(&edited, &sync::example_alignment()).expect("lines move");
        let undo = apply(&mut edited, &mut review, edit).expect("the edit fits");
        assert_ne!(*edited, before);
        apply(&mut edited, &mut review, undo).expect("the undo fits");
        assert_eq!(*edited, before);
    }

    #[test]
    fn an_alignment_that_moves_nothing_or_does_not_fit_is_no_edit() {
        let transcript = transcript();
        let in_sync = sync::in_sync_alignment(0..4, 1000);
        assert_eq!(sync_to(&transcript, &in_sync), None);
        let mut shorter = transcript.clone();
        shorter.segments.truncate(2);
        assert_eq!(
            sync_to(&shorter, &sync::example_alignment()),
            None,
            "made for other lines"
        );
    }
}
