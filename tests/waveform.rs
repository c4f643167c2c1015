//! The waveform worker end to end on WAV files written here: where a loud
//! burst lands in every level of the pyramid, that the parallel build gives
//! the very bins of a single-thread one, the cache (reuse, invalidation,
//! corruption), progress, cancellation and errors.

#![cfg(feature = "audio")]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, SystemTime};

use earmark::audio::AudioError;
use earmark::audio::wav::WavWriter;
use earmark::waveform::cache::SourceKey;
use earmark::waveform::{BIN_FRAMES, Built, JobOptions, WaveformError, WaveformJob};

const RATE: u32 = 44_100;
/// Ten seconds: long enough to be split into several parts.
const FRAMES: u64 = 10 * RATE as u64;
/// The burst: frames 200 000..210 000, +0.9 on the left, -0.8 on the right.
const BURST: std::ops::Range<u64> = 200_000..210_000;
/// Everything outside the burst stays within ±QUIET.
const QUIET: f32 = 0.1;
/// One `i16` step: what quantising may add to a peak.
const STEP: f32 = 1.0 / 32767.0;

/// Writes a stereo WAV: a quiet sine everywhere, the burst at `BURST`.
fn write_burst_wav(path: &Path, quiet: f32) {
    let mut writer = WavWriter::create(path, RATE, 2).expect("create the WAV");
    let mut samples = Vec::with_capacity(FRAMES as usize * 2);
    for frame in 0..FRAMES {
        let (left, right) = if BURST.contains(&frame) {
            (0.9, -0.8)
        } else {
            let s = quiet * (frame as f32 * 0.05).sin();
            (s, -s * 0.5)
        };
        samples.extend_from_slice(&[left, right]);
    }
    writer.write(&samples).expect("write the WAV");
    writer.finish(path).expect("finish the WAV");
}

fn options(threads: usize, cache_dir: Option<&Path>) -> JobOptions {
    JobOptions {
        cache_dir: cache_dir.map(Path::to_path_buf),
        threads,
        wake: None,
    }
}

fn build(path: &Path, options: JobOptions) -> Built {
    WaveformJob::start_with(path, options)
        .wait()
        .expect("the waveform builds")
}

struct Fixture {
    _dir: tempfile::TempDir,
    wav: PathBuf,
    cache: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let wav = dir.path().join("burst.wav");
    write_burst_wav(&wav, QUIET);
    let cache = dir.path().join("cache");
    Fixture {
        _dir: dir,
        wav,
        cache,
    }
}

#[test]
fn the_burst_is_in_exactly_the_bins_that_overlap_it_at_every_level() {
    let fx = fixture();
    let peaks = build(&fx.wav, options(1, None)).peaks;
    assert_eq!(peaks.total_frames(), FRAMES);
    assert_eq!(peaks.bins(0) as u64, FRAMES.div_ceil(BIN_FRAMES));
    for level in 0..peaks.level_count() {
        let bin_frames = peaks.bin_frames(level);
        for index in 0..peaks.bins(level) {
            let start = index as u64 * bin_frames;
            let end = start + bin_frames;
            let (min, max) = peaks.bin(level, index).expect("every bin is built");
            if start < BURST.end && BURST.start < end {
                assert!(
                    (0.9..=0.9 + STEP).contains(&max) && (-0.8 - STEP..=-0.8).contains(&min),
                    "level {level} bin {index} overlaps the burst: {min}..{max}"
                );
            } else {
                assert!(
                    max <= QUIET + STEP && min >= -QUIET - STEP,
                    "level {level} bin {index} is outside the burst: {min}..{max}"
                );
            }
        }
    }
}

#[test]
fn a_range_query_puts_the_burst_under_the_right_pixel() {
    let fx = fixture();
    let peaks = build(&fx.wav, options(1, None)).peaks;
    // 441 pixels over the file: 1000 frames each; the burst is pixels 200..210.
    let pixels = peaks.range(0, FRAMES, 441);
    assert_eq!(pixels.len(), 441);
    for (x, pixel) in pixels.iter().enumerate() {
        let (min, max) = pixel.expect("built");
        let loud = max > 0.5;
        // Pixels read whole pyramid bins, so a pixel next to the burst may
        // see it too; never one further away.
        let near = (199..=210).contains(&x);
        assert!(!loud || near, "pixel {x} is loud: {min}..{max}");
        if (200..210).contains(&x) {
            assert!(loud && min < -0.7, "pixel {x} misses the burst");
        }
    }
}

#[test]
fn the_parallel_build_gives_the_same_bins_as_one_thread() {
    let fx = fixture();
    let one = build(&fx.wav, options(1, None));
    let four = build(&fx.wav, options(4, None));
    assert_eq!(one.threads, 1);
    assert!(
        four.threads > 1,
        "the file was split ({} threads)",
        four.threads
    );
    assert_eq!(*one.peaks, *four.peaks);
}

#[test]
fn progress_reaches_one_and_the_ui_is_woken() {
    let fx = fixture();
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&wakes);
    let job = WaveformJob::start_with(
        &fx.wav,
        JobOptions {
            wake: Some(Arc::new(move || {
                counter.fetch_add(1, Ordering::Relaxed);
            })),
            ..options(2, None)
        },
    );
    // What a UI does each frame: draw whatever pyramid there is.
    let shared_peaks = loop {
        if let Some(peaks) = job.peaks() {
            break peaks;
        }
        assert!(
            !job.is_finished() || job.peaks().is_some(),
            "ended without a pyramid"
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    let outcome = job_wait_keeping_progress(job);
    assert_eq!(outcome.1, 1.0);
    assert!(
        Arc::ptr_eq(&shared_peaks, &outcome.0.peaks),
        "the UI drew the real pyramid"
    );
    // Once when the pyramid appears, once at the end.
    assert!(wakes.load(Ordering::Relaxed) >= 2);
}

/// Waits for the job through `try_finish` (the UI's way) and returns the
/// outcome with the progress read after it.
fn job_wait_keeping_progress(mut job: WaveformJob) -> (Built, f32) {
    loop {
        if let Some(outcome) = job.try_finish() {
            let built = outcome.expect("the waveform builds");
            assert!(job.try_finish().is_none(), "the outcome is handed out once");
            return (built, job.progress());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_cancelled_build_stops_and_caches_nothing() {
    let fx = fixture();
    // The first wake (the empty pyramid is up, nothing decoded yet) blocks
    // until the test has cancelled, so the order is certain.
    let (release, gate) = mpsc::channel::<()>();
    let gate = Mutex::new(gate);
    let job = WaveformJob::start_with(
        &fx.wav,
        JobOptions {
            wake: Some(Arc::new(move || {
                let _ = gate.lock().map(|gate| gate.recv());
            })),
            ..options(1, Some(&fx.cache))
        },
    );
    job.cancel();
    drop(release);
    match job.wait() {
        Err(WaveformError::Cancelled { path }) => assert_eq!(path, fx.wav),
        other => panic!("expected a cancellation, got {other:?}"),
    }
    assert!(!fx.cache.exists() || cache_files(&fx.cache).is_empty());
}

fn cache_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("the cache folder")
        .map(|entry| entry.expect("an entry").path())
        .collect()
}

#[test]
fn a_second_open_comes_from_the_cache_with_the_same_bins() {
    let fx = fixture();
    let first = build(&fx.wav, options(2, Some(&fx.cache)));
    assert!(!first.from_cache);
    assert!(first.cache_error.is_none());
    assert_eq!(cache_files(&fx.cache).len(), 1);
    let second = build(&fx.wav, options(2, Some(&fx.cache)));
    assert!(second.from_cache);
    assert_eq!(*first.peaks, *second.peaks);
}

#[test]
fn a_rewritten_or_touched_file_is_decoded_again() {
    let fx = fixture();
    build(&fx.wav, options(1, Some(&fx.cache)));
    // Same length, same name, new content (louder quiet part).
    write_burst_wav(&fx.wav, 0.3);
    let rewritten = build(&fx.wav, options(1, Some(&fx.cache)));
    assert!(!rewritten.from_cache);
    let (_, max) = rewritten.peaks.bin(0, 10).expect("built");
    assert!(max > 0.2, "the new content is what is shown: {max}");

    let file = std::fs::File::options()
        .write(true)
        .open(&fx.wav)
        .expect("open");
    file.set_modified(SystemTime::now() + Duration::from_secs(60))
        .expect("touch");
    drop(file);
    let touched = build(&fx.wav, options(1, Some(&fx.cache)));
    assert!(!touched.from_cache);
    assert!(build(&fx.wav, options(1, Some(&fx.cache))).from_cache);
}

#[test]
fn a_corrupt_or_truncated_cache_file_is_ignored_and_replaced() {
    let fx = fixture();
    let fresh = build(&fx.wav, options(1, Some(&fx.cache)));
    let key = SourceKey::of(&fx.wav).expect("key");
    let cache_file = key.cache_path(&fx.cache);
    let good = std::fs::read(&cache_file).expect("the cache file");

    let mut corrupt = good.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0xff;
    for damaged in [
        corrupt,
        good[..good.len() / 3].to_vec(),
        b"EARMPEAK".to_vec(),
    ] {
        std::fs::write(&cache_file, &damaged).expect("damage the cache");
        let rebuilt = build(&fx.wav, options(1, Some(&fx.cache)));
        assert!(!rebuilt.from_cache);
        assert_eq!(*rebuilt.peaks, *fresh.peaks);
        assert_eq!(std::fs::read(&cache_file).expect("rewritten"), good);
    }
}

#[test]
fn an_unreadable_cache_folder_still_gives_the_waveform() {
    let fx = fixture();
    // A file where the folder should be: nothing can be saved there.
    std::fs::write(&fx.cache, b"not a folder").expect("write");
    let built = build(&fx.wav, options(1, Some(&fx.cache)));
    assert!(!built.from_cache);
    assert!(built.cache_error.is_some());
    assert_eq!(built.peaks.bins(0) as u64, FRAMES.div_ceil(BIN_FRAMES));
}

#[test]
fn a_file_that_is_not_audio_or_not_there_is_an_audio_error() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, b"these are not samples, just words in a file").expect("write");
    let err = WaveformJob::start_with(&text, options(2, None))
        .wait()
        .expect_err("not audio");
    assert!(
        matches!(err, WaveformError::Audio(AudioError::Unsupported { .. })),
        "{err:?}"
    );
    let missing = dir.path().join("missing.mp3");
    let err = WaveformJob::start_with(&missing, options(2, None))
        .wait()
        .expect_err("missing");
    assert!(
        matches!(err, WaveformError::Audio(AudioError::Io { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("missing.mp3"), "{err}");
}
