//! End to end through the real binary: `earmark AUDIO TRANSCRIPT` opens its
//! window on a virtual X display (Xvfb) and plays into a PulseAudio null sink
//! that this test starts; `parec` records the sink. The test clicks a line of
//! the transcript with `xdotool` and checks, by cross-correlating the
//! recording with the decoded episode, that what came out is that line's
//! audio from its start, and, from the window's trace log, that the highlight
//! moved on to the next line within ±50 ms of when that line's first sound
//! reached the sound server: at 1×, and at 0.5× and 2× set with `[` and `]`
//! before the click. The next line's first sound is found in the recording
//! as the end of the pause between the lines (the first stretch below
//! −40 dBFS as long as the episode's gap at that speed): the time
//! stretcher smears a faint pre-echo (−60 dB) half a window ahead of an
//! onset, which a lower threshold would mistake for the speech.
//!
//! The window writes its trace (`EARMARK_TRACE`): when the audio has loaded
//! (and on which device), where the visible lines are on screen, which line
//! was clicked, and when the highlight changed, each stamped with the wall
//! clock. `parec`'s chunks are stamped with the same clock as they arrive, so
//! a recorded frame and a trace event can be compared in time.
//!
//! Screenshots of each step go to `$CARGO_TARGET_TMPDIR/e2e-screenshots/`
//! (the path is printed). The test owns everything it starts (X server,
//! sound server, recorder, window), all killed when it ends, even on failure,
//! and it reads no settings or cache of the user's. It needs Xvfb, xdotool,
//! ImageMagick's `import`, pulseaudio, pulseaudio-utils and the ALSA pulse
//! plugin (`bash packaging/setup.sh`); without them it fails, saying which.
#![cfg(all(feature = "app", target_os = "linux"))]

#[path = "support/desktop.rs"]
mod desktop;
#[path = "support/pulse.rs"]
mod pulse;
#[path = "support/signals.rs"]
mod signals;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use desktop::{
    Display, Guarded, START_TIMEOUT, STEP_TIMEOUT, Tool, TraceLog, X_TOOLS, is, repo_file,
    require_tools, start_app, wall_ns,
};
use pulse::PulseServer;
use serde_json::Value;
use signals::{ONSET_LEVEL, SEARCH_MS, decode_all, first_channel, locate, locate_recording};

/// The episode: synthetic speech placed so that each line's speech starts
/// exactly at its start time (see tests/fixtures/README.md).
const AUDIO: &str = "tests/fixtures/e2e/delphi-first2min.mp3";
const TRANSCRIPT: &str = "tests/fixtures/e2e/delphi-first2min.txt";
/// The line clicked: on screen at start, not the first, and 8.7 s of speech
/// (1:08.577, "Yeah, so I was actually interested…"); the next line
/// ("Classic.") starts 9.7 s later.
const CLICKED: usize = 3;
/// How far right of a row's left edge the click lands: inside the text
/// column, past the speaker and time column.
const CLICK_X_OFFSET: f64 = 300.0;

/// Length of the piece at the next line's start that checks the recording is
/// still the episode shifted by the same amount, and places that start
/// exactly (a dropout under heavy load can move it by a few ms).
const CHECK_MS: u64 = 500;
/// How far the check searches either side of where the shift puts it.
const CHECK_SEARCH_MS: u64 = 20;
/// Kept recording after the highlight moved, so the next line's start and
/// the piece that checks it are in the recording.
const AFTER_HIGHLIGHT: Duration = Duration::from_millis(1_500);

/// The one timing limit the issue sets: the highlight moves within this of
/// the line's first sound reaching the sound server.
const SYNC_LIMIT_MS: f64 = 50.0;

/// The sound server's programs, needed besides the window's ([`X_TOOLS`]).
const SOUND_TOOLS: &[Tool] = &[
    ("pulseaudio", "--version", "pulseaudio"),
    ("pactl", "--version", "pulseaudio-utils"),
    ("parec", "--version", "pulseaudio-utils"),
];

/// Panics naming every missing tool and its package.
fn require_all_tools() {
    let tools: Vec<Tool> = X_TOOLS.iter().chain(SOUND_TOOLS).copied().collect();
    require_tools(
        &tools,
        "drives the real window on a virtual display through a real sound server",
    );
}

/// Milliseconds from `from_ns` to `to_ns`.
fn ms_between(from_ns: i128, to_ns: i128) -> f64 {
    (to_ns - from_ns) as f64 / 1e6
}

/// What one run of the window recorded: the episode's line times, the
/// decoded episode, the sink's recording and the trace events that matter.
struct Played {
    clicked_start_ms: u64,
    next_start_ms: u64,
    /// The decoded episode, first channel.
    reference: Vec<f32>,
    rate: u32,
    recorded: pulse::Recording,
    /// The recording, first channel.
    recording: Vec<f32>,
    click: Value,
    highlight: Value,
}

impl Played {
    fn frames_from_ms(&self, ms: u64) -> usize {
        (ms * u64::from(self.rate) / 1000) as usize
    }

    fn ms_from_frames(&self, frames: i64) -> f64 {
        frames as f64 * 1000.0 / f64::from(self.rate)
    }

    /// The recording's first sound (past `ONSET_LEVEL`), which must come
    /// after the click.
    fn first_onset(&self) -> usize {
        let onset = self
            .recording
            .iter()
            .position(|s| s.abs() > ONSET_LEVEL)
            .unwrap_or_else(|| {
                panic!(
                    "the recording ({} frames) is silent: nothing reached the sound server",
                    self.recording.len()
                )
            });
        let onset_ns = self.wall_ns_at(onset);
        let click_ns = wall_ns(&self.click);
        assert!(
            onset_ns > click_ns,
            "sound reached the server {:.1} ms before the click: something played unasked",
            ms_between(onset_ns, click_ns)
        );
        eprintln!(
            "click to first sound at the server: {:.1} ms (the issue's target is 100 ms; \
             reported, not asserted)",
            ms_between(click_ns, onset_ns)
        );
        onset
    }

    /// When recording frame `frame` reached the sink.
    fn wall_ns_at(&self, frame: usize) -> i128 {
        self.recorded
            .wall_ns_at(frame as u64)
            .unwrap_or_else(|| panic!("parec handed over no chunk holding frame {frame}"))
    }

    /// Asserts the highlight moved to the next line within the limit of
    /// `sound_frame` (the next line's first sound in the recording)
    /// reaching the sink.
    fn assert_highlight_follows(&self, sound_frame: usize) {
        let highlight_ns = wall_ns(&self.highlight);
        let sync_ms = ms_between(self.wall_ns_at(sound_frame), highlight_ns);
        // The same, taking the arrival of parec's chunk that held the frame:
        // later by up to a chunk plus the reader's delay.
        let by_arrival_ms = self
            .recorded
            .chunk_holding(sound_frame as u64)
            .map_or(f64::NAN, |chunk| ms_between(chunk.wall_ns, highlight_ns));
        eprintln!(
            "the highlight moved to line {} {sync_ms:+.1} ms after that line's first sound \
             reached the sound server (negative: before it; {by_arrival_ms:+.1} ms by the \
             arrival of parec's chunk holding it, chunks of up to {:.1} ms); the window's clock \
             read {} ms ({:.1} ms ahead, for the frame's drawing time) for a line starting at \
             {} ms, at speed {}",
            CLICKED + 1,
            self.recorded.largest_chunk_ms(),
            self.highlight["clock_ms"],
            self.highlight["lead_ms"].as_f64().unwrap_or(f64::NAN),
            self.next_start_ms,
            self.highlight["speed"],
        );
        assert!(
            sync_ms.abs() <= SYNC_LIMIT_MS,
            "the highlight moved to line {} {sync_ms:+.1} ms from when that line's first sound \
             reached the sound server, outside ±{SYNC_LIMIT_MS} ms (speed {})",
            CLICKED + 1,
            self.highlight["speed"],
        );
    }
}

/// Only one window plays at a time: two would share two cores and the
/// timings would measure the load.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Opens the episode in the real window, presses `speed_keys` (each key
/// once, in order: `bracketleft` slows, `bracketright` speeds up), clicks
/// line `CLICKED` and records until the highlight has moved to the next line
/// and a while after. Screenshots are named with `label`.
fn play_clicked_line(label: &str, speed_keys: &[&str], speed: f64) -> Played {
    require_all_tools();

    let transcript_bytes = std::fs::read(repo_file(TRANSCRIPT))
        .unwrap_or_else(|e| panic!("cannot read {TRANSCRIPT}: {e}"));
    let transcript = earmark::transcript::parse_bytes(transcript_bytes, None)
        .unwrap_or_else(|e| panic!("{TRANSCRIPT} does not parse: {e}"));
    let clicked_start_ms = transcript.segments[CLICKED].start_ms;
    let next_start_ms = transcript.segments[CLICKED + 1].start_ms;

    let (decoder, decoded) = decode_all(&repo_file(AUDIO));
    let rate = decoder.info().sample_rate;
    let reference = first_channel(&decoded, decoder.info().channels);

    let dir = tempfile::Builder::new()
        .prefix("earmark-e2e-window-")
        .tempdir()
        .expect("a temporary folder for the window test");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots");
    std::fs::create_dir_all(&shots)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", shots.display()));
    eprintln!("screenshots go to {}", shots.display());

    let mut display = Display::start(dir.path());
    // The sink runs at the episode's rate, so the recording compares with
    // the decoded episode frame for frame.
    let server = PulseServer::start(rate);
    let recorder = server.record(rate);

    let (mut app, pid, mut trace) = start_app(
        &display,
        dir.path(),
        &[repo_file(AUDIO), repo_file(TRANSCRIPT)],
        server.client_env(),
    );

    // Step 1: the episode is open and playing would be heard.
    let opened = trace.wait_for(&mut app, "opened event", START_TIMEOUT, |e| is(e, "opened"));
    assert!(
        opened.get("device").is_some(),
        "the opened event does not say which device plays: {} is older than this test",
        env!("CARGO_BIN_EXE_earmark")
    );
    let device = opened["device"].as_str().unwrap_or_else(|| {
        panic!(
            "the engine opened no output device, so it plays into its null output (the menu \
             bar says \"No audio device\") and nothing can be recorded: {opened}; earmark's \
             output:\n{}\npulseaudio's log:\n{}",
            app.log_text(),
            server.log()
        )
    });
    eprintln!("opened on {device}: {opened}");
    let rows = trace.wait_for(&mut app, "rows event", START_TIMEOUT, |e| is(e, "rows"));
    let window = display.window_of(&mut app, pid);
    display.screenshot(&window, &shots.join(format!("{label}-1-opened.png")));

    // Step 2: the speed keys, as a user presses them.
    if !speed_keys.is_empty() {
        let mut args = vec!["windowfocus", "--sync", &window, "key", "--delay", "50"];
        args.extend_from_slice(speed_keys);
        display.run("xdotool", &args);
    }

    // Step 3: click the line, inside its text.
    let (click_x, click_y, row) = clicked_line_place(&rows);
    display.run(
        "xdotool",
        &[
            "mousemove",
            "--window",
            &window,
            &click_x.to_string(),
            &click_y.to_string(),
            "click",
            "1",
        ],
    );
    let click = trace.wait_for(&mut app, "click event", STEP_TIMEOUT, |e| is(e, "click"));
    assert_eq!(
        click["segment"], CLICKED,
        "the click at ({click_x}, {click_y}) in row {row} landed on another line: {click}"
    );
    let clicked = trace.wait_for(
        &mut app,
        "highlight on the clicked line",
        STEP_TIMEOUT,
        |e| is(e, "highlight") && e["segment"] == CLICKED,
    );
    assert_eq!(
        clicked["speed"].as_f64(),
        Some(speed),
        "the window did not play at {speed}× after the keys {speed_keys:?}: {clicked}"
    );
    display.screenshot(&window, &shots.join(format!("{label}-2-clicked.png")));

    // Step 4: play on until the highlight moves to the next line.
    let heard_ms = (next_start_ms - clicked_start_ms) as f64 / speed;
    let play_timeout = STEP_TIMEOUT + Duration::from_millis(heard_ms as u64);
    let highlight = trace.wait_for(&mut app, "highlight on the next line", play_timeout, |e| {
        is(e, "highlight") && e["segment"] == CLICKED + 1
    });
    display.screenshot(&window, &shots.join(format!("{label}-3-playing.png")));
    let keep_until = Instant::now() + AFTER_HIGHLIGHT;
    while Instant::now() < keep_until {
        app.assert_running();
        std::thread::sleep(Duration::from_millis(50));
    }
    let recorded = recorder.finish();
    trace.poll();
    drop(app);
    drop(server);
    drop(display);
    let recording = first_channel(&recorded.samples, pulse::CHANNELS as u16);
    Played {
        clicked_start_ms,
        next_start_ms,
        reference,
        rate,
        recorded,
        recording,
        click,
        highlight,
    }
}

#[test]
fn clicking_a_line_plays_it_and_the_highlight_follows_the_sound() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let played = play_clicked_line("1x", &[], 1.0);
    let rate = played.rate;

    // (a) The first sound after the click is the clicked line from its start.
    let onset = played.first_onset();
    let found = locate_recording(
        &played.recording,
        onset,
        &played.reference,
        played.clicked_start_ms,
        rate,
    );
    let lag_ms = played.ms_from_frames(found.lag_frames);
    let clicked_start_ms = played.clicked_start_ms;
    eprintln!(
        "(a) the first sound after the click matches the episode {lag_ms:+.2} ms from line \
         {CLICKED}'s start ({clicked_start_ms} ms): correlation {:.4} (coarse {:.4}, next best \
         peak more than 20 ms away {:.4}, searched ±{SEARCH_MS} ms)",
        found.score, found.coarse_score, found.coarse_runner_up
    );
    assert!(
        lag_ms.abs() <= 5.0,
        "the first sound after clicking line {CLICKED} is the episode {lag_ms:+.2} ms away from \
         its start ({clicked_start_ms} ms; correlation {:.3}): the click did not play that line \
         from its start",
        found.score
    );
    assert!(
        found.score > 0.8,
        "the recording matches the episode only weakly (correlation {:.3} at {lag_ms:+.2} ms \
         from line {CLICKED}'s start): the audio is garbled",
        found.score
    );

    // The recording is the episode shifted: episode frame `m` is recording
    // frame `m - shift`.
    let shift = played.frames_from_ms(clicked_start_ms) as i64 + found.lag_frames - onset as i64;
    let recording_frame = |media_ms: u64| played.frames_from_ms(media_ms) as i64 - shift;

    // (b) The highlight moved to the next line when its sound reached the
    // server. Check first that the recording is still the episode shifted by
    // the same amount there (no dropout or drift in between), and take the
    // line's start from where the check found it.
    let next_start_ms = played.next_start_ms;
    let next_frame = recording_frame(next_start_ms);
    let check_frames = played.frames_from_ms(CHECK_MS);
    let recording = &played.recording;
    assert!(
        next_frame >= 0 && recording.len() as i64 >= next_frame + check_frames as i64,
        "the recording ({} frames) ends before line {}'s start plus {CHECK_MS} ms (frame {})",
        recording.len(),
        CLICKED + 1,
        next_frame
    );
    let check_piece = &recording[next_frame as usize..next_frame as usize + check_frames];
    let check = locate(
        &played.reference,
        played.frames_from_ms(next_start_ms),
        check_piece,
        played.frames_from_ms(CHECK_SEARCH_MS),
        1,
        rate,
    );
    let check_ms = played.ms_from_frames(check.lag_frames);
    eprintln!(
        "(b) line {}'s start sits {check_ms:+.2} ms from where the shift found at the click puts \
         it (correlation {:.4})",
        CLICKED + 1,
        check.score
    );
    assert!(
        check.score > 0.8,
        "at line {}'s start the recording no longer matches the episode shifted as at the \
         click (best correlation {:.3}, {check_ms:+.2} ms off): playback dropped out or drifted",
        CLICKED + 1,
        check.score
    );
    played.assert_highlight_follows((next_frame - check.lag_frames).max(0) as usize);
}

/// At other speeds than 1 the next line's first sound is where the
/// recording rises past this (−40 dBFS; the speech peaks near −6 dBFS). The
/// stretcher's window spreads a faint pre-echo ahead of every onset (about
/// −60 dB, up to 130 ms ahead at 0.5×; `tests/convert.rs` measures it) that
/// no one hears as the line beginning; a lower level would find it instead.
const HEARD_LEVEL: f32 = 1e-2;

/// The runs of `samples` at or below `HEARD_LEVEL` from `from_frame` on, as
/// (first frame, length in frames).
fn silences(samples: &[f32], from_frame: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut run_start = None;
    for (at, sample) in samples.iter().enumerate().skip(from_frame) {
        if sample.abs() <= HEARD_LEVEL {
            run_start.get_or_insert(at);
        } else if let Some(start) = run_start.take() {
            runs.push((start, at - start));
        }
    }
    runs
}

/// At another speed the recording is the episode stretched in time, so the
/// next line's first sound is found as the end of the silence before it: the
/// first silence after the clicked line's first sound that lasts most of the
/// episode's silence there at this speed (its length then checks that it is
/// that silence, played at that speed without a dropout).
fn highlight_follows_the_sound_at(label: &str, speed_keys: &[&str], speed: f64) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let played = play_clicked_line(label, speed_keys, speed);
    let onset = played.first_onset();

    // In the episode: the longest silence between the clicked line's start
    // and a little past the next one's.
    let clicked_frame = played.frames_from_ms(played.clicked_start_ms);
    let past_next_frame = played.frames_from_ms(played.next_start_ms + CHECK_MS);
    let episode_gap_frames = silences(&played.reference[..past_next_frame], clicked_frame)
        .into_iter()
        .map(|(_, frames)| frames)
        .max()
        .unwrap_or(0);
    let episode_gap_ms = played.ms_from_frames(episode_gap_frames as i64);
    let expected_ms = episode_gap_ms / speed;

    let (silence_start, silence_frames) = silences(&played.recording, onset)
        .into_iter()
        .find(|&(_, frames)| played.ms_from_frames(frames as i64) >= 0.75 * expected_ms)
        .unwrap_or_else(|| {
            panic!(
                "no silence of about {expected_ms:.1} ms (the episode's {episode_gap_ms:.1} ms                  before line {} at {speed}×) in the recording",
                CLICKED + 1
            )
        });
    let silence_ms = played.ms_from_frames(silence_frames as i64);
    eprintln!(
        "at {speed}×: the silence before line {} lasts {silence_ms:.1} ms in the recording, \
         {episode_gap_ms:.1} ms in the episode ({expected_ms:.1} ms at this speed)",
        CLICKED + 1
    );
    assert!(
        (silence_ms - expected_ms).abs() <= 0.25 * expected_ms,
        "the silence before line {} lasts {silence_ms:.1} ms, not about the {expected_ms:.1} ms \
         the episode's {episode_gap_ms:.1} ms take at {speed}×: playback dropped out, or did \
         not play at that speed",
        CLICKED + 1
    );
    played.assert_highlight_follows(silence_start + silence_frames);
}

#[test]
fn at_half_speed_the_highlight_follows_the_sound() {
    highlight_follows_the_sound_at(
        "0.5x",
        &["bracketleft", "bracketleft", "bracketleft", "bracketleft"],
        0.5,
    );
}

#[test]
fn at_double_speed_the_highlight_follows_the_sound() {
    highlight_follows_the_sound_at("2x", &["bracketright"; 5], 2.0);
}

/// Where to click line `CLICKED` (inside its text, halfway down) in the
/// trace's `rows` event, and its row.
fn clicked_line_place(rows: &Value) -> (f64, f64, Value) {
    let row = rows["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["segment"] == CLICKED))
        .unwrap_or_else(|| panic!("line {CLICKED} is not on screen at start: {rows}"));
    let place = |key: &str| {
        row[key]
            .as_f64()
            .unwrap_or_else(|| panic!("a row without {key}: {row}"))
    };
    let x = (place("x") + CLICK_X_OFFSET).round();
    let y = (place("y") + place("h") / 2.0).round();
    (x, y, row.clone())
}

/// The real binary on a copy of the sample episode in a folder of its
/// own, with the line `CLICKED` clicked (it plays from its start).
struct EditSession {
    transcript: PathBuf,
    app: Guarded,
    #[expect(
        dead_code,
        reason = "read as it grows until the window is up; kept open"
    )]
    trace: TraceLog,
    window: String,
    display: Display,
    /// Last: removed once the app and its display are gone.
    _dir: tempfile::TempDir,
}

impl EditSession {
    fn start(prefix: &str) -> EditSession {
        require_all_tools();
        let dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .expect("a temporary folder for the editing test");
        let audio = dir.path().join("episode.mp3");
        let transcript = dir.path().join("episode.txt");
        for (from, to) in [(AUDIO, &audio), (TRANSCRIPT, &transcript)] {
            std::fs::copy(repo_file(from), to).unwrap_or_else(|e| panic!("copying {from}: {e}"));
        }
        let mut display = Display::start(dir.path());
        let (mut app, pid, mut trace) = start_app(
            &display,
            dir.path(),
            &[audio.clone(), transcript.clone()],
            Vec::new(),
        );
        let rows = trace.wait_for(&mut app, "rows event", START_TIMEOUT, |e| is(e, "rows"));
        let window = display.window_of(&mut app, pid);
        let (x, y, _) = clicked_line_place(&rows);
        let (x, y) = (x.to_string(), y.to_string());
        display.run("xdotool", &["mousemove", "--sync", &x, &y, "click", "1"]);
        trace.wait_for(&mut app, "the click", STEP_TIMEOUT, |e| {
            is(e, "click") && e["segment"] == CLICKED
        });
        EditSession {
            transcript,
            app,
            trace,
            window,
            display,
            _dir: dir,
        }
    }

    /// Presses `keys` in the window, 80 ms apart.
    fn keys(&self, keys: &[&str]) {
        let mut args = vec![
            "windowfocus",
            "--sync",
            &self.window,
            "key",
            "--delay",
            "80",
        ];
        args.extend_from_slice(keys);
        self.display.run("xdotool", &args);
    }

    /// Types `text` in the window.
    fn type_text(&self, text: &str) {
        self.display
            .run("xdotool", &["type", "--delay", "40", text]);
    }

    fn screenshot(&self, name: &str) {
        let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots");
        std::fs::create_dir_all(&shots).expect("a screenshot folder");
        self.display.screenshot(&self.window, &shots.join(name));
    }

    /// Waits until `path` holds something other than `before`.
    fn wait_for_change(&mut self, path: &Path, before: Option<&str>, what: &str) -> String {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let now = std::fs::read_to_string(path).ok();
            if let Some(now) = now.filter(|now| Some(now.as_str()) != before) {
                return now;
            }
            self.app.assert_running();
            assert!(Instant::now() < deadline, "{what} wrote nothing");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The editing keys are a contract: F2 opens the line being heard in the
/// editor, Enter keeps what was typed, Escape throws it away, Ctrl+S writes
/// the file. Driven with xdotool on the real binary (no sound server: the
/// null output plays), checked in the file it writes.
#[test]
fn f2_enter_escape_and_ctrl_s_edit_a_line_and_write_it() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut session = EditSession::start("earmark-e2e-edit-");
    let transcript = session.transcript.clone();
    let before = std::fs::read_to_string(&transcript).expect("the copy reads");
    // Pause, and edit the line clicked.
    session.keys(&["space", "F2", "End"]);
    session.type_text(" (checked)");
    session.keys(&["Return", "F2", "End"]);
    session.type_text(" junk");
    session.screenshot("edit-1-typing.png");
    session.keys(&["Escape", "ctrl+s"]);
    let after = session.wait_for_change(&transcript, Some(&before), "Ctrl+S");
    session.screenshot("edit-2-saved.png");
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(old, new)| old != new)
        .collect();
    assert_eq!(changed.len(), 1, "one line changed: {changed:?}");
    let (old, new) = changed[0];
    assert_eq!(
        new,
        format!("{old} (checked)"),
        "Enter kept the typing, Escape dropped ' junk'"
    );
    assert_eq!(before.lines().count(), after.lines().count());
}

/// The marker key is a contract: M adds a marker at the playhead and its
/// note field takes the keyboard; Enter keeps it with the note typed,
/// Escape keeps it without one; Ctrl+S writes them to the session file
/// beside the transcript and leaves the transcript as it was.
#[test]
fn m_adds_a_marker_with_its_note_and_ctrl_s_saves_it_beside() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut session = EditSession::start("earmark-e2e-marker-");
    let transcript = session.transcript.clone();
    let before = std::fs::read(&transcript).expect("the copy reads");
    session.keys(&["space", "m"]);
    session.type_text("tighten this, \"please\"");
    session.keys(&["Return", "Right", "m"]);
    session.type_text("junk");
    session.screenshot("marker-1-note.png");
    session.keys(&["Escape", "ctrl+s"]);
    let path = earmark::review::session::path_for(&transcript);
    session.wait_for_change(&path, None, "Ctrl+S");
    session.screenshot("marker-2-saved.png");
    let saved = earmark::review::session::Session::read(&path).expect("a session file");
    let notes: Vec<(&str, &str)> = saved
        .markers
        .iter()
        .map(|m| (m.kind.as_str(), m.note.as_str()))
        .collect();
    assert_eq!(notes, [("Note", "tighten this, \"please\""), ("Note", "")]);
    let first = &saved.markers[0];
    assert_eq!(first.end_ms, None);
    let second_ms = saved.markers[1].start_ms;
    assert!(
        second_ms >= first.start_ms + 4_000,
        "→ skipped 5 s before the second: {} then {second_ms}",
        first.start_ms
    );
    assert_eq!(
        std::fs::read(&transcript).expect("reads"),
        before,
        "the transcript is untouched"
    );
}
