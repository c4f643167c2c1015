//! Speech activity per 10 ms frame of an audio file: the audio side of the
//! alignment (issue 12).
//!
//! # Method
//!
//! 1. **Band energy.** Each frame's channels are averaged to mono and
//!    filtered to the telephone band, 300–3400 Hz: a 4th-order Butterworth
//!    high-pass at [`VadParams::low_hz`] (two biquads) and a 2nd-order
//!    low-pass at [`VadParams::high_hz`]. The band holds most of speech's
//!    energy (the first two formants) and leaves out what a room adds below
//!    it: mains hum at 50/60 Hz is some 60 dB down at the output, rumble and
//!    handling noise too. The frame's energy is the mean square of the
//!    filtered samples in dB (0 dB is a full-scale square wave in band).
//! 2. **Noise floor.** The floor follows the energy down at once and up
//!    slowly, [`VadParams::floor_rise_db_per_s`] (5 dB/s): a pause between
//!    words or sentences, which podcast speech has every second or two,
//!    pulls it back to the room's level, while within a phrase it cannot
//!    climb up to the speech. A steady sound (a hiss, a hum's harmonics
//!    inside the band, the air conditioning) becomes floor within seconds.
//!    It never goes below [`VadParams::silence_db`] less the margin, so the
//!    digital silence of synthetic or gated audio does not make the faintest
//!    breath speech.
//! 3. **Decision.** A frame is loud when its energy is [`VadParams::margin_db`]
//!    (10 dB) above the floor and above [`VadParams::silence_db`] (−60 dB).
//!    Then a hangover that looks ahead, since a whole file is at hand: a
//!    gap of up to [`VadParams::bridge_ms`] (150 ms, a stop consonant's
//!    closure, a breath inside a phrase) between loud frames is speech too,
//!    but speech does not run on after its last loud frame, so a line's end
//!    is not pushed later. Last, a burst shorter than
//!    [`VadParams::min_speech_ms`] (30 ms, a click) is dropped.
//!
//! The parameters were set on the episodes of `benches/sync/make_cases.py`
//! (espeak-ng speech; with and without pink noise at −50 dBFS and hum),
//! whose speech-activity truth bridges gaps under 150 ms the same way
//! (`tests/sync_vad.rs` holds it to 95 % of frames agreeing with that
//! truth, see `benches/sync/README.md`). Music is not told from
//! speech: a tone bed inserted between two parts of an episode is activity,
//! which the aligner treats like any other insertion.
//!
//! # Speed
//!
//! A file is decoded in parts on several threads, as the waveform is (see
//! [`crate::waveform`]): each worker has its own [`Decoder`] and takes the
//! next two-minute part no other has taken, so all finish together whatever
//! each part costs; it seeks to the part (starting 100 ms early so its
//! filters settle) and measures the decoder's chunks where they lie
//! ([`Decoder::read_borrowed`]), mixed to mono into one block of 262 144
//! samples, so memory is the result (9 bytes a frame: 5 MB for 92 minutes)
//! plus about 1.5 MB a worker. Only formats whose seek gives the samples a
//! straight decode gives are split; others decode on one thread. The
//! filters, recursive and so bound by each sample's wait for the last, run
//! on eight runs of each block side by side, one filter at a time over a
//! tile that stays in the cache, with fused multiply-adds where the
//! processor has them (see `BandMeter::measure_block`). The decision step
//! is one pass over the frames.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::audio::{AudioError, Decoder, FrameSource};

/// Milliseconds in one frame of the activity.
pub const FRAME_MS: u64 = 10;
/// Frames decoded (and thrown away) before a part's first frame, for the
/// filters to settle: 100 ms, many times the 300 Hz high-pass's time constant.
const PREROLL_FRAMES: u64 = 10;
/// Mono samples the band meter gathers before it filters them (see
/// `BandMeter::measure_block`).
const METER_BLOCK: usize = 262_144;
/// The shortest part worth its own decoder (in 10 ms frames): 5 minutes.
const MIN_PART_FRAMES: u64 = 30_000;
/// The length of a part a worker takes at a time (in 10 ms frames), when
/// there are several: 2 minutes. Shorter parts leave less for the last
/// worker to finish alone; each costs a seek and 100 ms of pre-roll.
const PART_FRAMES: u64 = 12_000;
/// Most worker threads, whatever the machine has.
const MAX_THREADS: usize = 8;

/// The detector's parameters; see the module docs for what each does and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadParams {
    /// The band's lower edge in Hz (high-pass).
    pub low_hz: f32,
    /// The band's upper edge in Hz (low-pass; left out when the file's
    /// Nyquist frequency is not well above it).
    pub high_hz: f32,
    /// How far above the noise floor a frame must be to be loud, in dB.
    pub margin_db: f32,
    /// Frames at or below this band energy (dB) are never speech.
    pub silence_db: f32,
    /// How fast the noise floor may rise, in dB per second.
    pub floor_rise_db_per_s: f32,
    /// Gaps between loud frames up to this long are speech too.
    pub bridge_ms: u32,
    /// Bursts shorter than this are not speech.
    pub min_speech_ms: u32,
}

impl Default for VadParams {
    fn default() -> VadParams {
        VadParams {
            low_hz: 300.0,
            high_hz: 3400.0,
            margin_db: 10.0,
            silence_db: -60.0,
            floor_rise_db_per_s: 5.0,
            bridge_ms: 150,
            min_speech_ms: 30,
        }
    }
}

/// How [`analyze_file`] runs.
#[derive(Debug, Clone, Default)]
pub struct VadOptions {
    /// The detector's parameters.
    pub params: VadParams,
    /// Worker threads; 0 means one per core (at most 8).
    pub threads: usize,
    /// Milliseconds of audio measured so far, summed over the workers (a
    /// window's progress bar); `None`: not counted.
    pub progress_ms: Option<Arc<AtomicU64>>,
    /// Once set, the workers stop at their next block and
    /// [`analyze_file`] returns [`VadError::Cancelled`].
    pub cancel: Option<Arc<AtomicBool>>,
}

/// Why an audio file's speech activity could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum VadError {
    /// The file could not be opened or decoded.
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// The system would not start a thread.
    #[error("cannot start a speech-detection thread ({source}): {}", path.display())]
    Spawn {
        /// The audio file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A worker thread panicked; a bug, reported instead of propagated.
    #[error("the speech-detection worker stopped unexpectedly: {}", path.display())]
    WorkerPanicked {
        /// The audio file.
        path: PathBuf,
    },
    /// [`VadOptions::cancel`] was set before the file was measured.
    #[error("the speech detection was cancelled")]
    Cancelled,
}

/// Speech activity of a recording, one value per [`FRAME_MS`] frame:
/// frame `i` covers `i * 10 .. (i + 1) * 10` ms.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Band energy of each frame, in dB.
    pub energy_db: Vec<f32>,
    /// The noise floor under each frame, in dB.
    pub floor_db: Vec<f32>,
    /// Whether each frame is speech.
    pub speech: Vec<bool>,
}

impl Activity {
    /// The decision for frames of band energy `energy_db` (see the module docs).
    pub fn from_energy(energy_db: Vec<f32>, params: &VadParams) -> Activity {
        let rise = params.floor_rise_db_per_s * FRAME_MS as f32 / 1000.0;
        let lowest = params.silence_db - params.margin_db;
        // Start from the quietest frame of the first second, so a file that
        // opens with speech does not begin with the speech as its floor.
        let mut floor = energy_db
            .iter()
            .take((1000 / FRAME_MS) as usize)
            .copied()
            .fold(f32::INFINITY, f32::min)
            .max(lowest);
        let mut floor_db = Vec::with_capacity(energy_db.len());
        let mut speech = Vec::with_capacity(energy_db.len());
        for &e in &energy_db {
            floor = (floor + rise).min(e).max(lowest);
            floor_db.push(floor);
            speech.push(e > floor + params.margin_db && e > params.silence_db);
        }
        close_gaps(&mut speech, frames_of(params.bridge_ms));
        drop_short(&mut speech, frames_of(params.min_speech_ms));
        Activity {
            energy_db,
            floor_db,
            speech,
        }
    }

    /// Frames measured.
    pub fn len(&self) -> usize {
        self.speech.len()
    }

    /// True when there are no frames (an empty file).
    pub fn is_empty(&self) -> bool {
        self.speech.is_empty()
    }

    /// The speech as `(start_ms, end_ms)` spans, in order, end exclusive.
    pub fn spans_ms(&self) -> Vec<(u64, u64)> {
        let mut spans = Vec::new();
        let mut start = None;
        for (i, &s) in self.speech.iter().enumerate() {
            match (s, start) {
                (true, None) => start = Some(i),
                (false, Some(from)) => {
                    spans.push((from as u64 * FRAME_MS, i as u64 * FRAME_MS));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(from) = start {
            spans.push((from as u64 * FRAME_MS, self.speech.len() as u64 * FRAME_MS));
        }
        spans
    }

    /// Milliseconds of speech.
    pub fn speech_ms(&self) -> u64 {
        self.speech.iter().filter(|&&s| s).count() as u64 * FRAME_MS
    }

    /// The share of frames on which this activity agrees with reference
    /// speech `spans` (`(start_ms, end_ms)`, end exclusive; a frame is
    /// reference speech when a span covers its middle), over this
    /// activity's frames: how a detector is checked against a known truth.
    pub fn agreement_with(&self, spans: &[(u64, u64)]) -> f64 {
        if self.speech.is_empty() {
            return 1.0;
        }
        let mut truth = vec![false; self.speech.len()];
        for &(start, end) in spans {
            let first = start.saturating_sub(FRAME_MS / 2).div_ceil(FRAME_MS) as usize;
            let last = (end.saturating_sub(FRAME_MS / 2)).div_ceil(FRAME_MS) as usize;
            for t in truth.iter_mut().take(last).skip(first) {
                *t = true;
            }
        }
        let agree = truth
            .iter()
            .zip(&self.speech)
            .filter(|(a, b)| a == b)
            .count();
        agree as f64 / self.speech.len() as f64
    }
}

/// Frames in `ms`, rounded to the nearest.
fn frames_of(ms: u32) -> usize {
    ((u64::from(ms) + FRAME_MS / 2) / FRAME_MS) as usize
}

/// Marks runs of up to `max` non-speech frames between two speech frames
/// as speech.
fn close_gaps(speech: &mut [bool], max: usize) {
    let mut last_speech: Option<usize> = None;
    for i in 0..speech.len() {
        if speech[i] {
            if let Some(last) = last_speech
                && i - last - 1 <= max
            {
                speech[last + 1..i].iter_mut().for_each(|s| *s = true);
            }
            last_speech = Some(i);
        }
    }
}

/// Clears runs of speech shorter than `min` frames.
fn drop_short(speech: &mut [bool], min: usize) {
    let mut i = 0;
    while i < speech.len() {
        if !speech[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < speech.len() && speech[i] {
            i += 1;
        }
        if i - start < min {
            speech[start..i].iter_mut().for_each(|s| *s = false);
        }
    }
}

/// The first audio frame (sample index per channel) of activity frame `frame`.
fn audio_frame_at(frame: u64, sample_rate: u32) -> u64 {
    (u128::from(frame) * u128::from(sample_rate) / u128::from(1000 / FRAME_MS)) as u64
}

/// Activity frames in `total` audio frames (the last may be partial).
fn frames_in(total: u64, sample_rate: u32) -> u64 {
    (u128::from(total) * u128::from(1000 / FRAME_MS)).div_ceil(u128::from(sample_rate.max(1)))
        as u64
}

/// A biquad section (direct form I), in f64: at 48 kHz the 300 Hz
/// high-pass's poles sit close to the unit circle.
///
/// Direct form I, because its output waits on the last output through one
/// multiply-add (and on the one before through two), where the transposed
/// form's state puts two multiply-adds between consecutive outputs: a
/// recursive filter's speed is that wait.
#[derive(Debug, Clone, Copy)]
struct Biquad {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    /// The last two inputs and outputs, the latest first.
    x1: f64,
    x2: f64,
    y1: f64,
    y2: f64,
}

impl Biquad {
    /// A filter that passes its input unchanged.
    fn identity() -> Biquad {
        Biquad {
            b0: 1.0,
            b1: 0.0,
            b2: 0.0,
            a1: 0.0,
            a2: 0.0,
            x1: 0.0,
            x2: 0.0,
            y1: 0.0,
            y2: 0.0,
        }
    }

    /// A high-pass (`high == true`) or low-pass at `hz` with quality `q`
    /// (the RBJ cookbook's formulas).
    fn new(high: bool, hz: f64, q: f64, sample_rate: f64) -> Biquad {
        let w0 = 2.0 * std::f64::consts::PI * hz / sample_rate;
        let (sin, cos) = w0.sin_cos();
        let alpha = sin / (2.0 * q);
        let a0 = 1.0 + alpha;
        let (b0, b1) = if high {
            ((1.0 + cos) / 2.0, -(1.0 + cos))
        } else {
            ((1.0 - cos) / 2.0, 1.0 - cos)
        };
        Biquad {
            b0: b0 / a0,
            b1: b1 / a0,
            b2: b0 / a0,
            a1: -2.0 * cos / a0,
            a2: (1.0 - alpha) / a0,
            x1: 0.0,
            x2: 0.0,
            y1: 0.0,
            y2: 0.0,
        }
    }

    #[inline]
    fn run(&mut self, x: f64) -> f64 {
        // The inputs' terms first: only the outputs' wait on the last step.
        let inputs = self.b0 * x + self.b1 * self.x1 + self.b2 * self.x2;
        let y = (inputs - self.a2 * self.y2) - self.a1 * self.y1;
        (self.x2, self.x1, self.y2, self.y1) = (self.x1, x, self.y1, y);
        y
    }
}

/// Lanes the band's filters run in side by side: a block of samples is cut
/// into this many runs, filtered together (see [`BandMeter::measure_block`]).
/// Eight is two AVX registers: enough independent steps to cover the wait
/// on each, with every filter's state still in registers (at sixteen they
/// spilled, and were no faster).
const LANES: usize = 8;
/// A lane's filters start this long before its run, in ms, and settle:
/// 14 time constants of the slowest pole (the 300 Hz high-pass's second
/// biquad, Q 1.3), after which their start from rest is 120 dB down (at
/// 10 ms, a hum 34 dB over the room still showed as 0.04 dB).
const LANE_SETTLE_MS: u32 = 20;
/// Samples of each lane filtered at a time, side by side (8 KB).
const TILE: usize = 128;

/// Band energy of consecutive 10 ms frames, from interleaved samples pushed
/// in any block sizes.
struct BandMeter {
    channels: usize,
    sample_rate: u32,
    /// The high-pass's two biquads, then the low-pass (or one that passes
    /// all); their state is where the last measured sample left it.
    filters: [Biquad; 3],
    /// The block being gathered, in mono; measured once it holds
    /// [`METER_BLOCK`] samples (its samples become their filtered squares).
    block: Vec<f32>,
    /// The activity frame being summed.
    frame: u64,
    /// The audio frame the current activity frame ends before.
    frame_end: u64,
    /// The next audio frame to be summed.
    pos: u64,
    sum: f64,
    count: u32,
    out: Vec<f32>,
}

impl BandMeter {
    /// A meter whose first pushed audio frame is the first of activity frame `frame`.
    fn new(sample_rate: u32, channels: u16, frame: u64, params: &VadParams) -> BandMeter {
        let rate = f64::from(sample_rate);
        let low_pass = if f64::from(params.high_hz) < rate / 2.0 * 0.9 {
            Biquad::new(
                false,
                f64::from(params.high_hz),
                std::f64::consts::FRAC_1_SQRT_2,
                rate,
            )
        } else {
            Biquad::identity()
        };
        BandMeter {
            channels: usize::from(channels.max(1)),
            sample_rate,
            // A 4th-order Butterworth high-pass is two biquads with these Qs.
            filters: [
                Biquad::new(true, f64::from(params.low_hz), 0.541_196_1, rate),
                Biquad::new(true, f64::from(params.low_hz), 1.306_563, rate),
                low_pass,
            ],
            block: Vec::with_capacity(METER_BLOCK),
            frame,
            frame_end: audio_frame_at(frame + 1, sample_rate),
            pos: audio_frame_at(frame, sample_rate),
            sum: 0.0,
            count: 0,
            out: Vec::new(),
        }
    }

    /// Mixes `interleaved` (whole frames) to mono into the block, measuring
    /// each block as it fills.
    fn push(&mut self, interleaved: &[f32]) {
        let channels = self.channels;
        let mut rest = interleaved;
        loop {
            let frames = (rest.len() / channels).min(METER_BLOCK - self.block.len());
            if frames == 0 {
                break;
            }
            let (now, later) = rest.split_at(frames * channels);
            match channels {
                1 => self.block.extend(now.iter().map(|&x| finite(x))),
                2 => self.block.extend(
                    now.chunks_exact(2)
                        .map(|pair| finite((pair[0] + pair[1]) * 0.5)),
                ),
                channels => {
                    let scale = 1.0 / channels as f32;
                    self.block.extend(
                        now.chunks_exact(channels)
                            .map(|frame| finite(frame.iter().sum::<f32>() * scale)),
                    );
                }
            }
            if self.block.len() == METER_BLOCK {
                self.measure_block();
            }
            rest = later;
        }
    }

    /// Filters the block and adds its squares to the frames' energies.
    ///
    /// The hot loop of the whole sync. A recursive filter is bound by the
    /// latency of each sample's dependence on the last, not by arithmetic,
    /// so the block is cut into [`LANES`] runs filtered side by side
    /// (one instruction does a step of several runs). The first run goes
    /// on from the filters' state; every other starts from rest
    /// [`LANE_SETTLE_MS`] before its first sample, on the samples before
    /// it, so its energies differ from one long run's by under 0.01 dB
    /// (the tests check it).
    fn measure_block(&mut self) {
        let settle = (self.sample_rate * LANE_SETTLE_MS / 1000) as usize;
        let run = self.block.len() / LANES;
        let done = if run >= 4 * settle.max(1) {
            square_lanes(&mut self.filters, &mut self.block, run, settle);
            run * LANES
        } else {
            0
        };
        for x in &mut self.block[done..] {
            let y = self.filters.iter_mut().fold(f64::from(*x), |x, f| f.run(x));
            *x = (y * y) as f32;
        }
        let mut rest = 0..self.block.len();
        while !rest.is_empty() {
            let frames = ((self.frame_end - self.pos) as usize).min(rest.len());
            let now = rest.start..rest.start + frames;
            self.sum += sum(&self.block[now]);
            self.count += frames as u32;
            self.pos += frames as u64;
            if self.pos >= self.frame_end {
                self.emit();
            }
            rest.start += frames;
        }
        self.block.clear();
    }

    fn emit(&mut self) {
        let mean = self.sum / f64::from(self.count.max(1));
        self.out.push((10.0 * (mean + 1e-12).log10()) as f32);
        self.sum = 0.0;
        self.count = 0;
        self.frame += 1;
        self.frame_end = audio_frame_at(self.frame + 1, self.sample_rate);
    }

    /// The frames' energies, a partial last frame included.
    fn finish(mut self) -> Vec<f32> {
        self.measure_block();
        if self.count > 0 {
            self.emit();
        }
        self.out
    }
}

/// Replaces the first `LANES * run` of `block` by their filtered squares,
/// in [`LANES`] runs of `run` side by side (see [`BandMeter::measure_block`]);
/// leaves `filters` in the state the last sample left them.
fn square_lanes(filters: &mut [Biquad; 3], block: &mut [f32], run: usize, settle: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the processor has both features the function was
            // compiled to use.
            unsafe { square_lanes_fma(filters, block, run, settle) };
            return;
        }
        if std::is_x86_feature_detected!("avx") {
            // SAFETY: the processor has AVX, the one feature the function
            // was compiled to use.
            unsafe { square_lanes_avx(filters, block, run, settle) };
            return;
        }
    }
    square_lanes_portable::<false>(filters, block, run, settle);
}

/// [`square_lanes`] compiled for AVX and its fused multiply-add: a step of
/// four lanes is one instruction, and a multiply and an add one more.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,fma")]
fn square_lanes_fma(filters: &mut [Biquad; 3], block: &mut [f32], run: usize, settle: usize) {
    square_lanes_portable::<true>(filters, block, run, settle);
}

/// [`square_lanes`] compiled for AVX, whose registers hold four lanes
/// (twice the x86-64 baseline's SSE2).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn square_lanes_avx(filters: &mut [Biquad; 3], block: &mut [f32], run: usize, settle: usize) {
    square_lanes_portable::<false>(filters, block, run, settle);
}

/// [`square_lanes`] for any processor; `FMA`: with fused multiply-adds
/// (only where the processor has them: elsewhere they are slow calls).
#[inline(always)]
fn square_lanes_portable<const FMA: bool>(
    filters: &mut [Biquad; 3],
    block: &mut [f32],
    run: usize,
    settle: usize,
) {
    let mut lanes = filters.map(LaneBiquad::new);
    let mut tile = [[0.0; LANES]; TILE];
    // Each lane settles on the samples before its run; lane 0's input here
    // is thrown away, as its state is set below.
    for from in (0..settle).step_by(TILE) {
        let tile = &mut tile[..TILE.min(settle - from)];
        for (n, x) in tile.iter_mut().enumerate() {
            *x = std::array::from_fn(|j| match j {
                0 => 0.0,
                j => f64::from(block[j * run - settle + from + n]),
            });
        }
        cascade::<FMA>(&mut lanes, tile);
    }
    for (lane, filter) in lanes.iter_mut().zip(filters.iter()) {
        (lane.x1[0], lane.x2[0]) = (filter.x1, filter.x2);
        (lane.y1[0], lane.y2[0]) = (filter.y1, filter.y2);
    }
    // Sample n of every run side by side in a tile that stays in the
    // cache, so the filters' loop reads one array; each sample is read,
    // then replaced by its square, which nothing reads again.
    for from in (0..run).step_by(TILE) {
        let tile = &mut tile[..TILE.min(run - from)];
        for j in 0..LANES {
            let lane = &block[j * run + from..][..tile.len()];
            for (x, &sample) in tile.iter_mut().zip(lane) {
                x[j] = f64::from(sample);
            }
        }
        cascade::<FMA>(&mut lanes, tile);
        for j in 0..LANES {
            let lane = &mut block[j * run + from..][..tile.len()];
            for (square, y) in lane.iter_mut().zip(tile.iter()) {
                *square = (y[j] * y[j]) as f32;
            }
        }
    }
    for (filter, lane) in filters.iter_mut().zip(&lanes) {
        (filter.x1, filter.x2) = (lane.x1[LANES - 1], lane.x2[LANES - 1]);
        (filter.y1, filter.y2) = (lane.y1[LANES - 1], lane.y2[LANES - 1]);
    }
}

/// The three filters over `tile`, one after the other: each keeps its
/// lanes' state and coefficients in registers through the whole tile.
#[inline(always)]
fn cascade<const FMA: bool>(lanes: &mut [LaneBiquad; 3], tile: &mut [[f64; LANES]]) {
    for lane in lanes.iter_mut() {
        // A copy of the filter in locals: the compiler keeps locals in
        // registers where it may leave a struct behind a reference in
        // memory (it did, in the release build: twice the time).
        let mut filter = *lane;
        for x in tile.iter_mut() {
            *x = filter.run::<FMA>(*x);
        }
        *lane = filter;
    }
}

/// `x`, or 0 when it is not a number or infinite (a corrupt frame).
fn finite(x: f32) -> f32 {
    if x.is_finite() { x } else { 0.0 }
}

/// The sum of `squares` in f64, in four running sums (one would wait on
/// the last addition at every sample).
fn sum(squares: &[f32]) -> f64 {
    let mut sums = [0.0; 4];
    let chunks = squares.chunks_exact(4);
    let tail: f64 = chunks.remainder().iter().map(|&y| f64::from(y)).sum();
    for chunk in chunks {
        for (sum, &y) in sums.iter_mut().zip(chunk) {
            *sum += f64::from(y);
        }
    }
    sums.iter().sum::<f64>() + tail
}

/// One [`Biquad`] run in [`LANES`] lanes: the same coefficients, a state
/// per lane.
#[derive(Debug, Clone, Copy)]
struct LaneBiquad {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    x1: [f64; LANES],
    x2: [f64; LANES],
    y1: [f64; LANES],
    y2: [f64; LANES],
}

impl LaneBiquad {
    /// `filter`'s coefficients, every lane at rest.
    fn new(filter: Biquad) -> LaneBiquad {
        LaneBiquad {
            b0: filter.b0,
            b1: filter.b1,
            b2: filter.b2,
            a1: filter.a1,
            a2: filter.a2,
            x1: [0.0; LANES],
            x2: [0.0; LANES],
            y1: [0.0; LANES],
            y2: [0.0; LANES],
        }
    }

    /// One step of every lane, as [`Biquad::run`] does it; `FMA`: with
    /// fused multiply-adds (rounded once instead of twice).
    #[inline(always)]
    fn run<const FMA: bool>(&mut self, x: [f64; LANES]) -> [f64; LANES] {
        let mut y = [0.0; LANES];
        for j in 0..LANES {
            y[j] = if FMA {
                let inputs = self
                    .b0
                    .mul_add(x[j], self.b1.mul_add(self.x1[j], self.b2 * self.x2[j]));
                (-self.a1).mul_add(self.y1[j], (-self.a2).mul_add(self.y2[j], inputs))
            } else {
                let inputs = self.b0 * x[j] + self.b1 * self.x1[j] + self.b2 * self.x2[j];
                (inputs - self.a2 * self.y2[j]) - self.a1 * self.y1[j]
            };
        }
        (self.x2, self.x1, self.y2, self.y1) = (self.x1, x, self.y1, y);
        y
    }
}

/// Band energy (dB) per 10 ms frame of interleaved `samples`; the first
/// step of [`Activity::from_energy`], for audio already in memory.
pub fn band_energy(
    samples: &[f32],
    channels: u16,
    sample_rate: u32,
    params: &VadParams,
) -> Vec<f32> {
    let mut meter = BandMeter::new(sample_rate, channels, 0, params);
    meter.push(samples);
    meter.finish()
}

/// Speech activity of interleaved `samples` in memory.
pub fn analyze_samples(
    samples: &[f32],
    channels: u16,
    sample_rate: u32,
    params: &VadParams,
) -> Activity {
    Activity::from_energy(band_energy(samples, channels, sample_rate, params), params)
}

/// Decodes `path` (on several threads where its format allows) and
/// measures its speech activity.
pub fn analyze_file(path: &Path, options: &VadOptions) -> Result<Activity, VadError> {
    let first = Decoder::open(path)?;
    let info = first.info().clone();
    let frames = frames_in(info.frames, info.sample_rate);
    let threads = thread_count(options.threads, &info.container, frames);
    let count = if threads == 1 {
        1
    } else {
        frames.div_ceil(PART_FRAMES).max(threads as u64)
    };
    let parts: Vec<(u64, u64)> = (0..count)
        .map(|i| (frames * i / count, frames * (i + 1) / count))
        .collect();
    // Each worker takes the next part not yet taken, so that they finish
    // together whatever each part costs; the first error stops them all.
    let next = AtomicUsize::new(0);
    let work = |mut decoder: Decoder| -> Result<Vec<(usize, Vec<f32>)>, VadError> {
        let mut measured = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(&part) = parts.get(index) else {
                return Ok(measured);
            };
            match measure_part(&mut decoder, part, options) {
                Ok(energy) => measured.push((index, energy)),
                Err(err) => {
                    next.store(parts.len(), Ordering::Relaxed);
                    return Err(err);
                }
            }
        }
    };
    let results = std::thread::scope(|scope| {
        let work = &work;
        let others: Vec<_> = (1..threads)
            .map(|_| {
                std::thread::Builder::new()
                    .name("earmark-vad".into())
                    .spawn_scoped(scope, move || work(Decoder::open(path)?))
            })
            .collect();
        let mut results = vec![work(first)];
        for other in others {
            results.push(match other {
                Err(source) => Err(VadError::Spawn {
                    path: path.to_path_buf(),
                    source,
                }),
                Ok(handle) => handle.join().unwrap_or_else(|_| {
                    Err(VadError::WorkerPanicked {
                        path: path.to_path_buf(),
                    })
                }),
            });
        }
        results
    });
    let mut measured = Vec::with_capacity(parts.len());
    for result in results {
        measured.extend(result?);
    }
    measured.sort_unstable_by_key(|(index, _)| *index);
    let mut energy_db = Vec::with_capacity(frames as usize);
    for (_, energy) in measured {
        energy_db.extend(energy);
    }
    Ok(Activity::from_energy(energy_db, &options.params))
}

/// Speech activity of the first `until_ms` of `path` (all of it when
/// shorter), decoded on this thread as it is measured: the window's check
/// on open of where speech first starts.
pub fn analyze_file_start(
    path: &Path,
    until_ms: u64,
    options: &VadOptions,
) -> Result<Activity, VadError> {
    let mut decoder = Decoder::open(path)?;
    let info = decoder.info();
    let end = frames_in(info.frames, info.sample_rate).min(until_ms.div_ceil(FRAME_MS));
    let energy_db = measure_part(&mut decoder, (0, end), options)?;
    Ok(Activity::from_energy(energy_db, &options.params))
}

/// Worker threads for a file: as asked (0: one per core), one when the
/// container's seek is not known to be sample-exact (as for the waveform),
/// and never so many that a part is shorter than `MIN_PART_FRAMES`.
fn thread_count(asked: usize, container: &str, frames: u64) -> usize {
    let asked = match asked {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    if !matches!(container, "mp3" | "wave" | "flac" | "ogg") {
        return 1;
    }
    let by_length = frames.div_ceil(MIN_PART_FRAMES).max(1);
    asked.min(MAX_THREADS).min(by_length as usize).max(1)
}

/// The band energy of activity frames `part.0..part.1`.
fn measure_part(
    decoder: &mut Decoder,
    (first, end): (u64, u64),
    options: &VadOptions,
) -> Result<Vec<f32>, VadError> {
    let params = &options.params;
    let rate = decoder.sample_rate();
    let channels = decoder.channels();
    let from = first.saturating_sub(PREROLL_FRAMES);
    let start = audio_frame_at(from, rate);
    let stop = audio_frame_at(end, rate).min(decoder.total_frames());
    if decoder.pos_frames() != start {
        decoder.seek(start)?;
    }
    let mut meter = BandMeter::new(rate, channels, from, params);
    let mut pos = start;
    while pos < stop {
        let frames = decoder.read_borrowed((stop - pos).min(METER_BLOCK as u64) as usize)?;
        if frames.is_empty() {
            break;
        }
        let got = (frames.len() / usize::from(channels)) as u64;
        meter.push(frames);
        if let Some(progress_ms) = &options.progress_ms {
            // From the part's start, so that chunks' fractions of a ms add up.
            let ms = |pos: u64| (pos - start) * 1000 / u64::from(rate.max(1));
            progress_ms.fetch_add(ms(pos + got) - ms(pos), Ordering::Relaxed);
        }
        pos += got;
        if options
            .cancel
            .as_ref()
            .is_some_and(|cancel| cancel.load(Ordering::Relaxed))
        {
            return Err(VadError::Cancelled);
        }
    }
    let mut energy = meter.finish();
    energy.drain(..((first - from) as usize).min(energy.len()));
    energy.truncate((end - first) as usize);
    Ok(energy)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 16_000;

    /// A deterministic white noise at `rms` (xorshift).
    fn noise(n: usize, rms: f32, seed: u32) -> Vec<f32> {
        let mut state = seed.max(1);
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state as f32 / u32::MAX as f32 * 2.0 - 1.0) * rms * 3f32.sqrt()
            })
            .collect()
    }

    fn tone(n: usize, hz: f32, amplitude: f32) -> Vec<f32> {
        (0..n)
            .map(|i| amplitude * (2.0 * std::f32::consts::PI * hz * i as f32 / RATE as f32).sin())
            .collect()
    }

    fn add(a: &mut [f32], b: &[f32]) {
        a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
    }

    /// A "syllable" train: 1 kHz bursts of 150 ms every 250 ms from
    /// `from_s` to `to_s`, in a file of `len_s`.
    fn syllables(len_s: f32, from_s: f32, to_s: f32) -> Vec<f32> {
        let n = (len_s * RATE as f32) as usize;
        let mut out = vec![0.0; n];
        let burst = tone((0.15 * RATE as f32) as usize, 1000.0, 0.2);
        let mut t = from_s;
        while t + 0.15 <= to_s {
            let at = (t * RATE as f32) as usize;
            out[at..at + burst.len()].copy_from_slice(&burst);
            t += 0.25;
        }
        out
    }

    /// The band energy of `samples` through one long run of the filters,
    /// sample by sample: what the lanes must agree with.
    fn one_run_energy(samples: &[f32], rate: u32) -> Vec<f32> {
        let meter = BandMeter::new(rate, 1, 0, &VadParams::default());
        let mut filters = meter.filters;
        let per_frame = (rate / 100) as usize;
        samples
            .chunks(per_frame)
            .map(|frame| {
                let sum: f64 = frame
                    .iter()
                    .map(|&x| filters.iter_mut().fold(f64::from(x), |x, f| f.run(x)))
                    .map(|y| y * y)
                    .sum();
                (10.0 * (sum / frame.len() as f64 + 1e-12).log10()) as f32
            })
            .collect()
    }

    #[test]
    fn lanes_measure_what_one_run_of_the_filters_does() {
        // Speech-like bursts over hum and noise, 20 s at 48 kHz (the
        // slowest settling), pushed in blocks of several sizes.
        let rate = 48_000;
        let n = rate as usize * 20;
        let mut samples = noise(n, 0.001, 7);
        let hum: Vec<f32> = (0..n)
            .map(|i| 0.05 * (2.0 * std::f32::consts::PI * 50.0 * i as f32 / rate as f32).sin())
            .collect();
        add(&mut samples, &hum);
        for (i, x) in samples.iter_mut().enumerate() {
            if (i / 7_000) % 3 == 0 {
                *x += 0.2 * (i as f32 * 0.13).sin();
            }
        }
        let expected = one_run_energy(&samples, rate);
        for block in [65_536, 16_384, 100_003, 999] {
            let mut meter = BandMeter::new(rate, 1, 0, &VadParams::default());
            for part in samples.chunks(block) {
                meter.push(part);
            }
            let got = meter.finish();
            assert_eq!(got.len(), expected.len());
            let worst = got
                .iter()
                .zip(&expected)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(worst < 0.01, "blocks of {block}: off by {worst} dB");
        }
    }

    /// The signature of [`square_lanes`] and its builds.
    type SquareLanes = fn(&mut [Biquad; 3], &mut [f32], usize, usize);

    #[test]
    fn every_build_of_the_lanes_filters_alike() {
        // The processor picks one build of the lanes; each must give what
        // the filters give sample by sample.
        let rate = RATE;
        let n = rate as usize * 4;
        let mut samples = noise(n, 0.01, 3);
        add(&mut samples, &tone(n, 50.0, 0.1));
        add(&mut samples, &syllables(4.0, 0.5, 3.5));
        let meter = BandMeter::new(rate, 1, 0, &VadParams::default());
        let mut filters = meter.filters;
        let expected: Vec<f64> = samples
            .iter()
            .map(|&x| filters.iter_mut().fold(f64::from(x), |x, f| f.run(x)))
            .map(|y| y * y)
            .collect();
        let run = samples.len() / LANES;
        let settle = (rate * LANE_SETTLE_MS / 1000) as usize;
        let builds: [(&str, SquareLanes); 3] = [
            ("chosen here", square_lanes),
            ("portable", square_lanes_portable::<false>),
            ("fused multiply-add", square_lanes_portable::<true>),
        ];
        for (name, build) in builds {
            let mut filters = meter.filters;
            let mut block = samples.clone();
            build(&mut filters, &mut block, run, settle);
            // Whole 10 ms frames, past the first lane's settling.
            for (k, (got, want)) in block[..run * LANES]
                .chunks(160)
                .zip(expected.chunks(160))
                .enumerate()
            {
                let got: f64 = got.iter().map(|&y| f64::from(y)).sum();
                let want: f64 = want.iter().sum();
                let off_db = 10.0 * ((got + 1e-12) / (want + 1e-12)).log10();
                assert!(off_db.abs() < 0.01, "{name}: frame {k} off by {off_db} dB");
            }
        }
    }

    #[test]
    fn digital_silence_and_a_quiet_room_are_not_speech() {
        let params = VadParams::default();
        let silence = vec![0.0; RATE as usize * 3];
        assert_eq!(analyze_samples(&silence, 1, RATE, &params).speech_ms(), 0);
        // Noise at -50 dBFS and a loud 50 Hz hum with its third harmonic.
        let n = RATE as usize * 10;
        let mut room = noise(n, 0.003, 7);
        add(&mut room, &tone(n, 50.0, 0.05));
        add(&mut room, &tone(n, 150.0, 0.01));
        let activity = analyze_samples(&room, 1, RATE, &params);
        assert_eq!(activity.len(), 1000);
        assert_eq!(activity.speech_ms(), 0, "{:?}", activity.spans_ms());
    }

    #[test]
    fn syllables_in_a_room_are_one_span_from_the_first_to_the_last() {
        let params = VadParams::default();
        let mut audio = syllables(10.0, 2.0, 6.0);
        let n = audio.len();
        add(&mut audio, &noise(n, 0.003, 3));
        add(&mut audio, &tone(n, 50.0, 0.05));
        let spans = analyze_samples(&audio, 1, RATE, &params).spans_ms();
        assert_eq!(spans.len(), 1, "{spans:?}");
        let (start, end) = spans[0];
        // The last burst starts at 5.75 s and lasts 150 ms.
        assert!(start.abs_diff(2000) <= 20, "{spans:?}");
        assert!(end.abs_diff(5900) <= 20, "{spans:?}");
    }

    #[test]
    fn a_pause_longer_than_the_bridge_splits_speech() {
        let params = VadParams::default();
        let mut audio = syllables(8.0, 1.0, 3.0);
        add(&mut audio, &syllables(8.0, 3.5, 5.0));
        let spans = analyze_samples(&audio, 1, RATE, &params).spans_ms();
        assert_eq!(spans.len(), 2, "{spans:?}");
        assert!(spans[1].0.abs_diff(3500) <= 20, "{spans:?}");
    }

    #[test]
    fn stereo_is_measured_as_its_mono_mix_and_frames_follow_the_rate() {
        let params = VadParams::default();
        let mono = syllables(2.0, 0.5, 1.5);
        let stereo: Vec<f32> = mono.iter().flat_map(|&s| [s, s]).collect();
        let a = band_energy(&mono, 1, RATE, &params);
        let b = band_energy(&stereo, 2, RATE, &params);
        assert_eq!(a, b);
        // 22 050 Hz: 220.5 samples a frame, and no frame lost over a minute.
        assert_eq!(
            band_energy(&vec![0.0; 22_050 * 60], 1, 22_050, &params).len(),
            6000
        );
        assert_eq!(frames_in(22_050 * 60 + 1, 22_050), 6001);
    }

    #[test]
    fn gaps_close_up_to_the_bridge_and_short_bursts_go() {
        let mut s = [true, false, false, true, false, false, false, true];
        close_gaps(&mut s, 2);
        assert_eq!(s, [true, true, true, true, false, false, false, true]);
        drop_short(&mut s, 2);
        assert_eq!(s, [true, true, true, true, false, false, false, false]);
    }

    #[test]
    fn files_split_in_parts_only_when_their_seek_is_exact() {
        assert_eq!(thread_count(4, "isomp4", 10 * MIN_PART_FRAMES), 1);
        assert_eq!(thread_count(4, "flac", MIN_PART_FRAMES), 1);
        assert_eq!(thread_count(4, "mp3", 10 * MIN_PART_FRAMES), 4);
        assert_eq!(thread_count(64, "wave", u64::MAX / 2), MAX_THREADS);
    }
}
