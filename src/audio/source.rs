//! The contract between whatever produces audio (a file's decoder) and
//! whatever consumes it (the engine, the waveform worker, `earmark clip`).

use super::AudioError;

/// Interleaved `f32` frames at a fixed rate and channel count, with exact
/// seeking. Positions are frames in the source's own rate.
pub trait FrameSource: Send {
    /// Frames per second.
    fn sample_rate(&self) -> u32;
    /// Samples per frame (interleaved).
    fn channels(&self) -> u16;
    /// The exact number of frames in the source.
    fn total_frames(&self) -> u64;
    /// The frame the next `read` starts at.
    fn pos_frames(&self) -> u64;
    /// Fills `out` (a whole number of frames) and returns the frames written;
    /// 0 means the end. Never returns more than `out.len() / channels`.
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError>;
    /// Moves so that the next `read` starts exactly at `pos_frames`
    /// (clamped to `total_frames`).
    fn seek(&mut self, pos_frames: u64) -> Result<(), AudioError>;
}
