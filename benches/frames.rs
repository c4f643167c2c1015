//! Frame times of the player window, measured on the real app without a
//! display: each frame is egui's pass (layout, widgets, the AccessKit tree
//! the test harness always builds) plus tessellation into triangles, which
//! is the CPU work a real frame does before the GPU (or llvmpipe) draws.
//!
//! `cargo bench --bench frames` prints p50 / p95 / worst for:
//! - scrolling a 100 000-line transcript by the mouse wheel, a step a frame;
//! - playing with the view following, the clock stepped 1/60 s a frame;
//! - the frame that applies an edit (a line's speaker, by key) to the
//!   100 000-line transcript and shows it;
//! - playing with the view following in a window opened with 10 000 review
//!   markers (points and ranges of every default kind) in the session file
//!   beside the transcript, drawn on both waveforms, then again with the
//!   Markers panel open (run first, in a window of its own).
//!
//! Not a criterion bench: the issue asks for a 95th percentile of single
//! frames, which criterion's averaged samples do not give.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use earmark::audio::Engine;
use earmark::audio::wav::WavWriter;
use earmark::review::markers::{Marker, default_kinds};
use earmark::review::session::{SESSION_VERSION, path_for};
use earmark::transcript::time::{TimeStyle, format_timestamp};
use earmark::ui::{EarmarkApp, Launch};
use eframe::egui::{self, Modifiers};
use egui_kittest::Harness;

const LINES: u64 = 100_000;
const FRAMES: usize = 600;
/// Review markers in the session file of the last scenario.
const MARKERS: u64 = 10_000;

/// Range lines of 1 to 4 wrapped rows each, two speakers.
fn write_transcript(path: &Path, lines: u64) {
    let words = [
        "so",
        "the",
        "episode",
        "transcript",
        "really",
        "keeps",
        "going",
        "and",
        "we",
        "talk",
    ];
    let mut text = String::with_capacity(lines as usize * 120);
    for n in 0..lines {
        let start = n * 2000;
        let stamp = |ms: u64| format_timestamp(ms, TimeStyle::default());
        let length = 8 + (n * 7919 % 60) as usize;
        let body: Vec<&str> = (0..length)
            .map(|i| words[(i + n as usize) % words.len()])
            .collect();
        text.push_str(&format!(
            "{} - {}, Speaker {}: {}.\n",
            stamp(start),
            stamp(start + 1900),
            if n % 3 == 0 { "A" } else { "B" },
            body.join(" ")
        ));
    }
    if let Err(err) = std::fs::write(path, text) {
        panic!("writing {}: {err}", path.display());
    }
}

/// `count` markers spread evenly over `duration_ms`, every default kind in
/// turn; two in three are points, the others ranges of 4 to 60 s.
fn markers(count: u64, duration_ms: u64) -> Vec<Marker> {
    let kinds = default_kinds();
    let step_ms = (duration_ms / count.max(1)).max(1);
    (0..count)
        .map(|n| {
            let start_ms = n * step_ms + n * 7919 % step_ms;
            let end_ms =
                (n % 3 == 2).then(|| (start_ms + 4_000 + n * 104_729 % 56_000).min(duration_ms));
            Marker {
                start_ms,
                end_ms,
                kind: kinds[n as usize % kinds.len()].name.clone(),
                note: format!("marker {n}: check the level here"),
            }
        })
        .collect()
}

/// The session file the app reads beside `transcript` on opening it,
/// holding `markers`.
fn write_session(transcript: &Path, markers: &[Marker]) {
    let path = path_for(transcript);
    let session = serde_json::json!({ "version": SESSION_VERSION, "markers": markers });
    let written = serde_json::to_vec(&session)
        .map_err(std::io::Error::from)
        .and_then(|bytes| std::fs::write(&path, bytes));
    if let Err(err) = written {
        panic!("writing {}: {err}", path.display());
    }
}

fn harness(
    files: Vec<PathBuf>,
    cache: &Path,
) -> (Harness<'static, EarmarkApp>, earmark::audio::VirtualOutput) {
    let (engine, output) = match Engine::start_virtual(48_000, 2, 0) {
        Ok(pair) => pair,
        Err(err) => panic!("engine: {err}"),
    };
    let launch = Launch {
        files,
        start_ms: None,
        restore: false,
        cache_dir: Some(cache.to_owned()),
        data_dir: None,
    };
    let mut harness = Harness::builder()
        .with_size([1200.0, 800.0])
        .with_max_steps(100_000)
        .build_eframe(move |cc| EarmarkApp::new(cc, launch, engine));
    let deadline = Instant::now() + Duration::from_secs(120);
    while harness.state().is_busy() || !harness.state().waveform_ready() {
        assert!(Instant::now() < deadline, "the episode did not open");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.state().player().engine().settle();
    harness.run();
    (harness, output)
}

/// One frame: the egui pass and its tessellation.
fn frame(harness: &mut Harness<'static, EarmarkApp>) -> Duration {
    let started = Instant::now();
    harness.step();
    let output = harness.output();
    let shapes = output.shapes.clone();
    let pixels_per_point = output.pixels_per_point;
    let primitives = harness.ctx.tessellate(shapes, pixels_per_point);
    std::hint::black_box(primitives);
    started.elapsed()
}

/// Starts playing from the start and steps the clock 1/60 s a frame while
/// the view follows; the time of each frame.
fn play(
    window: &mut Harness<'static, EarmarkApp>,
    output: &mut earmark::audio::VirtualOutput,
    frames: usize,
) -> Vec<Duration> {
    window.state_mut().seek(0);
    window.key_press(egui::Key::Space);
    window.state().player().engine().settle();
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        output.step(800);
        times.push(frame(window));
    }
    times
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name}: {} frames, p50 {:.2} ms, p95 {:.2} ms, worst {:.2} ms",
        times.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs it once, quickly.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let lines = if quick { 2_000 } else { LINES };
    let frames = if quick { 20 } else { FRAMES };
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("tempdir: {err}"),
    };
    let transcript = dir.path().join("long.txt");
    write_transcript(&transcript, lines);
    let audio = dir.path().join("long.wav");
    let rate = 1000;
    let samples = (lines * 2 * u64::from(rate)) as usize;
    let written = WavWriter::create(&audio, rate, 1).and_then(|mut writer| {
        writer.write(&vec![0.0; samples])?;
        writer.finish(&audio)
    });
    if let Err(err) = written {
        panic!("writing the audio: {err}");
    }

    let files = vec![audio, transcript.clone()];

    // 10 000 markers: the episode opened with its session file beside the
    // transcript, played with the view following. First, in a window of its
    // own; the session file is gone before the other scenarios open theirs.
    let count = if quick { 1_000 } else { MARKERS };
    write_session(&transcript, &markers(count, lines * 2000));
    let (mut window, mut output) = harness(files.clone(), dir.path());
    let times = play(&mut window, &mut output, frames);
    report(
        &format!("playing with the view following, {count} markers"),
        times,
    );
    // The same with the Markers panel open (F4): its rows follow too.
    window.key_press(egui::Key::F4);
    let times = play(&mut window, &mut output, frames);
    report(
        &format!("the same with the Markers panel open, {count} markers"),
        times,
    );
    drop(window);
    drop(output);
    if let Err(err) = std::fs::remove_file(path_for(&transcript)) {
        panic!("removing the session file: {err}");
    }

    let (mut window, mut output) = harness(files, dir.path());

    // Scrolling: a wheel step each frame, down through the list and back up.
    let centre = egui::pos2(600.0, 400.0);
    window.hover_at(centre);
    let mut times = Vec::with_capacity(frames);
    let mut deepest = 0.0f32;
    for n in 0..frames {
        let down = (n / 150) % 2 == 0;
        deepest = deepest.max(window.state().view().viewport().top());
        window.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, if down { -120.0 } else { 120.0 }),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: Modifiers::NONE,
        });
        times.push(frame(&mut window));
    }
    assert!(deepest > 1000.0, "the list did not scroll ({deepest} px)");
    report(
        &format!("scrolling {lines} lines ({deepest:.0} px deep)"),
        times,
    );

    // Jumping far: the prefix sums put line 90 000 on screen at once.
    let mut times = Vec::with_capacity(frames / 10);
    for n in 0..frames / 10 {
        window.state_mut().seek((n as u64 * 7919 % lines) * 2000);
        window.state().player().engine().settle();
        window.state_mut().follow_playback();
        times.push(frame(&mut window));
    }
    report("seeking anywhere with the view following", times);

    // Playing: the clock advances 1/60 s a frame and the view follows.
    let times = play(&mut window, &mut output, frames);
    report("playing with the view following", times);

    // Editing: paused, each frame's key sets the heard line's speaker
    // (alternately the first and second), so each frame applies one edit,
    // re-indexes and redraws.
    window.key_press(egui::Key::Space);
    window.state().player().engine().settle();
    let before = window.state().transcript().map(|t| t.segments.clone());
    // Start with the speaker the heard line does not have: with an odd count
    // of keys the last one gives it that speaker, so the transcript differs.
    let heard_speaker = window.state().heard().and_then(|current| {
        let transcript = window.state().transcript()?;
        transcript.segments[current.segment].speaker
    });
    let (first, second) = if heard_speaker.is_some_and(|s| s.0 == 0) {
        (egui::Key::Num2, egui::Key::Num1)
    } else {
        (egui::Key::Num1, egui::Key::Num2)
    };
    let mut times = Vec::with_capacity(frames / 2 + 1);
    for n in 0..=frames / 2 {
        let key = if n % 2 == 0 { first } else { second };
        window.event(egui::Event::Key {
            key,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: Modifiers::NONE,
        });
        times.push(frame(&mut window));
    }
    let after = window.state().transcript().map(|t| t.segments.clone());
    assert_ne!(before, after, "the keys edited the transcript");
    assert!(window.state().has_unsaved_changes());
    report(&format!("an edit a frame on {lines} lines"), times);
}
