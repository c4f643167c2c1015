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

#[path = "support/signals.rs"]
mod signals;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use earmark::audio::{Command, Engine, Event, OutputChoice};
use signals::{best_lag, decode_all, first_channel, fixture};

/// The fixture played: a sweep plus noise whose cross-correlation has one
/// sharp peak.
const FIXTURE: &str = "chirp-cbr.mp3";
/// Where playback starts.
const START_MS: u64 = 1_500;
/// How much is played, by the engine's clock.
const PLAY_MS: u64 = 1_500;
/// Skipped after the recording's onset, past the fade-in.
const SKIP_MS: u64 = 50;
/// Length of the recorded piece that is matched against the file.
const PIECE_MS: u64 = 1_000;
/// How far either side of `START_MS` the match is searched: playing from
/// the wrong place by up to this much is found, not mistaken for a match.
const SEARCH_MS: u64 = 1_000;
/// The coarse search works on every `DECIMATE`th averaged sample.
const DECIMATE: usize = 8;
/// The recording counts as sound from its first sample above this.
const ONSET_LEVEL: f32 = 1e-3;
/// Generous limits for things that take milliseconds; only a hung server
/// or engine reaches them.
const SERVER_TIMEOUT: Duration = Duration::from_secs(15);
const PLAY_TIMEOUT: Duration = Duration::from_secs(20);

/// A PulseAudio daemon with one null sink, in a private temporary folder;
/// dropping it kills the daemon.
struct PulseServer {
    child: Child,
    dir: tempfile::TempDir,
    sink: String,
}

impl PulseServer {
    /// Starts the daemon and waits until it answers.
    fn start(sample_rate: u32) -> PulseServer {
        let dir = tempfile::Builder::new()
            .prefix("earmark-e2e-pulse-")
            .tempdir()
            .expect("a temporary folder for the PulseAudio daemon");
        for sub in ["run", "home"] {
            std::fs::create_dir(dir.path().join(sub)).expect("a folder in a fresh temp dir");
        }
        let sink = format!("earmark_e2e_{}", std::process::id());
        let socket = dir.path().join("run/native");
        let log = File::create(dir.path().join("pulse.log")).expect("a log file in the temp dir");
        let child = Process::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
                "--log-target=stderr",
                "--log-level=info",
            ])
            .arg(format!(
                "--load=module-null-sink sink_name={sink} rate={sample_rate} channels=2 format=float32le"
            ))
            .arg(format!(
                "--load=module-native-protocol-unix socket={} auth-anonymous=1",
                socket.display()
            ))
            .envs(private_env(dir.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start pulseaudio ({e}): this test needs a real sound server; \
                     install pulseaudio, pulseaudio-utils and libasound2-plugins \
                     (bash packaging/setup.sh)"
                )
            });
        let mut server = PulseServer { child, dir, sink };
        server.wait_ready();
        server
    }

    /// The address clients connect to.
    fn address(&self) -> String {
        format!("unix:{}", self.dir.path().join("run/native").display())
    }

    /// Polls `pactl info` until the daemon answers; panics with its log if
    /// it exits or never answers.
    fn wait_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "pulseaudio exited ({status}) before answering; its log:\n{}",
                    self.log()
                );
            }
            let answered = Process::new("pactl")
                .args(["-s", &self.address(), "info"])
                .envs(private_env(self.dir.path()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot run pactl ({e}): install pulseaudio-utils (bash packaging/setup.sh)"
                    )
                })
                .success();
            if answered {
                return;
            }
            assert!(
                started.elapsed() < SERVER_TIMEOUT,
                "pulseaudio did not answer within {SERVER_TIMEOUT:?}; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pulse.log")).unwrap_or_default()
    }

    /// Starts recording the sink's monitor as raw interleaved `f32` stereo
    /// at `sample_rate` into a file in the temp folder.
    fn record(&self, sample_rate: u32) -> Recorder {
        let path = self.dir.path().join("monitor.f32");
        let out = File::create(&path).expect("a recording file in the temp dir");
        let child = Process::new("parec")
            .args(["-s", &self.address()])
            .arg(format!("--device={}.monitor", self.sink))
            .args(["--raw", "--format=float32le", "--channels=2"])
            .arg(format!("--rate={sample_rate}"))
            // Small fragments: the file grows as the monitor does, so its
            // length tells when audio reached the sink.
            .arg("--latency-msec=10")
            .envs(private_env(self.dir.path()))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start parec ({e}): install pulseaudio-utils (bash packaging/setup.sh)"
                )
            });
        Recorder { child, path }
    }
}

impl Drop for PulseServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Environment that keeps a PulseAudio process inside `dir`: its runtime
/// folder (socket, pid file) and its home (cookie, config).
fn private_env(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("XDG_RUNTIME_DIR", dir.join("run")),
        ("PULSE_RUNTIME_PATH", dir.join("run")),
        ("HOME", dir.join("home")),
        ("XDG_CONFIG_HOME", dir.join("home/.config")),
    ]
}

/// A running `parec`; dropping it stops the recording.
struct Recorder {
    child: Child,
    path: PathBuf,
}

impl Recorder {
    /// Bytes recorded so far.
    fn len_bytes(&self) -> u64 {
        std::fs::metadata(&self.path).map_or(0, |m| m.len())
    }

    /// Stops `parec` and returns what it recorded, interleaved stereo.
    fn finish(mut self) -> Vec<f32> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let bytes = std::fs::read(&self.path).expect("the recording parec wrote");
        bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Events so far, appended to `log`.
fn drain(engine: &Engine, log: &mut Vec<Event>) {
    while let Some(event) = engine.try_recv() {
        log.push(event);
    }
}

/// Averages every `factor` samples: a crude low-pass and decimation for
/// the coarse search.
fn decimate(samples: &[f32], factor: usize) -> Vec<f32> {
    samples
        .chunks_exact(factor)
        .map(|c| c.iter().sum::<f32>() / factor as f32)
        .collect()
}

/// The best normalised correlation more than `away` lags from `lag`, over
/// ±`max_lag`: how clearly the match stands out.
fn runner_up(
    reference: &[f32],
    at: usize,
    piece: &[f32],
    max_lag: usize,
    lag: i64,
    away: i64,
) -> f64 {
    let mut best = f64::MIN;
    for other in -(max_lag as i64)..=max_lag as i64 {
        if (other - lag).abs() <= away {
            continue;
        }
        let start = at as i64 + other;
        if start < 0 || start as usize + piece.len() > reference.len() {
            continue;
        }
        let (mut dot, mut a, mut b) = (0f64, 0f64, 0f64);
        for (x, y) in reference[start as usize..].iter().zip(piece) {
            dot += f64::from(*x) * f64::from(*y);
            a += f64::from(*x) * f64::from(*x);
            b += f64::from(*y) * f64::from(*y);
        }
        best = best.max(dot / (a.sqrt() * b.sqrt()).max(1e-12));
    }
    best
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
        std::env::set_var("PULSE_SERVER", server.address());
        std::env::set_var("PULSE_SINK", &server.sink);
        for (key, value) in private_env(server.dir.path()) {
            std::env::set_var(key, value);
        }
    }
    let recorder = server.record(rate);
    // The monitor streams silence while nothing plays: once the file grows,
    // parec is recording and the playback's start will be in the file.
    let record_started = Instant::now();
    while recorder.len_bytes() < frames_from_ms(100) as u64 * 2 * 4 {
        assert!(
            record_started.elapsed() < SERVER_TIMEOUT,
            "parec recorded nothing from {}.monitor within {SERVER_TIMEOUT:?}",
            server.sink
        );
        std::thread::sleep(Duration::from_millis(10));
    }

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
    // the middle and how the recording grew meanwhile.
    let mark_ms = START_MS + PLAY_MS / 2;
    let mut clock_at_mark = None;
    let mut growth: Vec<(Instant, u64)> = Vec::new();
    // The largest jump of the clock while playing: how finely it is seen.
    let mut last_clock_ms = START_MS;
    let mut clock_step_ms = 0;
    let play_sent = Instant::now();
    engine.send(Command::Play);
    loop {
        let clock = engine.clock();
        let now = Instant::now();
        growth.push((now, recorder.len_bytes()));
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
    let recording = first_channel(&recorder.finish(), 2);
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
    let piece_start = onset + frames_from_ms(SKIP_MS);
    let piece_frames = frames_from_ms(PIECE_MS);
    assert!(
        recording.len() >= piece_start + piece_frames,
        "the recording holds {} frames after its onset, fewer than the {} compared",
        recording.len() - onset,
        frames_from_ms(SKIP_MS) + piece_frames
    );
    let piece = &recording[piece_start..piece_start + piece_frames];
    let expected_at = frames_from_ms(START_MS + SKIP_MS);

    // Coarse over the whole window on decimated signals, then exact around
    // the coarse peak.
    let coarse_reference = decimate(&reference, DECIMATE);
    let coarse_piece = decimate(piece, DECIMATE);
    let coarse_window = frames_from_ms(SEARCH_MS) / DECIMATE;
    let (coarse_lag, coarse_score) = best_lag(
        &coarse_reference,
        expected_at / DECIMATE,
        &coarse_piece,
        coarse_window,
    );
    let coarse_runner_up = runner_up(
        &coarse_reference,
        expected_at / DECIMATE,
        &coarse_piece,
        coarse_window,
        coarse_lag,
        frames_from_ms(20) as i64 / DECIMATE as i64,
    );
    let around = (expected_at as i64 + coarse_lag * DECIMATE as i64).max(0) as usize;
    // The averaged signals' peak can sit a few decimated lags off the true
    // one (which it is depends on where the onset falls modulo DECIMATE), so
    // the exact search spans 3 ms either side of it.
    let (fine_lag, score) = best_lag(&reference, around, piece, frames_from_ms(3));
    let lag_frames = coarse_lag * DECIMATE as i64 + fine_lag;
    let lag_ms = lag_frames as f64 * 1000.0 / f64::from(rate);
    eprintln!(
        "onset at recording frame {onset}; best match {lag_frames} frames ({lag_ms:+.2} ms) from \
         {START_MS} ms, correlation {score:.4} (coarse {coarse_score:.4}, next best peak more \
         than 20 ms away {coarse_runner_up:.4}, searched ±{SEARCH_MS} ms)"
    );

    // Report, not asserted: when the clock passed the mark against when that
    // audio reached the sink's monitor (the file had grown past it; parec's
    // 10 ms fragments make this a slight overestimate).
    if let Some(clock_at_mark) = clock_at_mark {
        // Media `m` sits at `onset + (m - START_MS) - lag` in the recording.
        let mark_frame =
            (onset as i64 + frames_from_ms(mark_ms - START_MS) as i64 - lag_frames).max(0) as u64;
        let mark_bytes = (mark_frame + 1) * 2 * 4;
        let growth_step_ms = growth
            .windows(2)
            .map(|w| (w[1].1.saturating_sub(w[0].1)) * 1000 / (u64::from(rate) * 2 * 4))
            .max()
            .unwrap_or(0);
        if let Some(&(recorded_at, _)) = growth.iter().find(|(_, len)| *len >= mark_bytes) {
            let ahead_ms = if recorded_at >= clock_at_mark {
                (recorded_at - clock_at_mark).as_secs_f64() * 1000.0
            } else {
                -((clock_at_mark - recorded_at).as_secs_f64() * 1000.0)
            };
            eprintln!(
                "the clock read {mark_ms} ms {ahead_ms:+.1} ms before that audio reached the \
                 sink's monitor (positive: the clock runs ahead of the sound), observed every \
                 2 ms; the clock moved in steps of up to {clock_step_ms} ms and the recording \
                 grew in steps of up to {growth_step_ms} ms"
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
