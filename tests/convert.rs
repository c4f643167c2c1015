//! The converter as the engine uses it: blocks pulled from a source, with the
//! media position of each block checked against what is actually heard.
#![cfg(feature = "audio")]

use std::f64::consts::PI;

use earmark::audio::{AudioError, Block, Converter, FrameSource};

/// Interleaved frames held in memory, handed out in short reads so that the
/// converter sees reads that do not line up with its blocks.
struct MemorySource {
    rate: u32,
    channels: u16,
    samples: Vec<f32>,
    pos_frames: u64,
}

impl MemorySource {
    /// `frames` frames of `sample(frame, channel)`.
    fn new(rate: u32, channels: u16, frames: usize, sample: impl Fn(usize, usize) -> f32) -> Self {
        let channel_count = usize::from(channels);
        let samples = (0..frames * channel_count)
            .map(|i| sample(i / channel_count, i % channel_count))
            .collect();
        MemorySource {
            rate,
            channels,
            samples,
            pos_frames: 0,
        }
    }

    /// A sine at `freq_hz` and `amplitude` in every channel.
    fn sine(rate: u32, channels: u16, frames: usize, freq_hz: f64, amplitude: f64) -> Self {
        Self::new(rate, channels, frames, |frame, _| {
            (amplitude * (2.0 * PI * freq_hz * frame as f64 / f64::from(rate)).sin()) as f32
        })
    }
}

impl FrameSource for MemorySource {
    fn sample_rate(&self) -> u32 {
        self.rate
    }
    fn channels(&self) -> u16 {
        self.channels
    }
    fn total_frames(&self) -> u64 {
        (self.samples.len() / usize::from(self.channels)) as u64
    }
    fn pos_frames(&self) -> u64 {
        self.pos_frames
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = usize::from(self.channels);
        let start = self.pos_frames as usize * channels;
        let samples = out
            .len()
            .min(700 * channels)
            .min(self.samples.len() - start);
        out[..samples].copy_from_slice(&self.samples[start..start + samples]);
        self.pos_frames += (samples / channels) as u64;
        Ok(samples / channels)
    }
    fn seek(&mut self, pos_frames: u64) -> Result<(), AudioError> {
        self.pos_frames = pos_frames.min(self.total_frames());
        Ok(())
    }
}

/// Everything one run produced: the samples and every block.
struct Run {
    samples: Vec<f32>,
    blocks: Vec<Block>,
}

impl Run {
    fn frames(&self) -> usize {
        self.blocks.iter().map(|b| b.frames).sum()
    }

    /// The media position heard at output frame `frame`, interpolated in its block.
    fn media_at(&self, frame: usize) -> f64 {
        let mut first = 0;
        for block in &self.blocks {
            if frame < first + block.frames {
                let step = (block.media_end - block.media_start) / block.frames as f64;
                return block.media_start + (frame - first) as f64 * step;
            }
            first += block.frames;
        }
        panic!("frame {frame} is past the output");
    }
}

/// Pulls blocks of `block_frames` until the converter returns 0 frames, at
/// most `max_blocks` blocks; `before_block(i, converter)` runs before block i.
fn run(
    converter: &mut Converter,
    source: &mut MemorySource,
    out_channels: usize,
    block_frames: usize,
    max_blocks: usize,
    mut before_block: impl FnMut(usize, &mut Converter),
) -> Run {
    let mut buf = vec![0.0; block_frames * out_channels];
    let mut result = Run {
        samples: Vec::new(),
        blocks: Vec::new(),
    };
    for i in 0..max_blocks {
        before_block(i, converter);
        let block = converter
            .process(source, &mut buf)
            .expect("memory never fails");
        result
            .samples
            .extend_from_slice(&buf[..block.frames * out_channels]);
        result.blocks.push(block);
        if block.frames == 0 {
            break;
        }
    }
    result
}

/// Frequency of a mono signal from its upward zero crossings (interpolated).
fn frequency_hz(samples: &[f32], rate: u32) -> f64 {
    let crossings: Vec<f64> = samples
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
        .map(|(i, w)| i as f64 + f64::from(w[0] / (w[0] - w[1])))
        .collect();
    assert!(crossings.len() > 10, "too few zero crossings to measure");
    let periods = (crossings.len() - 1) as f64;
    f64::from(rate) * periods / (crossings[crossings.len() - 1] - crossings[0])
}

/// Root mean square of a slice.
fn rms(samples: &[f32]) -> f64 {
    (samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
}

/// One channel of interleaved samples.
fn channel(samples: &[f32], channels: usize, index: usize) -> Vec<f32> {
    samples
        .iter()
        .skip(index)
        .step_by(channels)
        .copied()
        .collect()
}

/// A deterministic noise-like signal (so that a pass-through is checked on every bit).
fn noise(frame: usize, channel: usize) -> f32 {
    let mut x = (frame as u64 * 2 + channel as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    (x % 20_001) as f32 / 10_000.0 - 1.0
}

#[test]
fn same_rate_at_speed_1_is_a_bit_exact_pass_through_with_exact_positions() {
    let mut source = MemorySource::new(44_100, 2, 10_000, noise);
    let expected = source.samples.clone();
    let mut converter = Converter::new(44_100, 2, 44_100, 2);

    let out = run(&mut converter, &mut source, 2, 1024, 100, |_, _| {});

    assert_eq!(out.samples, expected);
    let mut first = 0;
    for block in &out.blocks {
        assert_eq!(block.media_start, first as f64);
        assert_eq!(block.media_end, (first + block.frames) as f64);
        first += block.frames;
    }
    let sizes: Vec<usize> = out.blocks.iter().map(|b| b.frames).collect();
    assert_eq!(sizes[sizes.len() - 2..], [10_000 % 1024, 0]);
}

#[test]
fn after_a_seek_and_reset_the_pass_through_starts_exactly_at_the_new_position() {
    let mut source = MemorySource::new(48_000, 1, 20_000, noise);
    let mut converter = Converter::new(48_000, 1, 48_000, 1);
    let mut buf = vec![0.0; 512];
    converter.process(&mut source, &mut buf).expect("memory");

    source.seek(12_345).expect("memory");
    converter.reset();
    let block = converter.process(&mut source, &mut buf).expect("memory");

    assert_eq!(block.media_start, 12_345.0);
    assert_eq!(block.media_end, 12_345.0 + 512.0);
    assert_eq!(buf[..], source.samples[12_345..12_345 + 512]);
}

#[test]
fn resampling_44k1_to_48k_keeps_a_1khz_sine_at_1khz_and_the_length() {
    let mut source = MemorySource::sine(44_100, 1, 88_200, 1000.0, 0.5);
    let mut converter = Converter::new(44_100, 1, 48_000, 1);

    let out = run(&mut converter, &mut source, 1, 1000, 1000, |_, _| {});

    assert!(
        (out.frames() as i64 - 96_000).abs() <= 3,
        "{} frames",
        out.frames()
    );
    let middle = &out.samples[24_000..72_000];
    assert!((frequency_hz(middle, 48_000) - 1000.0).abs() < 0.5);
    assert!(
        (rms(middle) - 0.5 / 2f64.sqrt()).abs() < 0.01,
        "level {}",
        rms(middle)
    );
}

#[test]
fn mono_is_copied_to_both_stereo_channels() {
    let mut source = MemorySource::new(48_000, 1, 1000, noise);
    let mut converter = Converter::new(48_000, 1, 48_000, 2);

    let out = run(&mut converter, &mut source, 2, 256, 100, |_, _| {});

    assert_eq!(channel(&out.samples, 2, 0), source.samples);
    assert_eq!(channel(&out.samples, 2, 1), source.samples);
}

#[test]
fn stereo_to_mono_averages_the_channels() {
    let mut source = MemorySource::new(48_000, 2, 1000, |_, c| [0.5, -0.25][c]);
    let mut converter = Converter::new(48_000, 2, 48_000, 1);

    let out = run(&mut converter, &mut source, 1, 256, 100, |_, _| {});

    assert_eq!(out.frames(), 1000);
    assert!(out.samples.iter().all(|s| (s - 0.125).abs() < 1e-6));
}

#[test]
fn surround_to_stereo_keeps_each_side_and_shares_the_centre() {
    // FL FR FC LFE BL BR.
    let mut source = MemorySource::new(48_000, 6, 100, |_, c| [1.0, 0.0, 0.5, 0.9, 0.0, 0.0][c]);
    let mut converter = Converter::new(48_000, 6, 48_000, 2);

    let out = run(&mut converter, &mut source, 2, 64, 100, |_, _| {});

    let left = channel(&out.samples, 2, 0);
    let right = channel(&out.samples, 2, 1);
    assert!(
        left[0] > right[0] && right[0] > 0.0,
        "{} {}",
        left[0],
        right[0]
    );
    assert!(left.iter().chain(&right).all(|s| s.abs() <= 1.0));
}

#[test]
fn stereo_to_four_channels_leaves_the_extra_channels_silent() {
    let mut source = MemorySource::new(48_000, 2, 100, |_, c| [0.5, -0.5][c]);
    let mut converter = Converter::new(48_000, 2, 48_000, 4);

    let out = run(&mut converter, &mut source, 4, 64, 100, |_, _| {});

    assert!(out.samples.chunks(4).all(|f| f == [0.5, -0.5, 0.0, 0.0]));
}

/// At `speed`, a 1 kHz sine stays at 1 kHz and the media advances `speed`
/// source frames per output frame (same rates).
fn pitch_and_media_rate_at(speed: f64) {
    let mut source = MemorySource::sine(48_000, 1, 96_000, 1000.0, 0.5);
    let mut converter = Converter::new(48_000, 1, 48_000, 1);
    converter.set_speed(speed);

    let out = run(&mut converter, &mut source, 1, 480, 100, |_, _| {});

    let frames = out.frames();
    let media: f64 = out.blocks.iter().map(|b| b.media_end - b.media_start).sum();
    assert!(
        (media / (speed * frames as f64) - 1.0).abs() < 0.01,
        "{media} media frames over {frames} output frames at {speed}x"
    );
    let middle = &out.samples[4800..frames - 4800];
    assert!((frequency_hz(middle, 48_000) - 1000.0).abs() < 2.0);
}

#[test]
fn at_double_speed_the_pitch_is_kept_and_media_advances_two_frames_per_frame() {
    pitch_and_media_rate_at(2.0);
}

#[test]
fn at_half_speed_the_pitch_is_kept_and_media_advances_half_a_frame_per_frame() {
    pitch_and_media_rate_at(0.5);
}

#[test]
fn the_speed_is_clamped_to_half_and_three_times() {
    let mut converter = Converter::new(48_000, 1, 48_000, 1);
    converter.set_speed(10.0);
    assert_eq!(converter.speed(), 3.0);
    converter.set_speed(0.1);
    assert_eq!(converter.speed(), 0.5);
    converter.set_speed(f64::NAN);
    assert_eq!(converter.speed(), 0.5);
}

#[test]
fn after_a_reset_a_stretched_and_resampled_block_starts_at_the_seek_position() {
    let mut source = MemorySource::sine(44_100, 2, 200_000, 440.0, 0.5);
    let mut converter = Converter::new(44_100, 2, 48_000, 2);
    converter.set_speed(1.5);
    let mut buf = vec![0.0; 2 * 1024];
    for _ in 0..5 {
        converter.process(&mut source, &mut buf).expect("memory");
    }

    source.seek(100_000).expect("memory");
    converter.reset();
    let block = converter.process(&mut source, &mut buf).expect("memory");

    let one_output_frame = 44_100.0 / 48_000.0 * 1.5;
    assert!(
        (block.media_start - 100_000.0).abs() <= one_output_frame,
        "{block:?}"
    );
}

/// Silence with a 20 ms 1 kHz burst centred on `centre_frame`.
fn burst_source(rate: u32, frames: usize, centre_frame: usize) -> MemorySource {
    let half = f64::from(rate) * 0.01;
    MemorySource::new(rate, 1, frames, move |frame, _| {
        let t = (frame as f64 - centre_frame as f64) / half;
        if t.abs() >= 1.0 {
            return 0.0;
        }
        let envelope = 0.5 * (1.0 + (PI * t).cos());
        (0.8 * envelope * (2.0 * PI * 1000.0 * frame as f64 / f64::from(rate)).sin()) as f32
    })
}

/// The output frame at the centre of the burst's energy.
fn energy_centre(samples: &[f32]) -> f64 {
    let energy: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    samples
        .iter()
        .enumerate()
        .map(|(i, s)| i as f64 * f64::from(*s).powi(2))
        .sum::<f64>()
        / energy
}

/// The burst is heard at the output frame whose reported media position is
/// the burst's position: the latencies are accounted for.
fn burst_heard_where_reported(in_rate: u32, out_rate: u32, speed: f64) {
    let centre_frame = in_rate as usize; // 1 s in
    let mut source = burst_source(in_rate, 2 * in_rate as usize, centre_frame);
    let mut converter = Converter::new(in_rate, 1, out_rate, 1);
    converter.set_speed(speed);

    let out = run(&mut converter, &mut source, 1, 500, 10_000, |_, _| {});

    let heard_frame = energy_centre(&out.samples).round() as usize;
    let error_ms = (out.media_at(heard_frame) - centre_frame as f64) / f64::from(in_rate) * 1000.0;
    assert!(
        error_ms.abs() < 3.0,
        "{in_rate}->{out_rate} at {speed}x: heard {error_ms:.2} ms off the reported position"
    );
}

#[test]
fn reported_media_positions_match_what_is_heard_through_the_resampler() {
    burst_heard_where_reported(44_100, 48_000, 1.0);
    burst_heard_where_reported(22_050, 44_100, 1.0);
}

#[test]
fn reported_media_positions_match_what_is_heard_through_the_stretcher() {
    burst_heard_where_reported(48_000, 48_000, 2.0);
    burst_heard_where_reported(48_000, 48_000, 0.5);
    burst_heard_where_reported(44_100, 48_000, 1.5);
}

/// Silence, then from `onset_frame` on a steady 1 kHz tone of amplitude
/// 0.5 that starts at once: the hardest onset for a stretcher.
fn onset_source(rate: u32, frames: usize, onset_frame: usize) -> MemorySource {
    MemorySource::new(rate, 1, frames, move |frame, _| {
        if frame < onset_frame {
            return 0.0;
        }
        (0.5 * (2.0 * PI * 1000.0 * frame as f64 / f64::from(rate)).sin()) as f32
    })
}

/// Where the stretcher makes an abrupt sound audible, relative to the output
/// frame reported as its start, in ms of output: the first output sample at
/// `level` times the tone's amplitude.
fn onset_error_ms(speed: f64, level: f32) -> f64 {
    let rate = 48_000;
    let onset_frame = rate as usize; // 1 s in
    let mut source = onset_source(rate, 2 * rate as usize, onset_frame);
    let mut converter = Converter::new(rate, 1, rate, 1);
    converter.set_speed(speed);
    let out = run(&mut converter, &mut source, 1, 480, 1_000, |_, _| {});

    let reported = (0..out.samples.len())
        .find(|&frame| out.media_at(frame) >= onset_frame as f64)
        .expect("the output reaches the onset");
    let heard = out
        .samples
        .iter()
        .position(|s| s.abs() >= 0.5 * level)
        .expect("the tone is heard");
    (heard as f64 - reported as f64) * 1000.0 / f64::from(rate)
}

/// A sound starts where the clock says it does at every speed, within the
/// highlight's ±50 ms, once it is loud enough to hear against silence
/// (−30 dB of its level). Fainter than that, the phase vocoder's window
/// spreads a pre-echo up to half a window of media ahead of the onset (about
/// 120 ms of output at 0.5×): inaudible, but a −60 dB threshold finds it.
#[test]
fn an_abrupt_sound_is_heard_where_the_clock_says_at_every_speed() {
    for speed in [0.5, 0.75, 1.25, 1.5, 2.0, 3.0] {
        let error_ms = onset_error_ms(speed, 10f32.powf(-30.0 / 20.0));
        eprintln!(
            "{speed}×: heard at −30 dB {error_ms:+.1} ms, at −60 dB {:+.1} ms",
            onset_error_ms(speed, 1e-3)
        );
        assert!(
            error_ms.abs() <= 35.0,
            "at {speed}× a sound is heard {error_ms:+.1} ms from where the clock puts it"
        );
    }
}

#[test]
fn changing_speed_mid_stream_neither_clicks_nor_jumps_the_media_position() {
    let amplitude = 0.5;
    let mut source = MemorySource::sine(44_100, 1, 441_000, 1000.0, amplitude);
    let mut converter = Converter::new(44_100, 1, 48_000, 1);
    let speeds = [(40, 2.0), (80, 0.75), (120, 3.0), (160, 1.0)];

    let out = run(&mut converter, &mut source, 1, 480, 200, |i, converter| {
        if let Some((_, speed)) = speeds.iter().find(|(at, _)| *at == i) {
            converter.set_speed(*speed);
        }
    });

    for pair in out.blocks.windows(2) {
        assert_eq!(pair[1].media_start, pair[0].media_end, "the clock jumped");
        assert!(pair[1].media_end > pair[1].media_start || pair[1].frames == 0);
    }
    // A 1 kHz sine at 48 kHz moves at most this much from one sample to the next.
    let sine_step = amplitude * 2.0 * PI * 1000.0 / 48_000.0;
    let steepest = out
        .samples
        .windows(2)
        .map(|w| f64::from((w[1] - w[0]).abs()))
        .fold(0.0, f64::max);
    assert!(
        steepest < 2.0 * sine_step,
        "a click: step {steepest} vs {sine_step}"
    );
    // No dropouts: every 10 ms after the first block keeps the sine's level.
    for window in out.samples[480..].chunks_exact(480) {
        let level = rms(window) / (amplitude / 2f64.sqrt());
        assert!((0.7..1.3).contains(&level), "level {level}");
    }
}

/// At the end, the whole source is played, then a short block, then nothing.
fn end_is_flushed(in_rate: u32, out_rate: u32, speed: f64) {
    let total_frames = 30_011;
    let mut source = MemorySource::sine(in_rate, 2, total_frames, 440.0, 0.5);
    let mut converter = Converter::new(in_rate, 2, out_rate, 2);
    converter.set_speed(speed);

    let out = run(&mut converter, &mut source, 2, 1000, 1000, |_, _| {});

    let [.., last, end] = out.blocks[..] else {
        panic!("too few blocks")
    };
    assert_eq!(end.frames, 0);
    assert!(last.frames < 1000);
    let few_ms = f64::from(in_rate) * 0.003;
    assert!(
        (last.media_end - total_frames as f64).abs() < few_ms,
        "{last:?}"
    );
    let expected_frames = total_frames as f64 / speed * f64::from(out_rate) / f64::from(in_rate);
    assert!((out.frames() as f64 - expected_frames).abs() < few_ms * 3.0);
}

#[test]
fn the_end_of_the_source_is_flushed_then_reported() {
    end_is_flushed(48_000, 48_000, 1.0);
    end_is_flushed(44_100, 48_000, 1.0);
    end_is_flushed(48_000, 44_100, 2.0);
    end_is_flushed(22_050, 48_000, 0.5);
}

#[test]
fn after_the_end_a_seek_back_plays_again_from_the_new_position() {
    let mut source = MemorySource::sine(44_100, 2, 20_000, 440.0, 0.5);
    let mut converter = Converter::new(44_100, 2, 48_000, 2);
    converter.set_speed(2.0);
    let played = run(&mut converter, &mut source, 2, 1000, 1000, |_, _| {});
    assert_eq!(played.blocks.last().map(|b| b.frames), Some(0));

    source.seek(5_000).expect("memory");
    converter.reset();
    let mut buf = vec![0.0; 2 * 1000];
    let block = converter.process(&mut source, &mut buf).expect("memory");

    assert_eq!(block.frames, 1000);
    assert!((block.media_start - 5_000.0).abs() <= 2.0, "{block:?}");
    let expected_media = 1000.0 * 2.0 * 44_100.0 / 48_000.0;
    assert!(
        (block.media_end - block.media_start - expected_media).abs() < 5.0,
        "{block:?}"
    );
}
