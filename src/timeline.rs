//! The timeline: which segment and which word is at a playback time, and where
//! the next/previous line and the next speaker change are, each in O(log n).
//!
//! A [`Timeline`] is built once from a [`Transcript`] (O(n log n)) and keeps
//! only compact arrays of times and indices, no reference to the transcript,
//! so the UI can hold it next to the transcript and rebuild it after an edit.
//! Segment indices are indices into `transcript.segments` (file order); the
//! timeline sorts by start internally and maps back. It never imports GUI or
//! audio crates and never panics on any transcript.
//!
//! # Semantics
//!
//! Segments are ordered by start time, ties by file order ("start order").
//! A segment *covers* the times `start_ms <= ms < end_ms`; a zero-length
//! segment covers exactly `ms == start_ms`, and a segment whose end is before
//! its start is treated as zero-length.
//!
//! - [`Timeline::segment_at`]: among the segments covering `ms`, the one that
//!   started last (ties: the later in file order). In a gap, `None`. When a
//!   short segment nested in a long one ends, the long one is current again.
//! - [`Timeline::segment_before`]: the segment that started last at or before
//!   `ms`, whether or not it still covers it (the line to keep highlighted in
//!   a gap).
//! - [`Timeline::next_segment`] / [`Timeline::previous_segment`]: the segment
//!   with the earliest start after `ms` / the latest start before `ms`. When
//!   several segments share that start, the later in file order, which is the
//!   one `segment_at` returns at that start: seeking to the start of the
//!   returned segment highlights it.
//! - [`Timeline::next_speaker_change`]: the first segment in start order that
//!   starts after `ms` and whose speaker differs from the current line's.
//! - [`Timeline::word_at`]: the timed word of a segment that started last at
//!   or before `ms`.

use std::collections::BinaryHeap;

use crate::transcript::{SpeakerId, Transcript};

/// Marks "no segment" in the current-segment table.
const NO_SEGMENT: u32 = u32::MAX;

/// From `start_ms` until the next span's start, `segment` is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start_ms: u64,
    /// Index into `transcript.segments`, or [`NO_SEGMENT`] for a gap.
    segment: u32,
}

/// A time → segment/word index over one transcript, answering playback queries
/// in O(log n).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// Segment starts in start order.
    sorted_start_ms: Vec<u64>,
    /// The last millisecond each segment covers (zero-length: its start), in
    /// start order.
    sorted_last_ms: Vec<u64>,
    /// `sorted_order[p]` is the segment index at start-order position `p`.
    sorted_order: Vec<u32>,
    /// For each start-order position, the first later position whose speaker differs.
    speaker_run_end: Vec<u32>,
    /// Each segment's speaker, in file order.
    speakers: Vec<Option<SpeakerId>>,
    /// The answer of `segment_at` as a step function: strictly increasing
    /// starts, each valid until the next; before the first, no segment.
    spans: Vec<Span>,
    /// `span_buckets[b]` is the number of spans starting before
    /// `first span start + (b << bucket_shift)`; the last entry is `spans.len()`.
    /// It narrows the search to the spans of one bucket (about one on average).
    span_buckets: Vec<u32>,
    bucket_shift: u32,
    /// `word_offsets[s]..word_offsets[s + 1]` are segment `s`'s timed words
    /// in `word_start_ms`/`word_index`; empty when no segment has timed words.
    word_offsets: Vec<u32>,
    /// Timed word starts, sorted within each segment.
    word_start_ms: Vec<u64>,
    /// Index into the segment's `words` of each entry of `word_start_ms`.
    word_index: Vec<u32>,
}

impl Timeline {
    /// Builds the index of `transcript` in O(n log n); at most `u32::MAX - 1`
    /// segments are indexed (a 256 MB file holds far fewer).
    pub fn new(transcript: &Transcript) -> Timeline {
        let segments = &transcript.segments[..transcript.segments.len().min(NO_SEGMENT as usize)];
        let len = segments.len();
        let mut sorted_order: Vec<u32> = (0..len as u32).collect();
        // A transcript in time order (nearly all) needs no sort.
        if !segments.is_sorted_by_key(|s| s.start_ms) {
            sorted_order.sort_unstable_by_key(|&i| (segments[i as usize].start_ms, i));
        }
        let sorted_start_ms: Vec<u64> = sorted_order
            .iter()
            .map(|&i| segments[i as usize].start_ms)
            .collect();
        let sorted_last_ms: Vec<u64> = sorted_order
            .iter()
            .map(|&i| last_ms(&segments[i as usize]))
            .collect();
        let speakers: Vec<Option<SpeakerId>> = segments.iter().map(|s| s.speaker).collect();
        let speaker_run_end = speaker_runs(&sorted_order, &speakers);
        let spans = build_spans(&sorted_start_ms, &sorted_last_ms, &sorted_order);
        let (span_buckets, bucket_shift) = build_buckets(&spans);
        let (word_offsets, word_start_ms, word_index) = build_words(transcript, len);
        Timeline {
            sorted_start_ms,
            sorted_last_ms,
            sorted_order,
            speaker_run_end,
            speakers,
            spans,
            span_buckets,
            bucket_shift,
            word_offsets,
            word_start_ms,
            word_index,
        }
    }

    /// Brings the index up to date after an edit of `transcript`: when no
    /// line's times and no timed word changed (a text or speaker edit, the
    /// most common), only the speakers are renewed, in one pass and without
    /// sorting; otherwise it is built again ([`Timeline::new`]).
    pub fn update(&mut self, transcript: &Transcript) {
        let len = transcript.segments.len().min(NO_SEGMENT as usize);
        let segments = &transcript.segments[..len];
        let same_times = len == self.sorted_order.len()
            && self.sorted_order.iter().enumerate().all(|(p, &i)| {
                let segment = &segments[i as usize];
                segment.start_ms == self.sorted_start_ms[p]
                    && last_ms(segment) == self.sorted_last_ms[p]
            });
        let same_words = same_times && {
            let (offsets, starts, indices) = build_words(transcript, len);
            offsets == self.word_offsets
                && starts == self.word_start_ms
                && indices == self.word_index
        };
        if !same_words {
            *self = Timeline::new(transcript);
            return;
        }
        self.speakers.clear();
        self.speakers.extend(segments.iter().map(|s| s.speaker));
        self.speaker_run_end = speaker_runs(&self.sorted_order, &self.speakers);
    }

    /// The number of segments indexed.
    pub fn len(&self) -> usize {
        self.sorted_order.len()
    }

    /// The transcript had no segments.
    pub fn is_empty(&self) -> bool {
        self.sorted_order.is_empty()
    }

    /// The segment current at `ms`: of those covering it, the one that started
    /// last (ties: later in file order); `None` in a gap. One bucket lookup and
    /// a binary search inside the bucket: O(1) for evenly spread times, O(log n) at worst.
    pub fn segment_at(&self, ms: u64) -> Option<usize> {
        let first = self.spans.first()?;
        if ms < first.start_ms {
            return None;
        }
        let bucket =
            usize::try_from((ms - first.start_ms) >> self.bucket_shift).unwrap_or(usize::MAX);
        let (from, to) = match self.span_buckets.get(bucket..bucket.saturating_add(2)) {
            Some(&[from, to]) => (from as usize, to as usize),
            _ => (self.spans.len(), self.spans.len()),
        };
        // Spans before `from` start before this bucket, those from `to` on after `ms`.
        let in_bucket = self.spans[from..to].partition_point(|span| span.start_ms <= ms);
        let segment = self.spans[from + in_bucket - 1].segment;
        (segment != NO_SEGMENT).then_some(segment as usize)
    }

    /// The segment that started last at or before `ms` (ties: later in file
    /// order), even if it has ended: the line to keep highlighted in a gap.
    pub fn segment_before(&self, ms: u64) -> Option<usize> {
        let count = self.count_starting_at_or_before(ms);
        count.checked_sub(1).map(|p| self.sorted_order[p] as usize)
    }

    /// The segment with the earliest start after `ms` (ties: later in file
    /// order, the one [`Timeline::segment_at`] gives at that start).
    pub fn next_segment(&self, ms: u64) -> Option<usize> {
        let start_ms = *self
            .sorted_start_ms
            .get(self.count_starting_at_or_before(ms))?;
        self.segment_before(start_ms)
    }

    /// The segment with the latest start before `ms` (ties: later in file
    /// order). Mid-line this is the current line; a "double press goes one
    /// line further back" rule is `previous_segment(ms.saturating_sub(1000))`.
    pub fn previous_segment(&self, ms: u64) -> Option<usize> {
        self.segment_before(ms.checked_sub(1)?)
    }

    /// The first segment in start order (ties: file order) that starts after
    /// `ms` and whose speaker differs from that of the current line, which is
    /// [`Timeline::segment_at`] or else [`Timeline::segment_before`]. A segment
    /// without a speaker differs from one with a speaker. Before the first
    /// segment there is no current speaker and this is the first segment after `ms`.
    pub fn next_speaker_change(&self, ms: u64) -> Option<usize> {
        let next = self.count_starting_at_or_before(ms);
        let next_segment = *self.sorted_order.get(next)? as usize;
        let Some(current) = self.segment_at(ms).or_else(|| self.segment_before(ms)) else {
            return Some(next_segment);
        };
        let current_speaker = self.speakers[current];
        if self.speakers[next_segment] != current_speaker {
            return Some(next_segment);
        }
        // `next` starts a run of the current speaker; the change is where it ends.
        let run_end = self.speaker_run_end[next] as usize;
        self.sorted_order.get(run_end).map(|&i| i as usize)
    }

    /// The index in `segments[segment].words` of the timed word that started
    /// last at or before `ms` (ties: the later word), kept through the pause
    /// until the next word starts. Words without a start time are never
    /// returned (the word before them stays current); `None` before the first
    /// timed word, for a segment without timed words or out of range.
    pub fn word_at(&self, segment: usize, ms: u64) -> Option<usize> {
        let from = *self.word_offsets.get(segment)? as usize;
        let to = *self.word_offsets.get(segment + 1)? as usize;
        let starts = self.word_start_ms.get(from..to)?;
        let count = starts.partition_point(|&start_ms| start_ms <= ms);
        count
            .checked_sub(1)
            .map(|k| self.word_index[from + k] as usize)
    }

    /// The first time after `ms` at which [`Timeline::segment_at`] may answer
    /// differently: when to look again while playing.
    pub fn next_change_ms(&self, ms: u64) -> Option<u64> {
        let after = self.spans.partition_point(|span| span.start_ms <= ms);
        self.spans.get(after).map(|span| span.start_ms)
    }

    /// The start of the first timed word of `segment` that starts after `ms`:
    /// when [`Timeline::word_at`] next changes.
    pub fn next_word_start_ms(&self, segment: usize, ms: u64) -> Option<u64> {
        let from = *self.word_offsets.get(segment)? as usize;
        let to = *self.word_offsets.get(segment + 1)? as usize;
        let starts = self.word_start_ms.get(from..to)?;
        starts.iter().copied().find(|&start_ms| start_ms > ms)
    }

    /// How many segments start at or before `ms`.
    fn count_starting_at_or_before(&self, ms: u64) -> usize {
        self.sorted_start_ms
            .partition_point(|&start_ms| start_ms <= ms)
    }
}

/// Sweeps the start and end events in time order, keeping the covering
/// segments in a max-heap of start-order positions (expired ones are dropped
/// lazily when they reach the top), and records the winner after each event.
/// The last millisecond a segment covers (zero-length: its start).
fn last_ms(segment: &crate::transcript::Segment) -> u64 {
    segment.start_ms.max(segment.end_ms.saturating_sub(1))
}

/// For each start-order position, the first later position whose speaker
/// differs.
fn speaker_runs(sorted_order: &[u32], speakers: &[Option<SpeakerId>]) -> Vec<u32> {
    let len = sorted_order.len();
    let mut speaker_run_end = vec![0u32; len];
    for p in (0..len).rev() {
        let same_as_next = sorted_order
            .get(p + 1)
            .is_some_and(|&next| speakers[next as usize] == speakers[sorted_order[p] as usize]);
        speaker_run_end[p] = if same_as_next {
            speaker_run_end[p + 1]
        } else {
            p as u32 + 1
        };
    }
    speaker_run_end
}

fn build_spans(sorted_start_ms: &[u64], sorted_last_ms: &[u64], sorted_order: &[u32]) -> Vec<Span> {
    // Starts are sorted; ends nearly always are (lines rarely overlap):
    // merging the two is linear where sorting both together was not.
    let mut ends_ms: Vec<u64> = sorted_last_ms
        .iter()
        .filter_map(|&last| last.checked_add(1))
        .collect();
    if !ends_ms.is_sorted() {
        ends_ms.sort_unstable();
    }
    let mut events_ms: Vec<u64> = Vec::with_capacity(sorted_start_ms.len() + ends_ms.len());
    let (mut starts, mut ends) = (sorted_start_ms.iter().peekable(), ends_ms.iter().peekable());
    while let (Some(&&start), Some(&&end)) = (starts.peek(), ends.peek()) {
        if start <= end {
            events_ms.push(start);
            starts.next();
        } else {
            events_ms.push(end);
            ends.next();
        }
    }
    events_ms.extend(starts);
    events_ms.extend(ends);
    events_ms.dedup();
    let mut spans: Vec<Span> = Vec::with_capacity(events_ms.len());
    let mut covering: BinaryHeap<u32> = BinaryHeap::new();
    let mut next_start = 0;
    for event_ms in events_ms {
        while sorted_start_ms
            .get(next_start)
            .is_some_and(|&s| s <= event_ms)
        {
            covering.push(next_start as u32);
            next_start += 1;
        }
        while covering
            .peek()
            .is_some_and(|&p| sorted_last_ms[p as usize] < event_ms)
        {
            covering.pop();
        }
        let segment = covering
            .peek()
            .map_or(NO_SEGMENT, |&p| sorted_order[p as usize]);
        if spans.last().is_none_or(|span| span.segment != segment) {
            spans.push(Span {
                start_ms: event_ms,
                segment,
            });
        }
    }
    spans
}

/// Splits the spans' time range into at most `spans.len()` equal power-of-two
/// buckets and counts the spans starting before each bucket.
fn build_buckets(spans: &[Span]) -> (Vec<u32>, u32) {
    let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
        return (Vec::new(), 0);
    };
    let range_ms = last.start_ms - first.start_ms;
    let mut shift = 0;
    while shift < 63 && (range_ms >> shift) >= spans.len() as u64 {
        shift += 1;
    }
    let bucket_count = (range_ms >> shift) as usize + 1;
    let mut buckets = vec![0u32; bucket_count + 1];
    for span in spans {
        let bucket = ((span.start_ms - first.start_ms) >> shift) as usize;
        buckets[bucket + 1] += 1;
    }
    for b in 1..buckets.len() {
        buckets[b] += buckets[b - 1];
    }
    (buckets, shift)
}

/// Collects each segment's timed words sorted by start (ties: word order);
/// all empty when no segment has a timed word.
fn build_words(transcript: &Transcript, len: usize) -> (Vec<u32>, Vec<u64>, Vec<u32>) {
    let segments = &transcript.segments[..len];
    let has_timed_words = segments
        .iter()
        .any(|s| s.words.iter().any(|w| w.start_ms.is_some()));
    if !has_timed_words {
        return (Vec::new(), Vec::new(), Vec::new());
    }
    let mut offsets = Vec::with_capacity(len + 1);
    let mut timed: Vec<(u64, u32)> = Vec::new();
    offsets.push(0);
    for segment in segments {
        let from = timed.len();
        let room = (u32::MAX as usize).saturating_sub(from);
        let words = segment.words.iter().take(room);
        timed.extend(
            words
                .enumerate()
                .filter_map(|(i, w)| Some((u64::from(w.start_ms?), i as u32))),
        );
        timed[from..].sort_unstable();
        offsets.push(timed.len() as u32);
    }
    let (starts, indices) = timed.into_iter().unzip();
    (offsets, starts, indices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Format, Segment, Word, word_ms};
    use proptest::prelude::*;

    fn transcript(segments: &[(u64, u64, Option<&str>)]) -> Transcript {
        let mut t = Transcript::new(Format::Range);
        for &(start_ms, end_ms, speaker) in segments {
            let speaker = speaker.and_then(|name| t.intern_speaker(name));
            t.segments.push(Segment {
                start_ms,
                end_ms,
                speaker,
                ..Segment::default()
            });
        }
        t
    }

    fn timeline(segments: &[(u64, u64)]) -> Timeline {
        let with_speakers: Vec<_> = segments.iter().map(|&(s, e)| (s, e, None)).collect();
        Timeline::new(&transcript(&with_speakers))
    }

    #[test]
    fn empty_transcript_answers_none_everywhere() {
        let tl = timeline(&[]);
        assert!(tl.is_empty());
        assert_eq!(tl.len(), 0);
        for ms in [0, 1, u64::MAX] {
            assert_eq!(tl.segment_at(ms), None);
            assert_eq!(tl.segment_before(ms), None);
            assert_eq!(tl.next_segment(ms), None);
            assert_eq!(tl.previous_segment(ms), None);
            assert_eq!(tl.next_speaker_change(ms), None);
            assert_eq!(tl.word_at(0, ms), None);
        }
    }

    #[test]
    fn consecutive_segments_with_a_gap() {
        let tl = timeline(&[(1000, 2000), (2000, 3000), (4000, 5000)]);
        assert_eq!(tl.len(), 3);
        let at: Vec<_> = [0, 999, 1000, 1999, 2000, 2999, 3000, 3999, 4000, 4999, 5000]
            .iter()
            .map(|&ms| tl.segment_at(ms))
            .collect();
        let (n, s0, s1, s2) = (None, Some(0), Some(1), Some(2));
        assert_eq!(at, [n, n, s0, s0, s1, s1, n, n, s2, s2, n]);
        assert_eq!(tl.segment_before(3500), s1);
        assert_eq!(tl.segment_before(999), n);
        assert_eq!(tl.segment_before(u64::MAX), s2);
        assert_eq!(tl.next_segment(0), s0);
        assert_eq!(tl.next_segment(1000), s1);
        assert_eq!(tl.next_segment(3500), s2);
        assert_eq!(tl.next_segment(4000), n);
        assert_eq!(tl.previous_segment(1000), n);
        assert_eq!(tl.previous_segment(2000), s0);
        assert_eq!(tl.previous_segment(2500), s1);
        assert_eq!(tl.previous_segment(2500 - 1000), s0);
    }

    #[test]
    fn long_segment_is_current_again_after_a_nested_one_ends() {
        // 0: 0..10 s, 1: 2..3 s nested, 2: 5..5 s zero-length, 3: 8..12 s overlapping the end.
        let tl = timeline(&[(0, 10_000), (2000, 3000), (5000, 5000), (8000, 12_000)]);
        let cases = [
            (0, Some(0)),
            (1999, Some(0)),
            (2000, Some(1)),
            (2999, Some(1)),
            (3000, Some(0)),
            (4999, Some(0)),
            (5000, Some(2)),
            (5001, Some(0)),
            (7999, Some(0)),
            (8000, Some(3)),
            (10_000, Some(3)),
            (11_999, Some(3)),
            (12_000, None),
        ];
        for (ms, expected) in cases {
            assert_eq!(tl.segment_at(ms), expected, "at {ms} ms");
        }
        assert_eq!(tl.segment_before(4000), Some(1));
    }

    #[test]
    fn identical_starts_prefer_the_later_in_file_order() {
        let tl = timeline(&[(1000, 5000), (1000, 2000), (0, 500)]);
        assert_eq!(tl.segment_at(1000), Some(1));
        assert_eq!(tl.segment_at(2000), Some(0));
        assert_eq!(tl.segment_at(200), Some(2));
        assert_eq!(tl.next_segment(600), Some(1));
        assert_eq!(tl.previous_segment(1500), Some(1));
        assert_eq!(tl.segment_before(3000), Some(1));
    }

    #[test]
    fn out_of_order_file_maps_back_to_file_indices() {
        let tl = timeline(&[(3000, 4000), (1000, 2000), (2000, 3000)]);
        assert_eq!(tl.segment_at(1500), Some(1));
        assert_eq!(tl.segment_at(2500), Some(2));
        assert_eq!(tl.segment_at(3500), Some(0));
        assert_eq!(tl.next_segment(1500), Some(2));
        assert_eq!(tl.previous_segment(3500), Some(0));
        assert_eq!(tl.previous_segment(3000), Some(2));
    }

    #[test]
    fn end_before_start_is_zero_length() {
        let tl = timeline(&[(5000, 1000), (6000, 7000)]);
        assert_eq!(tl.segment_at(4999), None);
        assert_eq!(tl.segment_at(5000), Some(0));
        assert_eq!(tl.segment_at(5001), None);
        assert_eq!(tl.segment_before(5500), Some(0));
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let tl = timeline(&[(0, u64::MAX), (u64::MAX, u64::MAX), (u64::MAX - 1, 0)]);
        assert_eq!(tl.segment_at(0), Some(0));
        assert_eq!(tl.segment_at(u64::MAX - 2), Some(0));
        assert_eq!(tl.segment_at(u64::MAX - 1), Some(2));
        assert_eq!(tl.segment_at(u64::MAX), Some(1));
        assert_eq!(tl.next_segment(u64::MAX), None);
        assert_eq!(tl.previous_segment(0), None);
    }

    #[test]
    fn next_speaker_change_skips_the_current_speakers_run() {
        let t = transcript(&[
            (0, 1000, Some("Ann")),
            (1000, 2000, Some("Ann")),
            (2000, 3000, Some("Bob")),
            (3000, 4000, None),
            (4000, 5000, Some("Bob")),
            (6000, 7000, Some("Bob")),
        ]);
        let tl = Timeline::new(&t);
        assert_eq!(tl.next_speaker_change(0), Some(2));
        assert_eq!(tl.next_speaker_change(1500), Some(2));
        assert_eq!(tl.next_speaker_change(2500), Some(3));
        assert_eq!(tl.next_speaker_change(3500), Some(4));
        // In the gap after 4 the current line is still Bob's segment 4.
        assert_eq!(tl.next_speaker_change(4500), None);
        assert_eq!(tl.next_speaker_change(5500), None);
    }

    #[test]
    fn next_speaker_change_before_the_first_segment_is_the_first_segment() {
        let t = transcript(&[(1000, 2000, Some("Ann")), (2000, 3000, Some("Bob"))]);
        let tl = Timeline::new(&t);
        assert_eq!(tl.next_speaker_change(0), Some(0));
    }

    fn word(start_ms: Option<u32>) -> Word {
        Word {
            text: "w".into(),
            start_ms,
            end_ms: start_ms.map(|s| s + 100),
            confidence: None,
        }
    }

    #[test]
    fn word_at_skips_untimed_words_and_keeps_the_word_through_pauses() {
        let mut t = transcript(&[(0, 1000, None), (1000, 2000, None), (2000, 3000, None)]);
        t.segments[0].words = vec![
            word(Some(100)),
            word(None),
            word(Some(400)),
            word(Some(400)),
        ];
        t.segments[2].words = vec![word(Some(2500)), word(Some(2100))];
        let tl = Timeline::new(&t);
        let cases = [
            (0, 99, None),
            (0, 100, Some(0)),
            (0, 399, Some(0)),
            (0, 400, Some(3)),
            (0, 999, Some(3)),
            (1, 1500, None),
            (2, 2099, None),
            (2, 2100, Some(1)),
            (2, 2600, Some(0)),
            (3, 2600, None),
            (usize::MAX, 0, None),
        ];
        for (segment, ms, expected) in cases {
            assert_eq!(
                tl.word_at(segment, ms),
                expected,
                "segment {segment} at {ms} ms"
            );
        }
    }

    #[test]
    fn next_word_start_is_where_word_at_next_changes() {
        let mut t = transcript(&[(0, 1000, None), (1000, 2000, None)]);
        t.segments[0].words = vec![word(Some(100)), word(None), word(Some(400))];
        let tl = Timeline::new(&t);
        assert_eq!(tl.next_word_start_ms(0, 0), Some(100));
        assert_eq!(tl.next_word_start_ms(0, 100), Some(400));
        assert_eq!(tl.next_word_start_ms(0, 400), None);
        assert_eq!(tl.next_word_start_ms(1, 0), None);
        assert_eq!(tl.next_word_start_ms(9, 0), None);
    }

    #[test]
    fn word_at_without_any_timed_words_is_none() {
        let mut t = transcript(&[(0, 1000, None)]);
        t.segments[0].words = vec![word(None), word(None)];
        let tl = Timeline::new(&t);
        assert_eq!(tl.word_at(0, 500), None);
    }

    /// Start order key: start, then file index.
    fn key(t: &Transcript, i: usize) -> (u64, usize) {
        (t.segments[i].start_ms, i)
    }

    fn covers(t: &Transcript, i: usize, ms: u64) -> bool {
        let s = &t.segments[i];
        s.start_ms <= ms && (ms < s.end_ms || ms == s.start_ms)
    }

    fn brute_segment_at(t: &Transcript, ms: u64) -> Option<usize> {
        (0..t.segments.len())
            .filter(|&i| covers(t, i, ms))
            .max_by_key(|&i| key(t, i))
    }

    fn brute_before(t: &Transcript, ms: u64) -> Option<usize> {
        (0..t.segments.len())
            .filter(|&i| t.segments[i].start_ms <= ms)
            .max_by_key(|&i| key(t, i))
    }

    fn brute_next(t: &Transcript, ms: u64) -> Option<usize> {
        let start_ms = t
            .segments
            .iter()
            .map(|s| s.start_ms)
            .filter(|&s| s > ms)
            .min()?;
        (0..t.segments.len())
            .filter(|&i| t.segments[i].start_ms == start_ms)
            .max()
    }

    fn brute_previous(t: &Transcript, ms: u64) -> Option<usize> {
        (0..t.segments.len())
            .filter(|&i| t.segments[i].start_ms < ms)
            .max_by_key(|&i| key(t, i))
    }

    fn brute_speaker_change(t: &Transcript, ms: u64) -> Option<usize> {
        let current = brute_segment_at(t, ms).or_else(|| brute_before(t, ms));
        let current_speaker = current.map(|i| t.segments[i].speaker);
        (0..t.segments.len())
            .filter(|&i| t.segments[i].start_ms > ms)
            .filter(|&i| current_speaker != Some(t.segments[i].speaker))
            .min_by_key(|&i| key(t, i))
    }

    fn brute_word_at(t: &Transcript, segment: usize, ms: u64) -> Option<usize> {
        let words = &t.segments.get(segment)?.words;
        (0..words.len())
            .filter(|&i| words[i].start_ms.is_some_and(|s| u64::from(s) <= ms))
            .max_by_key(|&i| (words[i].start_ms, i))
    }

    fn arb_transcript() -> impl Strategy<Value = Transcript> {
        let word = prop::option::weighted(0.8, 0u32..120).prop_map(|start_ms| Word {
            text: "".into(),
            start_ms,
            end_ms: None,
            confidence: None,
        });
        let segment = (
            0u64..100,
            prop_oneof![Just(0u64), 0u64..40],
            any::<bool>(),
            prop::option::of(0u32..3),
            prop::collection::vec(word, 0..4),
        )
            .prop_map(|(start_ms, length_ms, backwards, speaker, words)| Segment {
                start_ms,
                end_ms: if backwards {
                    start_ms.saturating_sub(length_ms)
                } else {
                    start_ms + length_ms
                },
                speaker: speaker.map(SpeakerId),
                words,
                ..Segment::default()
            });
        prop::collection::vec(segment, 0..24).prop_map(|segments| Transcript {
            segments,
            ..Transcript::default()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn an_update_after_an_edit_is_the_index_built_anew(
            t in arb_transcript(),
            changes in prop::collection::vec((0usize..24, 0u8..5, 0u64..100), 1..6),
        ) {
            let mut tl = Timeline::new(&t);
            let mut t = t;
            for (index, kind, value) in changes {
                let len = t.segments.len();
                if len == 0 {
                    break;
                }
                let segment = &mut t.segments[index % len];
                match kind {
                    0 => segment.speaker = Some(SpeakerId((value % 3) as u32)),
                    1 => segment.speaker = None,
                    2 => segment.start_ms = value,
                    3 => segment.end_ms = value,
                    _ => segment.words.clear(),
                }
                tl.update(&t);
                prop_assert_eq!(&tl, &Timeline::new(&t));
            }
        }

        #[test]
        fn matches_brute_force(
            t in arb_transcript(),
            scale in prop_oneof![Just(1u64), Just(997), Just(1 << 40)],
        ) {
            // Scaling spreads the times so that the buckets hold several spans or none.
            let mut t = t;
            for segment in &mut t.segments {
                segment.start_ms *= scale;
                segment.end_ms *= scale;
                for word in &mut segment.words {
                    word.start_ms = word.start_ms.and_then(|s| word_ms(u64::from(s) * scale));
                }
            }
            let tl = Timeline::new(&t);
            prop_assert_eq!(tl.len(), t.segments.len());
            let queries_ms = (0..150u64)
                .flat_map(|ms| [ms * scale, (ms * scale).saturating_sub(1), ms * scale + 1]);
            for ms in queries_ms {
                prop_assert_eq!(tl.segment_at(ms), brute_segment_at(&t, ms), "segment_at({})", ms);
                prop_assert_eq!(tl.segment_before(ms), brute_before(&t, ms), "segment_before({})", ms);
                prop_assert_eq!(tl.next_segment(ms), brute_next(&t, ms), "next_segment({})", ms);
                prop_assert_eq!(tl.previous_segment(ms), brute_previous(&t, ms), "previous_segment({})", ms);
                prop_assert_eq!(tl.next_speaker_change(ms), brute_speaker_change(&t, ms), "next_speaker_change({})", ms);
                for segment in 0..=t.segments.len() {
                    prop_assert_eq!(tl.word_at(segment, ms), brute_word_at(&t, segment, ms), "word_at({}, {})", segment, ms);
                }
            }
        }

        #[test]
        fn seeking_to_next_segment_highlights_it(t in arb_transcript(), ms in 0u64..150) {
            let tl = Timeline::new(&t);
            if let Some(next) = tl.next_segment(ms) {
                prop_assert_eq!(tl.segment_at(t.segments[next].start_ms), Some(next));
            }
        }
    }
}
