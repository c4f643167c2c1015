//! The speech detector of issue 12 against generated episodes with known
//! truth (`tests/fixtures/sync/`, made by `benches/sync/make_fixture.sh`):
//! the seed's first lines in synthetic speech, the intro trimmed and an ad
//! break inserted (a music sting, then an ad in another voice), without and
//! with a room under it (pink noise at -50 dBFS and 50 Hz mains hum).
#![cfg(feature = "audio")]

use std::path::{Path, PathBuf};

use earmark::sync::vad::{FRAME_MS, VadOptions, analyze_file, analyze_file_start};

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sync")
        .join(name)
}

/// The largest difference between two runs of energies, frame by frame.
fn worst_db(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
}

/// `(start_ms, end_ms)` spans, in order.
type Spans = Vec<(u64, u64)>;

/// The truth's speech spans and its inserted music, from truth.json.
fn truth(case: &Path) -> (Spans, Spans) {
    let text = std::fs::read_to_string(case.join("truth.json")).expect("truth.json");
    let truth: serde_json::Value = serde_json::from_str(&text).expect("truth.json is JSON");
    let pairs = |v: &serde_json::Value, key_a: &str, key_b: &str| {
        (
            v[key_a].as_u64().expect("a time"),
            v[key_b].as_u64().expect("a time"),
        )
    };
    let speech = truth["speech"]
        .as_array()
        .expect("speech spans")
        .iter()
        .map(|s| {
            (
                s[0].as_u64().expect("a time"),
                s[1].as_u64().expect("a time"),
            )
        })
        .collect();
    let music = truth["edits"]
        .as_array()
        .expect("edits")
        .iter()
        .filter(|e| e["kind"] == "music")
        .map(|e| pairs(e, "start_ms", "end_ms"))
        .collect();
    (speech, music)
}

fn check(name: &str) {
    let case = case(name);
    let (speech, music) = truth(&case);
    let activity =
        analyze_file(&case.join("audio.mp3"), &VadOptions::default()).expect("the fixture decodes");
    // About 82 s of audio.
    assert!(
        (8000..8400).contains(&activity.len()),
        "{} frames",
        activity.len()
    );
    let agreement = activity.agreement_with(&speech);
    eprintln!(
        "{name}: {:.1} % of frames agree with the truth",
        100.0 * agreement
    );
    assert!(
        agreement >= 0.95,
        "{name}: {:.1} % of frames agree with the truth",
        100.0 * agreement
    );
    // Every span of the truth's speech is found: no sentence is missed
    // whole, and each starts where the truth's does.
    let spans = activity.spans_ms();
    for &(start, end) in &speech {
        let overlaps = spans.iter().any(|&(s, e)| s < end && start < e);
        assert!(overlaps, "{name}: speech at {start}..{end} ms not detected");
    }
    for &(start, end) in &spans {
        let in_music = music
            .iter()
            .any(|&(s, e)| s <= start && end <= e + FRAME_MS);
        let near_speech = speech
            .iter()
            .any(|&(s, e)| s < end + 200 && start < e + 200);
        assert!(
            in_music || near_speech,
            "{name}: {start}..{end} ms detected as speech where there is none"
        );
    }
}

#[test]
fn speech_frames_agree_with_the_truth_in_a_clean_episode() {
    check("combo");
}

#[test]
fn speech_frames_agree_with_the_truth_with_noise_and_hum_under_it() {
    check("combo_room");
}

#[test]
fn decoding_on_several_threads_gives_the_same_activity_as_one() {
    use earmark::audio::{Decoder, FrameSource};

    // Long enough to be split: the fixture nine times over (12 minutes),
    // as a WAV, in three workers' worth of parts.
    let mut decoder = Decoder::open(&case("combo_room").join("audio.mp3")).expect("decodes");
    let (rate, channels) = (decoder.sample_rate(), decoder.channels());
    let mut once = vec![0.0; decoder.total_frames() as usize * usize::from(channels)];
    let got = decoder.read(&mut once).expect("decodes");
    once.truncate(got * usize::from(channels));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let audio = dir.path().join("long.wav");
    let mut writer =
        earmark::audio::wav::WavWriter::create(&audio, rate, channels).expect("a WAV file");
    for _ in 0..9 {
        writer.write(&once).expect("writes");
    }
    writer.finish(&audio).expect("writes");

    let analyze = |threads| {
        analyze_file(
            &audio,
            &VadOptions {
                threads,
                ..VadOptions::default()
            },
        )
        .expect("decodes")
    };
    let (one, three) = (analyze(1), analyze(3));
    assert_eq!(one.len(), three.len());
    assert!(one.len() as u64 * FRAME_MS > 12 * 60_000);
    // Parts cut the filters' lanes in other places: energies agree to a
    // hundredth of a dB, and so the decisions do.
    let worst = worst_db(&one.energy_db, &three.energy_db);
    assert!(worst < 0.01, "energies differ by up to {worst} dB");
    assert_eq!(one.speech, three.speech);
}

#[test]
fn the_start_of_a_file_is_measured_as_the_whole_file_measures_it() {
    let audio = case("combo_room").join("audio.mp3");
    let options = VadOptions {
        threads: 1,
        ..VadOptions::default()
    };
    let whole = analyze_file(&audio, &options).expect("decodes");
    let start = analyze_file_start(&audio, 20_000, &options).expect("decodes");
    assert_eq!(start.len() as u64, 20_000 / FRAME_MS);
    // Blocks are cut in other places, so the filters' lanes are too.
    let worst = worst_db(&start.energy_db, &whole.energy_db);
    assert!(worst < 0.01, "energies {worst} dB apart");
    // The decision looks up to a bridge ahead, so the last frames may differ.
    let settled = start.len() - 20;
    assert_eq!(start.speech[..settled], whole.speech[..settled]);
    let longer = analyze_file_start(&audio, u64::MAX / 2, &options).expect("decodes");
    assert_eq!(longer.speech, whole.speech, "past the end: the whole file");
}

#[test]
fn progress_counts_the_audio_measured_and_cancel_stops_the_workers() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    let audio = case("combo").join("audio.mp3");
    let progress_ms = Arc::new(AtomicU64::new(0));
    let options = VadOptions {
        progress_ms: Some(progress_ms.clone()),
        ..VadOptions::default()
    };
    let activity = analyze_file(&audio, &options).expect("decodes");
    let measured_ms = progress_ms.load(Ordering::Relaxed);
    let length_ms = activity.len() as u64 * FRAME_MS;
    // Each part's count is rounded down to the ms, and its pre-roll counted too.
    assert!(
        measured_ms.abs_diff(length_ms) < 1000,
        "{measured_ms} ms measured of {length_ms}"
    );

    let cancelled = VadOptions {
        cancel: Some(Arc::new(AtomicBool::new(true))),
        ..VadOptions::default()
    };
    assert!(matches!(
        analyze_file(&audio, &cancelled),
        Err(earmark::sync::VadError::Cancelled)
    ));
}
