//! MPRIS end to end: the real binary's window on a virtual X display
//! (Xvfb), on a private D-Bus session bus, playing into a PulseAudio null
//! sink that this test starts, driven with `playerctl -p earmark` as a
//! media key or the desktop's sound menu would drive it:
//!
//! - `status` and `metadata`: paused on open; the title is the file's name
//!   without its extension (the demo has no title tag), the length is the
//!   audio's, the artist is the speaker of the line being heard;
//! - `position 4.6` while paused moves there, and the artist follows;
//! - `play`: the first sound reaches the sink within [`PLAY_BOUND`] of the
//!   command being sent (and none before);
//! - `position` while playing reads the window's clock (its trace's frames,
//!   stamped with the wall clock) within [`POSITION_LIMIT_MS`];
//! - `pause`: the sound stops within [`PAUSE_BOUND`];
//! - `next` and `previous` move a line; `position 30` seeks there.
//!
//! The test owns everything it starts (bus, X server, sound server,
//! recorder, window), all killed when it ends, even on failure, and reads
//! no settings, cache, bus or display of the user's. It needs Xvfb, xdotool,
//! ImageMagick's `import`, pulseaudio, pulseaudio-utils, the ALSA pulse
//! plugin, dbus-daemon (dbus) and playerctl (`bash packaging/setup.sh`); without
//! them it fails, saying which.
#![cfg(all(feature = "app", target_os = "linux"))]

#[path = "support/desktop.rs"]
mod desktop;
#[path = "support/pulse.rs"]
mod pulse;
#[path = "support/session_bus.rs"]
mod session_bus;
#[path = "support/signals.rs"]
mod signals;

use std::ffi::OsString;
use std::process::{Command as Process, Stdio};
use std::time::Duration;

use desktop::{
    Display, Guarded, START_TIMEOUT, STEP_TIMEOUT, Tool, TraceLog, X_TOOLS, is, repo_file,
    require_tools, start_app, wall_ns,
};
use pulse::{PulseServer, wall_ns_now};
use session_bus::SessionBus;
use signals::{ONSET_LEVEL, first_channel};

const AUDIO: &str = "assets/demo/demo-episode.mp3";
const TRANSCRIPT: &str = "assets/demo/demo-episode.txt";
/// The sink's rate (the server resamples the episode to it).
const SINK_RATE: u32 = 48_000;

/// The limit: `playerctl position` reads the window's clock within this.
const POSITION_LIMIT_MS: f64 = 100.0;
/// The first sound reaches the sink within this of `playerctl play` being
/// sent: playerctl starting and calling, the window waking, the device
/// starting (PulseAudio's buffer). Generous, as the other end-to-end bounds.
const PLAY_BOUND_MS: f64 = 500.0;
/// The sound stops within this of `playerctl pause` being sent.
const PAUSE_BOUND_MS: f64 = 500.0;
/// How long it plays before the pause.
const PLAY_FOR: Duration = Duration::from_millis(2_500);
/// Where the test starts playing: line 2's start, where its speech starts.
const LINE_2_MS: u64 = 4_600;

/// What the test runs besides the window's X tools.
const OTHER_TOOLS: &[Tool] = &[
    ("pulseaudio", "--version", "pulseaudio"),
    ("pactl", "--version", "pulseaudio-utils"),
    ("parec", "--version", "pulseaudio-utils"),
    ("dbus-daemon", "--version", "dbus"),
    ("playerctl", "--version", "playerctl"),
];

/// `playerctl -p earmark ARGS` on `bus`: its output (`Err`: it failed,
/// with what it said), and the wall-clock times (Unix ns) just before it
/// started and just after it ended.
fn try_playerctl(
    bus: &[(&'static str, OsString)],
    args: &[&str],
) -> (Result<String, String>, i128, i128) {
    let before = wall_ns_now();
    let output = Process::new("playerctl")
        .args(["-p", "earmark"])
        .args(args)
        .envs(bus.iter().cloned())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run playerctl ({e}): install playerctl"));
    let after = wall_ns_now();
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let result = if output.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "{} ({}): {text}{}",
            output.status,
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    };
    (result, before, after)
}

/// [`try_playerctl`], panicking if it fails.
fn playerctl(bus: &[(&'static str, OsString)], args: &[&str]) -> (String, i128, i128) {
    let (result, before, after) = try_playerctl(bus, args);
    let text = result.unwrap_or_else(|err| panic!("playerctl failed: {err}"));
    (text, before, after)
}

/// `playerctl ARGS`' output.
fn ask(bus: &[(&'static str, OsString)], args: &[&str]) -> String {
    playerctl(bus, args).0
}

/// `playerctl position` in milliseconds.
fn position_ms(bus: &[(&'static str, OsString)]) -> f64 {
    let text = ask(bus, &["position"]);
    let secs: f64 = text
        .parse()
        .unwrap_or_else(|e| panic!("playerctl position printed {text:?} ({e})"));
    secs * 1000.0
}

/// Asks `args` until it prints `wanted` (the window reacts on its own
/// thread's time); panics with the last answer after [`STEP_TIMEOUT`].
fn wait_for_answer(
    app: &mut Guarded,
    bus: &[(&'static str, OsString)],
    args: &[&str],
    wanted: &str,
) {
    let started = std::time::Instant::now();
    loop {
        // Until the window has drawn, a key may be missing (playerctl fails).
        let answer = try_playerctl(bus, args).0;
        if answer.as_deref() == Ok(wanted) {
            return;
        }
        app.assert_running();
        assert!(
            started.elapsed() < STEP_TIMEOUT,
            "playerctl {args:?} still answers {answer:?}, not {wanted:?}, after {STEP_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until `playerctl position` reads `wanted_ms` (±1 ms: microseconds
/// from a frame count) while paused.
fn wait_for_position(app: &mut Guarded, bus: &[(&'static str, OsString)], wanted_ms: u64) {
    let started = std::time::Instant::now();
    loop {
        let pos_ms = position_ms(bus);
        if (pos_ms - wanted_ms as f64).abs() <= 1.0 {
            return;
        }
        app.assert_running();
        assert!(
            started.elapsed() < STEP_TIMEOUT,
            "the position is {pos_ms} ms, not {wanted_ms} ms, after {STEP_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The window's clock at `at_ns` (wall clock), from the frames it drew
/// (the trace's `frame` events): interpolated between the last frame before
/// and the first after (frames are up to 500 ms apart on a CPU renderer, and
/// the clock need not run at 1× between them on a loaded machine), or moved
/// on at 1× from the nearest when there is none on one side. Also how far
/// the nearest frame was.
fn window_clock_ms(trace: &TraceLog, at_ns: i128) -> (f64, f64) {
    let frames: Vec<(i128, f64)> = trace
        .events
        .iter()
        .filter(|e| is(e, "frame"))
        .map(|e| {
            let clock_ms = e["clock_ms"]
                .as_f64()
                .unwrap_or_else(|| panic!("a frame without clock_ms: {e}"));
            (wall_ns(e), clock_ms)
        })
        .collect();
    let before = frames.iter().rev().find(|(wall, _)| *wall <= at_ns);
    let after = frames.iter().find(|(wall, _)| *wall >= at_ns);
    let ms = |ns: i128| ns as f64 / 1e6;
    match (before, after) {
        (Some(&(wall0, clock0)), Some(&(wall1, clock1))) => {
            let nearest_ms = ms(at_ns - wall0).min(ms(wall1 - at_ns));
            if wall1 == wall0 {
                return (clock0, 0.0);
            }
            let fraction = (at_ns - wall0) as f64 / (wall1 - wall0) as f64;
            (clock0 + fraction * (clock1 - clock0), nearest_ms)
        }
        (Some(&(wall, clock)), None) | (None, Some(&(wall, clock))) => {
            (clock + ms(at_ns - wall), ms(at_ns - wall).abs())
        }
        (None, None) => panic!("the trace has no frames: {}", trace.summary()),
    }
}

#[test]
fn playerctl_sees_drives_and_reads_the_window() {
    let tools: Vec<Tool> = X_TOOLS.iter().chain(OTHER_TOOLS).copied().collect();
    require_tools(
        &tools,
        "drives the real window through MPRIS on a private session bus, playing into a real \
         sound server,",
    );
    let transcript = earmark::transcript::parse_bytes(
        std::fs::read(repo_file(TRANSCRIPT))
            .unwrap_or_else(|e| panic!("cannot read {TRANSCRIPT}: {e}")),
        None,
    )
    .unwrap_or_else(|e| panic!("{TRANSCRIPT} does not parse: {e}"));
    let starts_ms: Vec<u64> = transcript.segments.iter().map(|s| s.start_ms).collect();
    let speaker_of = |line: usize| {
        transcript
            .speaker_name(transcript.segments[line].speaker)
            .to_string()
    };
    assert_eq!(starts_ms[1], LINE_2_MS, "{TRANSCRIPT} changed");

    let dir = tempfile::Builder::new()
        .prefix("earmark-e2e-mpris-")
        .tempdir()
        .expect("a temporary folder for the MPRIS test");
    let mut bus = SessionBus::start(dir.path());
    let display = Display::start(dir.path());
    let server = PulseServer::start(SINK_RATE);
    let recorder = server.record(SINK_RATE);
    let mut env = server.client_env();
    env.extend(bus.client_env());
    // The window says in its log whether its media controls are on the bus.
    env.push(("RUST_LOG", "warn,earmark::ui::media_controls=info".into()));
    let bus_env = bus.client_env();
    let (mut app, _pid, mut trace) = start_app(
        &display,
        dir.path(),
        &[repo_file(AUDIO), repo_file(TRANSCRIPT)],
        env,
    );

    // Opened, on a device whose sound the sink records.
    let opened = trace.wait_for(&mut app, "opened event", START_TIMEOUT, |e| is(e, "opened"));
    assert!(
        opened["device"].is_string(),
        "the engine opened no output device, so nothing can be recorded: {opened}; earmark's \
         output:\n{}",
        app.log_text()
    );
    let duration_ms = opened["duration_ms"]
        .as_u64()
        .unwrap_or_else(|| panic!("the opened event has no duration: {opened}"));

    // playerctl sees it, paused, with the episode's metadata.
    let started = std::time::Instant::now();
    while !try_playerctl(&bus_env, &["--list-all"])
        .0
        .unwrap_or_default()
        .lines()
        .any(|name| name == "earmark")
    {
        bus.assert_running();
        app.assert_running();
        assert!(
            started.elapsed() < START_TIMEOUT,
            "playerctl does not see earmark on the bus (a window built without media controls \
             says nothing about them in its log: {}); the window's log:\n{}",
            env!("CARGO_BIN_EXE_earmark"),
            app.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(ask(&bus_env, &["status"]), "Paused");
    assert_eq!(ask(&bus_env, &["metadata", "title"]), "demo-episode");
    assert_eq!(
        ask(&bus_env, &["metadata", "mpris:length"]),
        (duration_ms * 1000).to_string()
    );

    // Seek while paused: there, and the artist is that line's speaker.
    ask(
        &bus_env,
        &["position", &(LINE_2_MS as f64 / 1000.0).to_string()],
    );
    wait_for_position(&mut app, &bus_env, LINE_2_MS);
    wait_for_answer(&mut app, &bus_env, &["metadata", "artist"], &speaker_of(1));
    assert_eq!(ask(&bus_env, &["status"]), "Paused");

    // Play: heard at once.
    let (_, play_sent_ns, _) = playerctl(&bus_env, &["play"]);
    wait_for_answer(&mut app, &bus_env, &["status"], "Playing");

    // The position, against the window's clock, several times while playing.
    std::thread::sleep(Duration::from_millis(500));
    let mut readings = Vec::new();
    for _ in 0..6 {
        let (text, before_ns, after_ns) = playerctl(&bus_env, &["position"]);
        let pos_ms = text
            .parse::<f64>()
            .unwrap_or_else(|e| panic!("playerctl position printed {text:?} ({e})"))
            * 1000.0;
        readings.push((pos_ms, before_ns, after_ns));
        std::thread::sleep(Duration::from_millis(250));
    }
    let played_ns = wall_ns_now() - play_sent_ns;
    std::thread::sleep(PLAY_FOR.saturating_sub(Duration::from_nanos(played_ns.max(0) as u64)));

    // Pause: the sound stops.
    let (_, pause_sent_ns, _) = playerctl(&bus_env, &["pause"]);
    wait_for_answer(&mut app, &bus_env, &["status"], "Paused");
    std::thread::sleep(Duration::from_millis(1_000));
    let recorded = recorder.finish();
    trace.poll();

    // The position readings, compared with the window's clock while playerctl ran.
    for &(pos_ms, before_ns, after_ns) in &readings {
        let (clock_before_ms, gap_ms) = window_clock_ms(&trace, before_ns);
        let (clock_after_ms, _) = window_clock_ms(&trace, after_ns);
        let middle_ms = (clock_before_ms + clock_after_ms) / 2.0;
        eprintln!(
            "playerctl position {pos_ms:.1} ms; the window's clock {clock_before_ms:.1}..\
             {clock_after_ms:.1} ms while playerctl ran ({:+.1} ms from the middle; nearest \
             frame {gap_ms:.1} ms away)",
            pos_ms - middle_ms
        );
        assert!(
            pos_ms >= clock_before_ms - POSITION_LIMIT_MS
                && pos_ms <= clock_after_ms + POSITION_LIMIT_MS,
            "playerctl read {pos_ms:.1} ms while the window's clock went from \
             {clock_before_ms:.1} to {clock_after_ms:.1} ms: more than {POSITION_LIMIT_MS} ms \
             apart"
        );
    }

    // The sound: none before play was sent, the first within the bound, the
    // last within the bound of the pause.
    let recording = first_channel(&recorded.samples, pulse::CHANNELS as u16);
    let onset = recording
        .iter()
        .position(|s| s.abs() > ONSET_LEVEL)
        .unwrap_or_else(|| {
            panic!(
                "nothing reached the sink; the window's log:\n{}",
                app.log_text()
            )
        });
    let last = recording
        .iter()
        .rposition(|s| s.abs() > ONSET_LEVEL)
        .unwrap_or(onset);
    let at_ns = |frame: usize| {
        recorded
            .wall_ns_at(frame as u64)
            .unwrap_or_else(|| panic!("parec handed over no chunk holding frame {frame}"))
    };
    let play_to_sound_ms = (at_ns(onset) - play_sent_ns) as f64 / 1e6;
    let pause_to_silence_ms = (at_ns(last) - pause_sent_ns) as f64 / 1e6;
    eprintln!(
        "`playerctl play` sent to the first sound at the sink: {play_to_sound_ms:.1} ms; \
         `playerctl pause` sent to the last sound: {pause_to_silence_ms:.1} ms (parec chunks \
         up to {:.1} ms)",
        recorded.largest_chunk_ms()
    );
    assert!(
        play_to_sound_ms >= 0.0,
        "sound reached the sink {:.1} ms before `playerctl play` was sent",
        -play_to_sound_ms
    );
    assert!(
        play_to_sound_ms <= PLAY_BOUND_MS,
        "the first sound came {play_to_sound_ms:.1} ms after `playerctl play` was sent"
    );
    assert!(
        pause_to_silence_ms <= PAUSE_BOUND_MS,
        "sound went on {pause_to_silence_ms:.1} ms after `playerctl pause` was sent"
    );

    // Next and previous move a line (paused: the position is exact).
    let paused_ms = position_ms(&bus_env);
    let here = starts_ms
        .iter()
        .rposition(|&start| (start as f64) <= paused_ms)
        .unwrap_or_else(|| panic!("paused at {paused_ms} ms, before the first line"));
    assert!(here + 1 < starts_ms.len(), "paused on the last line");
    ask(&bus_env, &["next"]);
    wait_for_position(&mut app, &bus_env, starts_ms[here + 1]);
    wait_for_answer(
        &mut app,
        &bus_env,
        &["metadata", "artist"],
        &speaker_of(here + 1),
    );
    ask(&bus_env, &["previous"]);
    wait_for_position(&mut app, &bus_env, starts_ms[here]);
    wait_for_answer(
        &mut app,
        &bus_env,
        &["metadata", "artist"],
        &speaker_of(here),
    );

    // An absolute position.
    ask(&bus_env, &["position", "30"]);
    wait_for_position(&mut app, &bus_env, 30_000);
    assert_eq!(ask(&bus_env, &["status"]), "Paused");
    app.assert_running();
    drop(app);
    drop(server);
    drop(display);
    drop(bus);
}
