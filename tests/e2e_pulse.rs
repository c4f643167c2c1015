//! End to end through a real sound server: the engine plays a fixture from
//! `t` into a PulseAudio null sink that this test starts, `parec` records the
//! sink's monitor, and cross-correlation shows that what was recorded is the
//! file's own audio from `t`.
//!
//! The test owns everything it touches: a PulseAudio daemon in a private
//! runtime folder with a uniquely named null sink, killed at the end even on
//! failure. The engine runs in this process and opens the default ALSA
//! device, which the pulse ALSA plugin routes to that daemon through
//! `PULSE_SERVER`. Environment variables are process-wide, so this test keeps
//! a test binary of its own and sets them before any engine starts.
//!
//! It needs `pulseaudio`, `parec` (pulseaudio-utils) and the ALSA pulse
//! plugin (libasound2-plugins): `packaging/setup.sh` installs them. Without
//! them it fails, saying so, rather than passing without having played.
#![cfg(all(feature = "audio", target_os = "linux"))]

#[path = "support/pulse.rs"]
mod pulse;
#[path = "support/signals.rs"]
mod signals;

use std::time::{Duration, Instant};

use earmark::audio::{Command, Engine, Event, OutputChoice};
use pulse::PulseServer;
use signals::{ONSET_LEVEL, SEARCH_MS, decode_all, first_channel, fixture, locate_recording};

/// The fixture played: a sweep plus noise whose cross-correlation has one
/// sharp peak.
const FIXTURE: &str = "chirp-cbr.mp3";
/// Where playback starts.
const START_MS: u64 = 1_500;
/// How much is played, by the engine's clock.
const PLAY_MS: u64 = 1_500;
/// A generous limit for things that take milliseconds; only a hung engine
/// reaches it.
const PLAY_TIMEOUT: Duration = Duration::from_secs(20);

/// Events so far, appended to `log`.
fn drain(engine: &Engine, log: &mut Vec<Event>) {
    while let Some(event) = engine.try_recv() {
        log.push(event);
    }
}

#[test]
fn playing_from_t_through_pulseaudio_records_the_file_from_t() {
    let (decoder, decoded) = decode_all(&fixture(FIXTURE));
    let rate = decoder.info().sample_rate;
    let channels = decoder.info().channels;
    let reference = first_channel(&decoded, channels);
    let frames_from_ms = |ms: u64| (ms * u64::from(rate) / 1000) as usize;

    let server = PulseServer::start(rate);
    // SAFETY: this binary holds this one test, and no thread of ours reads
    // the environment yet: the engine (and with it ALSA and libpulse) starts
    // below.
    unsafe {
        for (key, value) in server.client_env() {
            std::env::set_var(key, value);
        }
    }
    // Returns once parec is recording: the playback's start will be in it.
    let recorder = server.record(rate);

    let engine = Engine::start(OutputChoice::DefaultDevice, None).expect("the engine thread");
    let mut events = Vec::new();
    engine.settle();
    drain(&engine, &mut events);
    let opened = events.iter().find_map(|e| match e {
        Event::DeviceOpened {
            name,
            sample_rate,
            channels,
        } => Some((name.clone(), *sample_rate, *channels)),
        _ => None,
    });
    let Some((device, device_rate, device_channels)) = opened else {
        panic!(
            "the engine did not open the default ALSA device through PulseAudio \
             (so it would play into its null output and nothing could be recorded); \
             events: {events:?}; pulseaudio log:\n{}",
            server.log()
        );
    };
    eprintln!("device: {device}, {device_rate} Hz, {device_channels} channels");

    engine.send(Command::Load(fixture(FIXTURE)));
    engine.send(Command::Seek { pos_ms: START_MS });
    engine.settle();
    drain(&engine, &mut events);
    assert!(
        events.iter().any(|e| matches!(e, Event::Loaded(_))),
        "{FIXTURE} did not load: {events:?}"
    );

    // Play until the clock says PLAY_MS were heard, noting when it passed
    // the middle.
    let mark_ms = START_MS + PLAY_MS / 2;
    let mut clock_at_mark = None;
    // The largest jump of the clock while playing: how finely it is seen.
    let mut last_clock_ms = START_MS;
    let mut clock_step_ms = 0;
    let play_sent = Instant::now();
    engine.send(Command::Play);
    loop {
        let clock = engine.clock();
        let now = Instant::now();
        if clock.pos_ms != last_clock_ms {
            clock_step_ms = clock_step_ms.max(clock.pos_ms.saturating_sub(last_clock_ms));
            last_clock_ms = clock.pos_ms;
        }
        if clock_at_mark.is_none() && clock.pos_ms >= mark_ms {
            clock_at_mark = Some(now);
        }
        if clock.pos_ms >= START_MS + PLAY_MS {
            break;
        }
        drain(&engine, &mut events);
        assert!(
            play_sent.elapsed() < PLAY_TIMEOUT,
            "the clock stayed at {} ms for {PLAY_TIMEOUT:?} after Play; events: {events:?}",
            clock.pos_ms
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    engine.send(Command::Pause);
    engine.settle();
    // What the server still buffers reaches the monitor; the match only uses
    // the first PIECE_MS after the onset, well before this.
    std::thread::sleep(Duration::from_millis(500));
    drain(&engine, &mut events);
    drop(engine);
    let recorded = recorder.finish();
    let recording = first_channel(&recorded.samples, pulse::CHANNELS as u16);
    drop(server);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::DeviceLost | Event::Error(_))),
        "playback failed: {events:?}"
    );

    let onset = recording
        .iter()
        .position(|s| s.abs() > ONSET_LEVEL)
        .unwrap_or_else(|| panic!("the recording ({} frames) is silent", recording.len()));
    assert!(
        onset > 0,
        "the recording starts with sound, so where playback began is not in it"
    );
    let found = locate_recording(&recording, onset, &reference, START_MS, rate);
    let (lag_frames, score) = (found.lag_frames, found.score);
    let lag_ms = lag_frames as f64 * 1000.0 / f64::from(rate);
    eprintln!(
        "onset at recording frame {onset}; best match {lag_frames} frames ({lag_ms:+.2} ms) from \
         {START_MS} ms, correlation {score:.4} (coarse {:.4}, next best peak more than 20 ms \
         away {:.4}, searched ±{SEARCH_MS} ms)",
        found.coarse_score, found.coarse_runner_up
    );

    // Report, not asserted: when the clock passed the mark against when that
    // audio reached the sink's monitor (parec had handed it over; its 10 ms
    // fragments make this a slight overestimate).
    if let Some(clock_at_mark) = clock_at_mark {
        // Media `m` sits at `onset + (m - START_MS) - lag` in the recording.
        let mark_frame =
            (onset as i64 + frames_from_ms(mark_ms - START_MS) as i64 - lag_frames).max(0) as u64;
        let chunk_ms = recorded.largest_chunk_ms();
        if let Some(recorded_at) = recorded.chunk_holding(mark_frame).map(|chunk| chunk.at) {
            let ahead_ms = if recorded_at >= clock_at_mark {
                (recorded_at - clock_at_mark).as_secs_f64() * 1000.0
            } else {
                -((clock_at_mark - recorded_at).as_secs_f64() * 1000.0)
            };
            eprintln!(
                "the clock read {mark_ms} ms {ahead_ms:+.1} ms before that audio reached the \
                 sink's monitor (positive: the clock runs ahead of the sound), observed every \
                 2 ms; the clock moved in steps of up to {clock_step_ms} ms and parec handed over \
                 up to {chunk_ms:.1} ms at a time"
            );
        }
    }

    assert!(
        lag_ms.abs() <= 5.0,
        "the recording matches the file {lag_ms:+.2} ms away from {START_MS} ms \
         (correlation {score:.3}): playback did not start where it was sought"
    );
    assert!(
        score > 0.8,
        "the recording matches the file only weakly (correlation {score:.3} at {lag_ms:+.2} ms): \
         the audio is garbled"
    );
}
