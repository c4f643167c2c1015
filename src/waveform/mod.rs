//! The waveform: a min/max peak pyramid of an audio file, built on worker
//! threads with their own decoders ([`WaveformJob`]) and cached on disk
//! ([`cache`]). Never draws and never imports egui; the UI asks
//! [`Peaks::range`] for one (min, max) per pixel.
//!
//! Level 0 holds one (min, max) per [`BIN_FRAMES`] frames; each level above
//! covers [`LEVEL_FACTOR`] bins of the one below. Channels are not mixed:
//! a bin's min is the lowest sample of any channel and its max the highest,
//! so a stereo file whose channels cancel out still shows its loudness.
//! Values are kept as `i16` (4 bytes a bin, min rounded down and max rounded
//! up, so quantising never hides a peak): a 3-hour 44.1 kHz file takes
//! 0.93 M level-0 bins, about 5 MB with every level.
//!
//! Bins are atomics written in place, so the UI can draw a pyramid while the
//! workers are still filling it, without a lock: a bin nobody has written
//! yet reads as unknown (`None`).

pub mod cache;
mod job;

use std::sync::atomic::{AtomicI16, Ordering};

pub use job::{Built, JobOptions, WaveformError, WaveformJob};

/// Frames summarised by one level-0 bin (11.6 ms at 44.1 kHz).
pub const BIN_FRAMES: u64 = 512;

/// Level-`n + 1` bins per level-`n` bin.
pub const LEVEL_FACTOR: u64 = 4;

/// The `min` of a bin nobody has written yet (greater than its `max`).
const UNKNOWN_MIN: i16 = i16::MAX;
/// The `max` of a bin nobody has written yet.
const UNKNOWN_MAX: i16 = i16::MIN;
/// `i16` units of full scale.
const FULL_SCALE: f32 = 32767.0;

/// One level of the pyramid: the lowest and highest sample of each bin.
struct Level {
    bin_frames: u64,
    min: Box<[AtomicI16]>,
    max: Box<[AtomicI16]>,
}

impl Level {
    fn new(bin_frames: u64, bins: usize) -> Level {
        Level {
            bin_frames,
            min: (0..bins).map(|_| AtomicI16::new(UNKNOWN_MIN)).collect(),
            max: (0..bins).map(|_| AtomicI16::new(UNKNOWN_MAX)).collect(),
        }
    }

    fn bins(&self) -> usize {
        self.min.len()
    }

    /// The raw (min, max) of bin `index`; `None` while unknown or past the end.
    fn get(&self, index: usize) -> Option<(i16, i16)> {
        let min = self.min.get(index)?.load(Ordering::Relaxed);
        let max = self.max.get(index)?.load(Ordering::Relaxed);
        (min <= max).then_some((min, max))
    }
}

/// The peak pyramid of one audio file; see the module docs. Shared as
/// `Arc<Peaks>` between the workers filling it and the UI reading it.
pub struct Peaks {
    sample_rate: u32,
    channels: u16,
    total_frames: u64,
    levels: Vec<Level>,
}

impl std::fmt::Debug for Peaks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peaks")
            .field("sample_rate", &self.sample_rate)
            .field("channels", &self.channels)
            .field("total_frames", &self.total_frames)
            .field("levels", &self.levels.len())
            .finish()
    }
}

impl PartialEq for Peaks {
    /// Same file shape and the same value (or unknown) in every bin.
    fn eq(&self, other: &Peaks) -> bool {
        self.sample_rate == other.sample_rate
            && self.channels == other.channels
            && self.total_frames == other.total_frames
            && self.levels.len() == other.levels.len()
            && self
                .levels
                .iter()
                .zip(&other.levels)
                .all(|(a, b)| a.bins() == b.bins() && (0..a.bins()).all(|i| a.get(i) == b.get(i)))
    }
}

impl Peaks {
    /// An empty pyramid (every bin unknown) for a file of `total_frames`.
    pub fn new(sample_rate: u32, channels: u16, total_frames: u64) -> Peaks {
        let mut levels = Vec::new();
        let mut bin_frames = BIN_FRAMES;
        let mut bins = total_frames.div_ceil(BIN_FRAMES);
        loop {
            levels.push(Level::new(bin_frames, bins as usize));
            if bins <= 1 {
                break;
            }
            bins = bins.div_ceil(LEVEL_FACTOR);
            bin_frames *= LEVEL_FACTOR;
        }
        Peaks {
            sample_rate,
            channels,
            total_frames,
            levels,
        }
    }

    /// Frames per second of the file.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Channels of the file (folded together in every bin).
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// The exact length of the file in frames.
    pub fn total_frames(&self) -> u64 {
        self.total_frames
    }

    /// Levels in the pyramid; the last has a single bin.
    pub fn level_count(&self) -> usize {
        self.levels.len()
    }

    /// Frames per bin at `level` (`BIN_FRAMES * LEVEL_FACTOR^level`).
    /// Panics if `level >= level_count()`.
    pub fn bin_frames(&self, level: usize) -> u64 {
        self.levels[level].bin_frames
    }

    /// Bins at `level`. Panics if `level >= level_count()`.
    pub fn bins(&self, level: usize) -> usize {
        self.levels[level].bins()
    }

    /// The (min, max) of one bin as full-scale `f32`; `None` while unknown
    /// (or when there is no such bin).
    pub fn bin(&self, level: usize, index: usize) -> Option<(f32, f32)> {
        self.levels
            .get(level)?
            .get(index)
            .map(|(min, max)| (value_from_i16(min), value_from_i16(max)))
    }

    /// Bytes of bin storage: what keeping this pyramid costs.
    pub fn memory_bytes(&self) -> usize {
        self.levels.iter().map(|l| l.bins() * 4).sum()
    }

    /// One (min, max) per output bin over frames `start_frame..end_frame`
    /// (clamped to the file), e.g. one per pixel of a waveform view. An
    /// output bin covers exactly the level-0 bins under it (so a peak shows
    /// under its own pixel, not its neighbour's), read through the coarsest
    /// levels that fit: at most six reads per level, whatever the span. An
    /// output bin is `None` when no bin under it is known yet (still being
    /// built) or it lies past the end of the file.
    pub fn range(&self, start_frame: u64, end_frame: u64, bins: usize) -> Vec<Option<(f32, f32)>> {
        let mut out = Vec::with_capacity(bins);
        self.range_into(start_frame, end_frame, bins, &mut out);
        out
    }

    /// [`Peaks::range`] into a buffer the caller keeps between frames.
    pub fn range_into(
        &self,
        start_frame: u64,
        end_frame: u64,
        bins: usize,
        out: &mut Vec<Option<(f32, f32)>>,
    ) {
        out.clear();
        let start = start_frame.min(self.total_frames);
        let end = end_frame.min(self.total_frames);
        if start >= end {
            out.resize(bins, None);
            return;
        }
        let span = u128::from(end - start);
        let n = bins as u128;
        for i in 0..n {
            let first_frame = start + (span * i / n) as u64;
            // A span narrower than `bins` repeats the bin under each output bin.
            let end_frame = (start + (span * (i + 1) / n) as u64).max(first_frame + 1);
            let first = (first_frame / BIN_FRAMES) as usize;
            let last = ((end_frame - 1) / BIN_FRAMES) as usize;
            out.push(
                self.fold_level0(first, last + 1)
                    .map(|(min, max)| (value_from_i16(min), value_from_i16(max))),
            );
        }
    }

    /// The (min, max) over level-0 bins `first..end`: bins at the ragged
    /// edges are read at each level, the aligned middle one level up.
    fn fold_level0(&self, mut first: usize, mut end: usize) -> Option<(i16, i16)> {
        let factor = LEVEL_FACTOR as usize;
        let mut acc: Option<(i16, i16)> = None;
        let mut take = |level: &Level, index: usize| {
            if let Some((min, max)) = level.get(index) {
                acc = Some(match acc {
                    Some((lo, hi)) => (lo.min(min), hi.max(max)),
                    None => (min, max),
                });
            }
        };
        for (depth, level) in self.levels.iter().enumerate() {
            end = end.min(level.bins());
            if depth + 1 == self.levels.len() {
                (first..end).for_each(|index| take(level, index));
                break;
            }
            while first < end && !first.is_multiple_of(factor) {
                take(level, first);
                first += 1;
            }
            while end > first && !end.is_multiple_of(factor) {
                end -= 1;
                take(level, end);
            }
            if first >= end {
                break;
            }
            first /= factor;
            end /= factor;
        }
        acc
    }

    /// Writes level-0 bins `first_bin..` and folds them into every level
    /// above. Writers may run on several threads and in any order: a parent
    /// bin keeps the lowest min and highest max any child gave it, so the
    /// result does not depend on who finished first.
    pub(crate) fn publish(&self, first_bin: usize, mins: &[i16], maxs: &[i16]) {
        debug_assert_eq!(mins.len(), maxs.len());
        let level0 = &self.levels[0];
        for (offset, (&min, &max)) in mins.iter().zip(maxs).enumerate() {
            level0.min[first_bin + offset].store(min, Ordering::Relaxed);
            level0.max[first_bin + offset].store(max, Ordering::Relaxed);
        }
        let end_bin = first_bin + mins.len();
        let mut children = 1usize;
        for level in &self.levels[1..] {
            children *= LEVEL_FACTOR as usize;
            let mut parent = first_bin / children;
            while parent * children < end_bin {
                let from = (parent * children).max(first_bin) - first_bin;
                let to = ((parent + 1) * children).min(end_bin) - first_bin;
                let known = mins[from..to].iter().zip(&maxs[from..to]);
                let (lo, hi) = known
                    .filter(|(min, max)| min <= max)
                    .fold((UNKNOWN_MIN, UNKNOWN_MAX), |(lo, hi), (&min, &max)| {
                        (lo.min(min), hi.max(max))
                    });
                if lo <= hi {
                    level.min[parent].fetch_min(lo, Ordering::Relaxed);
                    level.max[parent].fetch_max(hi, Ordering::Relaxed);
                }
                parent += 1;
            }
        }
    }

    /// Every level-0 bin as raw `(min, max)`, unknown bins as `(i16::MAX, i16::MIN)`.
    pub(crate) fn level0_raw(&self) -> impl Iterator<Item = (i16, i16)> + '_ {
        let level0 = &self.levels[0];
        (0..level0.bins()).map(|i| {
            (
                level0.min[i].load(Ordering::Relaxed),
                level0.max[i].load(Ordering::Relaxed),
            )
        })
    }
}

/// The `i16` pair of a bin whose samples range over `lo..=hi`: min rounded
/// down and max rounded up, clamped to full scale. A bin with no finite
/// sample (`lo > hi`) reads as silence.
pub(crate) fn i16_pair_from_values(lo: f32, hi: f32) -> (i16, i16) {
    if lo > hi {
        return (0, 0);
    }
    let min = (lo * FULL_SCALE).floor().clamp(-FULL_SCALE, FULL_SCALE) as i16;
    let max = (hi * FULL_SCALE).ceil().clamp(-FULL_SCALE, FULL_SCALE) as i16;
    (min, max)
}

fn value_from_i16(value: i16) -> f32 {
    f32::from(value) / FULL_SCALE
}

/// The lowest and highest sample in `samples`, ignoring NaN;
/// `(INFINITY, NEG_INFINITY)` when there is none. Sixteen independent lanes
/// so the compiler keeps it in vector registers.
pub(crate) fn min_max(samples: &[f32]) -> (f32, f32) {
    const LANES: usize = 16;
    let mut lo = [f32::INFINITY; LANES];
    let mut hi = [f32::NEG_INFINITY; LANES];
    let mut chunks = samples.chunks_exact(LANES);
    for chunk in &mut chunks {
        for ((lo, hi), &x) in lo.iter_mut().zip(hi.iter_mut()).zip(chunk) {
            *lo = lo.min(x);
            *hi = hi.max(x);
        }
    }
    for &x in chunks.remainder() {
        lo[0] = lo[0].min(x);
        hi[0] = hi[0].max(x);
    }
    let lo = lo.iter().fold(f32::INFINITY, |a, &b| a.min(b));
    let hi = hi.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pyramid over `bins` level-0 bins, all written with `pair`.
    fn filled(bins: u64, pair: (i16, i16)) -> Peaks {
        let peaks = Peaks::new(44_100, 2, bins * BIN_FRAMES);
        let n = bins as usize;
        peaks.publish(0, &vec![pair.0; n], &vec![pair.1; n]);
        peaks
    }

    #[test]
    fn levels_quarter_until_one_bin_is_left() {
        let peaks = Peaks::new(44_100, 2, 100 * BIN_FRAMES + 1);
        let bins: Vec<usize> = (0..peaks.level_count()).map(|l| peaks.bins(l)).collect();
        assert_eq!(bins, vec![101, 26, 7, 2, 1]);
        assert_eq!(peaks.bin_frames(2), BIN_FRAMES * 16);
    }

    #[test]
    fn a_three_hour_file_takes_about_five_megabytes() {
        let three_hours = 3 * 3600 * 44_100;
        let peaks = Peaks::new(44_100, 2, three_hours);
        assert!(peaks.memory_bytes() < 5_000_000, "{}", peaks.memory_bytes());
    }

    #[test]
    fn an_empty_file_has_one_level_without_bins() {
        let peaks = Peaks::new(44_100, 1, 0);
        assert_eq!(peaks.level_count(), 1);
        assert_eq!(peaks.bins(0), 0);
        assert_eq!(peaks.range(0, 100, 3), vec![None, None, None]);
    }

    #[test]
    fn quantising_never_narrows_a_bin() {
        let (min, max) = i16_pair_from_values(-0.500_01, 0.500_01);
        assert!(value_from_i16(min) <= -0.500_01);
        assert!(value_from_i16(max) >= 0.500_01);
        assert_eq!(i16_pair_from_values(-3.0, 3.0), (-32767, 32767));
        assert_eq!(
            i16_pair_from_values(f32::INFINITY, f32::NEG_INFINITY),
            (0, 0)
        );
    }

    #[test]
    fn min_max_sees_every_sample_and_skips_nan() {
        let mut samples: Vec<f32> = (0..1001).map(|i| (i as f32 * 0.37).sin() * 0.5).collect();
        samples[17] = -0.9;
        samples[1000] = 0.8;
        samples[3] = f32::NAN;
        assert_eq!(min_max(&samples), (-0.9, 0.8));
        assert_eq!(min_max(&[]), (f32::INFINITY, f32::NEG_INFINITY));
    }

    #[test]
    fn unwritten_bins_read_as_unknown_and_written_ones_reach_every_level() {
        let peaks = Peaks::new(44_100, 2, 64 * BIN_FRAMES);
        assert_eq!(peaks.bin(0, 5), None);
        assert_eq!(peaks.bin(peaks.level_count() - 1, 0), None);
        peaks.publish(5, &[-100, -300], &[200, 50]);
        assert_eq!(peaks.bin(0, 5), Some((-100.0 / 32767.0, 200.0 / 32767.0)));
        for level in 1..peaks.level_count() {
            assert_eq!(
                peaks.bin(level, 5 / 4usize.pow(level as u32)),
                Some((-300.0 / 32767.0, 200.0 / 32767.0)),
                "level {level}"
            );
        }
        assert_eq!(peaks.bin(1, 0), None, "bins 0..4 are still unknown");
    }

    #[test]
    fn an_output_bin_sees_exactly_the_level_0_bins_under_it() {
        let peaks = filled(4096, (-1, 1));
        peaks.publish(1000, &[-5], &[5]);
        // Output bins of 7 level-0 bins: 994..1001 holds the loud one, its
        // neighbours 987..994 and 1001..1008 do not.
        let out = peaks.range(987 * BIN_FRAMES, 1008 * BIN_FRAMES, 3);
        let quiet = Some((-1.0 / 32767.0, 1.0 / 32767.0));
        assert_eq!(
            out,
            vec![quiet, Some((-5.0 / 32767.0, 5.0 / 32767.0)), quiet]
        );
        // The whole file in one bin reads through the top level.
        assert_eq!(
            peaks.range(0, u64::MAX, 1),
            vec![Some((-5.0 / 32767.0, 5.0 / 32767.0))]
        );
        // And every split of the file agrees with a plain fold of level 0.
        for bins in [1, 2, 3, 5, 63, 64, 1000, 4095, 4096, 5000] {
            let out = peaks.range(0, 4096 * BIN_FRAMES, bins);
            for (i, got) in out.iter().enumerate() {
                let total = 4096 * BIN_FRAMES;
                let from = total * i as u64 / bins as u64;
                let to = (total * (i as u64 + 1) / bins as u64).max(from + 1);
                let loud = from < 1001 * BIN_FRAMES && 1000 * BIN_FRAMES < to;
                assert_eq!(
                    got.map(|b| b.1 > 2.0 / 32767.0),
                    Some(loud),
                    "{bins} bins, bin {i}"
                );
            }
        }
    }

    #[test]
    fn range_gives_one_value_per_output_bin_even_when_zoomed_past_level_0() {
        let peaks = filled(8, (-10, 10));
        peaks.publish(3, &[-20_000], &[30_000]);
        // 100 output bins over one level-0 bin: each reads that bin.
        let zoomed = peaks.range(3 * BIN_FRAMES, 4 * BIN_FRAMES, 100);
        assert_eq!(zoomed.len(), 100);
        assert!(
            zoomed
                .iter()
                .all(|b| *b == Some((-20_000.0 / 32767.0, 30_000.0 / 32767.0)))
        );
        // The whole file in two output bins: the loud bin lands in the first.
        let whole = peaks.range(0, u64::MAX, 2);
        assert_eq!(whole[0], Some((-20_000.0 / 32767.0, 30_000.0 / 32767.0)));
        assert_eq!(whole[1], Some((-10.0 / 32767.0, 10.0 / 32767.0)));
    }

    #[test]
    fn range_past_the_end_is_unknown() {
        let peaks = filled(8, (-10, 10));
        assert_eq!(
            peaks.range(9 * BIN_FRAMES, 10 * BIN_FRAMES, 2),
            vec![None, None]
        );
        assert_eq!(peaks.range(0, BIN_FRAMES, 0), vec![]);
        assert_eq!(peaks.bin(0, 8), None);
        assert_eq!(peaks.bin(99, 0), None);
    }

    #[test]
    fn publishing_in_any_order_gives_the_same_pyramid() {
        let mins: Vec<i16> = (0..300).map(|i| -((i * 37 % 1000) as i16)).collect();
        let maxs: Vec<i16> = (0..300).map(|i| (i * 91 % 1000) as i16).collect();
        let forward = Peaks::new(48_000, 1, 300 * BIN_FRAMES);
        forward.publish(0, &mins, &maxs);
        let backward = Peaks::new(48_000, 1, 300 * BIN_FRAMES);
        for start in (0..300).step_by(64).rev() {
            let end = (start + 64).min(300);
            backward.publish(start, &mins[start..end], &maxs[start..end]);
        }
        assert_eq!(forward, backward);
    }
}
