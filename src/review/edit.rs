//! The one way a transcript changes: an [`Edit`] is a value, [`apply`] carries
//! it out and returns its inverse. Undo, redo, the journal and the tests
//! are all built on this pair, so an edit must store what changed (the
//! segments it replaces, the times it moves), never a copy of the whole
//! transcript. The review beside the transcript (markers, kinds, what is
//! reviewed; see [`ReviewState`]) changes the same way.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::markers::{Marker, MarkerKind};
use super::reviewed::Reviewed;
use super::state::ReviewState;
use crate::transcript::{Segment, Transcript};

/// One change to a transcript. Applying it returns the edit that undoes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Edit {
    /// Replaces `remove` segments from `at` with `insert`: a line's text or
    /// speaker (one for one), a split (one for two), a merge (two for one),
    /// an insertion (none for one) or a deletion (one for none).
    Splice {
        /// The first segment replaced, in file order.
        at: usize,
        /// How many segments are replaced.
        remove: usize,
        /// What stands there afterwards.
        insert: Vec<Segment>,
    },
    /// Sets the times of some segments and of their words, leaving text
    /// and speaker alone: nudges, a start from the playhead, shifts and
    /// re-timing.
    Times(Vec<TimesOf>),
    /// Replaces the list of speaker names (a rename, a new speaker).
    Speakers(Vec<String>),
    /// Several edits applied in order as one step (find and replace,
    /// choosing a new speaker for a line).
    Group(Vec<Edit>),
    /// Replaces `remove` review markers from `at` with `insert` (the list
    /// stays in time order: [`super::marking`] finds where).
    Markers {
        /// The first marker replaced.
        at: usize,
        /// How many are replaced.
        remove: usize,
        /// What stands there afterwards.
        insert: Vec<Marker>,
    },
    /// Replaces the list of marker kinds.
    Kinds(Vec<MarkerKind>),
    /// Replaces what is marked reviewed.
    Reviewed(Reviewed),
}

/// The times of one segment and of each of its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimesOf {
    /// The segment, by its index in file order.
    pub index: usize,
    /// Its start.
    pub start_ms: u64,
    /// Its end.
    pub end_ms: u64,
    /// `(start_ms, end_ms)` of each word, as many as the segment has words.
    pub words: Vec<(Option<u32>, Option<u32>)>,
}

impl TimesOf {
    /// The times `segment` (at `index`) has now.
    pub fn of(index: usize, segment: &Segment) -> TimesOf {
        TimesOf {
            index,
            start_ms: segment.start_ms,
            end_ms: segment.end_ms,
            words: segment
                .words
                .iter()
                .map(|w| (w.start_ms, w.end_ms))
                .collect(),
        }
    }

    /// The times of every line of `transcript`, in order.
    pub fn all(transcript: &Transcript) -> Vec<TimesOf> {
        transcript
            .segments
            .iter()
            .enumerate()
            .map(|(index, s)| TimesOf::of(index, s))
            .collect()
    }
}

/// An edit that does not fit the transcript it was applied to (made for
/// another state of it); nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EditError {
    /// A segment index past the end.
    #[error("expected a line number up to {len}, found line {index}")]
    NoSuchLine {
        /// The 0-based index asked for.
        index: usize,
        /// How many segments there are.
        len: usize,
    },
    /// New word times for a segment with another number of words.
    #[error("line {index} has {have} words, the edit gives times for {given}")]
    WordCount {
        /// The 0-based segment index.
        index: usize,
        /// Words in the segment.
        have: usize,
        /// Word times in the edit.
        given: usize,
    },
    /// A segment names a speaker the list does not have.
    #[error("line {index} names speaker {speaker}, and there are {count} speakers")]
    NoSuchSpeaker {
        /// The 0-based segment index.
        index: usize,
        /// The speaker index it names.
        speaker: u32,
        /// How many speakers there are.
        count: usize,
    },
    /// A marker index past the end.
    #[error("expected a marker number up to {len}, found marker {index}")]
    NoSuchMarker {
        /// The 0-based index asked for.
        index: usize,
        /// How many markers there are.
        len: usize,
    },
}

impl Edit {
    /// The segment a user should see after this edit (or its undo): the
    /// first one it touches, `None` for a change of the speaker list only.
    pub fn focus(&self) -> Option<usize> {
        match self {
            Edit::Splice { at, .. } => Some(*at),
            Edit::Times(times) => times.first().map(|t| t.index),
            Edit::Speakers(_) | Edit::Markers { .. } | Edit::Kinds(_) | Edit::Reviewed(_) => None,
            Edit::Group(edits) => edits.iter().find_map(Edit::focus),
        }
    }

    /// Whether it changes the transcript (not only the review beside it).
    pub fn touches_transcript(&self) -> bool {
        match self {
            Edit::Splice { .. } | Edit::Times(_) | Edit::Speakers(_) => true,
            Edit::Markers { .. } | Edit::Kinds(_) | Edit::Reviewed(_) => false,
            Edit::Group(edits) => edits.iter().any(Edit::touches_transcript),
        }
    }
}

/// Applies `edit` to `transcript` or to the `review` beside it and returns
/// the edit that undoes it. An edit that does not fit changes nothing (a
/// group is rolled back). The transcript is copied only when an edit
/// changes it while it is shared (with a save being written).
pub fn apply(
    transcript: &mut Arc<Transcript>,
    review: &mut ReviewState,
    edit: Edit,
) -> Result<Edit, EditError> {
    match edit {
        Edit::Splice { at, remove, insert } => {
            splice(Arc::make_mut(transcript), at, remove, insert)
        }
        Edit::Times(times) => set_times(Arc::make_mut(transcript), times),
        Edit::Speakers(names) => {
            check_speakers(&transcript.segments, 0, names.len())?;
            Ok(Edit::Speakers(std::mem::replace(
                &mut Arc::make_mut(transcript).speakers,
                names,
            )))
        }
        Edit::Markers { at, remove, insert } => splice_markers(review, at, remove, insert),
        Edit::Kinds(kinds) => Ok(Edit::Kinds(std::mem::replace(&mut review.kinds, kinds))),
        Edit::Reviewed(reviewed) => Ok(Edit::Reviewed(std::mem::replace(
            &mut review.reviewed,
            reviewed,
        ))),
        Edit::Group(edits) => {
            let mut inverses = Vec::with_capacity(edits.len());
            for edit in edits {
                match apply(transcript, review, edit) {
                    Ok(inverse) => inverses.push(inverse),
                    Err(err) => {
                        for inverse in inverses.into_iter().rev() {
                            // The inverse of an edit just applied always fits.
                            let _ = apply(transcript, review, inverse);
                        }
                        return Err(err);
                    }
                }
            }
            inverses.reverse();
            Ok(Edit::Group(inverses))
        }
    }
}

fn splice_markers(
    review: &mut ReviewState,
    at: usize,
    remove: usize,
    insert: Vec<Marker>,
) -> Result<Edit, EditError> {
    let len = review.markers.len();
    let end = at
        .checked_add(remove)
        .filter(|&end| end <= len)
        .ok_or(EditError::NoSuchMarker {
            index: at.saturating_add(remove),
            len,
        })?;
    let inserted = insert.len();
    let removed = review.markers.splice(at..end, insert).collect();
    Ok(Edit::Markers {
        at,
        remove: inserted,
        insert: removed,
    })
}

fn splice(
    transcript: &mut Transcript,
    at: usize,
    remove: usize,
    insert: Vec<Segment>,
) -> Result<Edit, EditError> {
    let len = transcript.segments.len();
    let end = at
        .checked_add(remove)
        .filter(|&end| end <= len)
        .ok_or(EditError::NoSuchLine {
            index: at.saturating_add(remove),
            len,
        })?;
    check_speakers(&insert, at, transcript.speakers.len())?;
    let inserted = insert.len();
    let removed = if inserted == remove {
        // One for one (a text or speaker change): swap in place, no shifting
        // of the rest, however long the transcript.
        let mut insert = insert;
        for (slot, new) in transcript.segments[at..end]
            .iter_mut()
            .zip(insert.iter_mut())
        {
            std::mem::swap(slot, new);
        }
        insert
    } else {
        transcript.segments.splice(at..end, insert).collect()
    };
    Ok(Edit::Splice {
        at,
        remove: inserted,
        insert: removed,
    })
}

fn set_times(transcript: &mut Transcript, times: Vec<TimesOf>) -> Result<Edit, EditError> {
    let len = transcript.segments.len();
    for t in &times {
        let segment = transcript
            .segments
            .get(t.index)
            .ok_or(EditError::NoSuchLine {
                index: t.index,
                len,
            })?;
        if segment.words.len() != t.words.len() {
            return Err(EditError::WordCount {
                index: t.index,
                have: segment.words.len(),
                given: t.words.len(),
            });
        }
    }
    let mut old = Vec::with_capacity(times.len());
    for t in times {
        let segment = &mut transcript.segments[t.index];
        old.push(TimesOf::of(t.index, segment));
        segment.start_ms = t.start_ms;
        segment.end_ms = t.end_ms;
        for (word, (start_ms, end_ms)) in segment.words.iter_mut().zip(t.words) {
            word.start_ms = start_ms;
            word.end_ms = end_ms;
        }
    }
    // Undone in reverse, so an index listed twice gets its first old value back.
    old.reverse();
    Ok(Edit::Times(old))
}

/// Every speaker the segments name is in a list of `count`.
fn check_speakers(segments: &[Segment], first_index: usize, count: usize) -> Result<(), EditError> {
    for (offset, segment) in segments.iter().enumerate() {
        if let Some(id) = segment.speaker.filter(|id| id.0 as usize >= count) {
            return Err(EditError::NoSuchSpeaker {
                index: first_index + offset,
                speaker: id.0,
                count,
            });
        }
    }
    Ok(())
}
