//! The aligner of issue 12 (`src/sync/align.rs`): on transcripts and
//! speech activity made in code from known edits (a trimmed start, an
//! inserted ad, a removed section, a drifting clock, and all of them
//! together), and on the generated episodes of `tests/fixtures/sync/`.
#![cfg(feature = "audio")]

use std::path::{Path, PathBuf};

use earmark::sync::align::{AlignParams, Alignment, Span, align};
use earmark::sync::vad::{Activity, FRAME_MS, VadOptions, analyze_file};

/// A small linear congruential generator: the episodes are the same on
/// every run and every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A value in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// Speech in sentences from `from_ms` to at most `to_ms`: 0.8–4 s of
/// speech, then a pause of 200–600 ms (inside a line, as people breathe
/// and end sentences), the last sentence ending at `to_ms`.
fn sentences(rng: &mut Lcg, from_ms: u64, to_ms: u64) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut at = from_ms;
    while at < to_ms {
        let end = (at + rng.between(800, 4000)).min(to_ms);
        let end = if to_ms - end < 800 { to_ms } else { end };
        spans.push((at, end));
        at = end + rng.between(200, 600);
    }
    spans
}

/// A raw episode: its `lines` (1–20 s, 150–900 ms apart, each starting and
/// ending where its speech does) and its speech spans.
struct Episode {
    lines: Vec<Span>,
    speech: Vec<Span>,
}

fn episode(seed: u64, count: usize) -> Episode {
    let mut rng = Lcg(seed);
    let mut lines = Vec::new();
    let mut speech = Vec::new();
    let mut at = 1500;
    for _ in 0..count {
        let end = at + rng.between(1000, 20_000);
        speech.extend(sentences(&mut rng, at, end));
        lines.push((at, end));
        at = end + rng.between(150, 900);
    }
    Episode { lines, speech }
}

/// What the editor did, in order: raw ms `a..b` kept, `len_ms` of
/// inserted speech (an ad), or of a music bed (speech to the detector from
/// its first frame to its last).
#[derive(Clone, Copy)]
enum Part {
    Raw(u64, u64),
    Ad(u64),
    Music(u64),
}

/// The middle of the pause between two lines nearest `target_ms`.
fn gap_near(episode: &Episode, target_ms: u64) -> u64 {
    episode
        .lines
        .windows(2)
        .map(|w| (w[0].1 + w[1].0) / 2)
        .min_by_key(|mid| mid.abs_diff(target_ms))
        .expect("an episode has more than one line")
}

/// The edited audio's activity and where each line's start now is
/// (`None`: cut), with the audio's clock running `rate` slow.
fn edit(episode: &Episode, parts: &[Part], rate: f64, seed: u64) -> (Activity, Vec<Option<u64>>) {
    let mut rng = Lcg(seed ^ 0x5eed);
    let mut spans: Vec<Span> = Vec::new();
    let mut starts = vec![None; episode.lines.len()];
    let mut at = 0u64;
    for &part in parts {
        match part {
            Part::Raw(a, b) => {
                for &(s, e) in &episode.speech {
                    if s < b && a < e {
                        spans.push((at + s.max(a) - a, at + e.min(b) - a));
                    }
                }
                for (i, &(s, _)) in episode.lines.iter().enumerate() {
                    if (a..b).contains(&s) {
                        starts[i] = Some(at + s - a);
                    }
                }
                at += b - a;
            }
            Part::Ad(len) => {
                spans.extend(sentences(&mut rng, at + 300, at + len - 300));
                at += len;
            }
            Part::Music(len) => {
                spans.push((at, at + len));
                at += len;
            }
        }
    }
    let scale = |ms: u64| (ms as f64 * rate).round() as u64;
    let frames = (scale(at) / FRAME_MS) as usize;
    let mut speech = vec![false; frames];
    for (s, e) in spans {
        let (s, e) = (scale(s), scale(e));
        for (f, frame) in speech.iter_mut().enumerate() {
            let middle = f as u64 * FRAME_MS + FRAME_MS / 2;
            if s <= middle && middle < e {
                *frame = true;
            }
        }
    }
    let activity = Activity {
        energy_db: vec![0.0; frames],
        floor_db: vec![0.0; frames],
        speech,
    };
    (activity, starts.into_iter().map(|s| s.map(scale)).collect())
}

/// How an alignment did against the truth.
struct Score {
    within_100ms: f64,
    within_20ms: f64,
    cut_unreported: Vec<usize>,
    wrongly_missing: Vec<usize>,
}

fn score(alignment: &Alignment, lines: &[Span], truth: &[Option<u64>]) -> Score {
    let spans: Vec<Option<Span>> = lines.iter().copied().map(Some).collect();
    let retimed = alignment.retime(&spans);
    let mut errors = Vec::new();
    let mut cut_unreported = Vec::new();
    let mut wrongly_missing = Vec::new();
    for (i, (truth, got)) in truth.iter().zip(&retimed).enumerate() {
        let missing = alignment.missing.contains(&i);
        match truth {
            None if !missing => cut_unreported.push(i),
            None => {}
            Some(start) => {
                if missing {
                    wrongly_missing.push(i);
                }
                let (got, _) = got.expect("a timed line stays timed");
                errors.push(got.abs_diff(*start));
            }
        }
    }
    let share = |bound: u64| {
        errors.iter().filter(|&&e| e <= bound).count() as f64 / errors.len().max(1) as f64
    };
    Score {
        within_100ms: share(100),
        within_20ms: share(20),
        cut_unreported,
        wrongly_missing,
    }
}

const LINES: usize = 150;
const SEEDS: [u64; 3] = [1, 2, 3];

/// Aligns each seed's episode edited by `parts_of`, prints the figures
/// and holds them to the bounds: at least 97 % of the lines still
/// in the audio within 100 ms (all within 20 ms when `exact`), every
/// cut line reported and no other. Returns the alignments for further checks.
fn check(
    name: &str,
    rate: f64,
    exact: bool,
    parts_of: impl Fn(&Episode) -> Vec<Part>,
) -> Vec<Alignment> {
    check_transcribed(name, rate, exact, |e, _| e.lines.clone(), parts_of)
}

/// [`check`] with the line times as `transcribed` writes them for a seed
/// (each line still starting where its speech does).
fn check_transcribed(
    name: &str,
    rate: f64,
    exact: bool,
    transcribed: impl Fn(&Episode, u64) -> Vec<Span>,
    parts_of: impl Fn(&Episode) -> Vec<Part>,
) -> Vec<Alignment> {
    SEEDS
        .iter()
        .map(|&seed| {
            let (alignment, s) = run(name, seed, rate, &transcribed, &parts_of);
            if exact {
                assert_eq!(
                    s.within_20ms,
                    1.0,
                    "{name} (seed {seed}): cut lines unreported {:?}, wrongly missing {:?}, pieces {:?}",
                    s.cut_unreported,
                    s.wrongly_missing,
                    alignment
                        .pieces
                        .iter()
                        .map(|p| (p.lines.clone(), p.shift_ms))
                        .collect::<Vec<_>>()
                );
            }
            assert!(s.within_100ms >= 0.97, "{name} (seed {seed})");
            assert!(
                s.cut_unreported.is_empty(),
                "{name} (seed {seed}): cut lines not reported: {:?}",
                s.cut_unreported
            );
            assert!(
                s.wrongly_missing.is_empty(),
                "{name} (seed {seed}): lines still in the audio reported missing: {:?}",
                s.wrongly_missing
            );
            alignment
        })
        .collect()
}

/// Aligns seed `seed`'s episode, edited by `parts_of` with its clock
/// `rate` slow, as `transcribed` times its lines; prints and returns the
/// alignment and its score.
fn run(
    name: &str,
    seed: u64,
    rate: f64,
    transcribed: impl Fn(&Episode, u64) -> Vec<Span>,
    parts_of: impl Fn(&Episode) -> Vec<Part>,
) -> (Alignment, Score) {
    let episode = episode(seed, LINES);
    let (activity, truth) = edit(&episode, &parts_of(&episode), rate, seed);
    let lines = transcribed(&episode, seed);
    let spans: Vec<Option<Span>> = lines.iter().copied().map(Some).collect();
    let alignment = align(&spans, &activity, &AlignParams::default()).expect("the episode aligns");
    let s = score(&alignment, &lines, &truth);
    let cut = truth.iter().filter(|t| t.is_none()).count();
    eprintln!(
        "{name} (seed {seed}): {:.1} % of {} lines within 100 ms, {:.1} % within 20 ms; \
         {} of {cut} cut lines reported, {} wrongly; {} pieces, rate {:.5}, confidence {:.2}",
        100.0 * s.within_100ms,
        truth.len() - cut,
        100.0 * s.within_20ms,
        cut - s.cut_unreported.len(),
        s.wrongly_missing.len(),
        alignment.pieces.len(),
        alignment.rate,
        alignment.confidence,
    );
    (alignment, s)
}

/// The middle of the pause before line `index`.
fn before_line(episode: &Episode, index: usize) -> u64 {
    (episode.lines[index - 1].1 + episode.lines[index].0) / 2
}

fn end_of(episode: &Episode) -> u64 {
    episode.lines.last().expect("lines").1 + 1000
}

#[test]
fn a_transcript_in_sync_stays_where_it_is() {
    for alignment in check("in sync", 1.0, true, |e| vec![Part::Raw(0, end_of(e))]) {
        assert_eq!(alignment.pieces.len(), 1);
        assert!(alignment.pieces[0].shift_ms.abs() <= 10);
        assert!(alignment.missing.is_empty());
        assert_eq!(alignment.rate, 1.0);
        assert!(alignment.confidence > 0.95);
    }
}

#[test]
fn a_trimmed_start_moves_every_line_earlier() {
    for alignment in check("trimmed 12.3 s", 1.0, true, |e| {
        vec![Part::Raw(12_300, end_of(e))]
    }) {
        assert_eq!(alignment.pieces.len(), 1);
        assert!((alignment.pieces[0].shift_ms + 12_300).abs() <= 10);
    }
}

#[test]
fn an_inserted_ad_splits_the_transcript_in_two_pieces() {
    for alignment in check("30 s ad inserted", 1.0, true, |e| {
        let at = gap_near(e, end_of(e) * 2 / 5);
        vec![Part::Raw(0, at), Part::Ad(30_000), Part::Raw(at, end_of(e))]
    }) {
        let shifts: Vec<i64> = alignment.pieces.iter().map(|p| p.shift_ms).collect();
        assert_eq!(shifts.len(), 2, "{shifts:?}");
        assert!(
            shifts[0].abs() <= 10 && (shifts[1] - 30_000).abs() <= 10,
            "{shifts:?}"
        );
    }
}

#[test]
fn the_lines_of_a_removed_section_are_reported_missing() {
    check("40 s removed", 1.0, true, |e| {
        let from = gap_near(e, end_of(e) * 3 / 5);
        let to = gap_near(e, from + 40_000);
        vec![Part::Raw(0, from), Part::Raw(to, end_of(e))]
    });
}

#[test]
fn two_lines_between_an_ad_and_a_removed_section_are_a_piece_of_their_own() {
    // Two lines are too few to stand out in a block's votes for a shift.
    for alignment in check("ad, two lines, cut", 1.0, true, |e| {
        let first = e.lines.len() / 3;
        vec![
            Part::Raw(0, before_line(e, first)),
            Part::Ad(20_000),
            Part::Raw(before_line(e, first), before_line(e, first + 2)),
            Part::Raw(before_line(e, first + 8), end_of(e)),
        ]
    }) {
        let first = LINES / 3;
        assert!(
            alignment
                .pieces
                .iter()
                .any(|p| p.lines == (first..first + 2)),
            "{:?}",
            alignment.pieces
        );
    }
}

#[test]
fn music_inserted_in_the_pause_a_transcript_leaves_after_a_line() {
    // Transcribed ends run 80 % into the pause after the speech (as
    // transcripts that end a line near the next one's start do); the
    // editor put the music in the middle of the widest pause, so the
    // pause the transcript leaves after that line is music at the line's
    // own shift.
    let transcribed = |e: &Episode, _| {
        let mut lines = e.lines.clone();
        for i in 0..lines.len() - 1 {
            lines[i].1 += (e.lines[i + 1].0 - e.lines[i].1) * 4 / 5;
        }
        lines
    };
    let at = |e: &Episode| {
        let widest = (LINES * 2 / 5..LINES * 3 / 5)
            .max_by_key(|&i| e.lines[i].0 - e.lines[i - 1].1)
            .expect("lines");
        let (end, next) = (e.lines[widest - 1].1, e.lines[widest].0);
        (end + next) / 2
    };
    check_transcribed(
        "music inside a transcribed pause",
        1.0,
        true,
        transcribed,
        |e| {
            vec![
                Part::Raw(0, at(e)),
                Part::Music(12_000),
                Part::Raw(at(e), end_of(e)),
            ]
        },
    );
}

#[test]
fn starts_a_recogniser_put_late_are_placed_by_the_looser_tolerance() {
    // Each line starts 150-300 ms after its speech, as a speech
    // recogniser's timings often do, and an ad splits the episode: at the
    // 60 ms onset tolerance alone, 90 % of the lines of seed 1 land within
    // 100 ms and 10 still in the audio are reported missing; with the
    // looser pass (180 ms), 96.6-100 % and at most one. Short of the 97 %
    // that transcripts whose lines start on their speech reach.
    let late = |e: &Episode, seed: u64| {
        let mut rng = Lcg(seed ^ 0x1a7e);
        e.lines
            .iter()
            .map(|&(start, end)| (start + rng.between(150, 300), end))
            .collect()
    };
    let parts = |e: &Episode| {
        let at = gap_near(e, end_of(e) * 2 / 5);
        vec![
            Part::Raw(12_300, at),
            Part::Ad(30_000),
            Part::Raw(at, end_of(e)),
        ]
    };
    for seed in SEEDS {
        let (_, s) = run("late starts", seed, 1.0, late, parts);
        assert!(s.within_100ms >= 0.95, "seed {seed}");
        assert!(s.wrongly_missing.len() <= 2, "seed {seed}");
        assert!(s.cut_unreported.is_empty(), "seed {seed}");
    }
}

#[test]
fn a_drifting_clock_is_measured_as_a_rate() {
    for alignment in check("0.05 % drift", 1.0005, false, |e| {
        vec![Part::Raw(0, end_of(e))]
    }) {
        assert!(
            (alignment.rate - 1.0005).abs() < 0.000_05,
            "rate {}",
            alignment.rate
        );
    }
}

#[test]
fn trim_ad_removal_and_drift_together() {
    check("combined", 1.0005, false, |e| {
        let ad = gap_near(e, end_of(e) / 3);
        let from = gap_near(e, end_of(e) * 2 / 3);
        let to = gap_near(e, from + 40_000);
        vec![
            Part::Raw(12_300, ad),
            Part::Ad(30_000),
            Part::Raw(ad, from),
            Part::Raw(to, end_of(e)),
        ]
    });
}

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sync")
        .join(name)
}

/// Aligns a generated episode and holds it to its truth.json.
fn check_fixture(name: &str) {
    let dir = case(name);
    let transcript = earmark::transcript::read_file(&dir.join("transcript.txt"), None)
        .expect("the fixture's transcript reads");
    let spans: Vec<Option<Span>> = transcript
        .segments
        .iter()
        .map(|s| Some((s.start_ms, s.end_ms)))
        .collect();
    let text = std::fs::read_to_string(dir.join("truth.json")).expect("truth.json");
    let truth: serde_json::Value = serde_json::from_str(&text).expect("truth.json is JSON");
    let truth: Vec<Option<u64>> = truth["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| {
            if line["cut"] == true {
                None
            } else {
                Some(line["start_ms"].as_u64().expect("a start"))
            }
        })
        .collect();
    assert_eq!(truth.len(), spans.len());
    let activity =
        analyze_file(&dir.join("audio.mp3"), &VadOptions::default()).expect("the fixture decodes");
    let alignment = align(&spans, &activity, &AlignParams::default()).expect("the fixture aligns");
    let lines: Vec<Span> = spans.iter().map(|s| s.expect("timed")).collect();
    let s = score(&alignment, &lines, &truth);
    eprintln!(
        "{name}: {:.1} % of {} lines within 100 ms, {:.1} % within 20 ms; cut lines unreported {:?}, \
         wrongly missing {:?}; pieces {:?}",
        100.0 * s.within_100ms,
        truth.iter().flatten().count(),
        100.0 * s.within_20ms,
        s.cut_unreported,
        s.wrongly_missing,
        alignment
            .pieces
            .iter()
            .map(|p| (p.lines.clone(), p.shift_ms))
            .collect::<Vec<_>>(),
    );
    // Three lines are still in the audio: one wrong line would be 67 %,
    // so every one must be right.
    assert_eq!(s.within_100ms, 1.0, "{name}");
    assert!(s.cut_unreported.is_empty(), "{name}");
    assert!(s.wrongly_missing.is_empty(), "{name}");
}

#[test]
fn the_generated_episode_aligns_to_its_truth() {
    check_fixture("combo");
}

#[test]
fn the_generated_episode_in_a_room_aligns_to_its_truth() {
    check_fixture("combo_room");
}
