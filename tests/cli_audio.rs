//! `earmark probe` and `earmark clip`, run as a user would.

#[path = "support/signals.rs"]
mod signals;

use std::ffi::OsStr;
use std::process::{Command, Output};

use earmark::audio::{Decoder, FrameSource};
use serde_json::Value;
use signals::{counter, decode_all, fixture, read_frames};

fn earmark(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .output()
        .expect("the earmark binary runs")
}

/// Runs `earmark clip FIXTURE --from FROM --to TO -o OUT`.
fn clip(name: &str, from: &str, to: &str, out_path: &std::path::Path) -> Output {
    earmark(&[
        "clip".as_ref(),
        fixture(name).as_os_str(),
        "--from".as_ref(),
        from.as_ref(),
        "--to".as_ref(),
        to.as_ref(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ])
}

fn probe(name: &str) -> Value {
    let path = fixture(name);
    let out = earmark(&["probe".as_ref(), path.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("probe prints JSON")
}

#[test]
fn probe_prints_codec_container_rate_channels_and_exact_length() {
    let info = probe("chirp-vbr-noxing.mp3");
    assert_eq!(info["codec"], "mp3");
    assert_eq!(info["container"], "mp3");
    assert_eq!(info["sample_rate"], 44_100);
    assert_eq!(info["channels"], 2);
    let (decoder, samples) = decode_all(&fixture("chirp-vbr-noxing.mp3"));
    assert_eq!(info["frames"], samples.len() as u64 / 2);
    assert_eq!(info["duration_ms"], decoder.info().duration_ms);
    let info = probe("counter-22k-mono.flac");
    assert_eq!(
        (
            info["codec"].as_str(),
            info["frames"].as_u64(),
            info["duration_ms"].as_u64()
        ),
        (Some("flac"), Some(66_150), Some(3_000))
    );
    let info = probe("chirp.opus");
    assert_eq!(
        (
            info["codec"].as_str(),
            info["sample_rate"].as_u64(),
            info["frames"].as_u64()
        ),
        (Some("opus"), Some(48_000), Some(192_000))
    );
    let info = probe("chirp-moov-at-end.m4a");
    assert_eq!(
        (info["codec"].as_str(), info["container"].as_str()),
        (Some("aac"), Some("isomp4"))
    );
}

#[test]
fn clip_writes_exactly_the_samples_of_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("quote.wav");
    // 0.5 s .. 00:00:01.250 at 22 050 Hz: frames 11 025 .. 27 562.5 → 27 563.
    let out = clip("counter-22k-mono-s16.wav", "0.5", "00:00:01.250", &out_path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut clip = Decoder::open(&out_path).unwrap();
    assert_eq!(clip.sample_rate(), 22_050);
    let samples = read_frames(&mut clip, 100_000);
    assert_eq!(samples.len(), 27_563 - 11_025);
    for (k, &sample) in samples.iter().enumerate() {
        assert_eq!(sample, counter(11_025 + k as u64, 0), "clip frame {k}");
    }
}

#[test]
fn clip_of_a_lossy_file_equals_the_players_decode_of_that_range() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("quote.wav");
    let out = clip("chirp-vbr.mp3", "1.75", "2.5", &out_path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, clip) = decode_all(&out_path);
    let (_, whole) = decode_all(&fixture("chirp-vbr.mp3"));
    let from = 77_175 * 2;
    assert_eq!(clip.len(), (110_250 - 77_175) * 2);
    let worst = clip
        .iter()
        .zip(&whole[from..])
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst < 1e-4, "the clip differs from the decode by {worst}");
}

#[test]
fn clip_refuses_an_empty_range_and_a_bad_time_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("quote.wav");
    for (from, to, expect) in [
        ("2", "1", "the clip is empty"),
        ("1:2:3", "2", "expected seconds"),
    ] {
        let out = clip("chirp-cbr.mp3", from, to, &out_path);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expect), "{stderr}");
        assert!(!out_path.exists());
    }
}

#[test]
fn probe_of_a_file_that_is_not_audio_says_so_in_one_line() {
    let path = fixture("make.py");
    let out = earmark(&["probe".as_ref(), path.as_os_str()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("not a supported audio file") && stderr.contains("make.py"),
        "{stderr}"
    );
}

#[test]
fn a_missing_file_is_reported_once_with_its_reason_once() {
    let out = earmark(&["probe".as_ref(), "no-such-episode.mp3".as_ref()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no-such-episode.mp3"), "{stderr}");
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "the reason is said once: {stderr}"
    );
}

#[test]
fn play_runs_to_the_end_of_the_file_and_says_where_it_stopped() {
    let path = fixture("chirp-cbr.mp3");
    let out = earmark(&[
        "play".as_ref(),
        path.as_os_str(),
        "--from".as_ref(),
        "3.5".as_ref(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().last(), Some("ended at 4000 ms"), "{stdout}");
}

#[test]
fn play_for_a_while_stops_past_where_it_started() {
    let path = fixture("chirp-cbr.mp3");
    let out = earmark(&[
        "play".as_ref(),
        path.as_os_str(),
        "--from".as_ref(),
        "1".as_ref(),
        "--for".as_ref(),
        "0.3".as_ref(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().unwrap_or_default();
    let stopped_ms: u64 = last
        .strip_prefix("stopped at ")
        .and_then(|rest| rest.strip_suffix(" ms"))
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        (1300..1600).contains(&stopped_ms),
        "0.3 s of audio heard from 1 s, not 0.3 s of wall time: {stdout}"
    );
}
