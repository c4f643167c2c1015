//! The player window driven by its accessible labels (egui_kittest), with
//! the real engine on a virtual output whose clock the test steps by hand.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use earmark::audio::wav::WavWriter;
use earmark::transcript::time::{TimeStyle, format_timestamp};
use earmark::ui::Launch;
use eframe::egui::{self, Key, Modifiers, ViewportId};
use egui_kittest::kittest::{NodeT, Queryable};

#[path = "support/window.rs"]
mod window;

use window::*;

#[test]
fn clicking_a_line_seeks_the_engine_to_its_start_and_plays() {
    let mut window = demo();
    assert_eq!(window.clock_ms(), 0);
    assert!(!window.playing());
    window
        .harness
        .get_by_label_contains("Click any line and the player jumps there")
        .click();
    window.settle();
    assert_eq!(window.clock_ms(), DEMO_STARTS_MS[2]);
    assert!(window.playing(), "a click plays by default");
    window.play_for(1000);
    let highlighted = window.highlighted();
    assert_eq!(highlighted.len(), 1, "{highlighted:?}");
    assert!(highlighted[0].contains("Click any line"), "{highlighted:?}");
}

#[test]
fn the_highlight_follows_the_clock_line_by_line() {
    let mut window = demo();
    window.press(Key::Space);
    assert!(window.playing());
    let mut seen = Vec::new();
    for _ in 0..30 {
        window.play_for(1000);
        let pos_ms = window.clock_ms();
        // After the last line has ended no line is marked.
        let expected = DEMO_STARTS_MS
            .iter()
            .rposition(|&start| start <= pos_ms)
            .filter(|_| pos_ms < DEMO_LAST_END_MS);
        let highlighted = window.highlighted();
        match expected {
            Some(line) => {
                assert_eq!(highlighted.len(), 1, "at {pos_ms} ms: {highlighted:?}");
                seen.push(line);
            }
            None => assert!(highlighted.is_empty(), "at {pos_ms} ms: {highlighted:?}"),
        }
    }
    seen.dedup();
    assert_eq!(
        seen,
        [0, 1, 2, 3, 4, 5],
        "every line was highlighted in order"
    );
}

#[test]
fn paused_draws_nothing_and_playing_schedules_the_next_frame() {
    let mut window = demo();
    assert_eq!(
        window.repaint_delay(),
        Duration::MAX,
        "paused and idle: no frame is scheduled"
    );
    window.press(Key::Space);
    let delay = window.repaint_delay();
    assert!(
        delay > Duration::ZERO && delay <= Duration::from_millis(500),
        "playing: the next frame is scheduled, not continuous ({delay:?})"
    );
    window.press(Key::Space);
    assert!(!window.playing());
    assert_eq!(window.repaint_delay(), Duration::MAX);
}

#[test]
fn keyboard_shortcuts_move_play_and_change_speed() {
    let mut window = demo();
    window.press(Key::ArrowRight);
    assert_eq!(window.clock_ms(), 5000, "→ skips 5 s");
    window.press(Key::ArrowLeft);
    assert_eq!(window.clock_ms(), 0, "← skips back");
    window.press(Key::ArrowDown);
    assert_eq!(
        window.clock_ms(),
        DEMO_STARTS_MS[0],
        "↓ goes to the next line"
    );
    window.press(Key::ArrowDown);
    assert_eq!(window.clock_ms(), DEMO_STARTS_MS[1]);
    window.press(Key::ArrowUp);
    assert_eq!(window.clock_ms(), DEMO_STARTS_MS[0], "↑ goes back a line");
    window.press(Key::N);
    assert_eq!(
        window.clock_ms(),
        DEMO_STARTS_MS[1],
        "N goes to the next speaker"
    );
    window.press(Key::End);
    let duration_ms = window.harness.state().player().duration_ms();
    assert_eq!(Some(window.clock_ms()), duration_ms, "End goes to the end");
    window.press(Key::Home);
    assert_eq!(window.clock_ms(), 0, "Home goes to the start");
    window.press(Key::CloseBracket);
    assert_eq!(window.harness.state().player().speed(), 1.1);
    window.press(Key::OpenBracket);
    window.press(Key::OpenBracket);
    assert_eq!(window.harness.state().player().speed(), 0.9);
    assert_eq!(window.harness.state().settings().speed, 0.9, "remembered");
    window.press(Key::Space);
    assert!(window.playing());
    window.press(Key::Space);
    assert!(!window.playing());
}

#[test]
fn resuming_after_a_pause_rewinds_two_seconds() {
    let mut window = demo();
    window.press(Key::Space);
    window.play_for(6000);
    window.press(Key::Space);
    let paused_ms = window.clock_ms();
    assert!(paused_ms >= 5900, "{paused_ms}");
    window.press(Key::Space);
    assert_eq!(window.clock_ms(), paused_ms - 2000);
}

#[test]
fn the_shortcuts_overlay_opens_with_f1_and_closes_with_escape() {
    let mut window = demo();
    assert!(
        window
            .harness
            .query_by_label("Keyboard shortcuts")
            .is_none()
    );
    window.press(Key::F1);
    assert!(
        window
            .harness
            .query_by_label("Keyboard shortcuts")
            .is_some()
    );
    assert!(window.harness.query_by_label("Play / pause").is_some());
    window.press(Key::Escape);
    assert!(
        window
            .harness
            .query_by_label("Keyboard shortcuts")
            .is_none()
    );
}

#[test]
fn search_counts_matches_navigates_and_enter_seeks() {
    let mut window = demo();
    let text = match std::fs::read_to_string(demo_dir().join("demo-episode.txt")) {
        Ok(text) => text,
        Err(err) => panic!("demo transcript: {err}"),
    };
    // Each line's text after "Speaker: ".
    let lines: Vec<String> = text
        .lines()
        .filter_map(|line| line.split_once(": ").map(|(_, text)| text.to_lowercase()))
        .collect();
    let count = lines
        .iter()
        .map(|l| l.matches("the").count())
        .sum::<usize>();
    assert!(count >= 3);
    window.press_with(Modifiers::COMMAND, Key::F);
    window.harness.get_by_label("Search:").type_text("the");
    window.settle();
    assert!(
        window
            .harness
            .query_by_label(&format!("1 of {count}"))
            .is_some()
    );
    window.press(Key::F3);
    assert!(
        window
            .harness
            .query_by_label(&format!("2 of {count}"))
            .is_some()
    );
    window.press_with(Modifiers::SHIFT, Key::F3);
    window.press_with(Modifiers::SHIFT, Key::F3);
    assert!(
        window
            .harness
            .query_by_label(&format!("{count} of {count}"))
            .is_some(),
        "previous wraps to the last match"
    );
    window.harness.get_by_label("Search:").focus();
    window.press(Key::Enter);
    let last_line = lines.iter().rposition(|l| l.contains("the"));
    let expected = last_line.map(|line| DEMO_STARTS_MS[line]);
    assert_eq!(
        Some(window.clock_ms()),
        expected,
        "Enter seeks to the match's line"
    );
    window.harness.get_by_label("Search:").type_text("zzzz");
    window.settle();
    assert!(window.harness.query_by_label("No matches").is_some());
}

#[test]
fn the_speaker_filter_lists_one_speakers_lines() {
    let mut window = demo();
    window.press_with(Modifiers::COMMAND, Key::F);
    assert_eq!(window.harness.state().view().row_count(), 6);
    window.click("Speaker filter");
    window.click("Guest");
    assert_eq!(window.harness.state().view().row_count(), 3);
    assert!(!window.row_visible("Welcome to the Earmark demo"));
    assert!(window.row_visible("Thanks for having me"));
}

fn rename_host_to_ada(window: &mut Window) {
    window.click("Speaker Host");
    let field = window.harness.get_by_label("New name:");
    field.focus();
    window
        .harness
        .key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.harness.get_by_label("New name:").type_text("Ada");
    window.settle();
    window.click("Rename");
}

#[test]
fn renaming_a_speaker_is_an_edit_that_undoes_redoes_and_saves() {
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let transcript = files[1].clone();
    let mut window = Window::open_in(files, dir);
    rename_host_to_ada(&mut window);
    assert_eq!(window.harness.state().speaker_names(), ["Ada", "Guest"]);
    assert!(window.row_visible("Ada, 0:00: Welcome to the Earmark demo"));
    assert!(window.row_visible("Ada, 0:10: Click any line"));
    assert!(window.harness.query_by_label("Speaker Ada").is_some());
    assert!(window.harness.state().has_unsaved_changes());

    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(window.harness.state().speaker_names(), ["Host", "Guest"]);
    assert!(window.row_visible("Host, 0:00: Welcome to the Earmark demo"));
    assert!(
        !window.harness.state().has_unsaved_changes(),
        "back to the file"
    );
    window.press_with(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(window.harness.state().speaker_names(), ["Ada", "Guest"]);
    window.press_with(Modifiers::COMMAND, Key::Z);
    window.press_with(Modifiers::COMMAND, Key::Y);
    assert_eq!(
        window.harness.state().speaker_names(),
        ["Ada", "Guest"],
        "Ctrl+Y redoes too"
    );

    let before = std::fs::read_to_string(&transcript).unwrap_or_default();
    assert!(!before.contains("Ada"), "nothing is written before Ctrl+S");
    window.press_with(Modifiers::COMMAND, Key::S);
    let saved = std::fs::read_to_string(&transcript).unwrap_or_default();
    assert_eq!(
        saved,
        before.replace("Host:", "Ada:"),
        "only the names changed"
    );
    assert!(!window.harness.state().has_unsaved_changes());
}

#[test]
fn unsaved_changes_are_offered_back_when_the_episode_opens_again() {
    let episode = temp_dir();
    let files = demo_copy(episode.path());
    let data_dir = episode.path().join("data");
    let mut window = Window::open_with_data(files.clone(), temp_dir(), data_dir.clone());
    rename_host_to_ada(&mut window);
    // The window goes without saving (as in a crash, the journal stays).
    drop(window);

    let mut window = Window::open_with_data(files, temp_dir(), data_dir);
    assert!(
        window
            .harness
            .query_by_label_contains("Recover 1 unsaved change from")
            .is_some(),
        "the window asks"
    );
    assert_eq!(window.harness.state().speaker_names(), ["Host", "Guest"]);
    window.press(Key::Enter);
    assert_eq!(window.harness.state().speaker_names(), ["Ada", "Guest"]);
    assert!(window.harness.state().has_unsaved_changes());
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(
        window.harness.state().speaker_names(),
        ["Host", "Guest"],
        "the history came back too"
    );
}

/// A transcript of `lines` one-second lines, "Line N of the long episode",
/// with silent audio as long, in `dir`.
fn long_episode(dir: &Path, lines: u64) -> Vec<PathBuf> {
    let mut text = String::new();
    for n in 0..lines {
        let start = n * 1000;
        let stamp = |ms: u64| format_timestamp(ms, TimeStyle::default());
        let speaker = if n % 2 == 0 { "A" } else { "B" };
        text.push_str(&format!(
            "{} - {}, Speaker {speaker}: Line {n} of the long episode.\n",
            stamp(start),
            stamp(start + 900)
        ));
    }
    let transcript = dir.join("long.txt");
    let audio = dir.join("long.wav");
    if let Err(err) = std::fs::write(&transcript, text) {
        panic!("writing the transcript: {err}");
    }
    let rate = 8000;
    let written = WavWriter::create(&audio, rate, 1).and_then(|mut writer| {
        writer.write(&vec![0.0; (lines * u64::from(rate)) as usize])?;
        writer.finish(&audio)
    });
    if let Err(err) = written {
        panic!("writing the audio: {err}");
    }
    vec![audio, transcript]
}

#[test]
fn the_view_follows_playback_until_scrolled_away_and_comes_back_on_request() {
    let dir = temp_dir();
    let files = long_episode(dir.path(), 300);
    let mut window = Window::open_in(files, dir);
    assert!(window.row_visible("Line 0 of"));
    assert!(
        !window.row_visible("Line 120 of"),
        "far lines are not laid out"
    );
    window.harness.state_mut().seek(120_000);
    window.settle();
    window.press(Key::Space);
    window.play_for(500);
    assert!(
        window.row_visible("Line 120 of"),
        "the view followed to the line heard"
    );
    assert!(
        window
            .highlighted()
            .iter()
            .any(|l| l.contains("Line 120 of"))
    );
    assert!(window.harness.query_by_label("Back to playing").is_none());

    // The user scrolls up to read: following pauses and a way back appears.
    let list = window.harness.get_by_label_contains("Line 120 of").rect();
    window.harness.hover_at(list.center());
    for _ in 0..5 {
        window.harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, 200.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: Modifiers::NONE,
        });
        window.harness.run();
    }
    window.settle();
    assert!(
        !window.harness.state().view().follow,
        "scrolling away pauses following"
    );
    assert!(!window.row_visible("Line 120 of"));
    window.play_for(5000);
    assert!(
        !window.row_visible("Line 125 of"),
        "the view stays where the user put it"
    );
    window.click("Back to playing");
    assert!(window.harness.state().view().follow);
    assert!(window.row_visible("Line 125 of"));
    assert!(
        window
            .highlighted()
            .iter()
            .any(|l| l.contains("Line 125 of"))
    );

    // A screen reader's scroll counts as the user's too.
    window
        .harness
        .get_by_label_contains("Line 125 of")
        .scroll_down();
    window.settle();
    assert!(!window.harness.state().view().follow);
}

#[test]
fn an_unreadable_transcript_is_reported_and_the_open_episode_stays() {
    let dir = temp_dir();
    let broken = dir.path().join("broken.json");
    if let Err(err) = std::fs::write(&broken, "{\n  \"segments\": [\n    {\"startTime\": 1.0,\n") {
        panic!("{err}");
    }
    let mut window = demo();
    window
        .harness
        .state_mut()
        .open_paths(vec![broken.clone()], None);
    window.wait_until_open();
    let errors = window.harness.state().errors().to_vec();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("broken.json"), "{errors:?}");
    assert!(errors[0].contains("line "), "{errors:?}");
    assert!(
        window.row_visible("Welcome to the Earmark demo"),
        "the demo is still open"
    );
    assert!(
        window
            .harness
            .query_by_label_contains("broken.json")
            .is_some(),
        "shown in the window"
    );
    window.click("Dismiss");
    assert!(window.harness.state().errors().is_empty());
}

#[test]
fn lines_a_transcript_skips_are_reported_by_line() {
    let dir = temp_dir();
    let damaged = dir.path().join("damaged.srt");
    let srt = "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> nonsense\nWorld\n";
    if let Err(err) = std::fs::write(&damaged, srt) {
        panic!("{err}");
    }
    let mut window = demo();
    window.harness.state_mut().open_paths(vec![damaged], None);
    window.wait_until_open();
    assert!(window.row_visible("Hello"), "the readable lines open");
    let errors = window.harness.state().errors().to_vec();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("damaged.srt"), "{errors:?}");
    assert!(errors[0].contains("line 6"), "{errors:?}");
}

#[test]
fn a_corrupt_audio_file_is_refused_with_a_message() {
    let dir = temp_dir();
    let corrupt = dir.path().join("corrupt.mp3");
    if let Err(err) = std::fs::write(&corrupt, vec![0x5a; 10_000]) {
        panic!("{err}");
    }
    let mut window = demo();
    window.harness.state_mut().open_paths(vec![corrupt], None);
    window.wait_until_open();
    let errors = window.harness.state().errors().to_vec();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("corrupt.mp3"), "{errors:?}");
    let open = window.harness.state().open_files();
    assert_eq!(open.audio, Some(demo_dir().join("demo-episode.mp3")));
}

#[test]
fn a_transcript_opens_without_audio_and_audio_without_a_transcript() {
    let dir = temp_dir();
    let transcript = dir.path().join("alone.txt");
    if let Err(err) = std::fs::copy(demo_dir().join("demo-episode.txt"), &transcript) {
        panic!("{err}");
    }
    let mut window = Window::open(vec![transcript]);
    assert!(window.row_visible("Welcome to the Earmark demo"));
    assert_eq!(window.harness.state().player().duration_ms(), None);
    let play = window.harness.get_by_label("Play");
    assert!(
        play.accesskit_node().is_disabled(),
        "no audio: nothing to play"
    );

    let audio = dir.path().join("lonely.mp3");
    if let Err(err) = std::fs::copy(demo_dir().join("demo-episode.mp3"), &audio) {
        panic!("{err}");
    }
    window
        .harness
        .state_mut()
        .open_paths(vec![audio.clone()], None);
    window.wait_until_open();
    let open = window.harness.state().open_files();
    assert_eq!(
        open.audio,
        Some(audio),
        "the audio joins the open transcript"
    );
    window.press(Key::Space);
    assert!(window.playing());
}

#[test]
fn a_lone_file_brings_its_partner_from_the_folder() {
    let dir = temp_dir();
    let audio = dir.path().join("show.mp3");
    let transcript = dir.path().join("show.txt");
    for (from, to) in [
        ("demo-episode.mp3", &audio),
        ("demo-episode.txt", &transcript),
    ] {
        if let Err(err) = std::fs::copy(demo_dir().join(from), to) {
            panic!("{err}");
        }
    }
    let window = Window::open(vec![audio.clone()]);
    let open = window.harness.state().open_files();
    assert_eq!(open.audio, Some(audio));
    assert_eq!(open.transcript, Some(transcript));
    assert!(window.row_visible("Welcome to the Earmark demo"));
}

#[test]
fn several_partners_ask_which_one_goes_with_the_file() {
    let dir = temp_dir();
    let audio = dir.path().join("show.mp3");
    let copies = [
        ("demo-episode.mp3", "show.mp3"),
        ("demo-episode.txt", "show.txt"),
        ("demo-episode.txt", "show.en.txt"),
    ];
    for (from, to) in copies {
        if let Err(err) = std::fs::copy(demo_dir().join(from), dir.path().join(to)) {
            panic!("{err}");
        }
    }
    let mut window = Window::open(vec![audio.clone()]);
    assert!(
        window
            .harness
            .query_by_label("Which file goes with it?")
            .is_some()
    );
    assert_eq!(
        window.harness.state().open_files().audio,
        None,
        "nothing opens before the answer"
    );
    window.harness.get_by_label("show.en.txt").click();
    window.wait_until_open();
    let open = window.harness.state().open_files();
    assert_eq!(open.audio, Some(audio));
    assert_eq!(open.transcript, Some(dir.path().join("show.en.txt")));
    assert!(
        window
            .harness
            .query_by_label("Which file goes with it?")
            .is_none()
    );
}

/// A file dropped on the window, as winit hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|err| err.to_string())
    }
}

#[test]
fn dropping_both_files_opens_them_together() {
    let dir = temp_dir();
    let files = long_episode(dir.path(), 20);
    let mut window = demo();
    window.harness.input_mut().dropped_files = files
        .iter()
        .map(|path| {
            std::sync::Arc::new(Dropped(path.clone()))
                as std::sync::Arc<dyn egui::DroppedFile + Send + Sync>
        })
        .collect();
    window.harness.step();
    window.wait_until_open();
    let open = window.harness.state().open_files();
    assert_eq!(open.audio.as_ref(), Some(&files[0]));
    assert_eq!(open.transcript.as_ref(), Some(&files[1]));
    assert!(window.row_visible("Line 3 of the long episode"));
}

#[test]
fn reopening_an_episode_resumes_where_it_was_left_and_lists_it_as_recent() {
    let dir = temp_dir();
    let other = long_episode(dir.path(), 20);
    let mut window = demo();
    window.harness.state_mut().seek(12_000);
    window.settle();
    window.harness.state_mut().open_paths(other, None);
    window.wait_until_open();
    assert_eq!(
        window.clock_ms(),
        0,
        "the other episode starts at its beginning"
    );

    window.click("File");
    window.click("Open recent");
    window
        .harness
        .get_by_label("demo-episode.mp3 + demo-episode.txt")
        .click();
    window.wait_until_open();
    assert_eq!(
        window.harness.state().open_files().audio,
        Some(demo_dir().join("demo-episode.mp3"))
    );
    assert_eq!(
        window.clock_ms(),
        12_000,
        "the demo resumes where it was left"
    );
}

#[test]
fn the_first_launch_without_files_opens_the_demo_episode() {
    let dir = temp_dir();
    let cache = dir.path().to_owned();
    let launch = Launch {
        files: Vec::new(),
        start_ms: None,
        restore: true,
        cache_dir: Some(cache.clone()),
        data_dir: None,
    };
    let mut window = Window::start(launch, dir);
    let open = window.harness.state().open_files();
    assert_eq!(open.audio, Some(cache.join("demo/demo-episode.mp3")));
    assert_eq!(open.transcript, Some(cache.join("demo/demo-episode.txt")));
    assert!(window.harness.state().settings().demo_shown);
    assert!(window.row_visible("Welcome to the Earmark demo episode"));
    window.press(Key::Space);
    assert!(window.playing(), "the demo plays");
}

#[test]
fn a_click_only_moves_there_when_the_setting_says_so() {
    let mut window = demo();
    window.click("View");
    window.click("Settings…");
    window.click("Clicking a line starts playback");
    assert!(!window.harness.state().settings().click_plays);
    window
        .harness
        .get_by_label_contains("Offline, fast, and it never overwrites")
        .click();
    window.settle();
    assert_eq!(window.clock_ms(), DEMO_STARTS_MS[4]);
    assert!(!window.playing(), "the click moved there without playing");
}

#[test]
fn the_play_button_shows_the_new_state_on_the_frame_that_changed_it() {
    let mut window = demo();
    assert!(window.harness.query_by_label("Play").is_some());
    window.harness.key_press(Key::Space);
    window.harness.step();
    assert!(
        window.harness.query_by_label("Pause").is_some(),
        "the frame that started playback shows Pause, not the engine's state of a moment ago"
    );
    window.harness.key_press(Key::Space);
    window.harness.step();
    assert!(window.harness.query_by_label("Play").is_some());
}

/// A line with word times (0–3 s, "How are you doing today", a word every
/// half second from 0) and one without (3–8 s, "one two three four five"),
/// over 10 s of silence.
fn words_episode() -> Window {
    let dir = temp_dir();
    let transcript = dir.path().join("words.json");
    let json = r#"{"text": "", "segments": [
        {"id": 0, "start": 0.0, "end": 3.0, "text": " How are you doing today",
         "words": [{"word": " How", "start": 0.0, "end": 0.4}, {"word": " are", "start": 0.5, "end": 0.9},
                   {"word": " you", "start": 1.0, "end": 1.5}, {"word": " doing", "start": 1.6, "end": 2.1},
                   {"word": " today", "start": 2.2, "end": 2.9}]},
        {"id": 1, "start": 3.0, "end": 8.0, "text": " one two three four five"}]}"#;
    if let Err(err) = std::fs::write(&transcript, json) {
        panic!("{err}");
    }
    let audio = dir.path().join("words.wav");
    silent_wav(&audio, 8000, 10);
    Window::open_in(vec![audio, transcript], dir)
}

#[test]
fn the_word_being_heard_is_exact_with_word_times_and_estimated_without() {
    let mut window = words_episode();
    let heard_word = |window: &Window| {
        let heard = window.harness.state().heard().cloned();
        heard.and_then(|current| {
            let word = current.word?;
            let text = window.harness.state().segment_text(current.segment)?;
            Some((text[word.bytes].to_string(), word.estimated))
        })
    };
    window.press(Key::Space);
    window.play_for(1200);
    assert_eq!(heard_word(&window), Some(("you".to_string(), false)));
    window.play_for(1000);
    assert_eq!(heard_word(&window), Some(("today".to_string(), false)));
    window.play_for(3300);
    assert_eq!(
        heard_word(&window),
        Some(("three".to_string(), true)),
        "halfway through a line without word times, the middle word, marked as estimated"
    );
}

/// Writes `secs` of silence at `rate` to `path`.
fn silent_wav(path: &Path, rate: u32, secs: u64) {
    let written = WavWriter::create(path, rate, 1).and_then(|mut writer| {
        writer.write(&vec![0.0; (secs * u64::from(rate)) as usize])?;
        writer.finish(path)
    });
    if let Err(err) = written {
        panic!("writing {}: {err}", path.display());
    }
}

/// Range lines starting at each of `starts_ms`, each 800 ms long.
fn lines_at(starts_ms: &[u64]) -> String {
    let stamp = |ms: u64| format_timestamp(ms, TimeStyle::default());
    starts_ms
        .iter()
        .enumerate()
        .map(|(n, &start)| {
            format!(
                "{} - {}, Speaker A: Line number {n} here.\n",
                stamp(start),
                stamp(start + 800)
            )
        })
        .collect()
}

#[test]
fn down_walks_every_line_at_every_sample_rate() {
    // Starts that are not whole frames at 22 050 Hz (5265 ms is 116 093.25 frames).
    let starts_ms = [1400, 5265, 7001, 9999, 12_345, 15_011];
    for rate in [8000, 22_050, 44_100, 48_000] {
        let dir = temp_dir();
        let audio = dir.path().join("rate.wav");
        let transcript = dir.path().join("rate.txt");
        silent_wav(&audio, rate, 20);
        if let Err(err) = std::fs::write(&transcript, lines_at(&starts_ms)) {
            panic!("{err}");
        }
        let mut window = Window::open_in(vec![audio, transcript], dir);
        for (line, &start_ms) in starts_ms.iter().enumerate() {
            window.press(Key::ArrowDown);
            assert_eq!(window.clock_ms(), start_ms, "line {line} at {rate} Hz");
            let highlighted = window.highlighted();
            assert!(
                highlighted.len() == 1 && highlighted[0].contains(&format!("number {line} ")),
                "line {line} at {rate} Hz is highlighted: {highlighted:?}"
            );
        }
    }
}

impl Window {
    /// Presses `key` `times` times within one frame (kittest's own key
    /// presses are one frame each).
    fn press_in_one_frame(&mut self, key: Key, times: usize) {
        for _ in 0..times {
            for pressed in [true, false] {
                self.harness.input_mut().events.push(egui::Event::Key {
                    key,
                    physical_key: None,
                    pressed,
                    repeat: false,
                    modifiers: Modifiers::NONE,
                });
            }
        }
        self.harness.step();
        self.settle();
    }
}

#[test]
fn every_key_press_counts_however_many_arrive_in_a_frame() {
    let mut window = demo();
    window.press_in_one_frame(Key::ArrowDown, 3);
    assert_eq!(window.clock_ms(), DEMO_STARTS_MS[2], "three ↓ in one frame");

    window.press_with(Modifiers::COMMAND, Key::F);
    window.harness.get_by_label("Search:").type_text("the");
    window.settle();
    window.harness.get_by_label("Search:").focus();
    window.settle();
    window.press_in_one_frame(Key::F3, 3);
    assert!(
        window.harness.query_by_label_contains("4 of ").is_some(),
        "three F3 in one frame move three matches on"
    );
}

#[test]
fn launching_again_without_files_reopens_the_last_episode_not_the_demo() {
    let dir = temp_dir();
    let cache = dir.path().to_owned();
    let episode = temp_dir();
    let audio = episode.path().join("talk.wav");
    let transcript = episode.path().join("talk.txt");
    silent_wav(&audio, 8000, 20);
    if let Err(err) = std::fs::write(&transcript, lines_at(&[1000, 5000])) {
        panic!("{err}");
    }
    let first = Window::open_in(vec![audio.clone(), transcript.clone()], dir);
    let remembered = first.harness.state().settings().clone();
    drop(first);

    let launch = Launch {
        files: Vec::new(),
        start_ms: None,
        restore: true,
        cache_dir: Some(cache.join("again")),
        data_dir: None,
    };
    let again = Window::start_with(launch, temp_dir(), Some(remembered));
    let open = again.harness.state().open_files();
    assert_eq!(open.audio, Some(audio), "the last episode, not the demo");
    assert_eq!(open.transcript, Some(transcript));
    assert_eq!(
        again.harness.state().settings().recent.len(),
        1,
        "no demo pushed into the recent list"
    );
}

#[test]
fn closing_search_clears_the_speaker_filter_and_the_count_says_when_filtered() {
    let mut window = demo();
    assert!(window.harness.query_by_label("· 6 lines").is_some());
    window.press_with(Modifiers::COMMAND, Key::F);
    window.click("Speaker filter");
    window.click("Guest");
    assert!(window.harness.query_by_label("· 3 of 6 lines").is_some());
    window.click("Close search");
    assert_eq!(window.harness.state().view().row_count(), 6);
    assert!(window.row_visible("Welcome to the Earmark demo"));
    assert!(window.harness.query_by_label("· 6 lines").is_some());
    window.press_with(Modifiers::COMMAND, Key::F);
    assert_eq!(
        window.harness.state().view().row_count(),
        6,
        "reopened search starts unfiltered"
    );
}

#[test]
fn the_rename_dialog_selects_the_old_name_and_enter_confirms() {
    let mut window = demo();
    window.click("Speaker Host");
    window.harness.get_by_label("New name:").type_text("Ada");
    window.settle();
    window.press(Key::Enter);
    assert_eq!(window.harness.state().speaker_names(), ["Ada", "Guest"]);
    assert!(
        window.harness.query_by_label("New name:").is_none(),
        "closed"
    );
}

#[test]
fn each_file_that_opens_is_shown_and_each_that_does_not_is_reported() {
    let dir = temp_dir();
    let not_audio = dir.path().join("notes.mp3");
    let transcript = dir.path().join("good.txt");
    if let Err(err) = std::fs::write(&not_audio, "this is text, not sound\n".repeat(50)) {
        panic!("{err}");
    }
    if let Err(err) = std::fs::write(&transcript, lines_at(&[1000, 5000])) {
        panic!("{err}");
    }
    let window = Window::open_in(vec![not_audio, transcript], dir);
    assert!(
        window.row_visible("Line number 1 here"),
        "the transcript opened"
    );
    let errors = window.harness.state().errors().to_vec();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("notes.mp3"), "{errors:?}");

    let dir = temp_dir();
    let missing_audio = dir.path().join("gone.wav");
    let missing_transcript = dir.path().join("gone.srt");
    let mut window = demo();
    window
        .harness
        .state_mut()
        .open_paths(vec![missing_audio, missing_transcript], None);
    window.wait_until_open();
    let errors = window.harness.state().errors().to_vec();
    assert_eq!(errors.len(), 2, "both missing files reported: {errors:?}");
    assert!(errors.iter().any(|e| e.contains("gone.wav")), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("gone.srt") && e.contains("No such file")),
        "each with its reason: {errors:?}"
    );
    assert!(
        window.row_visible("Welcome to the Earmark demo"),
        "the demo stays"
    );

    let dir = temp_dir();
    let audio = dir.path().join("empty.wav");
    let empty = dir.path().join("empty.txt");
    silent_wav(&audio, 8000, 5);
    if let Err(err) = std::fs::write(&empty, "") {
        panic!("{err}");
    }
    let window = Window::open_in(vec![audio.clone(), empty], dir);
    assert_eq!(window.harness.state().open_files().audio, Some(audio));
    let errors = window.harness.state().errors().to_vec();
    assert!(
        errors.iter().any(|e| e.contains("empty.txt")),
        "the empty transcript is reported: {errors:?}"
    );
}

#[test]
fn lines_past_the_end_of_the_audio_are_flagged_and_nothing_is_marked_at_the_end() {
    let dir = temp_dir();
    let audio = dir.path().join("short.wav");
    let transcript = dir.path().join("short.txt");
    silent_wav(&audio, 8000, 8);
    if let Err(err) = std::fs::write(&transcript, lines_at(&[1000, 4000, 9000, 12_000])) {
        panic!("{err}");
    }
    let mut window = Window::open_in(vec![audio, transcript], dir);
    let errors = window.harness.state().errors().to_vec();
    assert_eq!(errors.len(), 1, "warned once: {errors:?}");
    assert!(
        errors[0].contains("2 lines of short.txt start after the end of the audio"),
        "{errors:?}"
    );
    assert!(window.row_visible("0:09 (after the end of the audio): Line number 2"));
    assert!(!window.row_visible("0:04 (after the end of the audio)"));
    window
        .harness
        .get_by_label_contains("Line number 3 here")
        .click();
    window.settle();
    let errors = window.harness.state().errors().to_vec();
    assert!(
        errors.iter().any(|e| e.contains("Line 4 starts at 0:12")),
        "a click on it says why nothing happens: {errors:?}"
    );
    window.press(Key::Space);
    window.play_for(9000);
    assert!(!window.playing(), "ended");
    assert_eq!(
        window.highlighted(),
        Vec::<String>::new(),
        "nothing at the end"
    );
}

#[test]
fn l_loops_the_line_being_heard_until_a_seek_leaves_it() {
    let mut window = demo();
    window
        .harness
        .get_by_label_contains("Click any line and the player jumps there")
        .click();
    window.settle();
    window.press(Key::L);
    assert_eq!(
        window.harness.state().player().loop_ms(),
        Some(DEMO_STARTS_MS[2]..15_900)
    );
    assert!(
        window
            .harness
            .query_by_label_contains("Loop 0:10–0:15")
            .is_some()
    );
    window.play_for(7000);
    let pos_ms = window.clock_ms();
    assert!(
        (DEMO_STARTS_MS[2]..15_900).contains(&pos_ms),
        "7 s into a 5.8 s loop it has gone round: {pos_ms} ms"
    );
    assert!(window.playing());
    window.press(Key::ArrowRight);
    window.press(Key::ArrowRight);
    assert_eq!(
        window.harness.state().player().loop_ms(),
        None,
        "a seek out of the loop ends it"
    );
    window.press(Key::L);
    assert!(window.harness.state().player().loop_ms().is_some());
    window.press(Key::L);
    assert_eq!(
        window.harness.state().player().loop_ms(),
        None,
        "L again: off"
    );
}

#[test]
fn alt_click_on_a_word_plays_from_that_word() {
    let mut window = words_episode();
    let alt_click_end_of = |window: &mut Window, text: &str| {
        let rect = window.harness.get_by_label_contains(text).rect();
        let pos = egui::pos2(rect.right() - 30.0, rect.center().y);
        window.harness.event(egui::Event::PointerMoved(pos));
        for pressed in [true, false] {
            window.harness.event(egui::Event::PointerButton {
                pos,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: Modifiers::ALT,
            });
        }
        window.settle();
    };
    alt_click_end_of(&mut window, "How are you doing today");
    assert_eq!(window.clock_ms(), 2200, "the last word's own time");
    assert!(window.playing());
    window.press(Key::Space);
    alt_click_end_of(&mut window, "one two three four five");
    let pos_ms = window.clock_ms();
    assert!(
        (6500..8000).contains(&pos_ms),
        "estimated: \"five\" is near the end of 3–8 s ({pos_ms} ms)"
    );
    window
        .harness
        .get_by_label_contains("one two three four five")
        .click();
    window.settle();
    assert_eq!(
        window.clock_ms(),
        3000,
        "a plain click still goes to the line"
    );
}

#[test]
fn a_session_file_opens_the_episode_it_names() {
    let dir = temp_dir();
    let show = dir.path().join("show");
    if let Err(err) = std::fs::create_dir(&show) {
        panic!("{err}");
    }
    let session_path = show.join("episode.earmark");
    let session = earmark::review::session::Session {
        transcript: Some(demo_dir().join("demo-episode.txt")),
        audio: Some(demo_dir().join("demo-episode.mp3")),
        ..Default::default()
    };
    if let Err(err) = session.write(&session_path) {
        panic!("{err}");
    }
    let window = Window::open(vec![session_path]);
    assert!(window.row_visible("Welcome to the Earmark demo"));
    let open = window.harness.state().open_files();
    let named = |p: Option<std::path::PathBuf>| p.and_then(|p| p.canonicalize().ok());
    assert_eq!(
        named(open.audio),
        named(Some(demo_dir().join("demo-episode.mp3")))
    );
    assert!(window.harness.state().errors().is_empty());
}

#[test]
fn a_session_from_a_newer_earmark_is_reported_not_opened() {
    let dir = temp_dir();
    let session_path = dir.path().join("episode.earmark");
    if let Err(err) = std::fs::write(&session_path, r#"{"version": 99, "audio": "x.mp3"}"#) {
        panic!("{err}");
    }
    let mut window = demo();
    window
        .harness
        .state_mut()
        .open_paths(vec![session_path], None);
    window.settle();
    let errors = window.harness.state().errors().to_vec();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("newer Earmark") && e.contains("episode.earmark")),
        "{errors:?}"
    );
    assert!(
        window.row_visible("Welcome to the Earmark demo"),
        "the open episode stays"
    );
}

/// Types `text` into the line editor.
fn type_in_editor(window: &mut Window, text: &str) {
    window
        .harness
        .get_by_label_contains("Text of the line at")
        .type_text(text);
    window.settle();
}

#[test]
fn f2_edits_the_line_being_heard_enter_keeps_shift_enter_breaks_escape_cancels() {
    let mut window = editable_demo_playing("Click any line and the player jumps there");
    window.press(Key::Space);
    assert!(!window.playing());

    window.press(Key::F2);
    window.press_with(Modifiers::COMMAND, Key::A);
    type_in_editor(&mut window, "Click a line to hear it.");
    window.press_with(Modifiers::SHIFT, Key::Enter);
    type_in_editor(&mut window, "Really so.");
    window.press(Key::Space);
    assert!(
        !window.playing(),
        "Space belongs to the editor, not to play"
    );
    window.press(Key::Enter);
    assert!(
        window.row_visible("Host, 0:10: Click a line to hear it.\nReally so."),
        "Enter keeps the text, Shift+Enter broke the line"
    );
    assert!(window.harness.state().has_unsaved_changes());

    window.press(Key::F2);
    type_in_editor(&mut window, " and more");
    window.press(Key::Escape);
    assert!(
        window.row_visible("Host, 0:10: Click a line to hear it.\nReally so."),
        "Escape cancels"
    );
    assert!(
        window
            .harness
            .query_by_label_contains("Text of the line at")
            .is_none(),
        "and closes the editor"
    );

    window.press_with(Modifiers::COMMAND, Key::Z);
    assert!(window.row_visible("Host, 0:10: Click any line and the player jumps there"));
    assert!(!window.harness.state().has_unsaved_changes());
}

#[test]
fn while_typing_ctrl_space_plays_and_pauses() {
    let mut window = editable_demo_playing("Thanks for having me");
    window.press(Key::Space);
    window.press(Key::F2);
    assert!(!window.playing());
    window.press_with(Modifiers::COMMAND, Key::Space);
    assert!(window.playing(), "Ctrl+Space plays from the editor");
    window.press_with(Modifiers::COMMAND, Key::Space);
    assert!(!window.playing());
    assert!(
        window
            .harness
            .query_by_label_contains("Text of the line at")
            .is_some(),
        "the editor stays open"
    );
}

/// Asks the window to close, as its × does.
fn request_close(window: &mut Window) {
    window
        .harness
        .input_mut()
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    window.settle();
}

#[test]
fn closing_with_unsaved_changes_asks_save_dont_save_or_cancel() {
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let transcript = files[1].clone();
    let before = std::fs::read_to_string(&transcript).unwrap_or_default();
    let journals = dir.path().join("data/journal");
    let mut window = Window::open_in(files, dir);

    request_close(&mut window);
    assert!(
        window
            .harness
            .query_by_label_contains("before closing")
            .is_none(),
        "nothing unsaved: it just closes"
    );

    rename_host_to_ada(&mut window);
    request_close(&mut window);
    assert!(
        window
            .harness
            .query_by_label("Save the changes to demo-episode.txt before closing?")
            .is_some()
    );
    window.click("Cancel");
    assert!(
        window.harness.state().has_unsaved_changes(),
        "Cancel keeps the window and the changes"
    );

    request_close(&mut window);
    window.press(Key::Enter);
    let saved = std::fs::read_to_string(&transcript).unwrap_or_default();
    assert_eq!(saved, before.replace("Host:", "Ada:"), "Enter saves");
    assert!(!window.harness.state().has_unsaved_changes());

    window.press_with(Modifiers::COMMAND, Key::Z);
    request_close(&mut window);
    assert!(earmark::review::journal::pending(&journals, &transcript).is_some());
    window.click("Don't save");
    assert!(
        earmark::review::journal::pending(&journals, &transcript).is_none(),
        "Don't save throws the unsaved changes away"
    );
    assert_eq!(
        std::fs::read_to_string(&transcript).unwrap_or_default(),
        saved,
        "and writes nothing"
    );
}

#[test]
fn keys_set_the_speaker_the_times_and_join_insert_and_delete_lines() {
    let mut window = editable_demo_playing("Thanks for having me");
    window.play_for(300);
    window.press(Key::Space);
    let playhead_ms = window.clock_ms();
    let lines = |window: &Window| {
        window
            .harness
            .state()
            .transcript()
            .map_or(0, |t| t.segments.len())
    };
    let line = |window: &Window, i: usize| {
        window.harness.state().transcript().expect("open").segments[i].clone()
    };
    assert_eq!(lines(&window), 6);
    let start_ms = line(&window, 1).start_ms;
    assert!(start_ms < playhead_ms && playhead_ms < line(&window, 1).end_ms);

    window.press(Key::Num1);
    assert!(
        window.row_visible("Host, 0:04: Thanks for having me"),
        "1: the first speaker"
    );
    window.press(Key::Num2);
    assert!(window.row_visible("Guest, 0:04: Thanks for having me"));

    window.press_with(Modifiers::COMMAND, Key::CloseBracket);
    assert_eq!(
        line(&window, 1).end_ms,
        playhead_ms,
        "Ctrl+]: ends at the playhead"
    );
    window.press_with(Modifiers::COMMAND, Key::OpenBracket);
    assert_eq!(
        line(&window, 1).start_ms,
        playhead_ms,
        "Ctrl+[: starts there"
    );
    window.press_with(Modifiers::COMMAND, Key::Z);
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(line(&window, 1).start_ms, start_ms);

    window.press_with(Modifiers::COMMAND, Key::J);
    assert_eq!(lines(&window), 5, "Ctrl+J joins the line with the next");
    assert!(
        line(&window, 1).text.starts_with("Thanks for having me.")
            && line(&window, 1).text.ends_with("highlighted as it plays.")
    );
    window.press_with(Modifiers::COMMAND, Key::I);
    assert_eq!(lines(&window), 6, "Ctrl+I inserts a line at the playhead");
    assert_eq!(line(&window, 2).start_ms, playhead_ms);
    assert_eq!(line(&window, 2).text, "");
    window.press_with(Modifiers::COMMAND, Key::Delete);
    assert_eq!(
        lines(&window),
        5,
        "Ctrl+Delete removes the line being heard"
    );
}

#[test]
fn a_line_whose_times_are_wrong_is_flagged_with_the_reason() {
    let mut window = editable_demo_playing("Thanks for having me");
    // Play on into the next line, then make the line before end there: it
    // now overlaps the line after it.
    window.play_for(7000);
    window.press(Key::Space);
    assert!(window.clock_ms() > 10_100, "in the next line");
    window
        .harness
        .get_by_label_contains("Thanks for having me")
        .focus();
    window.settle();
    window.press_with(Modifiers::COMMAND, Key::CloseBracket);
    assert!(
        window.row_visible("Guest, 0:04 (times: overlaps the next line): Thanks"),
        "the flag says why"
    );
}

#[test]
fn alt_keys_nudge_the_lines_start_and_end_by_10_and_100_ms() {
    let mut window = editable_demo_playing("Thanks for having me");
    // Well inside the line, so it stays the one being heard as it moves.
    window.play_for(1500);
    window.press(Key::Space);
    let times = |window: &Window| {
        let line = &window.harness.state().transcript().expect("open").segments[1];
        (line.start_ms, line.end_ms)
    };
    let (start_ms, end_ms) = times(&window);
    window.press_with(Modifiers::ALT, Key::OpenBracket);
    assert_eq!(times(&window), (start_ms - 10, end_ms));
    window.press_with(Modifiers::ALT | Modifiers::COMMAND, Key::CloseBracket);
    assert_eq!(times(&window), (start_ms + 90, end_ms));
    window.press_with(Modifiers::ALT, Key::Quote);
    assert_eq!(times(&window), (start_ms + 90, end_ms + 10));
    window.press_with(Modifiers::ALT | Modifiers::COMMAND, Key::Semicolon);
    assert_eq!(times(&window), (start_ms + 90, end_ms - 90));
    for _ in 0..4 {
        window.press_with(Modifiers::COMMAND, Key::Z);
    }
    assert_eq!(times(&window), (start_ms, end_ms), "each nudge is one step");
}

/// Loses and regains the window's focus (the user went to another program
/// and came back).
fn refocus(window: &mut Window) {
    window.harness.input_mut().focused = false;
    window.harness.step();
    window.harness.input_mut().focused = true;
    window.settle();
}

#[test]
fn a_save_that_fails_says_where_keeps_the_changes_and_offers_save_as() {
    let dir = temp_dir();
    let folder = dir.path().join("episode");
    std::fs::create_dir(&folder).expect("mkdir");
    let files = demo_copy(&folder);
    let transcript = files[1].clone();
    let before = std::fs::read(&transcript).expect("readable");
    let mut window = Window::open_in(files, dir);
    rename_host_to_ada(&mut window);

    // A read-only folder; where permissions do not bind (root), a folder
    // that is gone fails the same way.
    let writable = std::fs::metadata(&folder).expect("exists").permissions();
    let mut read_only = writable.clone();
    read_only.set_readonly(true);
    std::fs::set_permissions(&folder, read_only).expect("chmod");
    let binds = std::fs::write(folder.join("probe"), b"x").is_err();
    if !binds {
        std::fs::set_permissions(&folder, writable.clone()).expect("chmod");
        std::fs::remove_dir_all(&folder).expect("the folder goes");
    }
    window.press_with(Modifiers::COMMAND, Key::S);
    assert!(
        window
            .harness
            .query_by_label("The transcript was not saved")
            .is_some()
    );
    assert!(
        window
            .harness
            .query_by_label_contains("demo-episode.txt")
            .is_some(),
        "the message names the file"
    );
    assert!(window.harness.state().has_unsaved_changes(), "nothing lost");
    window.click("Close");
    if binds {
        assert_eq!(std::fs::read(&transcript).expect("readable"), before);
        let left: Vec<_> = std::fs::read_dir(&folder)
            .expect("listable")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 2, "no partial file: {left:?}");
        std::fs::set_permissions(&folder, writable).expect("chmod");
    }
    // Save As elsewhere is the way out; it becomes the document's file.
    let elsewhere = temp_dir();
    let srt = elsewhere.path().join("rescued.srt");
    window.harness.state_mut().save_to(&srt);
    window.settle();
    assert!(!window.harness.state().has_unsaved_changes());
    let written = earmark::transcript::read_file(&srt, None).expect("reads back");
    assert_eq!(written.format, earmark::transcript::Format::Srt);
    assert_eq!(written.speakers, ["Ada", "Guest"]);
    assert_eq!(
        window.harness.state().open_files().transcript.as_deref(),
        Some(srt.as_path())
    );
}

#[test]
fn another_programs_change_asks_reload_or_keep_mine() {
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let transcript = files[1].clone();
    let mut window = Window::open_in(files, dir);
    rename_host_to_ada(&mut window);
    let original = std::fs::read_to_string(&transcript).expect("readable");
    let theirs = original.replace("Welcome to the Earmark demo", "Welcome, say they");
    std::fs::write(&transcript, &theirs).expect("another program writes");

    refocus(&mut window);
    assert!(
        window
            .harness
            .query_by_label("Changed by another program")
            .is_some()
    );
    window.click("Reload");
    assert!(window.row_visible("Host, 0:00: Welcome, say they"));
    assert!(!window.harness.state().has_unsaved_changes());
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert!(
        window.row_visible("Ada, 0:00: Welcome to the Earmark demo"),
        "undo brings mine back"
    );

    let theirs_again = theirs.replace("Welcome, say they", "Welcome, again");
    std::fs::write(&transcript, &theirs_again).expect("another program writes");
    refocus(&mut window);
    window.press(Key::Enter);
    assert!(
        window.row_visible("Ada, 0:00: Welcome to the Earmark demo"),
        "with changes, Enter keeps mine"
    );
    assert_eq!(
        std::fs::read_to_string(&transcript).expect("readable"),
        theirs_again
    );
    window.press_with(Modifiers::COMMAND, Key::S);
    let saved = std::fs::read_to_string(&transcript).expect("readable");
    assert_eq!(
        saved,
        original.replace("Host:", "Ada:"),
        "mine, saved over theirs"
    );
}

#[test]
fn opening_another_episode_with_unsaved_changes_asks_first() {
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let transcript = files[1].clone();
    let before = std::fs::read(&transcript).expect("readable");
    let other_dir = temp_dir();
    let other = demo_copy(other_dir.path());
    let mut window = Window::open_in(files, dir);
    rename_host_to_ada(&mut window);

    window.harness.state_mut().open_paths(other.clone(), None);
    window.wait_until_open();
    assert!(
        window
            .harness
            .query_by_label("Save the changes to demo-episode.txt before opening another episode?")
            .is_some()
    );
    window.click("Cancel");
    assert_eq!(
        window.harness.state().open_files().transcript.as_deref(),
        Some(transcript.as_path()),
        "Cancel stays"
    );
    assert!(window.harness.state().has_unsaved_changes());

    window.harness.state_mut().open_paths(other.clone(), None);
    window.wait_until_open();
    // The other episode loads its audio and waveform meanwhile: step, not settle.
    window.harness.get_by_label("Don't save").click();
    window.wait_until_open();
    assert_eq!(
        window.harness.state().open_files().transcript.as_deref(),
        Some(other[1].as_path())
    );
    assert_eq!(std::fs::read(&transcript).expect("readable"), before);
    assert_eq!(window.harness.state().speaker_names(), ["Host", "Guest"]);
}

/// Files another `earmark` hands over (`src/instance.rs`) take the path a
/// dropped file takes: relative paths are the sender's, a lone file brings
/// its partner, and unsaved changes are asked about first.
#[cfg(unix)]
#[test]
fn files_handed_over_by_another_earmark_open_as_dropped_ones_do() {
    use earmark::instance::{Handoff, Rendezvous, Request, hand_over_or_listen};
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let other_dir = temp_dir();
    let other = demo_copy(other_dir.path());
    let mut window = Window::open_in(files, dir);
    let meeting = temp_dir();
    let at = Rendezvous::new(meeting.path().to_owned(), String::new());
    let listener = match hand_over_or_listen(&at, &Request::new(&[], None, meeting.path())) {
        Ok(Handoff::Listening(listener)) => listener,
        Ok(Handoff::Delivered) => panic!("delivered to a window no test opened"),
        Err(err) => panic!("cannot listen: {err}"),
    };
    let incoming = earmark::ui::handoff::Incoming::serve_with(listener, || {})
        .unwrap_or_else(|err| panic!("cannot serve: {err}"));
    window.harness.state_mut().listen(incoming);
    rename_host_to_ada(&mut window);

    // `earmark demo-episode.mp3`, typed in the other episode's folder.
    let request = Request::new(&[PathBuf::from("demo-episode.mp3")], None, other_dir.path());
    assert!(matches!(
        hand_over_or_listen(&at, &request),
        Ok(Handoff::Delivered)
    ));
    window.wait_until_open();
    assert!(
        window
            .harness
            .query_by_label("Save the changes to demo-episode.txt before opening another episode?")
            .is_some()
    );
    window.harness.get_by_label("Don't save").click();
    window.wait_until_open();
    let open = window.harness.state().open_files();
    assert_eq!(open.audio.as_deref(), Some(other[0].as_path()));
    assert_eq!(open.transcript.as_deref(), Some(other[1].as_path()));

    // `earmark --start 0:12` with no file: the open episode goes there.
    let request = Request::new(&[], Some(12_000), other_dir.path());
    assert!(matches!(
        hand_over_or_listen(&at, &request),
        Ok(Handoff::Delivered)
    ));
    window.settle();
    assert_eq!(window.clock_ms(), 12_000);
    assert_eq!(window.harness.state().open_files(), open);
}

#[test]
fn revert_goes_back_to_the_saved_file_and_undo_undoes_it() {
    let mut window = editable_demo_playing("Thanks for having me");
    rename_host_to_ada(&mut window);
    window.click("File");
    window.click("Revert to saved");
    assert_eq!(window.harness.state().speaker_names(), ["Host", "Guest"]);
    assert!(!window.harness.state().has_unsaved_changes());
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(window.harness.state().speaker_names(), ["Ada", "Guest"]);
    assert!(window.harness.state().has_unsaved_changes());
}

/// The speakers' names on each line, in order.
fn speakers_by_line(window: &Window) -> Vec<String> {
    let transcript = window.harness.state().transcript().expect("open");
    transcript
        .segments
        .iter()
        .map(|s| transcript.speaker_name(s.speaker).to_owned())
        .collect()
}

#[test]
fn a_lines_context_menu_picks_its_speaker_or_a_new_one() {
    let mut window = editable_demo_playing("Thanks for having me");
    window.press(Key::Space);
    let before = speakers_by_line(&window);
    assert_eq!(before[1], "Guest");
    window
        .harness
        .get_by_label_contains("Guest, 0:04: Thanks for having me")
        .click_secondary();
    window.settle();
    window.click("Host   (1)");
    assert!(window.row_visible("Host, 0:04: Thanks for having me"));
    assert_eq!(
        speakers_by_line(&window)[2..],
        before[2..],
        "only that line changes"
    );

    window
        .harness
        .get_by_label_contains("Host, 0:04: Thanks for having me")
        .click_secondary();
    window.settle();
    window.harness.get_by_label("New:").focus();
    window.settle();
    window.harness.get_by_label("New:").type_text("Producer");
    window.settle();
    window.click("Set");
    assert!(window.row_visible("Producer, 0:04: Thanks for having me"));
    assert_eq!(
        window.harness.state().speaker_names(),
        ["Host", "Guest", "Producer"]
    );
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(window.harness.state().speaker_names(), ["Host", "Guest"]);
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(speakers_by_line(&window), before);
}

#[test]
fn ctrl_enter_in_the_editor_splits_the_line_at_the_cursor() {
    let mut window = editable_demo_playing("Thanks for having me");
    window.press(Key::Space);
    let count = |window: &Window| {
        window
            .harness
            .state()
            .transcript()
            .map_or(0, |t| t.segments.len())
    };
    assert_eq!(count(&window), 6);
    let original = window.harness.state().transcript().expect("open").segments[1]
        .text
        .clone();
    window.press(Key::F2);
    window.press_with(Modifiers::COMMAND, Key::A);
    type_in_editor(&mut window, "First part. Second part.");
    for _ in 0.."Second part.".len() {
        window.press(Key::ArrowLeft);
    }
    window.press_with(Modifiers::COMMAND, Key::Enter);
    assert_eq!(count(&window), 7);
    let line = |window: &Window, i: usize| {
        window.harness.state().transcript().expect("open").segments[i].clone()
    };
    assert_eq!(line(&window, 1).text, "First part.");
    assert_eq!(line(&window, 2).text, "Second part.");
    assert_eq!(line(&window, 1).end_ms, line(&window, 2).start_ms);
    assert!(
        window
            .harness
            .query_by_label_contains("Text of the line at")
            .is_none()
    );
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(count(&window), 6, "the split is its own step");
    assert_eq!(line(&window, 1).text, "First part. Second part.");
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(line(&window, 1).text, original);
}

#[test]
fn find_and_replace_one_or_all_matches_as_one_undoable_step() {
    let mut window = editable_demo_playing("Thanks for having me");
    window.press(Key::Space);
    let texts = |window: &Window| -> Vec<String> {
        let transcript = window.harness.state().transcript().expect("open");
        transcript.segments.iter().map(|s| s.text.clone()).collect()
    };
    let before = texts(&window);
    let count_the = |texts: &[String]| {
        texts
            .iter()
            .map(|t| t.to_lowercase().matches("the").count())
            .sum::<usize>()
    };
    assert!(count_the(&before) >= 3, "{before:?}");
    window.press_with(Modifiers::COMMAND, Key::H);
    window.harness.get_by_label("Search:").type_text("the");
    window.settle();
    window.harness.get_by_label("Replace with:").focus();
    window.settle();
    window.harness.get_by_label("Replace with:").type_text("a");
    window.settle();
    for node in window.harness.query_all_by(|_| true) {
        if let Some(label) = node.accesskit_node().label() {
            eprintln!("NODE {:?} {label}", node.accesskit_node().role());
        }
    }
    window.click("Replace");
    let one = texts(&window);
    let changed: Vec<usize> = (0..one.len()).filter(|&i| one[i] != before[i]).collect();
    assert_eq!(changed.len(), 1, "Replace: the current match only");
    assert_eq!(count_the(&one), count_the(&before) - 1);

    window.click("Replace all");
    let all = texts(&window);
    assert_eq!(count_the(&all), 0, "{all:?}");
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(texts(&window), one, "Replace all is one step");
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(texts(&window), before);
}

#[test]
fn fix_timing_shifts_every_time_or_re_times_from_two_points_heard() {
    let mut window = editable_demo_playing("Thanks for having me");
    window.play_for(400);
    window.press(Key::Space);
    let starts = |window: &Window| -> Vec<u64> {
        let transcript = window.harness.state().transcript().expect("open");
        transcript.segments.iter().map(|s| s.start_ms).collect()
    };
    let before = starts(&window);
    window.click("Edit");
    window.click("Fix timing…");
    window.harness.get_by_label("By").focus();
    window.settle();
    window.press_with(Modifiers::COMMAND, Key::A);
    window.harness.get_by_label("By").type_text("1.5");
    window.press(Key::Enter);
    window.click("Shift");
    let shifted: Vec<u64> = before.iter().map(|ms| ms + 1500).collect();
    assert_eq!(starts(&window), shifted);
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(starts(&window), before);

    // Line 2 is heard 400 ms after its start; line 5 (clicked, played
    // 600 ms) 600 ms after its.
    let first_heard_ms = window.clock_ms();
    let heard_now = |window: &mut Window, index: usize| {
        let buttons = window
            .harness
            .get_all_by_label("Heard now")
            .collect::<Vec<_>>();
        buttons[index].click();
        window.settle();
    };
    heard_now(&mut window, 0);
    window.harness.get_by_label_contains("0:22:").click();
    window.settle();
    window.play_for(600);
    window.press(Key::Space);
    let second_heard_ms = window.clock_ms();
    heard_now(&mut window, 1);
    window.click("Re-time");
    let after = starts(&window);
    assert_eq!(after[1], first_heard_ms);
    assert_eq!(after[4], second_heard_ms);
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(starts(&window), before);
}

#[test]
fn with_the_setting_typing_pauses_and_a_second_without_a_key_plays_on() {
    let mut window = editable_demo_with(earmark::ui::settings::Settings {
        pause_while_typing: true,
        ..Default::default()
    });
    window
        .harness
        .get_by_label_contains("Thanks for having me")
        .click();
    window.settle();
    assert!(window.playing());
    window.press(Key::F2);
    assert!(window.playing(), "opening the editor does not pause");
    type_in_editor(&mut window, " Typed");
    assert!(!window.playing(), "a key pauses");
    std::thread::sleep(Duration::from_millis(1200));
    window.settle();
    assert!(window.playing(), "a second without a key plays on");
    window.press_with(Modifiers::COMMAND, Key::Space);
    type_in_editor(&mut window, " more");
    std::thread::sleep(Duration::from_millis(1200));
    window.settle();
    assert!(
        !window.playing(),
        "paused by the user (Ctrl+Space), typing does not start it"
    );
}

/// Presses the mouse at `from`, moves it to `to` over a few frames and
/// lets go there, as a hand drags.
fn drag(window: &mut Window, from: egui::Pos2, to: egui::Pos2) {
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    };
    window.harness.event(egui::Event::PointerMoved(from));
    window.harness.step();
    window.harness.event(button(from, true));
    window.harness.step();
    for step in 1..=4 {
        let at = from + (to - from) * (step as f32 / 4.0);
        window.harness.event(egui::Event::PointerMoved(at));
        window.harness.step();
    }
    window.harness.event(button(to, false));
    window.settle();
}

#[test]
fn dragging_a_lines_edge_on_the_zoomed_waveform_moves_it() {
    use earmark::ui::waveform_view::{time_from_x, x_from_time, zoom_view};
    let mut window = editable_demo_playing("Thanks for having me");
    window.press(Key::Space);
    let playhead_ms = window.clock_ms();
    let duration_ms = window
        .harness
        .state()
        .player()
        .duration_ms()
        .expect("audio");
    let window_ms = (window.harness.state().settings().zoom_window_secs * 1000.0) as u64;
    let view = zoom_view(playhead_ms, window_ms, duration_ms);
    let rect = window.harness.get_by_label("Zoomed waveform").rect();
    let line =
        |window: &Window| window.harness.state().transcript().expect("open").segments[2].clone();
    let before = line(&window);
    let from_x = x_from_time(before.start_ms, view.clone(), rect.x_range());
    let to_x = from_x - 40.0;
    drag(
        &mut window,
        egui::pos2(from_x + 2.0, rect.center().y),
        egui::pos2(to_x + 2.0, rect.center().y),
    );
    let expected_ms = time_from_x(to_x + 2.0, view, rect.x_range());
    let after = line(&window);
    assert_eq!(after.start_ms, expected_ms, "the start of line 3 moved");
    assert_eq!(after.end_ms, before.end_ms);
    assert_eq!(
        window.clock_ms(),
        playhead_ms,
        "grabbing an edge does not seek"
    );
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(line(&window), before);
}

#[test]
fn a_key_right_after_enter_in_the_editor_is_a_shortcut_again() {
    let mut window = editable_demo_playing("Thanks for having me");
    window.press(Key::Space);
    window.press(Key::F2);
    type_in_editor(&mut window, " Typed.");
    // Enter, then at once 1 (the first speaker), in one frame.
    for key in [Key::Enter, Key::Num1] {
        for pressed in [true, false] {
            window.harness.input_mut().events.push(egui::Event::Key {
                key,
                physical_key: None,
                pressed,
                repeat: false,
                modifiers: Modifiers::NONE,
            });
        }
    }
    window.harness.step();
    window.settle();
    let line = window.harness.state().transcript().expect("open").segments[1].clone();
    assert!(line.text.ends_with("Typed."), "{}", line.text);
    assert!(window.row_visible("Host, 0:04: Thanks for having me"));
}

#[test]
fn changes_that_no_longer_fit_the_file_are_set_aside_and_new_ones_are_journaled() {
    let episode = temp_dir();
    let files = demo_copy(episode.path());
    let transcript = files[1].clone();
    let data_dir = episode.path().join("data");
    let journals = data_dir.join("journal");
    let mut window = Window::open_with_data(files.clone(), temp_dir(), data_dir.clone());
    rename_host_to_ada(&mut window);
    drop(window);
    let theirs = std::fs::read_to_string(&transcript)
        .expect("readable")
        .replace("Welcome", "Hello");
    std::fs::write(&transcript, theirs).expect("another program writes");

    let mut window = Window::open_with_data(files, temp_dir(), data_dir);
    window.press(Key::Enter);
    let errors = window.harness.state().errors().join("\n");
    assert!(
        errors.contains("could not be recovered") && errors.contains("unrecovered"),
        "{errors}"
    );
    let aside = std::fs::read_dir(&journals)
        .expect("the journal folder")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".unrecovered"))
        .count();
    assert_eq!(aside, 1, "the old changes are kept aside");
    rename_host_to_ada(&mut window);
    // The journal's thread writes within a second.
    let deadline = Instant::now() + Duration::from_secs(5);
    let changes = loop {
        let pending = earmark::review::journal::pending(&journals, &transcript);
        if pending.is_some() || Instant::now() > deadline {
            break pending.map(|p| p.changes);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(changes, Some(1), "a new change is journaled");
}

#[test]
fn undo_and_redo_show_the_changed_line_and_give_it_the_keyboard() {
    let mut window = editable_demo_playing("Offline, fast");
    window.press(Key::Space);
    window.press(Key::Num2);
    assert!(window.row_visible("Guest, 0:22: Offline, fast"));
    // Elsewhere: the first line is played, and the list follows it.
    window
        .harness
        .get_by_label_contains("Welcome to the Earmark")
        .click();
    window.settle();
    window.press(Key::Space);
    window.press_with(Modifiers::COMMAND, Key::Z);
    let focused: Vec<String> = window
        .harness
        .query_all_by(|node| node.is_focused())
        .filter_map(|node| node.accesskit_node().label())
        .collect();
    assert_eq!(focused.len(), 1, "{focused:?}");
    assert!(
        focused[0].starts_with("Host, 0:22: Offline, fast"),
        "{focused:?}"
    );
    // The keys now act on that line: 2 gives it the second speaker again.
    window.press(Key::Num2);
    assert!(window.row_visible("Guest, 0:22: Offline, fast"));
}

#[test]
fn saving_writes_the_session_file_only_when_it_has_something_to_hold() {
    // Partners by name: the files say it all, no session file.
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let session = dir.path().join("demo-episode.earmark");
    let mut window = Window::open_in(files, dir);
    rename_host_to_ada(&mut window);
    window.press_with(Modifiers::COMMAND, Key::S);
    assert!(!window.harness.state().has_unsaved_changes());
    assert!(!session.exists(), "nothing to hold");
    drop(window);

    // Another take of the audio: the session file says which goes with it.
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let take = dir.path().join("take-2.mp3");
    std::fs::rename(&files[0], &take).expect("rename the audio");
    let session = dir.path().join("demo-episode.earmark");
    let transcript = files[1].clone();
    let mut window = Window::open_in(vec![take.clone(), transcript.clone()], dir);
    rename_host_to_ada(&mut window);
    window.press_with(Modifiers::COMMAND, Key::S);
    let read = earmark::review::session::Session::read(&session).expect("written and readable");
    assert_eq!(read.audio.as_deref(), Some(take.as_path()));
    assert_eq!(read.transcript.as_deref(), Some(transcript.as_path()));
    let text = std::fs::read_to_string(&session).expect("readable");
    assert!(
        text.contains("\"audio\": \"take-2.mp3\""),
        "relative: {text}"
    );
}

#[test]
fn an_own_key_added_in_the_settings_plays_and_pauses_even_while_a_line_is_edited() {
    use earmark::ui::own_keys::OwnKey;
    use earmark::ui::shortcuts::Action;
    let mut window = editable_demo_playing("Thanks for having me");
    window.press(Key::Space);
    assert!(!window.playing());
    window.click("View");
    window.click("Settings…");
    // Play / pause is the action offered first; the next key press is taken.
    window.click("Add a key…");
    window.press(Key::F9);
    assert_eq!(
        window.harness.state().settings().own_keys,
        vec![OwnKey {
            keys: egui::KeyboardShortcut::new(Modifiers::NONE, Key::F9),
            action: Action::PlayPause,
        }]
    );
    assert!(
        !window.playing(),
        "the press was taken for the setting, not acted on"
    );
    window.press(Key::F9);
    assert!(window.playing(), "F9 plays");
    window.press(Key::F9);
    assert!(!window.playing(), "and pauses");

    // A built-in key is refused, saying what it does.
    window.click("Add a key…");
    window.press(Key::M);
    assert!(
        window
            .harness
            .query_by_label_contains("M already does: Add a marker")
            .is_some()
    );
    assert_eq!(window.harness.state().settings().own_keys.len(), 1);
    assert!(
        window.harness.state().marker_draft().is_none(),
        "the refused M added no marker"
    );

    // F9 types nothing, so it works in the line editor too.
    window.press(Key::F9);
    assert!(window.playing());
    window.press(Key::F2);
    assert!(
        window
            .harness
            .query_by_label_contains("Text of the line at")
            .is_some(),
        "the line editor is open"
    );
    window.press(Key::F9);
    assert!(!window.playing(), "F9 paused while a line was edited");

    // The F1 overlay lists it, beside the Settings window's list.
    window.press(Key::Escape);
    let f9_rows = |window: &Window| window.harness.query_all_by_label("F9").count();
    assert_eq!(f9_rows(&window), 1, "the Settings window lists F9");
    window.press(Key::F1);
    assert_eq!(f9_rows(&window), 2, "and so does the overlay");

    // Removed, F9 does nothing again.
    window.press(Key::Escape);
    window.click("Remove");
    assert!(window.harness.state().settings().own_keys.is_empty());
    let playing = window.playing();
    window.press(Key::F9);
    assert_eq!(window.playing(), playing, "F9 no longer plays or pauses");
}
