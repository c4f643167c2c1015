//! The signals the audio fixtures hold (see tests/fixtures/audio/make.py,
//! which computes them the same way), and how to find where a piece of
//! decoded audio sits in them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use earmark::audio::{Decoder, FrameSource};

/// The folder holding the audio fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name)
}

/// Sample `frame` of channel `channel` of the lossless "counter" signal, as
/// a decoder gives it (a 16-bit value over 32768).
pub fn counter(frame: u64, channel: u64) -> f32 {
    let v = ((frame.wrapping_mul(2_654_435_761) + channel * 40_503) % (1 << 32)) >> 16;
    let v = if v >= 32_768 {
        v as i64 - 65_536
    } else {
        v as i64
    };
    v as f32 / 32_768.0
}

/// The lossy files' master: a 300 Hz → 3 kHz sweep plus smoothed noise,
/// interleaved.
pub fn chirp_master(rate: u32, frames: u64, channels: u16) -> Vec<f32> {
    let channels = usize::from(channels);
    let mut seeds: Vec<u64> = (0..channels as u64).map(|c| 12_345 + 777 * c).collect();
    let mut smooth = vec![0f64; channels];
    let duration = frames as f64 / f64::from(rate);
    let mut out = Vec::with_capacity(frames as usize * channels);
    for i in 0..frames {
        let t = i as f64 / f64::from(rate);
        let phase = 2.0 * std::f64::consts::PI * (300.0 * t + 2700.0 * t * t / (2.0 * duration));
        for c in 0..channels {
            seeds[c] = (seeds[c] * 1_103_515_245 + 12_345) % (1 << 31);
            let u = seeds[c] as f64 / (1u64 << 31) as f64 - 0.5;
            smooth[c] += 0.3 * (u - smooth[c]);
            let gain = if c == 0 { 0.35 } else { 0.2 };
            out.push((gain * phase.sin() + 0.6 * smooth[c]) as f32);
        }
    }
    out
}

/// Every frame of a file, decoded from the start, interleaved.
pub fn decode_all(path: &Path) -> (Decoder, Vec<f32>) {
    let mut decoder = Decoder::open(path).unwrap_or_else(|e| panic!("{e}"));
    let channels = usize::from(decoder.channels());
    let mut all = Vec::new();
    let mut buffer = vec![0f32; 1000 * channels];
    loop {
        let frames = decoder.read(&mut buffer).unwrap_or_else(|e| panic!("{e}"));
        if frames == 0 {
            break;
        }
        all.extend_from_slice(&buffer[..frames * channels]);
    }
    (decoder, all)
}

/// Reads up to `frames` frames from where the decoder is.
pub fn read_frames(decoder: &mut Decoder, frames: usize) -> Vec<f32> {
    let channels = usize::from(decoder.channels());
    let mut out = vec![0f32; frames * channels];
    let mut filled = 0;
    while filled < frames {
        let got = decoder
            .read(&mut out[filled * channels..])
            .unwrap_or_else(|e| panic!("{e}"));
        if got == 0 {
            break;
        }
        filled += got;
    }
    out.truncate(filled * channels);
    out
}

/// Channel 0 of interleaved samples.
pub fn first_channel(samples: &[f32], channels: u16) -> Vec<f32> {
    samples
        .iter()
        .step_by(usize::from(channels))
        .copied()
        .collect()
}

/// The lag (in frames) at which `piece` best matches `reference` around
/// `at`: `piece[k]` ≈ `reference[at + lag + k]`, searched over ±`max_lag`,
/// with the normalised correlation there.
pub fn best_lag(reference: &[f32], at: usize, piece: &[f32], max_lag: usize) -> (i64, f64) {
    let mut best = (0i64, f64::MIN);
    for lag in -(max_lag as i64)..=max_lag as i64 {
        let start = at as i64 + lag;
        if start < 0 || start as usize + piece.len() > reference.len() {
            continue;
        }
        let window = &reference[start as usize..start as usize + piece.len()];
        let (mut dot, mut a, mut b) = (0f64, 0f64, 0f64);
        for (x, y) in window.iter().zip(piece) {
            dot += f64::from(*x) * f64::from(*y);
            a += f64::from(*x) * f64::from(*x);
            b += f64::from(*y) * f64::from(*y);
        }
        let score = dot / (a.sqrt() * b.sqrt()).max(1e-12);
        if score > best.1 {
            best = (lag, score);
        }
    }
    best
}

/// Deterministic positions spread over `0..limit` (a small LCG, so a
/// failure names the same positions every run).
pub fn positions(limit: u64, count: usize, seed: u64) -> Vec<u64> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % limit.max(1)
        })
        .collect()
}

/// Averages every `factor` samples: a crude low-pass and decimation for
/// coarse searches.
pub fn decimate(samples: &[f32], factor: usize) -> Vec<f32> {
    samples
        .chunks_exact(factor)
        .map(|c| c.iter().sum::<f32>() / factor as f32)
        .collect()
}

/// The best normalised correlation more than `away` lags from `lag`, over
/// ±`max_lag` around `at`: how clearly a match at `lag` stands out.
pub fn runner_up(
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

/// Where a recorded piece sits in a reference signal.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    /// `piece[k]` ≈ `reference[at + lag_frames + k]`.
    pub lag_frames: i64,
    /// The normalised correlation there.
    pub score: f64,
    /// The coarse search's best correlation.
    pub coarse_score: f64,
    /// The coarse search's best correlation more than 20 ms from its peak:
    /// how clearly the match stands out.
    pub coarse_runner_up: f64,
}

/// Finds where `piece` best matches `reference` within ±`max_lag` frames of
/// `at`: a coarse search over the whole window on signals averaged over
/// `decimation` samples, then an exact one within 3 ms of the coarse peak.
pub fn locate(
    reference: &[f32],
    at: usize,
    piece: &[f32],
    max_lag: usize,
    decimation: usize,
    sample_rate: u32,
) -> Found {
    let coarse_reference = decimate(reference, decimation);
    let coarse_piece = decimate(piece, decimation);
    let coarse_window = max_lag / decimation;
    let (coarse_lag, coarse_score) = best_lag(
        &coarse_reference,
        at / decimation,
        &coarse_piece,
        coarse_window,
    );
    let frames_20ms = (sample_rate / 50) as i64;
    let coarse_runner_up = runner_up(
        &coarse_reference,
        at / decimation,
        &coarse_piece,
        coarse_window,
        coarse_lag,
        frames_20ms / decimation as i64,
    );
    let around = (at as i64 + coarse_lag * decimation as i64).max(0) as usize;
    // The averaged signals' peak can sit a few decimated lags off the true
    // one (which it is depends on where the piece starts modulo
    // `decimation`), so the exact search spans 3 ms either side of it.
    let frames_3ms = (sample_rate * 3 / 1000) as usize;
    let (fine_lag, score) = best_lag(reference, around, piece, frames_3ms);
    Found {
        lag_frames: around as i64 - at as i64 + fine_lag,
        score,
        coarse_score,
        coarse_runner_up,
    }
}

/// Skipped after the recording's onset, past the fade-in.
pub const SKIP_MS: u64 = 50;
/// Length of the recorded piece that is matched against the source.
pub const PIECE_MS: u64 = 1_000;
/// How far either side of the expected place the match is searched: playing
/// from the wrong place by up to this much is found, not mistaken for a match.
pub const SEARCH_MS: u64 = 1_000;
/// The coarse search works on every `DECIMATE`th averaged sample.
pub const DECIMATE: usize = 8;
/// The recording counts as sound from its first sample above this.
pub const ONSET_LEVEL: f32 = 1e-3;

/// Where a recording's sound sits in `reference` (both mono at `rate`): the
/// piece of `PIECE_MS` starting `SKIP_MS` after the recording's `onset` is
/// searched for within ±`SEARCH_MS` of where it belongs if playback began
/// at `expected_ms`.
pub fn locate_recording(
    recording: &[f32],
    onset: usize,
    reference: &[f32],
    expected_ms: u64,
    rate: u32,
) -> Found {
    let frames_from_ms = |ms: u64| (ms * u64::from(rate) / 1000) as usize;
    let piece_start = onset + frames_from_ms(SKIP_MS);
    let piece_frames = frames_from_ms(PIECE_MS);
    assert!(
        recording.len() >= piece_start + piece_frames,
        "the recording holds {} frames after its onset, fewer than the {} compared",
        recording.len() - onset,
        frames_from_ms(SKIP_MS) + piece_frames
    );
    let piece = &recording[piece_start..piece_start + piece_frames];
    locate(
        reference,
        frames_from_ms(expected_ms + SKIP_MS),
        piece,
        frames_from_ms(SEARCH_MS),
        DECIMATE,
        rate,
    )
}
