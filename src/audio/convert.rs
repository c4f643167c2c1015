//! Turns a source's frames into the output device's rate and channel count at
//! a playback speed.
//!
//! This is a minimal stand-in with the final API: linear interpolation (so
//! speed changes pitch and other rates are converted crudely) and a simple
//! channel map. It is exact at speed 1 with equal rates, which is what the
//! engine's tests rely on. The pitch-keeping converter replaces this file.
//! Never blocks on anything but `source`; runs on the engine thread.

use super::{AudioError, FrameSource};

/// Frames read from the source at a time.
const READ_FRAMES: usize = 1024;

/// Turns a source's frames into the output's rate and channel count at a playback speed, pitch kept.
pub struct Converter {
    in_rate: u32,
    in_channels: usize,
    out_rate: u32,
    out_channels: usize,
    speed: f64,
    /// Source frames held for interpolation, interleaved.
    window: Vec<f32>,
    /// The media frame of `window`'s first frame.
    window_start_frames: u64,
    /// The media position of the next output frame.
    next_pos_frames: f64,
    /// True until the first `process` after `new` or `reset`.
    needs_start: bool,
    /// True once the source returned no more frames.
    source_ended: bool,
    read_buf: Vec<f32>,
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

impl Converter {
    /// A converter from `in_rate`/`in_channels` to `out_rate`/`out_channels` at speed 1.
    pub fn new(in_rate: u32, in_channels: u16, out_rate: u32, out_channels: u16) -> Converter {
        let in_channels = usize::from(in_channels.max(1));
        Converter {
            in_rate: in_rate.max(1),
            in_channels,
            out_rate: out_rate.max(1),
            out_channels: usize::from(out_channels.max(1)),
            speed: 1.0,
            window: Vec::with_capacity(2 * READ_FRAMES * in_channels),
            window_start_frames: 0,
            next_pos_frames: 0.0,
            needs_start: true,
            source_ended: false,
            read_buf: vec![0.0; READ_FRAMES * in_channels],
        }
    }

    /// Clamped to 0.5..=3.0; applies from the next `process`.
    pub fn set_speed(&mut self, speed: f64) {
        self.speed = if speed.is_finite() {
            speed.clamp(0.5, 3.0)
        } else {
            1.0
        };
    }

    /// The playback speed (1 = normal).
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
        if self.needs_start {
            self.needs_start = false;
            self.source_ended = false;
            self.window.clear();
            self.window_start_frames = source.pos_frames();
            self.next_pos_frames = self.window_start_frames as f64;
        }
        let step = self.speed * f64::from(self.in_rate) / f64::from(self.out_rate);
        let media_start = self.next_pos_frames;
        let mut written = 0;
        for frame_out in out.chunks_exact_mut(self.out_channels) {
            let index = self.next_pos_frames.floor() as u64;
            let frac = (self.next_pos_frames - index as f64) as f32;
            self.make_available(source, index + 1)?;
            let Some(first) = self.frame(index) else {
                break;
            };
            let second = self.frame(index + 1).unwrap_or(first);
            for (channel, sample) in frame_out.iter_mut().enumerate() {
                let a = self.mixed(first, channel);
                let b = self.mixed(second, channel);
                *sample = if frac == 0.0 { a } else { a + (b - a) * frac };
            }
            written += 1;
            self.next_pos_frames += step;
        }
        let end_frames = self.window_start_frames + self.window_frames() as u64;
        let media_end = if written < out.len() / self.out_channels {
            self.next_pos_frames.min(end_frames as f64)
        } else {
            self.next_pos_frames
        };
        Ok(Block {
            frames: written,
            media_start,
            media_end,
        })
    }

    fn window_frames(&self) -> usize {
        self.window.len() / self.in_channels
    }

    /// The window's samples of media frame `index`, if held.
    fn frame(&self, index: u64) -> Option<usize> {
        let offset = index.checked_sub(self.window_start_frames)? as usize;
        (offset < self.window_frames()).then_some(offset * self.in_channels)
    }

    /// Output channel `channel` of the input frame at sample offset `at`.
    fn mixed(&self, at: usize, channel: usize) -> f32 {
        let frame = &self.window[at..at + self.in_channels];
        if self.out_channels == 1 && self.in_channels > 1 {
            frame.iter().sum::<f32>() / self.in_channels as f32
        } else {
            frame[channel % self.in_channels]
        }
    }

    /// Reads until media frame `index` is held or the source ends, dropping
    /// frames no longer needed.
    fn make_available(
        &mut self,
        source: &mut dyn FrameSource,
        index: u64,
    ) -> Result<(), AudioError> {
        while !self.source_ended && self.frame(index).is_none() {
            let keep_from = (self.next_pos_frames.floor() as u64).max(self.window_start_frames);
            let drop_frames =
                ((keep_from - self.window_start_frames) as usize).min(self.window_frames());
            self.window.drain(..drop_frames * self.in_channels);
            self.window_start_frames += drop_frames as u64;
            let frames = source.read(&mut self.read_buf)?;
            if frames == 0 {
                self.source_ended = true;
            }
            self.window
                .extend_from_slice(&self.read_buf[..frames * self.in_channels]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mono frames whose sample is their own index.
    struct Counter {
        pos_frames: u64,
        total_frames: u64,
    }

    impl FrameSource for Counter {
        fn sample_rate(&self) -> u32 {
            1000
        }
        fn channels(&self) -> u16 {
            1
        }
        fn total_frames(&self) -> u64 {
            self.total_frames
        }
        fn pos_frames(&self) -> u64 {
            self.pos_frames
        }
        fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
            let frames = (out.len() as u64).min(self.total_frames - self.pos_frames) as usize;
            for (i, sample) in out[..frames].iter_mut().enumerate() {
                *sample = (self.pos_frames + i as u64) as f32;
            }
            self.pos_frames += frames as u64;
            Ok(frames)
        }
        fn seek(&mut self, pos_frames: u64) -> Result<(), AudioError> {
            self.pos_frames = pos_frames.min(self.total_frames);
            Ok(())
        }
    }

    #[test]
    fn same_rate_at_speed_one_passes_frames_through_and_duplicates_mono() {
        let mut source = Counter {
            pos_frames: 10,
            total_frames: 100,
        };
        let mut converter = Converter::new(1000, 1, 1000, 2);
        let mut out = [0.0; 8];
        let block = converter.process(&mut source, &mut out).unwrap();
        assert_eq!(out, [10.0, 10.0, 11.0, 11.0, 12.0, 12.0, 13.0, 13.0]);
        assert_eq!(
            (block.frames, block.media_start, block.media_end),
            (4, 10.0, 14.0)
        );
    }

    #[test]
    fn double_speed_covers_two_media_frames_per_output_frame() {
        let mut source = Counter {
            pos_frames: 0,
            total_frames: 100,
        };
        let mut converter = Converter::new(1000, 1, 1000, 1);
        converter.set_speed(2.0);
        let mut out = [0.0; 4];
        let block = converter.process(&mut source, &mut out).unwrap();
        assert_eq!(out, [0.0, 2.0, 4.0, 6.0]);
        assert_eq!((block.media_start, block.media_end), (0.0, 8.0));
    }

    #[test]
    fn the_last_block_is_short_and_ends_at_the_duration() {
        let mut source = Counter {
            pos_frames: 95,
            total_frames: 100,
        };
        let mut converter = Converter::new(1000, 1, 1000, 1);
        let mut out = [0.0; 8];
        let block = converter.process(&mut source, &mut out).unwrap();
        assert_eq!(block.frames, 5);
        assert_eq!(block.media_end, 100.0);
    }

    #[test]
    fn reset_starts_again_at_the_sources_position() {
        let mut source = Counter {
            pos_frames: 0,
            total_frames: 100,
        };
        let mut converter = Converter::new(1000, 1, 1000, 1);
        let mut out = [0.0; 4];
        converter.process(&mut source, &mut out).unwrap();
        source.seek(50).unwrap();
        converter.reset();
        let block = converter.process(&mut source, &mut out).unwrap();
        assert_eq!(out, [50.0, 51.0, 52.0, 53.0]);
        assert_eq!(block.media_start, 50.0);
    }

    #[test]
    fn speed_is_clamped() {
        let mut converter = Converter::new(1000, 1, 1000, 1);
        converter.set_speed(10.0);
        assert_eq!(converter.speed(), 3.0);
        converter.set_speed(0.1);
        assert_eq!(converter.speed(), 0.5);
    }
}
