//! The sync check in the window (egui_kittest), on the generated episode
//! of `tests/fixtures/sync/combo` (its intro trimmed, an ad break inserted;
//! the transcript made for the raw recording): Sync ▸ Check sync runs in
//! the background and lists the pieces, Accept moves every line to where
//! `earmark sync`'s code puts it as one journaled step that Ctrl+Z undoes, and nothing
//! is written until a save; the hint on open shows for a transcript that
//! clearly does not fit and never for one that does, even after a music
//! intro the speech detector takes for speech; a check that finds no
//! speech says so in one line.

#[path = "support/sync_case.rs"]
mod sync_case;
#[path = "support/window.rs"]
mod window;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use earmark::review::TimesOf;
use earmark::sync::{self, AlignParams, VadOptions};
use earmark::transcript::{self, Transcript};
use eframe::egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use sync_case::range_time;
use window::*;

fn case_dir() -> PathBuf {
    sync_case::case_dir("combo")
}

/// The combo episode copied into `dir`, its transcript's lines moved by
/// `shift_ms` (when not 0) or replaced by `text`.
fn episode(dir: &Path, text: Option<&str>, shift_ms: u64) -> Vec<PathBuf> {
    let audio = dir.join("audio.mp3");
    std::fs::copy(case_dir().join("audio.mp3"), &audio).expect("copy the audio");
    let original =
        std::fs::read_to_string(case_dir().join("transcript.txt")).expect("the transcript");
    let text = match text {
        Some(text) => text.to_owned(),
        None => shifted(&original, shift_ms),
    };
    let transcript = dir.join("transcript.txt");
    std::fs::write(&transcript, text).expect("write the transcript");
    vec![audio, transcript]
}

fn parse_time(text: &str) -> u64 {
    let parts: Vec<&str> = text.split([':', '.']).collect();
    let n = |i: usize| parts[i].parse::<u64>().expect("a number");
    ((n(0) * 60 + n(1)) * 60 + n(2)) * 1000 + n(3)
}

/// Every `HH:MM:SS.mmm - HH:MM:SS.mmm, ` line start moved later by `shift_ms`.
fn shifted(text: &str, shift_ms: u64) -> String {
    text.lines()
        .map(|line| {
            let (times, rest) = line.split_once(", ").expect("a range line");
            let (start, end) = times.split_once(" - ").expect("a range");
            format!(
                "{} - {}, {rest}\n",
                range_time(parse_time(start) + shift_ms),
                range_time(parse_time(end) + shift_ms)
            )
        })
        .collect()
}

/// The sync check's result the window shows.
fn shown_result(window: &Window) -> earmark::sync::Alignment {
    window
        .harness
        .state()
        .sync_result()
        .cloned()
        .expect("a result is shown")
}

fn open_transcript(window: &Window) -> Transcript {
    window
        .harness
        .state()
        .transcript()
        .cloned()
        .expect("a transcript is open")
}

/// Draws frames until `done` holds (the check and the hint run on threads
/// of their own; their progress asks for frames meanwhile).
fn wait_for(window: &mut Window, what: &str, done: impl Fn(&Window) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done(window) {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(20));
        window.harness.step();
    }
    window.settle();
}

fn wait_for_hint(window: &mut Window) {
    wait_for(window, "the hint's check", |w| {
        !w.harness.state().sync_hint_pending()
    });
}

/// The combo episode, its transcript moved by `shift_ms`, opened, and the
/// hint on open judged.
fn opened(shift_ms: u64) -> Window {
    let dir = temp_dir();
    let files = episode(dir.path(), None, shift_ms);
    let mut window = Window::open_in(files, dir);
    wait_for_hint(&mut window);
    window
}

fn check_from_the_menu(window: &mut Window) {
    window.click("Sync");
    window.click("Check sync… F5");
    wait_for(window, "the sync check", |w| {
        !w.harness.state().sync_running()
    });
}

#[test]
fn the_check_lists_the_pieces_and_accept_moves_every_line_as_one_undoable_step() {
    let dir = temp_dir();
    let files = episode(dir.path(), None, 0);
    let on_disk = std::fs::read(&files[1]).expect("the transcript");
    let journals = dir.path().join("data/journal");
    let mut window = Window::open_in(files.clone(), dir);
    wait_for_hint(&mut window);
    let before = open_transcript(&window);

    check_from_the_menu(&mut window);
    assert!(
        window.harness.state().errors().is_empty(),
        "{:?}",
        window.harness.state().errors()
    );
    let alignment = shown_result(&window);
    assert!(alignment.pieces.len() >= 2, "{alignment:?}");
    assert_eq!(alignment.missing, vec![0], "the intro's line is gone");
    // The panel lists each piece with its shift, and the line that is gone.
    for piece in &alignment.pieces {
        let first = piece.lines.start + 1;
        assert!(
            window
                .harness
                .query_all_by_label_contains(&format!(
                    "Line{} {first}",
                    if piece.lines.len() > 1 { "s" } else { "" }
                ))
                .next()
                .is_some(),
            "piece from line {first} is listed"
        );
    }
    assert!(window.harness.query_by_label_contains("cut at").is_some());

    // What `earmark sync` computes for the same files.
    let expected = {
        let transcript = transcript::read_file(&files[1], None).expect("the transcript");
        let activity =
            sync::vad::analyze_file(&files[0], &VadOptions::default()).expect("the audio");
        let alignment = sync::align(
            &sync::spans_of(&transcript),
            &activity,
            &AlignParams::default(),
        )
        .expect("an alignment");
        sync::retimed(&transcript, &alignment)
    };

    window.click("Accept");
    let after = open_transcript(&window);
    assert_eq!(TimesOf::all(&after), TimesOf::all(&expected));
    assert_ne!(TimesOf::all(&after), TimesOf::all(&before));
    assert!(
        window.harness.state().sync_result().is_none(),
        "the panel closes"
    );
    assert!(window.harness.state().has_unsaved_changes());
    assert_eq!(
        std::fs::read(&files[1]).expect("the transcript"),
        on_disk,
        "nothing is written before a save"
    );
    // The journal's thread writes it within a second: one change.
    let deadline = Instant::now() + Duration::from_secs(5);
    let changes = loop {
        let pending = earmark::review::journal::pending(&journals, &files[1]);
        if pending.is_some() || Instant::now() > deadline {
            break pending.map(|p| p.changes);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(changes, Some(1), "the sync is journaled as one change");

    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(
        TimesOf::all(&open_transcript(&window)),
        TimesOf::all(&before),
        "one Ctrl+Z undoes the whole sync"
    );
    assert!(!window.harness.state().has_unsaved_changes());
}

#[test]
fn a_result_stands_after_other_edits_and_after_a_time_edit_offers_to_check_again() {
    let mut window = opened(0);
    check_from_the_menu(&mut window);
    assert!(window.harness.query_by_label("Accept").is_some());
    let speakers = |window: &Window| -> Vec<_> {
        open_transcript(window)
            .segments
            .iter()
            .map(|s| s.speaker)
            .collect()
    };

    // A speaker changed after the check: the result still applies.
    window.press(Key::ArrowDown);
    let before_speaker = speakers(&window);
    window.press(Key::Num2);
    let edited_speakers = speakers(&window);
    assert_ne!(edited_speakers, before_speaker, "the speaker edit was made");
    assert!(
        window.harness.query_by_label("Accept").is_some(),
        "a speaker does not move the lines the check placed"
    );

    // A line's start nudged: it no longer applies.
    window.press_with(Modifiers::ALT, Key::CloseBracket);
    assert!(
        window.harness.query_by_label("Accept").is_none(),
        "the old result cannot be accepted"
    );
    assert!(
        window
            .harness
            .query_by_label_contains("edited after this check")
            .is_some()
    );

    window.click("Check again");
    wait_for(&mut window, "the sync check", |w| {
        !w.harness.state().sync_running()
    });
    window.click("Accept");
    assert_eq!(
        speakers(&window),
        edited_speakers,
        "Accept moves times and keeps the edits made since the check"
    );
    assert!(window.harness.state().sync_result().is_none());
}

/// The combo episode with its transcript in sync, opened; the hint on open
/// has been judged and is not shown.
fn open_in_sync() -> Window {
    let dir = temp_dir();
    let text = sync_case::in_sync_transcript("combo");
    let files = episode(dir.path(), Some(&text), 0);
    let mut window = Window::open_in(files, dir);
    wait_for_hint(&mut window);
    assert_eq!(window.harness.state().sync_hint(), None);
    window
}

#[test]
fn f5_checks_and_an_in_sync_transcript_is_said_to_be_in_sync_with_nothing_to_accept() {
    let mut window = open_in_sync();
    window.press(Key::F5);
    wait_for(&mut window, "the sync check", |w| {
        !w.harness.state().sync_running()
    });
    assert!(window.harness.state().sync_result().is_some());
    assert!(
        window
            .harness
            .query_by_label_contains("in sync with the audio")
            .is_some()
    );
    assert!(window.harness.query_by_label("Accept").is_none());
    window.click("Close");
    assert!(window.harness.state().sync_result().is_none());
    assert!(!window.harness.state().has_unsaved_changes());
}

#[test]
fn a_transcript_far_from_the_first_speech_gets_the_hint_whose_button_checks() {
    // 3 s later: its first line at 4.4 s, the speech from 0.9 s; it still
    // ends within the audio.
    let mut window = opened(3_000);
    let hint = window.harness.state().sync_hint().expect("the hint shows");
    assert!(hint.contains("its first line starts at 4.4 s"), "{hint}");
    assert!(window.harness.query_by_label_contains(&hint).is_some());

    window.click("Check sync…");
    assert!(
        !window.harness.state().sync_running(),
        "the quiet check that confirmed the hint is shown, not run again"
    );
    let alignment = shown_result(&window);
    // The fixture's intro was trimmed by 4.321 s and an ad break of
    // 3.403 s inserted: each piece moves by that, less the 3 s added here.
    let shifts: Vec<i64> = alignment.pieces.iter().map(|p| p.shift_ms).collect();
    assert_eq!(shifts.len(), 2, "{alignment:?}");
    assert!(shifts[0].abs_diff(-7_321) <= 20, "{shifts:?}");
    assert!(shifts[1].abs_diff(403) <= 20, "{shifts:?}");
    assert_eq!(window.harness.state().sync_hint(), None, "the hint went");
}

/// A chord plucked every half second (C3, E4 and G4, three partials each),
/// at `t` seconds: music, which the speech detector hears as speech.
fn music_at(t: f64) -> f32 {
    let since_pluck = t % 0.5;
    let chord: f64 = [130.81, 329.63, 392.0]
        .iter()
        .flat_map(|f| {
            (1..=3).map(move |k| (std::f64::consts::TAU * f * k as f64 * t).sin() / k as f64)
        })
        .sum();
    (chord * 0.08 * (-since_pluck * 4.0).exp()) as f32
}

/// The combo episode as a mono WAV with `intro_ms` of music before it, and
/// its in-sync transcript moved by as much: in sync, its first line far
/// from the first sound.
fn episode_with_music_intro(dir: &Path, intro_ms: u64) -> Vec<PathBuf> {
    let mut decoder = earmark::audio::decode::Decoder::open(&case_dir().join("audio.mp3"))
        .expect("the combo audio decodes");
    let rate = decoder.info().sample_rate;
    let channels = usize::from(decoder.info().channels);
    let mut samples: Vec<f32> = (0..intro_ms * u64::from(rate) / 1000)
        .map(|frame| music_at(frame as f64 / f64::from(rate)))
        .collect();
    loop {
        let chunk = decoder
            .read_borrowed(4096)
            .expect("the combo audio decodes");
        if chunk.is_empty() {
            break;
        }
        samples.extend(
            chunk
                .chunks(channels)
                .map(|frame| frame.iter().sum::<f32>() / channels as f32),
        );
    }
    let audio = dir.join("intro.wav");
    let mut writer = earmark::audio::wav::WavWriter::create(&audio, rate, 1).expect("a WAV file");
    writer.write(&samples).expect("writing the WAV file");
    writer.finish(&audio).expect("finishing the WAV file");
    let transcript = dir.join("intro.txt");
    std::fs::write(
        &transcript,
        shifted(&sync_case::in_sync_transcript("combo"), intro_ms),
    )
    .expect("write the transcript");
    vec![audio, transcript]
}

#[test]
fn a_music_intro_before_a_transcript_in_sync_gets_no_hint() {
    let dir = temp_dir();
    let files = episode_with_music_intro(dir.path(), 20_000);
    // The detector takes the music for speech: the first speech is 20 s
    // before the first line, which alone would bring the hint.
    let start = sync::vad::analyze_file_start(&files[0], 60_000, &VadOptions::default())
        .expect("the start is measured");
    let first_speech_ms = start.spans_ms().first().map(|&(start_ms, _)| start_ms);
    assert!(
        first_speech_ms.is_some_and(|ms| ms < 2_000),
        "the music counts as speech: {first_speech_ms:?}"
    );
    let mut window = Window::open_in(files, dir);
    wait_for_hint(&mut window);
    assert_eq!(
        window.harness.state().sync_hint(),
        None,
        "the quiet check found every line where it is"
    );
}

#[test]
fn a_transcript_past_the_end_gets_the_hint_at_once_and_it_closes() {
    let dir = temp_dir();
    let files = episode(dir.path(), None, 12_000);
    let mut window = Window::open_in(files, dir);
    let hint = window.harness.state().sync_hint().expect("the hint shows");
    assert!(hint.contains("past its end"), "{hint}");
    window.click("Close the notice");
    assert_eq!(window.harness.state().sync_hint(), None);
}

#[test]
fn no_hint_for_a_transcript_that_fits() {
    // open_in_sync holds the in-sync episode to no hint.
    open_in_sync();
    let mut demo = demo();
    wait_for_hint(&mut demo);
    assert_eq!(demo.harness.state().sync_hint(), None);
}

/// A mono WAV of `secs` of digital silence, through the project's own writer.
fn silent_wav(path: &Path, secs: u32) {
    let rate = 16_000;
    let mut writer = earmark::audio::wav::WavWriter::create(path, rate, 1).expect("a WAV file");
    writer
        .write(&vec![0.0; (secs * rate) as usize])
        .expect("writing the WAV file");
    writer.finish(path).expect("finishing the WAV file");
}

#[test]
fn a_check_that_finds_no_speech_says_so_in_one_line() {
    let dir = temp_dir();
    let audio = dir.path().join("silence.wav");
    silent_wav(&audio, 5);
    let transcript = dir.path().join("silence.txt");
    std::fs::write(
        &transcript,
        "00:00:00.500 - 00:00:02.000, Ann: One.\n00:00:02.500 - 00:00:04.000, Bob: Two.\n",
    )
    .expect("write the transcript");
    let mut window = Window::open_in(vec![audio, transcript], dir);
    wait_for_hint(&mut window);
    assert_eq!(
        window.harness.state().sync_hint(),
        None,
        "no speech: no hint"
    );
    check_from_the_menu(&mut window);
    let errors = window.harness.state().errors().to_vec();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("found no speech"), "{errors:?}");
    assert!(!errors[0].contains('\n'), "{errors:?}");
    assert!(window.harness.state().sync_result().is_none());
}

#[test]
fn an_audio_file_damaged_after_it_opened_is_one_error_line_and_no_result() {
    let dir = temp_dir();
    let files = episode(dir.path(), None, 0);
    let mut window = Window::open_in(files.clone(), dir);
    // Replaced (not rewritten in place: the player keeps what it opened).
    let damaged = files[0].with_extension("tmp");
    let garbage: Vec<u8> = (0..200_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&damaged, garbage).expect("write the damaged file");
    std::fs::rename(&damaged, &files[0]).expect("replace the audio");

    check_from_the_menu(&mut window);
    let errors = window.harness.state().errors().to_vec();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("The sync check could not measure the audio"),
        "{errors:?}"
    );
    assert!(!errors[0].contains('\n'), "{errors:?}");
    assert!(window.harness.state().sync_result().is_none());
    assert!(!window.harness.state().has_unsaved_changes());
}
