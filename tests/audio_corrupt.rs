//! Damaged and hostile audio files: each is refused with a message that
//! names the file, or plays up to the damage. Never a panic, never a hang.

#[path = "support/signals.rs"]
mod signals;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use earmark::audio::{AudioError, Decoder, FrameSource};
use signals::fixture;

/// Every fixture the decoder accepts.
const FIXTURES: &[&str] = &[
    "counter-22k-mono-s16.wav",
    "counter-22k-mono.flac",
    "counter-48k-stereo-s24.wav",
    "chirp-cbr.mp3",
    "chirp-vbr.mp3",
    "chirp-vbr-noxing.mp3",
    "chirp-faststart.m4a",
    "chirp-moov-at-end.m4a",
    "chirp.ogg",
    "chirp-audio-only.mkv",
    "chirp-video.mp4",
];

/// What happened to a damaged file.
#[derive(Debug)]
enum Outcome {
    /// Refused at open.
    Refused(String),
    /// Opened and read to the end (or to an error): frames read, and the
    /// error that stopped it, if any.
    Played {
        frames: u64,
        total: u64,
        error: Option<String>,
    },
}

/// Opens and reads `path` to the end on another thread; a hang fails.
fn play(path: &Path) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let owned = path.to_path_buf();
    std::thread::spawn(move || {
        let outcome = match Decoder::open(&owned) {
            Err(err) => Outcome::Refused(err.to_string()),
            Ok(mut decoder) => {
                let channels = usize::from(decoder.channels());
                let mut buffer = vec![0f32; 4096 * channels];
                let mut frames = 0u64;
                let mut error = None;
                loop {
                    match decoder.read(&mut buffer) {
                        Ok(0) => break,
                        Ok(n) => {
                            assert!(
                                buffer[..n * channels].iter().all(|s| s.is_finite()),
                                "non-finite samples"
                            );
                            frames += n as u64;
                        }
                        Err(err) => {
                            error = Some(err.to_string());
                            break;
                        }
                    }
                }
                Outcome::Played {
                    frames,
                    total: decoder.total_frames(),
                    error,
                }
            }
        };
        let _ = tx.send(outcome);
    });
    // Generous: these files are tiny and decode in milliseconds; only a hang
    // or a panic (the channel closes) gets here.
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{} hung", path.display()),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{} panicked", path.display()),
    }
}

/// Writes `bytes` to a file named `name` in a fresh folder.
fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("temp file");
    path
}

/// Deterministic noise bytes.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

fn assert_refused_naming(outcome: &Outcome, name: &str) {
    match outcome {
        Outcome::Refused(message) => assert!(message.contains(name), "{message}"),
        other => panic!("{name} was not refused: {other:?}"),
    }
}

#[test]
fn an_empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "empty.mp3", b"");
    assert!(matches!(
        Decoder::open(&path),
        Err(AudioError::Empty { .. })
    ));
    assert_refused_naming(&play(&path), "empty.mp3");
}

#[test]
fn a_missing_file_is_refused_naming_it() {
    let outcome = play(Path::new("/nonexistent/episode.mp3"));
    assert_refused_naming(&outcome, "episode.mp3");
}

#[test]
fn random_bytes_under_any_audio_name_never_panic_or_hang() {
    let dir = tempfile::tempdir().unwrap();
    for (i, name) in [
        "noise.mp3",
        "noise.m4a",
        "noise.flac",
        "noise.wav",
        "noise.ogg",
        "noise",
    ]
    .iter()
    .enumerate()
    {
        let path = write_temp(&dir, name, &noise(300_000, i as u64 + 1));
        match play(&path) {
            Outcome::Refused(message) => assert!(message.contains(name), "{message}"),
            // Noise that happens to hold MPEG sync words plays as damage:
            // whatever plays must stay within the length it announced.
            Outcome::Played { frames, total, .. } => assert!(frames <= total, "{name}"),
        }
    }
}

#[test]
fn truncated_files_play_up_to_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    for name in FIXTURES {
        let bytes = std::fs::read(fixture(name)).unwrap();
        for keep in [bytes.len() / 2, bytes.len() * 9 / 10, 1000, 100] {
            let path = write_temp(&dir, name, &bytes[..keep]);
            match play(&path) {
                Outcome::Refused(message) => assert!(message.contains(name), "{message}"),
                Outcome::Played { frames, total, .. } => {
                    assert!(frames <= total, "{name} cut at {keep}: {frames} > {total}");
                }
            }
        }
    }
}

#[test]
fn half_of_a_file_plays_about_half_of_it() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "counter-22k-mono-s16.wav",
        "chirp-cbr.mp3",
        "counter-22k-mono.flac",
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let full = Decoder::open(&fixture(name)).unwrap().total_frames();
        let path = write_temp(&dir, name, &bytes[..bytes.len() / 2]);
        match play(&path) {
            Outcome::Played { frames, .. } => assert!(
                frames > full / 3 && frames < full * 2 / 3,
                "{name}: {frames} of {full}"
            ),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn garbage_in_the_middle_is_skipped_and_the_rest_plays() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "chirp-cbr.mp3",
        "chirp-vbr.mp3",
        "counter-22k-mono.flac",
        "chirp.ogg",
    ] {
        let mut bytes = std::fs::read(fixture(name)).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle..middle + 3000].copy_from_slice(&noise(3000, 9));
        let path = write_temp(&dir, name, &bytes);
        match play(&path) {
            Outcome::Played { frames, total, .. } => {
                assert!(frames <= total, "{name}");
                assert!(
                    frames > total / 2,
                    "{name}: only {frames} of {total} played"
                );
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// A 16-bit PCM WAV header with the given channel count and rate, and a
/// little data.
fn wav_with(channels: u16, rate: u32) -> Vec<u8> {
    let data = vec![0u8; 4000];
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&rate.wrapping_mul(u32::from(channels) * 2).to_le_bytes());
    out.extend_from_slice(&(channels.wrapping_mul(2)).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    out
}

#[test]
fn absurd_channel_counts_and_rates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (channels, rate) in [
        (0u16, 44_100u32),
        (65_535, 44_100),
        (2, 0),
        (2, 3),
        (2, 999),
        (2, 4_000_000_000),
    ] {
        let name = format!("absurd-{channels}-{rate}.wav");
        let path = write_temp(&dir, &name, &wav_with(channels, rate));
        assert_refused_naming(&play(&path), &name);
    }
}

#[test]
fn a_sane_wav_header_of_the_same_shape_plays() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(&dir, "sane.wav", &wav_with(2, 44_100));
    match play(&path) {
        Outcome::Played { frames, error, .. } => {
            assert_eq!((frames, error), (1000, None));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_mp4_claiming_a_huge_moov_is_refused_or_plays_without_its_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(fixture("chirp-faststart.m4a")).unwrap();
    let at = bytes
        .windows(4)
        .position(|w| w == b"moov")
        .expect("a moov box")
        - 4;
    bytes[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    let path = write_temp(&dir, "huge-moov.m4a", &bytes);
    if let Outcome::Played { frames, total, .. } = play(&path) {
        assert!(frames <= total);
    }
}
