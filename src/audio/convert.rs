//! Turns a [`FrameSource`]'s frames into what the output device plays: its
//! channel count, its rate, at the listener's speed with the pitch kept, and
//! says which media position each block of output is. It owns the channel
//! mix, the time-stretcher and the resampler; it never talks to a device and
//! never seeks the source (the engine seeks, then calls [`Converter::reset`]).
//!
//! The chain is: source → down-mix (when the output has fewer channels) →
//! time-stretch at the source rate → resample to the output rate → up-mix
//! (when the output has more channels).
//!
//! - **Time-stretch: Signalsmith Stretch** (`signalsmith-stretch` crate, MIT,
//!   a thin bindgen wrapper around the MIT header-only C++ library). It is a
//!   phase vocoder with peak tracking whose speech and music quality is the
//!   best of the options with a licence we can ship: `soundtouch` is LGPL,
//!   Rubber Band is GPL/commercial, Bungee is MPL; the pure-Rust `wsola` and
//!   `timestretch` crates are young single-author crates with no track record.
//!   The cost is build-time: bindgen needs libclang (`libclang-dev`, installed
//!   by `packaging/setup.sh`) and a C++ compiler.
//! - **Resampler: rubato's synchronous FFT resampler** (MIT/Apache-2.0, pure
//!   Rust, maintained). The ratio between two fixed rates never changes (the
//!   speed lives in the stretcher), so a fixed-ratio FFT resampler gives
//!   sinc-quality band limiting at a fraction of the cost of an asynchronous
//!   sinc resampler.
//!
//! **The media clock.** Every output frame is mapped back to the source frame
//! that produced it, through both latencies: the stretcher is primed with
//! the first frames after a reset and its pre-roll dropped (so the first frame
//! heard is the reset position), each stretch block records where its
//! output's centre lies in the input (a piecewise linear map, exact across
//! speed changes), and the resampler's delay is dropped at the start.
//!
//! **Pass-through.** Until the speed first differs from 1 after a reset, the
//! stretcher is not in the chain; with equal rates that makes the output the
//! source's samples bit for bit, with exact media positions. Once engaged,
//! the stretcher stays in the chain (also at speed 1) until the next reset,
//! so speed changes never switch paths while playing.

use std::collections::VecDeque;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};
use signalsmith_stretch::Stretch;

use super::{AudioError, FrameSource};

/// Slowest playback speed.
pub const MIN_SPEED: f64 = 0.5;
/// Fastest playback speed.
pub const MAX_SPEED: f64 = 3.0;

/// Source frames read at a time.
const READ_FRAMES: usize = 1024;
/// Stretcher output frames per block: speed changes apply at this granularity.
const STRETCH_BLOCK_FRAMES: usize = 512;
/// Length of the blend from the plain source into the stretcher's output when
/// the stretcher joins the chain, so that it never clicks.
const ENGAGE_FADE_SECS: f64 = 0.01;
/// The resampler's chunk (a hint; rubato rounds it to a valid size).
const RESAMPLE_CHUNK_FRAMES: usize = 1024;

/// Turns a source's frames into the output's rate and channel count at a playback speed, pitch kept.
pub struct Converter {
    in_rate: u32,
    out_channels: usize,
    /// Channels through the stretcher and the resampler.
    work_channels: usize,
    /// Applied to source frames when the output has fewer channels.
    down_mix: Option<Mix>,
    /// Applied to output frames when the output has more channels.
    up_mix: Option<Mix>,
    speed: f64,

    /// True until the first `process` after `new`/`reset` has read the position.
    needs_start: bool,
    /// Source frames read but not yet used, in work channels.
    src: Fifo,
    /// Media position of `src`'s first frame.
    src_media_frames: u64,
    /// The source returned 0: everything from `end_media_frames` on is padding.
    source_ended: bool,
    /// Source frames per read, in source channels.
    read_buf: Vec<f32>,

    /// Frames at the source rate after the (optional) stretcher, work channels.
    stretched: Fifo,
    /// Index (since the start) of the next frame pushed to `stretched`.
    stretched_pushed_frames: u64,
    /// Maps a `stretched` frame index to the media position heard there.
    media_map: VecDeque<Breakpoint>,

    stretcher: Stretcher,

    /// None when the rates are equal.
    resampler: Option<Resampling>,
    /// Frames at the output rate, work channels.
    out: Fifo,
    /// Index (since the start) of `out`'s first frame.
    out_head_frames: u64,
    /// Stretched frames per output frame (`in_rate / out_rate`).
    stretched_per_out: f64,
}

/// What one `process` call produced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block {
    /// Output frames written; fewer than asked only at the end of the source.
    pub frames: usize,
    /// Media position (source frames) heard at the first output frame written.
    pub media_start: f64,
    /// Media position heard just after the last output frame written.
    pub media_end: f64,
}

/// From `stretched` frame `stretched_frames` on, the media position heard is
/// `media_frames` plus `media_per_frame` per frame.
#[derive(Debug, Clone, Copy)]
struct Breakpoint {
    stretched_frames: u64,
    media_frames: f64,
    media_per_frame: f64,
}

/// The time-stretcher and where its stream stands.
struct Stretcher {
    stretch: Stretch,
    /// True while the stretcher is in the chain.
    engaged: bool,
    /// Frames its input needs before its output centre reaches them.
    input_latency_frames: usize,
    /// Frames its output lags behind the centre of its effect.
    output_latency_frames: usize,
    /// The `stretched` index and media position where it was engaged.
    engaged_at_frames: u64,
    engaged_media_frames: u64,
    /// Output frames made and input frames given since it was engaged
    /// (the priming input is not counted).
    made_frames: u64,
    given_frames: u64,
    /// The fractional input frame carried between blocks.
    given_fraction: f64,
    /// Frames blended from the plain source into the first output.
    fade_frames: usize,
    /// The frames it was primed with: the source from the engage position.
    prime_buf: Vec<f32>,
    /// Input and output of one block, work channels.
    in_buf: Vec<f32>,
    out_buf: Vec<f32>,
}

/// The resampler and its buffers.
struct Resampling {
    resampler: Fft<f32>,
    in_frames: usize,
    out_frames: usize,
    /// Output frames still to drop at the start (its delay).
    delay_left_frames: usize,
    out_buf: Vec<f32>,
}

/// A channel matrix: `weights[out * in_channels + in]`.
struct Mix {
    in_channels: usize,
    out_channels: usize,
    weights: Vec<f32>,
}

/// Interleaved frames waiting for the next stage.
struct Fifo {
    channels: usize,
    samples: Vec<f32>,
    /// Samples at the front already used.
    used: usize,
}

impl Converter {
    /// A converter from a source's rate and channels to the output's; zero
    /// rates or channel counts are taken as 1. Starts at speed 1, at the
    /// source's position when `process` is first called.
    pub fn new(in_rate: u32, in_channels: u16, out_rate: u32, out_channels: u16) -> Converter {
        let in_rate = in_rate.max(1);
        let out_rate = out_rate.max(1);
        let in_channels = usize::from(in_channels.max(1));
        let out_channels = usize::from(out_channels.max(1));
        let work_channels = in_channels.min(out_channels);
        let (down_mix, up_mix) = if in_channels > out_channels {
            (Some(Mix::new(in_channels, out_channels)), None)
        } else if in_channels < out_channels {
            (None, Some(Mix::new(in_channels, out_channels)))
        } else {
            (None, None)
        };
        let resampler =
            (in_rate != out_rate).then(|| Resampling::new(in_rate, out_rate, work_channels));
        let stretcher = Stretcher::new(work_channels, in_rate);
        let fifo_frames = 4 * (READ_FRAMES + STRETCH_BLOCK_FRAMES + RESAMPLE_CHUNK_FRAMES)
            + 2 * stretcher.input_latency_frames
            + 2 * stretcher.output_latency_frames;
        Converter {
            in_rate,
            out_channels,
            work_channels,
            down_mix,
            up_mix,
            speed: 1.0,
            needs_start: true,
            src: Fifo::with_capacity(work_channels, fifo_frames),
            src_media_frames: 0,
            source_ended: false,
            read_buf: vec![0.0; READ_FRAMES * in_channels],
            stretched: Fifo::with_capacity(work_channels, fifo_frames),
            stretched_pushed_frames: 0,
            media_map: VecDeque::with_capacity(256),
            stretcher,
            resampler,
            out: Fifo::with_capacity(work_channels, fifo_frames),
            out_head_frames: 0,
            stretched_per_out: f64::from(in_rate) / f64::from(out_rate),
        }
    }

    /// Clamped to 0.5..=3.0; applies from the next `process`.
    pub fn set_speed(&mut self, speed: f64) {
        // NaN has no sensible clamp: keep the current speed.
        if !speed.is_nan() {
            self.speed = speed.clamp(MIN_SPEED, MAX_SPEED);
        }
    }

    /// The playback speed (1 = as recorded).
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Forgets buffered input (after a seek); the next `process` starts at `source.pos_frames()`.
    pub fn reset(&mut self) {
        self.needs_start = true;
    }

    /// Fills `out` (interleaved, output rate and channels, whole frames) from `source`.
    pub fn process(
        &mut self,
        source: &mut dyn FrameSource,
        out: &mut [f32],
    ) -> Result<Block, AudioError> {
        debug_assert_eq!(source.sample_rate(), self.in_rate, "source rate");
        if self.needs_start {
            self.start(source.pos_frames());
        }
        let wanted_frames = out.len() / self.out_channels;
        let media_start = self.media_at_out(self.out_head_frames);
        let mut written_frames = 0;
        while written_frames < wanted_frames {
            if self.out.frames() == 0 {
                if self.source_ended && self.media_at_out(self.out_head_frames) >= self.end_media()
                {
                    break;
                }
                self.produce_out(source)?;
                continue;
            }
            let mut frames = self
                .out
                .frames()
                .min(wanted_frames - written_frames)
                .min(READ_FRAMES);
            if self.source_ended {
                frames = self.frames_before_end(frames);
                if frames == 0 {
                    break;
                }
            }
            let dest = &mut out[written_frames * self.out_channels..][..frames * self.out_channels];
            let samples = &self.out.front()[..frames * self.work_channels];
            match &self.up_mix {
                Some(mix) => mix.apply(samples, dest),
                None => dest.copy_from_slice(samples),
            }
            self.out.pop(frames);
            self.out_head_frames += frames as u64;
            written_frames += frames;
        }
        let mut media_end = self.media_at_out(self.out_head_frames);
        if self.source_ended {
            media_end = media_end.min(self.end_media());
        }
        self.forget_old_breakpoints();
        Ok(Block {
            frames: written_frames,
            media_start: media_start.min(media_end),
            media_end,
        })
    }

    /// Empties every stage and restarts the clock at `pos_frames`.
    fn start(&mut self, pos_frames: u64) {
        self.needs_start = false;
        self.src.clear();
        self.src_media_frames = pos_frames;
        self.source_ended = false;
        self.stretched.clear();
        self.stretched_pushed_frames = 0;
        self.media_map.clear();
        self.media_map.push_back(Breakpoint {
            stretched_frames: 0,
            media_frames: pos_frames as f64,
            media_per_frame: 1.0,
        });
        self.stretcher.engaged = false;
        if let Some(resampling) = &mut self.resampler {
            resampling.resampler.reset();
            resampling.delay_left_frames = resampling.resampler.output_delay();
        }
        self.out.clear();
        self.out_head_frames = 0;
    }

    /// The media position where the source ended.
    fn end_media(&self) -> f64 {
        (self.src_media_frames + self.src.frames() as u64) as f64
    }

    /// How many of the next `frames` output frames lie before the end of the source.
    fn frames_before_end(&self, frames: usize) -> usize {
        let end = self.end_media();
        (0..frames)
            .find(|&k| self.media_at_out(self.out_head_frames + k as u64) >= end)
            .unwrap_or(frames)
    }

    /// The media position heard at output frame `out_frames` (since the start).
    fn media_at_out(&self, out_frames: u64) -> f64 {
        if self.resampler.is_none() {
            return self.media_at_stretched(out_frames as f64);
        }
        self.media_at_stretched(out_frames as f64 * self.stretched_per_out)
    }

    fn media_at_stretched(&self, stretched_frames: f64) -> f64 {
        let breakpoint = self
            .media_map
            .iter()
            .rev()
            .find(|bp| bp.stretched_frames as f64 <= stretched_frames)
            .or(self.media_map.front());
        match breakpoint {
            Some(bp) => {
                bp.media_frames
                    + (stretched_frames - bp.stretched_frames as f64) * bp.media_per_frame
            }
            None => self.src_media_frames as f64,
        }
    }

    /// Drops breakpoints that no output frame still to come can need.
    fn forget_old_breakpoints(&mut self) {
        let oldest_needed = match self.resampler {
            None => self.out_head_frames as f64,
            Some(_) => self.out_head_frames as f64 * self.stretched_per_out,
        };
        while self.media_map.len() >= 2
            && self.media_map[1].stretched_frames as f64 <= oldest_needed
        {
            self.media_map.pop_front();
        }
    }

    fn push_breakpoint(&mut self, breakpoint: Breakpoint) {
        if self.media_map.len() == self.media_map.capacity() {
            // Only when `process` is asked for far more frames than usual; the
            // map grows once rather than losing positions.
            self.media_map.reserve(self.media_map.len());
        }
        self.media_map.push_back(breakpoint);
    }

    /// Reads until `src` holds `frames` frames or the source ends.
    fn fill_src(&mut self, source: &mut dyn FrameSource, frames: usize) -> Result<(), AudioError> {
        while self.src.frames() < frames && !self.source_ended {
            let read_frames = source.read(&mut self.read_buf)?;
            if read_frames == 0 {
                self.source_ended = true;
                break;
            }
            let in_channels = self.read_buf.len() / READ_FRAMES;
            let samples = &self.read_buf[..read_frames * in_channels];
            match &self.down_mix {
                Some(mix) => mix.apply_into(samples, &mut self.src),
                None => self.src.push(samples),
            }
        }
        Ok(())
    }

    /// Takes `frames` frames from `src` into `dest` (cleared first), with
    /// silence past the end of the source.
    fn take_src(src: &mut Fifo, src_media_frames: &mut u64, frames: usize, dest: &mut Vec<f32>) {
        let channels = src.channels;
        let available = src.frames().min(frames);
        dest.clear();
        dest.extend_from_slice(&src.front()[..available * channels]);
        dest.resize(frames * channels, 0.0);
        src.pop(available);
        *src_media_frames += available as u64;
    }

    /// Adds at least one block to `out`.
    fn produce_out(&mut self, source: &mut dyn FrameSource) -> Result<(), AudioError> {
        let Some(resampling) = &self.resampler else {
            self.produce_stretched(source)?;
            let frames = self.stretched.frames();
            self.out
                .push(&self.stretched.front()[..frames * self.work_channels]);
            self.stretched.pop(frames);
            return Ok(());
        };
        let in_frames = resampling.in_frames;
        while self.stretched.frames() < in_frames {
            self.produce_stretched(source)?;
        }
        let Some(resampling) = &mut self.resampler else {
            unreachable!("checked above");
        };
        let channels = self.work_channels;
        let input = InterleavedSlice::new(
            &self.stretched.front()[..in_frames * channels],
            channels,
            in_frames,
        )
        .expect("the slice is exactly in_frames frames");
        let mut output =
            InterleavedSlice::new_mut(&mut resampling.out_buf, channels, resampling.out_frames)
                .expect("the buffer is exactly out_frames frames");
        let (_, made_frames) = resampling
            .resampler
            .process_into_buffer(&input, &mut output, None)
            .expect("buffers are sized from the resampler's own chunk sizes");
        self.stretched.pop(in_frames);
        let dropped = made_frames.min(resampling.delay_left_frames);
        resampling.delay_left_frames -= dropped;
        self.out
            .push(&resampling.out_buf[dropped * channels..made_frames * channels]);
        Ok(())
    }

    /// Adds one block to `stretched`: the source as is while the stretcher is
    /// out of the chain, else one stretch block.
    fn produce_stretched(&mut self, source: &mut dyn FrameSource) -> Result<(), AudioError> {
        if !self.stretcher.engaged && self.speed != 1.0 {
            self.engage_stretcher(source)?;
        }
        if !self.stretcher.engaged {
            self.fill_src(source, READ_FRAMES)?;
            let frames = self.src.frames().min(READ_FRAMES);
            if frames == 0 {
                // Past the end: silence, so the resampler's tail comes out.
                self.stretched.push_silence(READ_FRAMES);
                self.stretched_pushed_frames += READ_FRAMES as u64;
                return Ok(());
            }
            self.stretched
                .push(&self.src.front()[..frames * self.work_channels]);
            self.src.pop(frames);
            self.src_media_frames += frames as u64;
            self.stretched_pushed_frames += frames as u64;
            return Ok(());
        }
        self.stretch_block(source)
    }

    /// Puts the stretcher in the chain at the current position: primes it
    /// with the frames that follow, so that, once its pre-roll is dropped, its
    /// first output frame is the current media position.
    fn engage_stretcher(&mut self, source: &mut dyn FrameSource) -> Result<(), AudioError> {
        let latency = self.stretcher.input_latency_frames;
        self.fill_src(source, latency)?;
        let st = &mut self.stretcher;
        st.engaged = true;
        st.engaged_at_frames = self.stretched_pushed_frames;
        st.engaged_media_frames = self.src_media_frames;
        st.made_frames = 0;
        st.given_frames = 0;
        st.given_fraction = 0.0;
        Self::take_src(
            &mut self.src,
            &mut self.src_media_frames,
            latency,
            &mut st.prime_buf,
        );
        st.stretch.reset();
        st.stretch.seek(&st.prime_buf, self.speed);
        Ok(())
    }

    /// Runs one stretch block at the current speed into `stretched`.
    fn stretch_block(&mut self, source: &mut dyn FrameSource) -> Result<(), AudioError> {
        let output_latency = self.stretcher.output_latency_frames;
        let first = self.stretcher.made_frames == 0;
        // The first block is long enough to fold back and drop the pre-roll.
        let out_frames = if first {
            2 * output_latency + STRETCH_BLOCK_FRAMES
        } else {
            STRETCH_BLOCK_FRAMES
        };
        let wanted = self.stretcher.given_fraction + self.speed * out_frames as f64;
        let in_frames = wanted.floor() as usize;
        self.stretcher.given_fraction = wanted - in_frames as f64;
        self.fill_src(source, in_frames)?;

        let st = &mut self.stretcher;
        let breakpoint = Breakpoint {
            stretched_frames: st.engaged_at_frames + st.made_frames,
            media_frames: (st.engaged_media_frames + st.given_frames) as f64,
            media_per_frame: in_frames as f64 / out_frames as f64,
        };
        Self::take_src(
            &mut self.src,
            &mut self.src_media_frames,
            in_frames,
            &mut st.in_buf,
        );
        let channels = self.work_channels;
        st.out_buf.clear();
        st.out_buf.resize(out_frames * channels, 0.0);
        st.stretch.process(&st.in_buf, &mut st.out_buf);
        st.made_frames += out_frames as u64;
        st.given_frames += in_frames as u64;
        let keep_from = if first {
            // As Signalsmith's own `exact()` does: the output before the
            // latency is the windowed tail of frames that were never played;
            // folding it back corrects the gain of the first frames.
            for c in 0..channels {
                for i in 0..output_latency {
                    let folded = st.out_buf[(output_latency - 1 - i) * channels + c];
                    st.out_buf[(output_latency + i) * channels + c] -= folded;
                }
            }
            // The stretcher starts on the engage position, but not on the
            // exact sample value: blend from the source itself.
            let fade = &mut st.out_buf[output_latency * channels..];
            for i in 0..st.fade_frames {
                let weight =
                    0.5 - 0.5 * (std::f32::consts::PI * i as f32 / st.fade_frames as f32).cos();
                for c in 0..channels {
                    let plain = st.prime_buf[i * channels + c];
                    let sample = &mut fade[i * channels + c];
                    *sample = plain + weight * (*sample - plain);
                }
            }
            output_latency
        } else {
            0
        };
        self.stretched.push(&st.out_buf[keep_from * channels..]);
        self.stretched_pushed_frames += (out_frames - keep_from) as u64;
        self.push_breakpoint(breakpoint);
        Ok(())
    }
}

impl Stretcher {
    fn new(channels: usize, rate: u32) -> Stretcher {
        let stretch = Stretch::preset_default(channels as u32, rate);
        let input_latency_frames = stretch.input_latency();
        let output_latency_frames = stretch.output_latency();
        let block_frames = 2 * output_latency_frames + STRETCH_BLOCK_FRAMES;
        let in_block_frames = (MAX_SPEED * block_frames as f64).ceil() as usize + 1;
        let fade_frames = ((f64::from(rate) * ENGAGE_FADE_SECS) as usize)
            .min(input_latency_frames)
            .min(output_latency_frames + STRETCH_BLOCK_FRAMES);
        Stretcher {
            stretch,
            engaged: false,
            input_latency_frames,
            output_latency_frames,
            engaged_at_frames: 0,
            engaged_media_frames: 0,
            made_frames: 0,
            given_frames: 0,
            given_fraction: 0.0,
            fade_frames,
            prime_buf: Vec::with_capacity(input_latency_frames * channels),
            in_buf: Vec::with_capacity(in_block_frames.max(input_latency_frames) * channels),
            out_buf: Vec::with_capacity(block_frames * channels),
        }
    }
}

impl Resampling {
    fn new(in_rate: u32, out_rate: u32, channels: usize) -> Resampling {
        let resampler = Fft::<f32>::new(
            in_rate as usize,
            out_rate as usize,
            RESAMPLE_CHUNK_FRAMES,
            channels,
            FixedSync::Both,
        )
        .expect("rates and chunk size are non-zero");
        let in_frames = resampler.input_frames_next();
        let out_frames = resampler.output_frames_next();
        let delay_left_frames = resampler.output_delay();
        Resampling {
            resampler,
            in_frames,
            out_frames,
            delay_left_frames,
            out_buf: vec![0.0; out_frames * channels],
        }
    }
}

impl Mix {
    /// The matrix from `in_channels` to `out_channels` (which differ).
    ///
    /// Mono is copied to every output channel. To mono, every channel counts
    /// the same. Fewer output channels: each keeps its own input channel and
    /// the extra inputs are shared between all outputs (5.1 to stereo uses
    /// the usual ITU weights, without the LFE); each output's weights add to
    /// 1, so a down-mix never clips. More output channels (from stereo or
    /// more): the inputs go to the first outputs, the rest stay silent.
    fn new(in_channels: usize, out_channels: usize) -> Mix {
        let mut weights = vec![0.0f32; in_channels * out_channels];
        let mut set = |out: usize, input: usize, weight: f32| {
            weights[out * in_channels + input] = weight;
        };
        if in_channels == 1 {
            (0..out_channels).for_each(|out| set(out, 0, 1.0));
        } else if out_channels == 1 {
            (0..in_channels).for_each(|input| set(0, input, 1.0));
        } else if in_channels == 6 && out_channels == 2 {
            // FL FR FC LFE BL BR.
            let side = std::f32::consts::FRAC_1_SQRT_2;
            for (out, front, back) in [(0, 0, 4), (1, 1, 5)] {
                set(out, front, 1.0);
                set(out, 2, side);
                set(out, back, side);
            }
        } else if in_channels > out_channels {
            for out in 0..out_channels {
                set(out, out, 1.0);
                for extra in out_channels..in_channels {
                    set(out, extra, 1.0 / out_channels as f32);
                }
            }
        } else {
            (0..in_channels).for_each(|input| set(input, input, 1.0));
        }
        if in_channels > out_channels {
            for row in weights.chunks_mut(in_channels) {
                let sum: f32 = row.iter().sum();
                row.iter_mut().for_each(|w| *w /= sum);
            }
        }
        Mix {
            in_channels,
            out_channels,
            weights,
        }
    }

    /// Mixes whole frames from `input` into `output`.
    fn apply(&self, input: &[f32], output: &mut [f32]) {
        for (frame_in, frame_out) in input
            .chunks_exact(self.in_channels)
            .zip(output.chunks_exact_mut(self.out_channels))
        {
            for (sample, row) in frame_out
                .iter_mut()
                .zip(self.weights.chunks_exact(self.in_channels))
            {
                *sample = frame_in.iter().zip(row).map(|(s, w)| s * w).sum();
            }
        }
    }

    /// Mixes whole frames from `input` onto the end of `fifo`.
    fn apply_into(&self, input: &[f32], fifo: &mut Fifo) {
        let frames = input.len() / self.in_channels;
        let output = fifo.extend(frames);
        self.apply(input, output);
    }
}

impl Fifo {
    fn with_capacity(channels: usize, frames: usize) -> Fifo {
        Fifo {
            channels,
            samples: Vec::with_capacity(frames * channels),
            used: 0,
        }
    }

    fn frames(&self) -> usize {
        (self.samples.len() - self.used) / self.channels
    }

    fn front(&self) -> &[f32] {
        &self.samples[self.used..]
    }

    fn pop(&mut self, frames: usize) {
        self.used += frames * self.channels;
        if self.used >= self.samples.len() {
            self.clear();
        }
    }

    fn clear(&mut self) {
        self.samples.clear();
        self.used = 0;
    }

    /// Makes room for `samples` more samples without growing, when it can.
    fn make_room(&mut self, samples: usize) {
        if self.used > 0 && self.samples.len() + samples > self.samples.capacity() {
            self.samples.copy_within(self.used.., 0);
            self.samples.truncate(self.samples.len() - self.used);
            self.used = 0;
        }
    }

    fn push(&mut self, samples: &[f32]) {
        self.make_room(samples.len());
        self.samples.extend_from_slice(samples);
    }

    fn push_silence(&mut self, frames: usize) {
        self.extend(frames).fill(0.0);
    }

    /// Appends `frames` frames and returns them to be written.
    fn extend(&mut self, frames: usize) -> &mut [f32] {
        let samples = frames * self.channels;
        self.make_room(samples);
        let start = self.samples.len();
        self.samples.resize(start + samples, 0.0);
        &mut self.samples[start..]
    }
}
