//! The document, headless: random sequences of every kind of edit (and of
//! undo and redo) on real files of each writable format; undoing all of
//! them gives back the model and the bytes that were read, and redoing all
//! gives the edited model again.

use std::path::Path;

use earmark::review::{Document, Edit, ops};
use earmark::transcript::{self, Format, Segment, SpeakerId, Transcript, Word, word_ms};
use proptest::prelude::*;

/// One user action, with indices taken modulo the lines there are when it
/// is made.
#[derive(Debug, Clone)]
enum Action {
    Text(usize, String),
    Speaker(usize, String),
    SpeakerNumber(usize, usize),
    Rename(usize, String),
    Start(usize, u64),
    End(usize, u64),
    Nudge(usize, bool, i64),
    Split(usize, usize, Option<u64>),
    Merge(usize),
    Insert(u64),
    Delete(usize),
    ReplaceAll(String, String),
    Shift(i64),
    Retime((u64, u64), (u64, u64)),
    Undo,
    Redo,
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("Speaker A".to_owned()),
        Just("Host".to_owned()),
        Just("José María".to_owned()),
        "[A-Z][a-z]{1,8}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}( [a-z]{1,8}){0,12}",
        Just("So, the café — naïve? 日本語 🎙️".to_owned()),
        Just("two\nlines".to_owned()),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    let i = 0usize..10_000;
    prop_oneof![
        (i.clone(), text()).prop_map(|(i, t)| Action::Text(i, t)),
        (i.clone(), name()).prop_map(|(i, n)| Action::Speaker(i, n)),
        (i.clone(), 0usize..4).prop_map(|(i, n)| Action::SpeakerNumber(i, n)),
        (0usize..4, name()).prop_map(|(i, n)| Action::Rename(i, n)),
        (i.clone(), 0u64..4_000_000).prop_map(|(i, ms)| Action::Start(i, ms)),
        (i.clone(), 0u64..4_000_000).prop_map(|(i, ms)| Action::End(i, ms)),
        (
            i.clone(),
            any::<bool>(),
            prop_oneof![Just(-100i64), Just(-10), Just(10), Just(100)]
        )
            .prop_map(|(i, s, d)| Action::Nudge(i, s, d)),
        (
            i.clone(),
            0usize..400,
            proptest::option::of(0u64..4_000_000)
        )
            .prop_map(|(i, b, p)| Action::Split(i, b, p)),
        i.clone().prop_map(Action::Merge),
        (0u64..4_000_000).prop_map(Action::Insert),
        i.prop_map(Action::Delete),
        ("[a-z]{1,2}", "[a-z]{0,3}").prop_map(|(f, r)| Action::ReplaceAll(f, r)),
        (-5_000i64..5_000).prop_map(Action::Shift),
        (
            (0u64..100_000, 0u64..100_000),
            (100_000u64..4_000_000, 100_000u64..4_000_000)
        )
            .prop_map(|(a, b)| Action::Retime(a, b)),
        Just(Action::Undo),
        Just(Action::Redo),
    ]
}

/// The edit `action` makes on `t` (`None`: nothing to change, or undo/redo).
fn edit_for(t: &Transcript, action: &Action) -> Option<Edit> {
    let len = t.segments.len().max(1);
    match action {
        Action::Text(i, text) => ops::set_text(t, i % len, text),
        Action::Speaker(i, name) => ops::set_speaker(t, i % len, name),
        Action::SpeakerNumber(i, n) => ops::set_speaker_number(t, i % len, *n),
        Action::Rename(id, name) => ops::rename_speaker(t, SpeakerId(*id as u32), name),
        Action::Start(i, ms) => ops::set_start(t, i % len, *ms),
        Action::End(i, ms) => ops::set_end(t, i % len, *ms),
        Action::Nudge(i, start, delta) => ops::nudge(t, i % len, *start, *delta),
        Action::Split(i, byte, playhead) => ops::split(t, i % len, *byte, *playhead),
        Action::Merge(i) => ops::merge_with_next(t, i % len),
        Action::Insert(ms) => Some(ops::insert_at(t, *ms).1),
        Action::Delete(i) => ops::delete(t, i % len),
        Action::ReplaceAll(find, replace) => ops::replace_all(t, find, replace),
        Action::Shift(delta) => ops::shift_all(t, *delta),
        Action::Retime(a, b) => ops::retime_two_points(t, *a, *b),
        Action::Undo | Action::Redo => None,
    }
}

/// Runs the actions on a document; returns how many steps it holds.
fn run(doc: &mut Document, actions: &[Action]) -> Result<(), TestCaseError> {
    for action in actions {
        match action {
            Action::Undo => {
                doc.undo();
            }
            Action::Redo => {
                doc.redo();
            }
            _ => {
                if let Some(edit) = edit_for(doc.transcript(), action) {
                    let applied = doc.apply(edit);
                    prop_assert!(applied.is_ok(), "{action:?}: {applied:?}");
                }
            }
        }
    }
    Ok(())
}

fn fixture(path: &str) -> (Vec<u8>, Transcript) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let transcript = transcript::parse_bytes(bytes.clone(), None)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (bytes, transcript)
}

fn write(t: &Transcript) -> Vec<u8> {
    transcript::write_string(t, t.format)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_bytes()
}

/// Edits `original` (read from `bytes`), then checks undo-all and redo-all.
fn check_edits(
    bytes: &[u8],
    original: &Transcript,
    actions: &[Action],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        write(original),
        bytes,
        "the file round-trips before any edit"
    );
    let mut doc = Document::new(original.clone());
    run(&mut doc, actions)?;
    let edited = doc.transcript().clone();
    if edited != *original {
        prop_assert!(doc.is_modified());
    }

    let mut undone = 0;
    while doc.undo().is_some() {
        undone += 1;
    }
    prop_assert_eq!(doc.transcript(), original, "undo all gives the model read");
    prop_assert_eq!(write(doc.transcript()), bytes, "and the bytes read");
    prop_assert!(!doc.is_modified());
    for _ in 0..undone {
        prop_assert!(doc.redo().is_some());
    }
    prop_assert_eq!(doc.transcript(), &edited, "redo all gives the edited model");

    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_seed_episode_undoes_to_its_bytes(actions in prop::collection::vec(action(), 1..40)) {
        let (bytes, original) = fixture("seed/delphi-podcast.txt");
        check_edits(&bytes, &original, &actions)?;
    }

    #[test]
    fn srt_undoes_to_its_bytes(actions in prop::collection::vec(action(), 1..40)) {
        let (bytes, original) = fixture("srt/canonical.srt");
        check_edits(&bytes, &original, &actions)?;
    }

    #[test]
    fn webvtt_with_word_times_undoes_to_its_bytes(actions in prop::collection::vec(action(), 1..40)) {
        let (bytes, original) = fixture("vtt/inline_timestamps.vtt");
        check_edits(&bytes, &original, &actions)?;
    }

    #[test]
    fn podcast_json_undoes_to_its_bytes(actions in prop::collection::vec(action(), 1..40)) {
        let (bytes, original) = fixture("json/podcast_words.json");
        check_edits(&bytes, &original, &actions)?;
    }
}

fn timed(text: &str, start_ms: u64) -> Segment {
    let words: Vec<Word> = text
        .split_whitespace()
        .enumerate()
        .map(|(i, w)| Word {
            text: w.into(),
            start_ms: word_ms(start_ms + 300 * i as u64),
            end_ms: word_ms(start_ms + 300 * i as u64 + 250),
            confidence: None,
        })
        .collect();
    Segment {
        start_ms,
        end_ms: start_ms + 300 * words.len() as u64,
        text: text.to_owned(),
        words,
        ..Segment::default()
    }
}

#[test]
fn a_text_edit_keeps_the_times_of_the_words_that_did_not_change_and_estimates_the_rest() {
    let mut t = Transcript::new(Format::Vtt);
    t.segments.push(timed("the quick brown fox jumps", 1000));
    let edit = ops::set_text(&t, 0, "the quick red fox jumps").expect("a change");
    let mut doc = Document::new(t);
    doc.apply(edit).expect("fits");
    let words = &doc.transcript().segments[0].words;
    let times: Vec<(&str, Option<u32>)> = words.iter().map(|w| (&*w.text, w.start_ms)).collect();
    assert_eq!(
        times,
        [
            ("the", Some(1000)),
            ("quick", Some(1300)),
            ("red", Some(1550)),
            ("fox", Some(1900)),
            ("jumps", Some(2200)),
        ]
    );
    assert_eq!(
        words[2].end_ms,
        Some(1900),
        "from the word before's end to the next's start"
    );
}

#[test]
fn a_new_speaker_name_is_added_and_undo_removes_it() {
    let (_, original) = fixture("seed/delphi-podcast.txt");
    let mut doc = Document::new(original.clone());
    let edit = ops::set_speaker(doc.transcript(), 3, "Guest").expect("a change");
    assert_eq!(doc.apply(edit), Ok(Some(3)));
    let t = doc.transcript();
    assert_eq!(t.speaker_name(t.segments[3].speaker), "Guest");
    assert_eq!(t.speakers.len(), original.speakers.len() + 1);
    assert_eq!(doc.undo(), Some(Some(3)), "undo shows the line it changed");
    assert_eq!(doc.transcript(), &original);
}

#[test]
fn renaming_onto_another_speaker_merges_them() {
    let (_, original) = fixture("seed/delphi-podcast.txt");
    let a = original
        .speakers
        .iter()
        .position(|s| s == "Speaker A")
        .expect("A");
    let edit = ops::rename_speaker(&original, SpeakerId(a as u32), "Speaker B").expect("a change");
    let mut doc = Document::new(original.clone());
    doc.apply(edit).expect("fits");
    let t = doc.transcript();
    assert!(
        t.segments
            .iter()
            .all(|s| t.speaker_name(s.speaker) != "Speaker A")
    );
    assert_eq!(doc.undo_len(), 1, "one step");
    doc.undo();
    assert_eq!(doc.transcript(), &original);
}

#[test]
fn split_at_the_playhead_inside_the_line_starts_the_second_part_there() {
    let mut t = Transcript::new(Format::Range);
    t.segments.push(timed("one two three four", 10_000));
    let edit = ops::split(&t, 0, "one two".len(), Some(10_500)).expect("a split");
    let mut doc = Document::new(t.clone());
    doc.apply(edit).expect("fits");
    let s = &doc.transcript().segments;
    assert_eq!(
        (s[0].text.as_str(), s[0].start_ms, s[0].end_ms),
        ("one two", 10_000, 10_500)
    );
    assert_eq!(
        (s[1].text.as_str(), s[1].start_ms, s[1].end_ms),
        ("three four", 10_500, 11_200)
    );
    assert_eq!((s[0].words.len(), s[1].words.len()), (2, 2));
    // Outside the line: in proportion to the text (7 of 17 characters).
    let edit = ops::split(&t, 0, "one two".len(), Some(50_000)).expect("a split");
    let mut doc = Document::new(t);
    doc.apply(edit).expect("fits");
    assert_eq!(
        doc.transcript().segments[1].start_ms,
        10_000 + (1200.0f64 * 7.0 / 17.0).round() as u64
    );
}

#[test]
fn a_line_that_ends_before_it_starts_or_overlaps_is_flagged_with_the_reason() {
    let (_, original) = fixture("seed/delphi-podcast.txt");
    let start = original.segments[1].end_ms + 5_000;
    let edit = ops::set_start(&original, 1, start).expect("a change");
    let mut doc = Document::new(original);
    doc.apply(edit).expect("allowed");
    assert_eq!(
        ops::problems(doc.transcript(), 1),
        ["ends before it starts"]
    );
    let edit = ops::nudge(doc.transcript(), 0, false, 100_000).expect("a change");
    doc.apply(edit).expect("allowed");
    assert_eq!(
        ops::problems(doc.transcript(), 0),
        ["overlaps the next line"]
    );
}

#[test]
fn an_edit_made_for_another_state_is_refused_and_changes_nothing() {
    let (_, original) = fixture("seed/delphi-podcast.txt");
    let mut doc = Document::new(original.clone());
    let beyond = Edit::Splice {
        at: original.segments.len(),
        remove: 1,
        insert: Vec::new(),
    };
    assert!(doc.apply(beyond).is_err());
    let half_bad = Edit::Group(vec![
        ops::delete(&original, 0).expect("a line"),
        Edit::Splice {
            at: 10_000,
            remove: 1,
            insert: Vec::new(),
        },
    ]);
    assert!(doc.apply(half_bad).is_err());
    assert_eq!(doc.transcript(), &original, "the group was rolled back");
    assert!(!doc.can_undo());
}

/// What a line says, as a file of its format keeps it: times, speaker
/// name, text, and the words' times where the format has them.
#[derive(Debug, PartialEq)]
struct Said {
    start_ms: u64,
    end_ms: u64,
    speaker: String,
    text: String,
    words: Vec<(String, Option<u32>, Option<u32>)>,
}

/// Podcasting 2.0 JSON with one word per record holds words, not lines
/// (a reader groups them into lines by speaker and pause): there, what is
/// said is the words, each with its speaker.
fn said(t: &Transcript) -> Vec<Said> {
    if t.format == Format::PodcastJson && t.header.words_as_segments {
        // One record per word, or per line without words; a record without
        // an end ends where the next starts (or its line ends).
        let mut records: Vec<(Said, Option<u64>)> = Vec::new();
        for s in &t.segments {
            let speaker = t.speaker_name(s.speaker);
            let record = |text: &str, start_ms: u64, end_ms: Option<u64>| {
                let said = Said {
                    start_ms,
                    end_ms: end_ms.unwrap_or(s.end_ms),
                    speaker: speaker.to_owned(),
                    text: text.to_owned(),
                    words: Vec::new(),
                };
                (said, end_ms)
            };
            if s.words.is_empty() {
                records.push(record(&s.text, s.start_ms, Some(s.end_ms)));
            }
            for w in &s.words {
                let start_ms = w.start_ms.map_or(s.start_ms, u64::from);
                records.push(record(&w.text, start_ms, w.end_ms.map(u64::from)));
            }
        }
        let next_starts: Vec<Option<u64>> = records
            .iter()
            .skip(1)
            .map(|(r, _)| Some(r.start_ms))
            .chain([None])
            .collect();
        return records
            .into_iter()
            .zip(next_starts)
            .map(|((mut said, end_ms), next_ms)| {
                if end_ms.is_none()
                    && let Some(next_ms) = next_ms
                {
                    said.end_ms = next_ms;
                }
                said
            })
            .collect();
    }
    t.segments
        .iter()
        .map(|s| Said {
            start_ms: s.start_ms,
            end_ms: s.end_ms,
            speaker: t.speaker_name(s.speaker).to_owned(),
            text: s.text.clone(),
            words: s
                .words
                .iter()
                .map(|w| (w.text.to_string(), w.start_ms, w.end_ms))
                .collect(),
        })
        .collect()
}

/// Edits `original`, writes it in its format and reads that back: the
/// lines say the same. WebVTT cannot hold a cue that ends before it starts
/// (such a line is flagged in the window), and its reader takes a cue that
/// repeats the line before while overlapping it for a rolling auto-caption
/// (see `transcript::vtt`): those cases are left out there.
fn check_save_and_reopen(original: &Transcript, actions: &[Action]) -> Result<(), TestCaseError> {
    let mut doc = Document::new(original.clone());
    run(&mut doc, actions)?;
    let edited = doc.transcript();
    if edited.format == Format::Vtt {
        let lines = &edited.segments;
        let inverted = lines.iter().any(|s| s.start_ms > s.end_ms);
        let rolling = lines.windows(2).any(|pair| {
            let last_line = pair[0].text.lines().last().unwrap_or("");
            pair[1].text.starts_with(last_line) && pair[1].start_ms < pair[0].end_ms
        });
        if inverted || rolling {
            return Ok(());
        }
    }
    let bytes = write(edited);
    if edited.segments.is_empty() {
        // No line left: read back as nothing, or refused as no transcript.
        let reread = transcript::parse_bytes(bytes, Some(edited.format));
        prop_assert!(reread.map_or(true, |t| t.segments.is_empty()));
        return Ok(());
    }
    let reread = transcript::parse_bytes(bytes.clone(), Some(edited.format));
    prop_assert!(reread.is_ok(), "{:?}", reread.err());
    let reread = reread.unwrap_or_default();
    prop_assert_eq!(
        said(&reread),
        said(edited),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_seed_episode_saves_and_reopens_as_edited(actions in prop::collection::vec(action(), 1..40)) {
        let (_, original) = fixture("seed/delphi-podcast.txt");
        check_save_and_reopen(&original, &actions)?;
    }

    #[test]
    fn srt_saves_and_reopens_as_edited(actions in prop::collection::vec(action(), 1..40)) {
        let (_, original) = fixture("srt/canonical.srt");
        check_save_and_reopen(&original, &actions)?;
    }

    #[test]
    fn webvtt_saves_and_reopens_as_edited(actions in prop::collection::vec(action(), 1..40)) {
        let (_, original) = fixture("vtt/inline_timestamps.vtt");
        check_save_and_reopen(&original, &actions)?;
    }

    #[test]
    fn podcast_json_saves_and_reopens_as_edited(actions in prop::collection::vec(action(), 1..40)) {
        let (_, original) = fixture("json/podcast_words.json");
        check_save_and_reopen(&original, &actions)?;
    }
}
