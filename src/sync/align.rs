//! The aligner of issue 12: given a transcript's line times and the speech
//! activity of an audio file ([`super::vad`]), finds where each line is in
//! the audio: pieces of consecutive lines that each moved by one shift, one
//! rate for a drifting clock, and the lines whose audio is gone. Headless
//! and pure: it reads no files and decodes no audio.
//!
//! # Method
//!
//! Podcast speech fills almost all the time and an inserted ad is speech
//! too, so the activity itself says little; what marks a place is where
//! speech *starts again after a pause*. A transcript line starts where its
//! speaker starts, which is such an onset, while most onsets of the audio
//! are pauses inside lines. Every audio time is `transcript_ms * rate +
//! shift_ms`, with `shift_ms` constant over a piece.
//!
//! 1. **Onsets.** From the activity: each frame where speech starts after
//!    non-speech (the detector has already bridged gaps under 150 ms, so
//!    each is after a real pause), and each where it stops.
//! 2. **Candidate shifts.** For blocks of 9 consecutive lines, every 3
//!    lines, each line start votes for the shift to each onset within
//!    [`AlignParams::max_shift_ms`] (a sparse cross-correlation of the two
//!    onset trains, restricted to a neighbourhood of lines, so a piece of a
//!    few lines between two edits still stands out); the 5 strongest
//!    clusters (40 ms wide) of each block are candidates for the lines near
//!    it. So are the shifts at which a line and the next both start within
//!    the detector's jitter of an onset: a piece of two lines between two
//!    edits (a short answer between an ad and a cut) has too few votes to
//!    stand out in its block. Where a line's window holds at most 64
//!    onsets (a short file), every onset is a candidate: the search is
//!    then exhaustive.
//! 3. **Scores.** A line at a shift scores by its start: 1 when its
//!    mapped start is within a third of [`AlignParams::onset_tolerance_ms`]
//!    of an onset (the detector's jitter), falling to −0.5 at the
//!    tolerance and beyond (mid-speech, or in a silence). A match counts
//!    in full after a pause of [`AlignParams::full_pause_ms`] and down to a
//!    quarter after a short one: lines begin at turns and paragraphs,
//!    whose pauses are longer than those between a line's own sentences.
//!    When the transcript leaves a pause of at least 150 ms after the line,
//!    the first half of it (at most a second; a cut or an insertion may sit
//!    in its middle) must be silent: `2 × silent share − 1`, weighted by
//!    [`AlignParams::pause_weight`]. A silent pause confirms a start and
//!    cannot stand in for one: after a start off every onset it counts
//!    only against. Where the next placed line leaves the shift, sound
//!    without a break (under a tenth silent) from the transcribed end on
//!    does not count against the line when the speech paused for 300 ms
//!    within the second before that end: transcribed ends often run late,
//!    and the editor put the music bed or the ad in the pause before it.
//! 4. **Dynamic programme** over the lines in file order: each line is
//!    either placed at one of its candidate shifts or missing. Changing
//!    shift by more than 20 ms costs [`AlignParams::split_penalty`]; a
//!    missing line costs [`AlignParams::missing_penalty`] plus
//!    [`AlignParams::missing_per_s`] per second of its length; a placed line
//!    may not start before the line placed before it, nor overlap it by
//!    more than [`AlignParams::overlap_tolerance_ms`], nor start outside the
//!    audio. A removed section therefore shows as lines that cannot be
//!    placed without going backwards, an insertion as a jump of the shift,
//!    a trimmed start as lines that would map before the audio begins.
//!    Each state keeps two totals, with the pause after its line scored as
//!    if the next line keeps the shift and as if it leaves it (or is
//!    missing), since that pause is where an edit would be.
//!    Runs of up to [`AlignParams::max_missing_run`] missing lines are
//!    considered; with the candidates of each earlier line sorted by shift
//!    and a running maximum, the programme costs
//!    O(lines × run × candidates × log candidates).
//! 5. **Rate.** The chosen shifts, snapped to their nearest onset, are
//!    fitted against transcript time by least squares with one slope and
//!    one intercept per piece, refitted without residuals over 30 ms; when
//!    the slope is at least 10 ppm, the transcript's times are scaled by
//!    it and steps 2–4 run again.
//! 6. **Pieces.** Each run of consecutive placed lines of one shift is a
//!    piece; its shift is refined to the median of its lines' distances to
//!    their nearest onsets (the programme already moved every boundary to
//!    the line where the two shifts score best), and a shift within one
//!    10 ms frame of zero is zero (the detector's rounding: an in-sync
//!    transcript comes back unchanged). Missing lines are placed
//!    at the cut: the middle of the pause before the next placed line
//!    (the start of the audio for a trimmed intro, its end for a trimmed
//!    end).
//!
//! # Why these parameters
//!
//! A line's evidence is mostly one onset, and an edit can leave a single
//! line between two others (the fixture's second line sits between a
//! trimmed intro and an ad break), so a split (1.2) must cost less than
//! one line's full match plus its miss (1 + 0.5), yet a lone line leaving
//! its piece and coming back costs two splits, more than it can gain
//! (2 × 1.2 > 1.5). A missing line (at least 0.6) costs more than a line
//! placed off any onset (0.5), so lines before which the detector saw no
//! pause stay in their piece; its cost grows with the line's length
//! (0.05 a second), since otherwise on a short transcript a long line
//! could be declared gone to let a short one match a stray onset (it did
//! on the fixture with noise under it). The tolerance of 60 ms is the
//! detector's onset precision on the bench's speech plus a margin: the
//! transcripts of `benches/sync/` start their lines where the speech
//! starts; real transcripts whose starts are looser want a larger one,
//! which the looser pass below gives them.
//! Overlaps of up to 1.5 s are allowed because transcripts often end a
//! line at the next one's start, well after its speech ended.
//!
//! # Loose starts
//!
//! A speech recogniser often starts a line 100–300 ms after its speech,
//! by a different amount each line, so at 60 ms few starts land on an
//! onset at any one shift and the programme splits and drops lines it
//! should not. When fewer than 97 % of the placed lines start on an onset
//! (a transcript whose starts are exact scores 100 % on every bench case,
//! so it never gets here), steps 2–6 run again at three times the
//! tolerance (180 ms, with shifts within a third of it counted as one),
//! and that alignment is kept if it puts more of the lines within 180 ms
//! of an onset. On the bench's 10-minute cases with starts 150–300 ms
//! late, it was never worse and often better (`benches/sync/README.md`);
//! `tests/sync_align.rs` holds a synthetic case.
//!
//! # Confidence
//!
//! A piece's confidence is the share of its lines whose mapped start lies
//! within [`AlignParams::onset_tolerance_ms`] of a speech onset; the
//! alignment's is the same share over all placed lines. On speech that
//! fills the time, a random shift lands about one line start in ten on an
//! onset, so 0.1 is chance and values near 1 mean the pauses agree.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::Range;

use super::vad::{Activity, FRAME_MS};

/// A line's `(start_ms, end_ms)` in transcript time.
pub type Span = (u64, u64);

/// Shifts closer than this are one shift (no split between them), in ms.
const SAME_SHIFT_MS: i64 = 20;
/// Shifts closer than this are one shift at `params`' onset tolerance:
/// [`SAME_SHIFT_MS`], or the width of a full match when that is wider (the
/// looser pass for a recogniser's starts, whose jitter is that wide).
fn same_shift_ms(params: &AlignParams) -> i64 {
    (params.onset_tolerance_ms as i64 / 3).max(SAME_SHIFT_MS)
}

/// Width of a cluster of votes for a shift, in ms.
const VOTE_WINDOW_MS: i64 = 40;
/// Candidate clusters kept per block.
const PEAKS_PER_BLOCK: usize = 5;
/// A block is the lines within this many of its centre line.
const BLOCK_RADIUS: usize = 4;
/// A block is centred on every this many lines.
const BLOCK_STEP: usize = 3;
/// A line takes the candidates of blocks centred this many lines around it.
const BLOCK_REACH: usize = 6;
/// At most this many onsets in a line's window: all are its candidates.
const EXHAUSTIVE_ONSETS: usize = 64;
/// A pause after a line at least this long is evidence, in ms.
const MIN_PAUSE_MS: i64 = 150;
/// A pause after a line silent for less than this share of its window, at
/// a split, may be an insertion that began before the transcribed end.
const LEAVING_SILENCE_SHARE: f64 = 0.1;
/// How far before a transcribed end the speech may have paused, in ms.
const LEAVING_LOOKBACK_MS: i64 = 1000;
/// The pause the speech must have made there, in ms.
const LEAVING_PAUSE_MS: i64 = 300;
/// Below this confidence the alignment is tried again with a looser onset
/// tolerance (a transcript whose starts are loose, as a recogniser's are).
const LOOSE_BELOW_CONFIDENCE: f64 = 0.97;
/// The looser tolerance, as a multiple of [`AlignParams::onset_tolerance_ms`].
const LOOSE_TOLERANCE_FACTOR: u64 = 3;
/// Slopes smaller than this are no drift.
const MIN_DRIFT: f64 = 1e-5;
/// Residuals beyond this are left out of the rate's second fit, in ms.
const RATE_OUTLIER_MS: f64 = 30.0;

/// The aligner's parameters; the module docs say what each does and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignParams {
    /// The largest shift searched, either way, in ms.
    pub max_shift_ms: u64,
    /// How far a mapped line start may be from a speech onset and still
    /// match it, in ms.
    pub onset_tolerance_ms: u64,
    /// The pause before an onset at and beyond which it is a line start's
    /// full evidence, in ms.
    pub full_pause_ms: u64,
    /// The cost of changing shift between two lines (a piece boundary).
    pub split_penalty: f64,
    /// The cost of each line reported missing.
    pub missing_penalty: f64,
    /// The further cost of a missing line per second of its length (up
    /// to 30 s): saying that a long line's audio is gone needs more
    /// evidence than saying it of a short one.
    pub missing_per_s: f64,
    /// The weight of the silence in the pause a transcript leaves after a line.
    pub pause_weight: f64,
    /// How far a placed line may overlap the one placed before it, in ms.
    pub overlap_tolerance_ms: u64,
    /// The longest run of consecutive missing lines considered.
    pub max_missing_run: usize,
    /// The largest rate error fitted (0.01: 1 %).
    pub max_rate_error: f64,
}

impl Default for AlignParams {
    fn default() -> AlignParams {
        AlignParams {
            max_shift_ms: 600_000,
            onset_tolerance_ms: 60,
            full_pause_ms: 800,
            split_penalty: 1.2,
            missing_penalty: 0.6,
            missing_per_s: 0.05,
            pause_weight: 1.0,
            overlap_tolerance_ms: 1500,
            max_missing_run: 100,
            max_rate_error: 0.01,
        }
    }
}

/// Why a transcript could not be aligned to an audio file's activity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlignError {
    /// No line of the transcript has a time.
    #[error("the transcript has no timed lines to align")]
    NoTimedLines,
    /// The audio has no speech that starts after a pause.
    #[error("the audio has no speech to align the transcript to")]
    NoSpeech,
    /// No line could be placed anywhere in the audio.
    #[error("no line of the transcript matches the audio's speech")]
    NoMatch,
}

/// A run of consecutive lines that moved together: audio time is
/// `transcript_ms * rate + shift_ms` over it.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// The lines it covers, by index in the input (untimed lines between
    /// them included).
    pub lines: Range<usize>,
    /// Where it starts in transcript time (its first line's start), in ms.
    pub transcript_start_ms: u64,
    /// Its shift, in ms.
    pub shift_ms: i64,
    /// The share of its lines whose start lands on a speech onset.
    pub confidence: f64,
}

/// A run of consecutive lines whose audio is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// The lines it covers, by index in the input.
    pub lines: Range<usize>,
    /// Where it starts in transcript time (its first line's start), in ms.
    pub transcript_start_ms: u64,
    /// Where the cut is in the audio, in ms.
    pub audio_ms: u64,
}

/// Where a transcript's lines are in an audio file.
#[derive(Debug, Clone, PartialEq)]
pub struct Alignment {
    /// Audio ms per transcript ms (a drifting clock; 1.0 when none).
    pub rate: f64,
    /// The pieces, in line order.
    pub pieces: Vec<Piece>,
    /// The removed sections, in line order.
    pub cuts: Vec<Cut>,
    /// Indices of the lines whose audio is gone, ascending.
    pub missing: Vec<usize>,
    /// The share of placed lines whose start lands on a speech onset.
    pub confidence: f64,
}

impl Alignment {
    /// The audio time of transcript time `transcript_ms`: by the piece or
    /// cut it falls in (the last one starting at or before it; the first
    /// before them all), a cut's times all going to the cut.
    pub fn audio_ms_at(&self, transcript_ms: u64) -> u64 {
        let piece = self
            .pieces
            .iter()
            .rev()
            .find(|p| p.transcript_start_ms <= transcript_ms);
        let cut = self
            .cuts
            .iter()
            .rev()
            .find(|c| c.transcript_start_ms <= transcript_ms);
        match (piece, cut) {
            (Some(p), Some(c)) if c.lines.start > p.lines.start => c.audio_ms,
            (Some(p), _) => self.map(p, transcript_ms),
            (None, Some(c)) => c.audio_ms,
            (None, None) => match (self.pieces.first(), self.cuts.first()) {
                (Some(p), Some(c)) if c.lines.start < p.lines.start => c.audio_ms,
                (Some(p), _) => self.map(p, transcript_ms),
                (None, Some(c)) => c.audio_ms,
                (None, None) => transcript_ms,
            },
        }
    }

    /// The lines re-timed to the audio, by index: a line in a piece moves
    /// with it (its end too, so it never crosses into the next piece), a
    /// missing line becomes zero length at its cut, an untimed line stays
    /// untimed, and a line the alignment did not see keeps its times
    /// mapped by [`Alignment::audio_ms_at`].
    pub fn retime(&self, lines: &[Option<Span>]) -> Vec<Option<Span>> {
        lines
            .iter()
            .enumerate()
            .map(|(index, span)| {
                let (start, end) = (*span)?;
                let audio_start = self.audio_ms_on_line(index, start);
                Some((
                    audio_start,
                    self.audio_ms_on_line(index, end).max(audio_start),
                ))
            })
            .collect()
    }

    /// The audio time of a time `transcript_ms` inside line `index` (its
    /// start, end or a word's time): by the line's piece, at its cut when
    /// its audio is gone, and by [`Alignment::audio_ms_at`] for a line the
    /// alignment did not see. This is what [`Alignment::retime`] applies.
    pub fn audio_ms_on_line(&self, index: usize, transcript_ms: u64) -> u64 {
        if let Some(cut) = self.cuts.iter().find(|c| c.lines.contains(&index)) {
            return cut.audio_ms;
        }
        match self.pieces.iter().find(|p| p.lines.contains(&index)) {
            Some(piece) => self.map(piece, transcript_ms),
            None => self.audio_ms_at(transcript_ms),
        }
    }

    fn map(&self, piece: &Piece, transcript_ms: u64) -> u64 {
        let audio = (transcript_ms as f64 * self.rate).round() as i64 + piece.shift_ms;
        audio.max(0) as u64
    }
}

/// Aligns the transcript's `lines` (in file order; `None` for a line
/// without times, which is skipped) to the speech `activity` of its audio,
/// again at a looser onset tolerance when its starts look loose (see the
/// module docs).
pub fn align(
    lines: &[Option<Span>],
    activity: &Activity,
    params: &AlignParams,
) -> Result<Alignment, AlignError> {
    let timed: Vec<(usize, Span)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, span)| span.map(|s| (i, s)))
        .collect();
    if timed.is_empty() {
        return Err(AlignError::NoTimedLines);
    }
    let audio = AudioMarks::new(activity);
    if audio.onsets.is_empty() {
        return Err(AlignError::NoSpeech);
    }
    let tight = align_timed(&timed, &audio, params)?;
    let loose_ms = params.onset_tolerance_ms * LOOSE_TOLERANCE_FACTOR;
    if tight.confidence >= LOOSE_BELOW_CONFIDENCE {
        return Ok(tight);
    }
    let loose_params = AlignParams {
        onset_tolerance_ms: loose_ms,
        ..*params
    };
    let Ok(loose) = align_timed(&timed, &audio, &loose_params) else {
        return Ok(tight);
    };
    let (tight_support, loose_support) = (
        support(&tight, &timed, &audio, loose_ms),
        support(&loose, &timed, &audio, loose_ms),
    );
    Ok(if loose_support > tight_support {
        loose
    } else {
        tight
    })
}

/// The share of the timed lines placed with their start within `tol_ms`
/// of a speech onset: how two alignments of one transcript compare.
fn support(alignment: &Alignment, timed: &[(usize, Span)], audio: &AudioMarks, tol_ms: u64) -> f64 {
    let on_onset = timed
        .iter()
        .filter(|(index, (start_ms, _))| {
            !alignment.missing.contains(index)
                && audio
                    .nearest_onset(alignment.audio_ms_on_line(*index, *start_ms) as i64)
                    .1
                    <= tol_ms as i64
        })
        .count();
    on_onset as f64 / timed.len().max(1) as f64
}

/// [`align`] on the timed lines, at one onset tolerance.
fn align_timed(
    timed: &[(usize, Span)],
    audio: &AudioMarks,
    params: &AlignParams,
) -> Result<Alignment, AlignError> {
    let first = solve(timed, 1.0, audio, params);
    let rate = fit_rate(timed, &first, audio, params);
    let shifts = if rate == 1.0 {
        first
    } else {
        solve(timed, rate, audio, params)
    };
    if shifts.iter().all(Option::is_none) {
        return Err(AlignError::NoMatch);
    }
    Ok(assemble(timed, rate, &shifts, audio, params))
}

/// Where speech starts and stops in the audio, in ms.
struct AudioMarks {
    speech: Vec<bool>,
    onsets: Vec<i64>,
    /// The pause before each onset, in ms (from the start of the audio
    /// for the first).
    pauses: Vec<i64>,
    len_ms: i64,
}

impl AudioMarks {
    fn new(activity: &Activity) -> AudioMarks {
        let speech = activity.speech.clone();
        let mut onsets = Vec::new();
        let mut pauses = Vec::new();
        let mut last_offset = 0;
        let mut before = false;
        for (i, &s) in speech.iter().enumerate() {
            let ms = (i as u64 * FRAME_MS) as i64;
            if s && !before {
                onsets.push(ms);
                pauses.push(ms - last_offset);
            } else if !s && before {
                last_offset = ms;
            }
            before = s;
        }
        let len_ms = (speech.len() as u64 * FRAME_MS) as i64;
        AudioMarks {
            speech,
            onsets,
            pauses,
            len_ms,
        }
    }

    /// The share of non-speech among the frames of `from_ms..to_ms`
    /// (frames past the end of the audio are silence).
    fn silence_share(&self, from_ms: i64, to_ms: i64) -> f64 {
        let frame_ms = FRAME_MS as i64;
        let first = (from_ms.max(0) / frame_ms) as usize;
        let last = (to_ms.max(0) / frame_ms) as usize;
        if last <= first {
            return 1.0;
        }
        let speech = self
            .speech
            .get(first.min(self.speech.len())..last.min(self.speech.len()))
            .map_or(0, |frames| frames.iter().filter(|&&s| s).count());
        1.0 - speech as f64 / (last - first) as f64
    }

    /// Whether a pause of at least `min_ms` begins in `from_ms..=to_ms`.
    fn pause_starts_within(&self, from_ms: i64, to_ms: i64, min_ms: i64) -> bool {
        let first = self.onsets.partition_point(|&o| o < from_ms);
        self.onsets[first..]
            .iter()
            .zip(&self.pauses[first..])
            .map(|(&onset, &pause)| (onset - pause, pause))
            .skip_while(|&(offset, _)| offset < from_ms)
            .take_while(|&(offset, _)| offset <= to_ms)
            .any(|(_, pause)| pause >= min_ms)
    }

    /// The onset nearest `ms` and its distance.
    fn nearest_onset(&self, ms: i64) -> (i64, i64) {
        nearest(&self.onsets, ms)
    }

    /// How strongly the onset at `ms` marks a line start: 0.25 after the
    /// shortest pause, rising to 1 after `full_ms` of pause.
    fn onset_weight(&self, ms: i64, full_ms: u64) -> f64 {
        let i = self.onsets.partition_point(|&o| o < ms);
        let pause = self.pauses.get(i).copied().unwrap_or(0);
        0.25 + 0.75 * (pause as f64 / full_ms.max(1) as f64).min(1.0)
    }
}

/// The value of sorted, non-empty `marks` nearest `x`, and its distance.
fn nearest(marks: &[i64], x: i64) -> (i64, i64) {
    let i = marks.partition_point(|&m| m < x);
    let mut best = (i64::MAX, i64::MAX);
    for &m in marks[i.saturating_sub(1)..(i + 1).min(marks.len())].iter() {
        let d = (m - x).abs();
        if d < best.1 {
            best = (m, d);
        }
    }
    best
}

/// A timed line in the programme: its times scaled by the rate, in ms.
struct Line {
    start_ms: i64,
    end_ms: i64,
    /// The pause the transcript leaves after it (when at least
    /// [`MIN_PAUSE_MS`]), in ms.
    pause_after_ms: Option<i64>,
}

fn scaled_lines(timed: &[(usize, Span)], rate: f64) -> Vec<Line> {
    let scale = |ms: u64| (ms as f64 * rate).round() as i64;
    timed
        .iter()
        .enumerate()
        .map(|(k, &(_, (start, end)))| Line {
            start_ms: scale(start),
            end_ms: scale(end.max(start)),
            pause_after_ms: timed
                .get(k + 1)
                .map(|&(_, (next, _))| scale(next) - scale(end.max(start)))
                .filter(|&pause| pause >= MIN_PAUSE_MS),
        })
        .collect()
}

/// How well a mark at distance `d` matches: 1 within a third of `tol`
/// (the detector's own jitter), falling to −0.5 at `tol` and beyond.
fn closeness(d: i64, tol: i64) -> f64 {
    let tol = tol.max(3) as f64;
    let over = (d as f64 - tol / 3.0).max(0.0) / (tol * 2.0 / 3.0);
    1.0 - 1.5 * over.min(1.0)
}

/// A line's score at `shift_ms`, or `None` where it would start outside
/// the audio: the match of its start, and that of the pause after it when
/// the next line keeps the shift and when it leaves it.
fn line_score(
    line: &Line,
    shift_ms: i64,
    audio: &AudioMarks,
    params: &AlignParams,
) -> Option<(f64, (f64, f64))> {
    let start = line.start_ms + shift_ms;
    if start < 0 || start >= audio.len_ms {
        return None;
    }
    let tol = params.onset_tolerance_ms as i64;
    let (onset, d) = audio.nearest_onset(start);
    let mut score = closeness(d, tol);
    if score > 0.0 {
        score *= audio.onset_weight(onset, params.full_pause_ms);
    }
    let pause = match line.pause_after_ms {
        Some(pause_ms) => {
            // Half the pause: a cut or an insertion may be in its middle.
            let from = line.end_ms + shift_ms;
            let to = from + (pause_ms / 2).min(1000);
            let share = audio.silence_share(from, to);
            let silence = params.pause_weight * (2.0 * share - 1.0);
            // Leaving the shift: sound without a break from the transcribed
            // end on is an inserted music bed or ad when the speech had
            // already paused before that end (transcribed ends often run
            // late, and the edit was made in the pause).
            let inserted = share < LEAVING_SILENCE_SHARE
                && audio.pause_starts_within(from - LEAVING_LOOKBACK_MS, from, LEAVING_PAUSE_MS);
            (silence, if inserted { 0.0 } else { silence })
        }
        None => (0.0, 0.0),
    };
    // A silent pause confirms a start; it cannot stand in for one.
    let pause = if score > 0.0 {
        pause
    } else {
        (pause.0.min(0.0), pause.1.min(0.0))
    };
    Some((score, pause))
}

/// Candidate shifts of each line, sorted ascending (see the module docs, step 2).
fn candidates(lines: &[Line], audio: &AudioMarks, params: &AlignParams) -> Vec<Vec<i64>> {
    let window = params.max_shift_ms as i64;
    let in_window = |start: i64| {
        let lo = audio.onsets.partition_point(|&o| o < start - window);
        let hi = audio.onsets.partition_point(|&o| o <= start + window);
        &audio.onsets[lo..hi]
    };
    let centres: Vec<usize> = (0..lines.len()).step_by(BLOCK_STEP).collect();
    let block_peaks: Vec<Vec<i64>> = centres
        .iter()
        .map(|&c| {
            let block =
                &lines[c.saturating_sub(BLOCK_RADIUS)..(c + BLOCK_RADIUS + 1).min(lines.len())];
            let mut votes: Vec<i64> = block
                .iter()
                .flat_map(|line| in_window(line.start_ms).iter().map(|&o| o - line.start_ms))
                .collect();
            votes.sort();
            peaks(&votes)
        })
        .collect();
    // Shifts at which two consecutive lines both start on an onset: a
    // piece of two lines between two edits, too small to stand out in a
    // block's votes.
    let jitter = params.onset_tolerance_ms as i64 / 3;
    let mut paired: Vec<Vec<i64>> = vec![Vec::new(); lines.len()];
    for (i, pair) in lines.windows(2).enumerate() {
        for &onset in in_window(pair[0].start_ms) {
            let shift = onset - pair[0].start_ms;
            if audio.nearest_onset(pair[1].start_ms + shift).1 <= jitter {
                paired[i].push(shift);
                paired[i + 1].push(shift);
            }
        }
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let own = in_window(line.start_ms);
            let mut shifts: Vec<i64> = if own.len() <= EXHAUSTIVE_ONSETS {
                own.iter().map(|&o| o - line.start_ms).collect()
            } else {
                std::mem::take(&mut paired[i])
            };
            for (k, &c) in centres.iter().enumerate() {
                if c.abs_diff(i) <= BLOCK_REACH {
                    shifts.extend(&block_peaks[k]);
                }
            }
            shifts.sort_unstable();
            shifts.dedup_by(|b, a| *b - *a < SAME_SHIFT_MS / 2);
            shifts
        })
        .collect()
}

/// The strongest clusters of sorted `votes`: each cluster's median, at
/// most [`PEAKS_PER_BLOCK`], none within 100 ms of a stronger one, and
/// each of at least two votes.
fn peaks(votes: &[i64]) -> Vec<i64> {
    let mut windows: Vec<(usize, usize)> = Vec::new();
    let mut hi = 0;
    for lo in 0..votes.len() {
        hi = hi.max(lo);
        while hi < votes.len() && votes[hi] - votes[lo] <= VOTE_WINDOW_MS {
            hi += 1;
        }
        windows.push((hi - lo, lo));
    }
    // Strongest first, then earliest; a heap, as only the first few are taken.
    let mut windows: BinaryHeap<(usize, Reverse<usize>)> = windows
        .into_iter()
        .map(|(count, lo)| (count, Reverse(lo)))
        .collect();
    let mut chosen: Vec<i64> = Vec::new();
    while let Some((count, Reverse(lo))) = windows.pop() {
        if count < 2 || chosen.len() == PEAKS_PER_BLOCK {
            break;
        }
        let shift = votes[lo + count / 2];
        if chosen.iter().all(|&c| (c - shift).abs() >= 100) {
            chosen.push(shift);
        }
    }
    chosen
}

/// One line's states in the programme: its candidate shifts (ascending),
/// their scores (`None`: not placeable), the best totals with the line
/// placed there and where each came from, and the running maximum of the
/// totals by shift.
struct Column {
    shifts: Vec<i64>,
    totals: Vec<f64>,
    /// The totals when the next placed line is not the next line or is at
    /// another shift: a pause after it that is not silent is forgiven.
    leaving: Vec<f64>,
    from: Vec<Option<(usize, usize)>>,
    /// `best_upto[k]`: the largest total among shifts `0..=k` with the
    /// next placed line at another shift (the pause after it forgiven),
    /// and its index.
    best_upto: Vec<(f64, usize)>,
}

/// The programme of step 4: each timed line's shift, or `None` when missing.
fn solve(
    timed: &[(usize, Span)],
    rate: f64,
    audio: &AudioMarks,
    params: &AlignParams,
) -> Vec<Option<i64>> {
    let lines = scaled_lines(timed, rate);
    let cands = candidates(&lines, audio, params);
    // missed[k]: the cost of lines 0..k all missing.
    let mut missed = vec![0.0];
    for line in &lines {
        let secs = ((line.end_ms - line.start_ms) as f64 / 1000.0).min(30.0);
        let cost = params.missing_penalty + params.missing_per_s * secs;
        missed.push(missed[missed.len() - 1] + cost);
    }
    let tol = params.overlap_tolerance_ms as i64;
    let same_ms = same_shift_ms(params);
    // Skipping more lines never costs less, which bounds the search back.
    let monotone = missed.windows(2).all(|pair| pair[1] >= pair[0]);
    // best_by[p]: the largest total of any state of lines 0..=p.
    let mut best_by: Vec<f64> = Vec::with_capacity(lines.len());
    let mut columns: Vec<Column> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let shifts = cands[i].clone();
        let mut totals = Vec::with_capacity(shifts.len());
        let mut leaving = Vec::with_capacity(shifts.len());
        let mut from = Vec::with_capacity(shifts.len());
        for &shift in &shifts {
            let Some((start_score, (pause_score, leaving_pause))) =
                line_score(line, shift, audio, params)
            else {
                totals.push(f64::NEG_INFINITY);
                leaving.push(f64::NEG_INFINITY);
                from.push(None);
                continue;
            };
            let score = start_score + pause_score;
            // The nearest earlier lines first, so that once even the best
            // total up to a column, less the lines skipped since, cannot
            // reach the best found, no column before it can either. Among
            // equal totals the earliest column wins, as the first found.
            let mut best: (f64, Option<(usize, usize)>) = (f64::NEG_INFINITY, None);
            for p in (i.saturating_sub(params.max_missing_run + 1)..i).rev() {
                let skipped = missed[i] - missed[p + 1];
                if monotone && best_by[p] - skipped + score < best.0 {
                    break;
                }
                let column = &columns[p];
                if column.shifts.is_empty() {
                    continue;
                }
                let prev = &lines[p];
                // This column's best, the first of equal totals.
                let mut here: (f64, Option<(usize, usize)>) = (f64::NEG_INFINITY, None);
                // Going on with the same shift is always in order.
                let from = column.shifts.partition_point(|&s| s < shift - same_ms);
                let to = column.shifts.partition_point(|&s| s <= shift + same_ms);
                // Lines missing between them: the edit may be in the pause.
                let before = if p + 1 == i {
                    &column.totals
                } else {
                    &column.leaving
                };
                for (same, &total) in before.iter().enumerate().take(to).skip(from) {
                    if !total.is_finite() {
                        continue;
                    }
                    let total = total - skipped + score;
                    if total > here.0 {
                        here = (total, Some((p, same)));
                    }
                }
                // Another shift: no earlier than the line before it, and
                // overlapping it by at most the tolerance.
                let latest = shift + line.start_ms - (prev.end_ms - tol).max(prev.start_ms + 1);
                let upto = column.shifts.partition_point(|&s| s <= latest);
                if upto > 0 {
                    let (total, k) = column.best_upto[upto - 1];
                    let total = total - skipped - params.split_penalty + score;
                    if total.is_finite() && total > here.0 {
                        here = (total, Some((p, k)));
                    }
                }
                if here.1.is_some() && here.0 >= best.0 {
                    best = here;
                }
            }
            // Placed first, every line before it missing: first of all.
            if score - missed[i] >= best.0 {
                best = (score - missed[i], None);
            }
            totals.push(best.0);
            leaving.push(best.0 - pause_score + leaving_pause);
            from.push(best.1);
        }
        let mut best_upto = Vec::with_capacity(leaving.len());
        let mut running = (f64::NEG_INFINITY, 0);
        for (k, &t) in leaving.iter().enumerate() {
            if t > running.0 {
                running = (t, k);
            }
            best_upto.push(running);
        }
        let column_best = totals
            .iter()
            .chain(&leaving)
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        best_by.push(
            best_by
                .last()
                .map_or(column_best, |&b: &f64| b.max(column_best)),
        );
        columns.push(Column {
            shifts,
            totals,
            leaving,
            from,
            best_upto,
        });
    }
    // The end: every line after the last placed one missing; placing
    // nothing at all is the fallback.
    let n = lines.len();
    let mut end: (f64, Option<(usize, usize)>) = (-missed[n], None);
    for (p, column) in columns.iter().enumerate() {
        if let Some(&(total, k)) = column.best_upto.last() {
            let total = total - (missed[n] - missed[p + 1]);
            if total > end.0 {
                end = (total, Some((p, k)));
            }
        }
    }
    let mut shifts = vec![None; n];
    let mut at = end.1;
    while let Some((p, k)) = at {
        shifts[p] = Some(columns[p].shifts[k]);
        at = columns[p].from[k];
    }
    shifts
}

/// Runs of consecutive placed timed lines (by position in `shifts`) whose
/// shifts stay within `same_ms` of the run's first.
fn runs(shifts: &[Option<i64>], same_ms: i64) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    // The open run's first line and shift.
    let mut open: Option<(usize, i64)> = None;
    for (k, shift) in shifts.iter().enumerate() {
        let continues =
            matches!((shift, open), (Some(s), Some((_, s0))) if (s - s0).abs() <= same_ms);
        if continues {
            continue;
        }
        if let Some((from, _)) = open.take() {
            out.push(from..k);
        }
        open = shift.map(|s| (k, s));
    }
    if let Some((from, _)) = open {
        out.push(from..shifts.len());
    }
    out
}

/// The rate of step 5 from the first pass's shifts (1.0 when no drift is
/// measurable).
fn fit_rate(
    timed: &[(usize, Span)],
    shifts: &[Option<i64>],
    audio: &AudioMarks,
    params: &AlignParams,
) -> f64 {
    let tol = params.onset_tolerance_ms as i64;
    // (piece, transcript ms, audio onset ms − transcript ms).
    let mut points: Vec<(usize, f64, f64)> = Vec::new();
    for (piece, run) in runs(shifts, same_shift_ms(params)).into_iter().enumerate() {
        for k in run {
            let Some(shift) = shifts[k] else { continue };
            let start = timed[k].1.0 as i64;
            let (onset, d) = audio.nearest_onset(start + shift);
            if d <= tol {
                points.push((piece, start as f64, (onset - start) as f64));
            }
        }
    }
    let mut slope = pooled_slope(&points);
    if let Some(first) = slope {
        let means = piece_means(&points);
        points.retain(|&(piece, x, y)| {
            let (mx, my) = means[piece];
            (y - my - first * (x - mx)).abs() <= RATE_OUTLIER_MS
        });
        slope = pooled_slope(&points).or(slope);
    }
    match slope {
        Some(s) if s.abs() >= MIN_DRIFT && s.abs() <= params.max_rate_error => 1.0 + s,
        _ => 1.0,
    }
}

/// Each piece's mean transcript time and mean shift.
fn piece_means(points: &[(usize, f64, f64)]) -> Vec<(f64, f64)> {
    let pieces = points.iter().map(|p| p.0 + 1).max().unwrap_or(0);
    let mut sums = vec![(0.0, 0.0, 0.0); pieces];
    for &(piece, x, y) in points {
        sums[piece].0 += x;
        sums[piece].1 += y;
        sums[piece].2 += 1.0;
    }
    sums.into_iter()
        .map(|(x, y, n)| if n > 0.0 { (x / n, y / n) } else { (0.0, 0.0) })
        .collect()
}

/// The least-squares slope of shift against transcript time with one
/// intercept per piece, or `None` when the points span under a minute
/// (too short to tell drift from the onsets' jitter).
fn pooled_slope(points: &[(usize, f64, f64)]) -> Option<f64> {
    let means = piece_means(points);
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for &(piece, x, y) in points {
        let (mx, my) = means[piece];
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
    }
    (points.len() >= 3 && sxx >= 60_000.0 * 60_000.0).then(|| sxy / sxx)
}

/// The alignment from the final pass's shifts (step 6).
fn assemble(
    timed: &[(usize, Span)],
    rate: f64,
    shifts: &[Option<i64>],
    audio: &AudioMarks,
    params: &AlignParams,
) -> Alignment {
    let lines = scaled_lines(timed, rate);
    let tol = params.onset_tolerance_ms as i64;
    let mut pieces = Vec::new();
    let mut on_onset_total = 0usize;
    let mut placed_total = 0usize;
    for run in runs(shifts, same_shift_ms(params)) {
        let mut offsets: Vec<i64> = run
            .clone()
            .filter_map(|k| {
                let shift = shifts[k]?;
                let (onset, d) = audio.nearest_onset(lines[k].start_ms + shift);
                (d <= tol).then_some(onset - lines[k].start_ms)
            })
            .collect();
        offsets.sort_unstable();
        let dp_shift = shifts[run.start].unwrap_or(0);
        let shift_ms = offsets.get(offsets.len() / 2).copied().unwrap_or(dp_shift);
        // Onsets are found to a frame: a shift within one is the detector's
        // rounding, not a move, and an in-sync transcript must stay as it is.
        let shift_ms = if shift_ms.abs() <= FRAME_MS as i64 {
            0
        } else {
            shift_ms
        };
        let on_onset = run
            .clone()
            .filter(|&k| audio.nearest_onset(lines[k].start_ms + shift_ms).1 <= tol)
            .count();
        on_onset_total += on_onset;
        placed_total += run.len();
        pieces.push(Piece {
            lines: timed[run.start].0..timed[run.end - 1].0 + 1,
            transcript_start_ms: timed[run.start].1.0,
            shift_ms,
            confidence: on_onset as f64 / run.len() as f64,
        });
    }
    // Missing runs, each at the pause before the next placed line.
    let mut cuts = Vec::new();
    let mut missing = Vec::new();
    let mut k = 0;
    while k < shifts.len() {
        if shifts[k].is_some() {
            k += 1;
            continue;
        }
        let from = k;
        while k < shifts.len() && shifts[k].is_none() {
            missing.push(timed[k].0);
            k += 1;
        }
        // The next placed line, where it now starts.
        let next = shifts
            .get(k)
            .copied()
            .flatten()
            .and_then(|_| pieces.iter().find(|p| p.lines.contains(&timed[k].0)))
            .map(|p| lines[k].start_ms + p.shift_ms);
        let audio_ms = match next {
            _ if from == 0 => 0,
            None => audio.len_ms,
            Some(start) => pause_middle_before(audio, start),
        };
        cuts.push(Cut {
            lines: timed[from].0..timed[k - 1].0 + 1,
            transcript_start_ms: timed[from].1.0,
            audio_ms: audio_ms.clamp(0, audio.len_ms) as u64,
        });
    }
    let confidence = if placed_total == 0 {
        0.0
    } else {
        on_onset_total as f64 / placed_total as f64
    };
    Alignment {
        rate,
        pieces,
        cuts,
        missing,
        confidence,
    }
}

/// The middle of the pause before the onset nearest `ms` (the start of
/// the audio when it opens with that pause; `ms` itself when there is no
/// onset within a second).
fn pause_middle_before(audio: &AudioMarks, ms: i64) -> i64 {
    let (onset, d) = audio.nearest_onset(ms);
    if d > 1000 {
        return ms;
    }
    let frame_ms = FRAME_MS as i64;
    let end = ((onset / frame_ms) as usize).min(audio.speech.len());
    let mut start = end;
    while start > 0 && !audio.speech[start - 1] {
        start -= 1;
    }
    (start + end) as i64 * frame_ms / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Activity with speech over `spans` (ms) in `len_ms` of audio.
    fn activity(spans: &[Span], len_ms: u64) -> Activity {
        let frames = (len_ms / FRAME_MS) as usize;
        let speech = (0..frames)
            .map(|f| {
                let middle = f as u64 * FRAME_MS + FRAME_MS / 2;
                spans.iter().any(|&(s, e)| s <= middle && middle < e)
            })
            .collect();
        Activity {
            energy_db: vec![0.0; frames],
            floor_db: vec![0.0; frames],
            speech,
        }
    }

    #[test]
    fn nothing_to_align_is_an_error() {
        let audio = activity(&[(1000, 2000)], 5000);
        let params = AlignParams::default();
        assert_eq!(
            align(&[None, None], &audio, &params),
            Err(AlignError::NoTimedLines)
        );
        let silent = activity(&[], 5000);
        assert_eq!(
            align(&[Some((0, 1000))], &silent, &params),
            Err(AlignError::NoSpeech)
        );
    }

    #[test]
    fn untimed_lines_are_skipped_and_stay_untimed() {
        // Three lines, the audio 2 s later than the transcript.
        let lines = [
            Some((1000, 3000)),
            None,
            Some((3500, 6000)),
            Some((7000, 9000)),
        ];
        let speech = [(3000, 5000), (5500, 8000), (9000, 11_000)];
        let alignment =
            align(&lines, &activity(&speech, 15_000), &AlignParams::default()).expect("aligns");
        assert_eq!(alignment.pieces.len(), 1);
        assert_eq!(alignment.pieces[0].shift_ms, 2000);
        assert_eq!(alignment.pieces[0].lines, 0..4);
        let retimed = alignment.retime(&lines);
        assert_eq!(
            retimed,
            [
                Some((3000, 5000)),
                None,
                Some((5500, 8000)),
                Some((9000, 11_000))
            ]
        );
    }

    /// An alignment of six lines: lines 0–1 moved by +1 s, 2–3 cut at
    /// 9 s, 4–5 moved by −3 s.
    fn two_pieces_and_a_cut() -> Alignment {
        Alignment {
            rate: 1.0,
            pieces: vec![
                Piece {
                    lines: 0..2,
                    transcript_start_ms: 1000,
                    shift_ms: 1000,
                    confidence: 1.0,
                },
                Piece {
                    lines: 4..6,
                    transcript_start_ms: 13_000,
                    shift_ms: -3000,
                    confidence: 1.0,
                },
            ],
            cuts: vec![Cut {
                lines: 2..4,
                transcript_start_ms: 9000,
                audio_ms: 9500,
            }],
            missing: vec![2, 3],
            confidence: 1.0,
        }
    }

    #[test]
    fn times_map_through_pieces_and_collapse_in_cuts() {
        let alignment = two_pieces_and_a_cut();
        assert_eq!(alignment.audio_ms_at(0), 1000, "before the first piece");
        assert_eq!(alignment.audio_ms_at(5000), 6000);
        assert_eq!(alignment.audio_ms_at(9000), 9500, "in the cut");
        assert_eq!(alignment.audio_ms_at(12_999), 9500, "in the cut");
        assert_eq!(alignment.audio_ms_at(13_000), 10_000);
        let drifting = Alignment {
            rate: 1.001,
            ..alignment.clone()
        };
        assert_eq!(drifting.audio_ms_at(20_000), 17_020);
        let lines = [
            Some((1000, 4000)),
            Some((4500, 8800)),
            Some((9000, 11_000)),
            Some((11_500, 12_900)),
            Some((13_000, 15_000)),
            Some((15_200, 16_000)),
        ];
        assert_eq!(
            alignment.retime(&lines),
            [
                Some((2000, 5000)),
                Some((5500, 9800)),
                Some((9500, 9500)),
                Some((9500, 9500)),
                Some((10_000, 12_000)),
                Some((12_200, 13_000)),
            ]
        );
    }

    #[test]
    fn a_match_is_full_within_the_jitter_and_negative_beyond_the_tolerance() {
        assert_eq!(closeness(0, 60), 1.0);
        assert_eq!(closeness(20, 60), 1.0);
        assert!((closeness(40, 60) - 0.25).abs() < 1e-9);
        assert_eq!(closeness(60, 60), -0.5);
        assert_eq!(closeness(5000, 60), -0.5);
    }

    #[test]
    fn vote_clusters_are_found_strongest_first() {
        let votes = [-500, 100, 110, 120, 130, 900, 905, 2000];
        assert_eq!(peaks(&votes), [120, 905]);
        assert!(peaks(&[1, 5000]).is_empty(), "single votes are no peak");
    }

    #[test]
    fn runs_break_at_missing_lines_and_shift_changes() {
        let shifts = [Some(0), Some(10), None, Some(0), Some(500), Some(505)];
        assert_eq!(runs(&shifts, SAME_SHIFT_MS), [0..2, 3..4, 4..6]);
    }

    #[test]
    fn a_steady_drift_is_fitted_across_pieces() {
        // Two pieces 30 s apart in shift, the same slope of 0.05 %.
        let points: Vec<(usize, f64, f64)> = (0..40)
            .map(|i| {
                let x = i as f64 * 10_000.0;
                let piece = usize::from(i >= 20);
                (piece, x, 0.0005 * x + 30_000.0 * piece as f64)
            })
            .collect();
        let slope = pooled_slope(&points).expect("spans minutes");
        assert!((slope - 0.0005).abs() < 1e-9, "{slope}");
        assert_eq!(pooled_slope(&points[..3]), None, "20 s is too short");
    }
}
