//! `earmark sync --snap` (issue 12): after the alignment, moves each line's
//! start and end onto the edges of the speech it covers, for transcripts
//! whose own timings are loose (an ASR that starts a line late or ends it
//! early). Headless and pure: line spans and an [`Activity`] in, line spans
//! out; it reads no files and never moves a line across a neighbour.
//!
//! # Method
//!
//! The activity's speech runs (10 ms frames; the detector has already
//! bridged gaps under 150 ms, so a run's edges are real pauses) give the
//! onsets (a frame where speech starts after non-speech) and offsets (where
//! it stops). The file's first and last frame are neither: speech cut off by
//! the file's edges did not start or stop there.
//!
//! A transcript's lines begin at turns and paragraphs, whose pauses are
//! longer than those between a line's own sentences and phrases (the
//! aligner relies on the same). So:
//!
//! - **Start.** Of the onsets within [`SnapParams::bound_ms`] of the start
//!   (either way), the start goes to the one after the longest pause; pauses
//!   of [`FULL_PAUSE_MS`] (1 s) or more count the same, and among equals the
//!   nearest wins. A start 300 ms late inside the line's first phrase goes
//!   back to that phrase's onset (the pause before the line), not on to the
//!   next phrase's, which is nearer but after a short pause; a start early,
//!   in the pause before the line, goes forward to the onset after it.
//! - **End.** Of the offsets within reach, the one before the longest pause,
//!   the same way: an end cut short inside the line's last word goes on to
//!   the offset where the line's speech stops, and so does one that fell in
//!   a short pause before the line's last phrase (the offset just before it
//!   is nearer, but its pause is the phrase's, not the line's).
//!
//! A strictly nearest onset or offset would do worse on exactly the errors
//! the snap is for, and a rule by the speech the time falls in (back to its
//! run's onset, or forward from a pause) still moves the end of a line
//! whose last phrase is short the wrong way: on the bench's noisy
//! combination case with ASR-like timings (`benches/sync/snap_bench.py`),
//! that rule moved 4 of the 8 ends of the lines placed within 100 ms
//! further off, where this one puts 7 within 20 ms.
//!
//! Each move is kept only when it is at most [`SnapParams::bound_ms`] and
//! breaks no neighbour (lines in file order; lines without times are not
//! neighbours, lines of zero length are, and stay where they are):
//!
//! - a start never moves earlier than the previous line's end (as snapped)
//!   or start, nor later than the line's own end or the next line's start;
//! - an end never moves later than the next line's start (as given), nor
//!   to or before the line's own start (as snapped), so the start stays
//!   before the end;
//! - a start moves later, and an end earlier, only across silence: speech
//!   the line covers is its own (no other line has it), so the snap never
//!   leaves it out, even for an onset after a longer pause (a line that
//!   opens with "So," and a pause would otherwise lose it);
//! - an onset or offset whose move would break a rule is not a candidate,
//!   and a line with no candidate keeps that time;
//! - a line of zero length (a line the alignment found cut, placed at its
//!   cut) or with its end before its start is left alone.
//!
//! Lines are done in file order, start then end, so the previous line's end
//! is final when a start is placed, and an end is held to the next line's
//! start before that start moves (which then cannot cross it either).
//!
//! Word times move with their line: each is mapped linearly from the line's
//! old span to its new one ([`ms_in_line`]), so a first word that started
//! with the line still does, the words keep their order and every word
//! stays inside its line. Clamping would leave the first word's start late
//! where the line's has been corrected; the scaling of the words between is
//! a fraction of a percent on any line longer than a few seconds.
//!
//! # Why a bound of 700 ms
//!
//! Segment timings of speech recognisers are typically off by 100–400 ms at
//! either end (the bench's jitter is 150–300 ms). The snap runs after the
//! alignment, which moves a line's end with its start: a line that started
//! 300 ms late and ended 300 ms early has its start put on the onset and
//! its end 600 ms before the speech stops. 700 ms reaches that: on the
//! bench's 10-minute cases with ASR-like timings (four cases, three seeds,
//! 222 lines) it put 78 % of the ends within 20 ms of the truth where
//! 500 ms put 64 %, and 1000 ms no more than 700 (`benches/sync/README.md`).
//! Much more and a line starting mid-speech (two speakers without a pause
//! between them, or a line split inside a sentence) would be pulled back to
//! the start of a long run that is not its own, or a start in a long pause
//! forward to speech that belongs to the next line; the neighbours stop
//! most of that, not all. `--snap-ms` changes it.

use crate::transcript::{Transcript, word_ms};

use super::align::Span;
use super::vad::{Activity, FRAME_MS};

/// How far [`snap`] may move a time; the module docs say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapParams {
    /// The largest move of a line's start or end, either way, in ms.
    pub bound_ms: u64,
}

impl Default for SnapParams {
    fn default() -> SnapParams {
        SnapParams { bound_ms: 700 }
    }
}

/// Pauses at least this long all count as a line boundary's when [`snap`]
/// chooses an onset or offset, in ms; among them the nearest wins.
pub const FULL_PAUSE_MS: u64 = 1000;

/// Each line's span with its start moved to a speech onset and its end to
/// a speech offset where the module's rules allow; `None` (an untimed line)
/// and zero-length lines come back as they were.
pub fn snap(lines: &[Option<Span>], activity: &Activity, params: &SnapParams) -> Vec<Option<Span>> {
    let edges = Edges::new(&activity.speech);
    let bound_ms = params.bound_ms;
    let mut out = lines.to_vec();
    let timed: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].is_some()).collect();
    for (k, &index) in timed.iter().enumerate() {
        let Some((start_ms, end_ms)) = lines[index] else {
            continue;
        };
        if start_ms >= end_ms {
            continue;
        }
        let previous = k
            .checked_sub(1)
            .and_then(|p| out[timed[p]])
            .unwrap_or((0, 0));
        let next_start_ms = timed
            .get(k + 1)
            .and_then(|&n| lines[n])
            .map_or(u64::MAX, |(start, _)| start);

        let snapped_start_ms = best(
            edges.onsets(
                start_ms.saturating_sub(bound_ms),
                start_ms.saturating_add(bound_ms),
            ),
            start_ms,
            |to| {
                to >= previous.0
                    && (to >= start_ms || to >= previous.1)
                    && to < end_ms
                    && to <= next_start_ms
                    && (to <= start_ms || !edges.has_speech(start_ms, to))
            },
        );
        let snapped_end_ms = best(
            edges.offsets(
                end_ms.saturating_sub(bound_ms),
                end_ms.saturating_add(bound_ms),
            ),
            end_ms,
            |to| {
                to > snapped_start_ms
                    && (to <= end_ms || to <= next_start_ms)
                    && (to >= end_ms || !edges.has_speech(to, end_ms))
            },
        );
        out[index] = Some((snapped_start_ms, snapped_end_ms));
    }
    out
}

/// Of `candidates` (`(ms, pause_ms)`) that `allowed` accepts, the time of
/// the one with the longest pause (up to [`FULL_PAUSE_MS`]), the nearest to
/// `from_ms` among equals; `from_ms` itself when there is none.
fn best(
    candidates: impl Iterator<Item = (u64, u64)>,
    from_ms: u64,
    allowed: impl Fn(u64) -> bool,
) -> u64 {
    candidates
        .filter(|&(ms, _)| allowed(ms))
        .max_by_key(|&(ms, pause_ms)| {
            (
                pause_ms.min(FULL_PAUSE_MS),
                std::cmp::Reverse(ms.abs_diff(from_ms)),
            )
        })
        .map_or(from_ms, |(ms, _)| ms)
}

/// The speech runs of an activity, in ms, end exclusive, in order.
struct Edges {
    runs: Vec<(u64, u64)>,
    len_ms: u64,
}

impl Edges {
    fn new(speech: &[bool]) -> Edges {
        let mut runs = Vec::new();
        let mut start = None;
        for (frame, &is_speech) in speech.iter().enumerate() {
            match (is_speech, start) {
                (true, None) => start = Some(frame),
                (false, Some(from)) => {
                    runs.push((from as u64 * FRAME_MS, frame as u64 * FRAME_MS));
                    start = None;
                }
                _ => {}
            }
        }
        let len_ms = speech.len() as u64 * FRAME_MS;
        if let Some(from) = start {
            runs.push((from as u64 * FRAME_MS, len_ms));
        }
        Edges { runs, len_ms }
    }

    /// True when some speech lies in `from_ms..to_ms`.
    fn has_speech(&self, from_ms: u64, to_ms: u64) -> bool {
        let first = self.runs.partition_point(|&(_, end)| end <= from_ms);
        self.runs
            .get(first)
            .is_some_and(|&(start, _)| start < to_ms)
    }

    /// The onsets in `from_ms..=to_ms`, each with the pause before it (ms).
    /// Speech from the file's first frame has no onset.
    fn onsets(&self, from_ms: u64, to_ms: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        let first = self.runs.partition_point(|&(start, _)| start < from_ms);
        (first..self.runs.len())
            .take_while(move |&k| self.runs[k].0 <= to_ms)
            .filter(|&k| self.runs[k].0 > 0)
            .map(|k| {
                let pause_from_ms = k.checked_sub(1).map_or(0, |p| self.runs[p].1);
                (self.runs[k].0, self.runs[k].0 - pause_from_ms)
            })
    }

    /// The offsets in `from_ms..=to_ms`, each with the pause after it (ms).
    /// Speech to the file's last frame has no offset.
    fn offsets(&self, from_ms: u64, to_ms: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        let first = self.runs.partition_point(|&(_, end)| end < from_ms);
        (first..self.runs.len())
            .take_while(move |&k| self.runs[k].1 <= to_ms)
            .filter(|&k| self.runs[k].1 < self.len_ms)
            .map(|k| {
                let pause_to_ms = self.runs.get(k + 1).map_or(self.len_ms, |r| r.0);
                (self.runs[k].1, pause_to_ms - self.runs[k].1)
            })
    }
}

/// The time `ms` of a line that spanned `old` (a word's start or end), in
/// the line as it spans `new`: mapped linearly, and kept inside `new`. A
/// line of no length puts every time at its new start.
pub fn ms_in_line(old: Span, new: Span, ms: u64) -> u64 {
    let (old_start, old_end) = old;
    let (new_start, new_end) = new;
    if old_end <= old_start || new_end <= new_start {
        return new_start;
    }
    let scale = (new_end - new_start) as f64 / (old_end - old_start) as f64;
    let offset_ms = ms as f64 - old_start as f64;
    let mapped = new_start as f64 + offset_ms * scale;
    (mapped.round().max(0.0) as u64).clamp(new_start, new_end)
}

/// The transcript with each line at its span in `spans` (as [`snap`] gave
/// them, by index) and its words' times moved with it by [`ms_in_line`].
/// A line whose span is `None` or unchanged is left as it was; nothing but
/// times changes.
pub fn snapped(transcript: &Transcript, spans: &[Option<Span>]) -> Transcript {
    let mut out = transcript.clone();
    for (segment, span) in out.segments.iter_mut().zip(spans) {
        let old = (segment.start_ms, segment.end_ms);
        let Some(new) = *span else {
            continue;
        };
        if new == old {
            continue;
        }
        segment.start_ms = new.0;
        segment.end_ms = new.1;
        let in_line =
            |ms: Option<u32>| ms.and_then(|ms| word_ms(ms_in_line(old, new, u64::from(ms))));
        for word in &mut segment.words {
            word.start_ms = in_line(word.start_ms);
            word.end_ms = in_line(word.end_ms);
        }
    }
    out
}

/// How one side (the starts or the ends) of the lines moved in a snap.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Moves {
    /// How many moved.
    pub moved: usize,
    /// How many of those moved earlier.
    pub earlier: usize,
    /// How many of those moved later.
    pub later: usize,
    /// The median distance moved, over those that moved (the later middle
    /// one of an even count), in ms; 0 when none moved.
    pub median_ms: u64,
    /// The largest distance moved, in ms.
    pub max_ms: u64,
}

impl Moves {
    /// The moves from each of `before` to the same index of `after`, in ms.
    fn between(pairs: impl Iterator<Item = (u64, u64)>) -> Moves {
        let mut distances_ms = Vec::new();
        let mut moves = Moves::default();
        for (before_ms, after_ms) in pairs {
            if before_ms == after_ms {
                continue;
            }
            if after_ms < before_ms {
                moves.earlier += 1;
            } else {
                moves.later += 1;
            }
            distances_ms.push(before_ms.abs_diff(after_ms));
        }
        distances_ms.sort_unstable();
        moves.moved = distances_ms.len();
        moves.median_ms = distances_ms
            .get(distances_ms.len() / 2)
            .copied()
            .unwrap_or(0);
        moves.max_ms = distances_ms.last().copied().unwrap_or(0);
        moves
    }
}

/// What a snap did to a transcript's lines, for the summary and the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SnapStats {
    /// The bound it was given, in ms.
    pub bound_ms: u64,
    /// The lines it could move (timed, of some length).
    pub lines: usize,
    /// How the starts moved.
    pub starts: Moves,
    /// How the ends moved.
    pub ends: Moves,
}

impl SnapStats {
    /// The moves from `before` to `after` (the same lines, as [`snap`]
    /// took and gave them) with the bound of `params`.
    pub fn new(before: &[Option<Span>], after: &[Option<Span>], params: &SnapParams) -> SnapStats {
        let pairs: Vec<(Span, Span)> = before
            .iter()
            .zip(after)
            .filter_map(|(b, a)| Some(((*b)?, (*a)?)))
            .filter(|(b, _)| b.0 < b.1)
            .collect();
        SnapStats {
            bound_ms: params.bound_ms,
            lines: pairs.len(),
            starts: Moves::between(pairs.iter().map(|(b, a)| (b.0, a.0))),
            ends: Moves::between(pairs.iter().map(|(b, a)| (b.1, a.1))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Format, Segment, Word};

    /// An activity of `len_ms` whose speech is `runs` (`(start_ms, end_ms)`,
    /// on 10 ms frames).
    fn activity(runs: &[(u64, u64)], len_ms: u64) -> Activity {
        let frames = (len_ms / FRAME_MS) as usize;
        let mut speech = vec![false; frames];
        for &(start_ms, end_ms) in runs {
            for s in &mut speech[(start_ms / FRAME_MS) as usize..(end_ms / FRAME_MS) as usize] {
                *s = true;
            }
        }
        Activity {
            energy_db: vec![0.0; frames],
            floor_db: vec![0.0; frames],
            speech,
        }
    }

    fn snap_default(lines: &[Option<Span>], activity: &Activity) -> Vec<Option<Span>> {
        snap(lines, activity, &SnapParams::default())
    }

    #[test]
    fn a_late_start_snaps_back_to_the_onset_of_its_speech() {
        let speech = activity(&[(1000, 3000)], 5000);
        assert_eq!(
            snap_default(&[Some((1240, 3000))], &speech),
            [Some((1000, 3000))]
        );
        // 300 ms late in a 400 ms phrase: the next phrase's onset is nearer
        // (200 ms), but the line began with this one.
        let phrases = activity(&[(1000, 1400), (1600, 3000)], 5000);
        assert_eq!(
            snap_default(&[Some((1300, 3000))], &phrases),
            [Some((1000, 3000))]
        );
    }

    #[test]
    fn a_time_in_a_short_pause_inside_the_line_goes_to_the_lines_pause() {
        // 400 ms late, in the pause after a 300 ms first phrase: the onset
        // 100 ms on is nearer, but after a pause of 200 ms; the line's own
        // starts after a second of silence.
        let speech = activity(&[(1000, 1300), (1500, 3000)], 5000);
        assert_eq!(
            snap_default(&[Some((1400, 3000))], &speech),
            [Some((1000, 3000))]
        );
        // 450 ms early, in the pause before a 300 ms last phrase.
        let speech = activity(&[(1000, 2500), (2700, 3000)], 5000);
        assert_eq!(
            snap_default(&[Some((1000, 2550))], &speech),
            [Some((1000, 3000))]
        );
    }

    #[test]
    fn a_line_never_leaves_out_speech_it_covers() {
        // "So," then a longer pause than the one before the line: the onset
        // after it is within reach, but the start stays on the "So,".
        let speech = activity(&[(200, 700), (1000, 1100), (1500, 3000)], 5000);
        assert_eq!(
            snap_default(&[Some((1000, 3000))], &speech),
            [Some((1000, 3000))]
        );
        // The same at the end: a last "right?" after a longer pause than
        // the one before the next line.
        let speech = activity(&[(1000, 2000), (2600, 2700), (3000, 3200)], 5000);
        let lines = [Some((1000, 2700)), Some((3000, 3200))];
        assert_eq!(snap_default(&lines, &speech), lines);
    }

    #[test]
    fn an_early_end_snaps_forward_to_the_offset_of_its_speech() {
        let speech = activity(&[(1000, 3000)], 5000);
        assert_eq!(
            snap_default(&[Some((1000, 2710))], &speech),
            [Some((1000, 3000))]
        );
    }

    #[test]
    fn times_in_a_pause_move_onto_the_speech_of_the_line() {
        let speech = activity(&[(1000, 3000)], 5000);
        assert_eq!(
            snap_default(&[Some((620, 3450))], &speech),
            [Some((1000, 3000))]
        );
    }

    #[test]
    fn no_time_moves_further_than_the_bound() {
        let speech = activity(&[(1000, 3000)], 5000);
        let line = [Some((1510, 2480))];
        assert_eq!(
            snap(&line, &speech, &SnapParams { bound_ms: 500 }),
            line,
            "510 and 520 ms away"
        );
        assert_eq!(
            snap(&line, &speech, &SnapParams { bound_ms: 520 }),
            [Some((1000, 3000))]
        );
        assert_eq!(
            snap(&line, &speech, &SnapParams { bound_ms: 515 }),
            [Some((1000, 2480))]
        );
    }

    #[test]
    fn a_line_never_crosses_its_neighbour() {
        // One run spoken by two lines, no pause between them: the first's end
        // cannot pass the second's start, nor the second's start go back
        // into the first.
        let speech = activity(&[(1600, 2400)], 5000);
        let lines = [Some((1600, 2000)), Some((2100, 2300))];
        assert_eq!(
            snap_default(&lines, &speech),
            [Some((1600, 2000)), Some((2100, 2400))]
        );
    }

    #[test]
    fn an_overlapping_start_may_move_later_but_never_earlier() {
        let speech = activity(&[(1000, 2000), (2400, 4000)], 5000);
        // The second line starts before the first ends (as transcripts that
        // end a line at the next start often do, with jitter).
        let lines = [Some((1000, 2300)), Some((2250, 4000))];
        assert_eq!(
            snap_default(&lines, &speech),
            [Some((1000, 2000)), Some((2400, 4000))]
        );
        // Inside the first line's speech: going back would cross it.
        let lines = [Some((1000, 2300)), Some((1500, 4000))];
        assert_eq!(
            snap_default(&lines, &speech),
            [Some((1000, 2000)), Some((1500, 4000))]
        );
    }

    #[test]
    fn without_an_onset_or_offset_in_reach_a_line_keeps_its_times() {
        // Speech from the first frame to the last: the file cut it off, so
        // neither edge is an onset or an offset.
        let speech = activity(&[(0, 5000)], 5000);
        let lines = [Some((200, 4800))];
        assert_eq!(snap_default(&lines, &speech), lines);
        // A line in a long silence.
        let speech = activity(&[(4000, 4500)], 5000);
        let lines = [Some((1000, 2000))];
        assert_eq!(snap_default(&lines, &speech), lines);
        // Past the end of the audio.
        let lines = [Some((6000, 7000))];
        assert_eq!(snap_default(&lines, &speech), lines);
    }

    #[test]
    fn cut_and_untimed_lines_are_left_alone_and_cuts_still_hold_their_neighbours() {
        let speech = activity(&[(1000, 3300), (3800, 4500)], 5000);
        let lines = [
            Some((1200, 2800)),
            Some((3000, 3000)),
            None,
            Some((3900, 4300)),
            Some((4500, 4200)),
        ];
        assert_eq!(
            snap_default(&lines, &speech),
            [
                // Its end would reach 3300, past the cut line at 3000.
                Some((1000, 2800)),
                Some((3000, 3000)),
                None,
                Some((3800, 4500)),
                Some((4500, 4200)),
            ]
        );
    }

    /// xorshift, for the invariants over many made-up cases.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn the_rules_hold_on_random_lines_and_speech() {
        let params = SnapParams::default();
        let mut state = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..500 {
            let mut runs = Vec::new();
            let mut at_ms = next(&mut state) % 500;
            while at_ms < 20_000 {
                let len_ms = 10 * (5 + next(&mut state) % 150);
                runs.push((at_ms / 10 * 10, ((at_ms + len_ms) / 10 * 10).min(20_000)));
                at_ms += len_ms + 10 * (16 + next(&mut state) % 60);
            }
            let speech = activity(&runs, 20_000);
            let mut lines = Vec::new();
            let mut start_ms = next(&mut state) % 1000;
            while start_ms < 19_000 {
                let len_ms = next(&mut state) % 3000;
                let line = match next(&mut state) % 10 {
                    0 => None,
                    1 => Some((start_ms, start_ms)),
                    _ => Some((start_ms, start_ms + len_ms)),
                };
                lines.push(line);
                // Some lines overlap the next.
                start_ms += len_ms.saturating_sub(next(&mut state) % 300) + 1;
            }
            let out = snap(&lines, &speech, &params);
            let pairs: Vec<(Span, Span)> = lines
                .iter()
                .zip(&out)
                .filter_map(|(b, a)| match (b, a) {
                    (Some(b), Some(a)) => Some((*b, *a)),
                    (None, None) => None,
                    _ => panic!("a line gained or lost its times: {b:?} -> {a:?}"),
                })
                .collect();
            for (k, &(before, after)) in pairs.iter().enumerate() {
                if before.0 >= before.1 {
                    assert_eq!(before, after, "a zero-length line moved");
                    continue;
                }
                assert!(after.0 < after.1, "{before:?} -> {after:?}");
                let frames = |from_ms: u64, to_ms: u64| {
                    &speech.speech[(from_ms / FRAME_MS) as usize..(to_ms / FRAME_MS) as usize]
                };
                if after.0 > before.0 {
                    assert!(
                        !frames(before.0, after.0).contains(&true),
                        "a start left speech out"
                    );
                }
                if after.1 < before.1 && after.1 < 20_000 {
                    assert!(
                        !frames(after.1, before.1.min(20_000)).contains(&true),
                        "an end left speech out"
                    );
                }
                assert!(before.0.abs_diff(after.0) <= params.bound_ms);
                assert!(before.1.abs_diff(after.1) <= params.bound_ms);
                if let Some(&(_, previous)) = k.checked_sub(1).and_then(|p| pairs.get(p)) {
                    assert!(after.0 >= previous.0, "starts keep their order");
                    if after.0 < before.0 {
                        assert!(after.0 >= previous.1, "{previous:?} then {after:?}");
                    }
                }
                if let Some(&(next_line, _)) = pairs.get(k + 1)
                    && after.1 > before.1
                {
                    assert!(after.1 <= next_line.0, "{after:?} then {next_line:?}");
                }
            }
        }
    }

    #[test]
    fn words_move_with_their_line_and_stay_inside_it() {
        let mut transcript = Transcript::new(Format::PodcastJson);
        let word = |text: &str, start_ms: Option<u32>, end_ms: Option<u32>| Word {
            text: text.into(),
            start_ms,
            end_ms,
            confidence: None,
        };
        transcript.segments.push(Segment {
            start_ms: 1200,
            end_ms: 2200,
            text: "one two three".into(),
            words: vec![
                word("one", Some(1200), Some(1500)),
                word("two", None, Some(1700)),
                // A word time past its line's end, as some files have.
                word("three", Some(1700), Some(2400)),
            ],
            ..Segment::default()
        });
        transcript.segments.push(Segment {
            start_ms: 3000,
            end_ms: 3500,
            text: "four".into(),
            words: vec![word("four", Some(3000), Some(3500))],
            ..Segment::default()
        });
        let spans = [Some((1000, 3000)), Some((3000, 3500))];
        let out = snapped(&transcript, &spans);
        let words: Vec<_> = out.segments[0]
            .words
            .iter()
            .map(|w| (w.start_ms, w.end_ms))
            .collect();
        assert_eq!(
            words,
            [
                (Some(1000), Some(1600)),
                (None, Some(2000)),
                (Some(2000), Some(3000))
            ]
        );
        assert_eq!(
            (out.segments[0].start_ms, out.segments[0].end_ms),
            (1000, 3000)
        );
        assert_eq!(out.segments[1], transcript.segments[1], "unmoved line");
        assert_eq!(out.segments[0].text, "one two three", "only times change");
    }

    #[test]
    fn a_time_in_a_line_maps_linearly_into_its_new_span() {
        assert_eq!(ms_in_line((1000, 2000), (800, 2800), 1500), 1800);
        assert_eq!(ms_in_line((1000, 2000), (800, 2800), 900), 800);
        assert_eq!(ms_in_line((1000, 1000), (800, 2800), 1000), 800);
    }

    #[test]
    fn the_stats_count_each_side_and_its_median_and_largest_move() {
        let before = [
            Some((1000, 2000)),
            Some((3000, 4000)),
            Some((5000, 6000)),
            None,
            Some((7000, 7000)),
        ];
        let after = [
            Some((900, 2100)),
            Some((2700, 4000)),
            Some((5050, 6400)),
            None,
            Some((7000, 7000)),
        ];
        let stats = SnapStats::new(&before, &after, &SnapParams::default());
        assert_eq!(stats.lines, 3);
        assert_eq!(
            stats.starts,
            Moves {
                moved: 3,
                earlier: 2,
                later: 1,
                median_ms: 100,
                max_ms: 300
            }
        );
        assert_eq!(
            stats.ends,
            Moves {
                moved: 2,
                earlier: 0,
                later: 2,
                median_ms: 400,
                max_ms: 400
            }
        );
    }
}
