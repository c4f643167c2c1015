//! `earmark play` through a real sound server, as a user runs it: the first
//! sound reaches the sink soon after the command starts, and it plays for
//! as long as asked (bug 3 of the player-bugs issue: the position used to
//! sit still for 1–2 s, and playback ended short). The command plays a
//! chirp fixture (sound at every instant) into a PulseAudio null sink that
//! this test starts; `parec` records the sink's monitor, each chunk
//! stamped on arrival. Needs pulseaudio, pulseaudio-utils and the ALSA
//! pulse plugin (`bash packaging/setup.sh`); without them it fails.
#![cfg(all(feature = "audio", target_os = "linux"))]

#[path = "support/pulse.rs"]
mod pulse;
#[path = "support/signals.rs"]
mod signals;

use std::process::Command;
use std::time::{Duration, Instant};

use pulse::PulseServer;
use signals::{ONSET_LEVEL, decode_all, first_channel, fixture};

const FIXTURE: &str = "chirp-cbr.mp3";
/// How long `--for` asks to play.
const PLAY_MS: u64 = 2_000;
/// How far from `PLAY_MS` the recorded sound may last: a 10 ms parec
/// fragment either side, and the device's last period.
const LENGTH_TOLERANCE_MS: f64 = 120.0;
/// The latest the first sound may reach the sink after the command starts
/// (the debug binary starting, the file opened, the device opened): far
/// above the ~45 ms seen here, far below the 1–2 s stall it guards against.
const START_BOUND: Duration = Duration::from_millis(700);

#[test]
fn earmark_play_is_heard_at_once_and_for_as_long_as_asked() {
    let (decoder, _) = decode_all(&fixture(FIXTURE));
    let rate = decoder.info().sample_rate;
    let server = PulseServer::start(rate);
    let recorder = server.record(rate);
    let launched = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg("play")
        .arg(fixture(FIXTURE))
        .args([
            "--from",
            "1.5",
            "--for",
            &(PLAY_MS as f64 / 1000.0).to_string(),
        ])
        .envs(server.client_env())
        .output()
        .expect("the earmark binary runs");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "earmark play failed: {printed}");
    assert!(
        printed.contains("playing on") && !printed.contains("lost"),
        "it played on the device, and did not lose it: {printed}"
    );
    // What the server still buffers reaches the monitor.
    std::thread::sleep(Duration::from_millis(500));
    let recorded = recorder.finish();
    drop(server);
    let recording = first_channel(&recorded.samples, pulse::CHANNELS as u16);
    let onset = recording
        .iter()
        .position(|s| s.abs() > ONSET_LEVEL)
        .unwrap_or_else(|| panic!("nothing was heard: {printed}"));
    let last = recording
        .iter()
        .rposition(|s| s.abs() > ONSET_LEVEL)
        .unwrap_or(onset);
    let heard_ms = (last - onset) as f64 * 1000.0 / f64::from(rate);
    let arrived = recorded
        .chunk_holding(onset as u64)
        .map(|chunk| chunk.at)
        .expect("the onset is in a chunk");
    let start_delay = arrived.saturating_duration_since(launched);
    eprintln!(
        "first sound reached the sink {:.1} ms after the command started; heard for \
         {heard_ms:.1} ms of {PLAY_MS} asked",
        start_delay.as_secs_f64() * 1000.0
    );
    assert!(
        start_delay < START_BOUND,
        "the first sound came {start_delay:?} after the command started"
    );
    assert!(
        (heard_ms - PLAY_MS as f64).abs() <= LENGTH_TOLERANCE_MS,
        "heard for {heard_ms:.1} ms, asked for {PLAY_MS} ms"
    );
}
