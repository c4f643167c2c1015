//! The waveform worker: builds a file's [`Peaks`] off the UI thread.
//!
//! A coordinator thread first looks in the cache; on a miss it opens the
//! file, publishes an empty pyramid the UI can draw at once, then splits the
//! file into contiguous parts (one per core) and decodes them at the same
//! time, each with its own [`Decoder`] seeking to its part's first frame.
//! Parts start on bin boundaries, so every bin is written by exactly one
//! worker; the levels above fold bins with min/max, which makes the result
//! identical whatever the thread count or order. Each worker streams
//! through one small buffer: memory is the pyramid plus a few hundred KB,
//! whatever the file's length. Nothing here blocks the caller except
//! [`WaveformJob::wait`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;

use super::cache::{self, CacheError, SourceKey};
use super::{BIN_FRAMES, Peaks, i16_pair_from_values, min_max};
use crate::audio::{AudioError, Decoder, FrameSource};

/// Level-0 bins decoded between two publications (32 768 frames, 0.7 s at
/// 44.1 kHz): small enough to keep the buffer in cache and the progress
/// smooth, large enough that publishing costs nothing.
const BLOCK_BINS: usize = 64;
/// Frames decoded between two publications.
const BLOCK_FRAMES: u64 = BLOCK_BINS as u64 * BIN_FRAMES;
/// Blocks a worker decodes between two wake-ups of the UI.
const BLOCKS_PER_WAKE: u32 = 16;
/// The shortest part worth its own decoder: opening one costs a scan of an
/// MP3's frame headers, and seeking a pre-roll of a few frames.
const MIN_PART_FRAMES: u64 = 4 * BLOCK_FRAMES;
/// Most worker threads, whatever the machine has.
const MAX_THREADS: usize = 8;

/// A callback the worker calls when there is something new to draw.
pub type WakeFn = Arc<dyn Fn() + Send + Sync>;

/// How a [`WaveformJob`] runs.
#[derive(Clone)]
pub struct JobOptions {
    /// The cache folder to read and write; `None` always decodes and saves
    /// nothing. [`JobOptions::default`] uses [`cache::default_dir`].
    pub cache_dir: Option<PathBuf>,
    /// Worker threads; 0 means one per core (at most 8). Formats whose seek
    /// is not sample-identical to a straight decode always use one.
    pub threads: usize,
    /// Called (from a worker thread) when the pyramid first appears, as it
    /// fills, and when the job ends: the UI's repaint request.
    pub wake: Option<WakeFn>,
}

impl Default for JobOptions {
    fn default() -> JobOptions {
        JobOptions {
            cache_dir: cache::default_dir(),
            threads: 0,
            wake: None,
        }
    }
}

impl std::fmt::Debug for JobOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobOptions")
            .field("cache_dir", &self.cache_dir)
            .field("threads", &self.threads)
            .field("wake", &self.wake.is_some())
            .finish()
    }
}

/// Why a waveform could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WaveformError {
    /// The file could not be opened or decoded.
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// The job was cancelled (or dropped) before it finished.
    #[error("the waveform was cancelled before it was finished: {}", path.display())]
    Cancelled {
        /// The audio file.
        path: PathBuf,
    },
    /// The system would not start a thread.
    #[error("cannot start a waveform thread ({source}): {}", path.display())]
    Spawn {
        /// The audio file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A worker thread panicked; a bug, reported instead of propagated.
    #[error("the waveform worker stopped unexpectedly: {}", path.display())]
    WorkerPanicked {
        /// The audio file.
        path: PathBuf,
    },
}

/// A finished waveform and how it was obtained.
#[derive(Debug)]
pub struct Built {
    /// The complete pyramid (the same one [`WaveformJob::peaks`] showed while
    /// it was being filled, unless it came from the cache).
    pub peaks: Arc<Peaks>,
    /// True when it was read from the cache rather than decoded.
    pub from_cache: bool,
    /// Threads that decoded it (0 when it came from the cache).
    pub threads: usize,
    /// Set when the pyramid is fine but could not be saved to the cache.
    pub cache_error: Option<CacheError>,
}

/// What the job's threads and its handle share.
struct Shared {
    path: PathBuf,
    cancel: AtomicBool,
    /// Frames decoded so far, over all workers.
    frames_done: AtomicU64,
    /// Set once the pyramid's size is known.
    peaks: OnceLock<Arc<Peaks>>,
    /// Set when the job has succeeded.
    complete: AtomicBool,
    wake: Option<WakeFn>,
}

impl Shared {
    fn wake(&self) {
        if let Some(wake) = &self.wake {
            wake();
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// A waveform being built on its own threads; dropping it cancels the
/// build (the threads stop at their next block and save nothing).
pub struct WaveformJob {
    shared: Arc<Shared>,
    /// `None` once the outcome has been handed out.
    state: Option<JobState>,
}

/// The job's thread, or its outcome when it never got one.
enum JobState {
    Running(JoinHandle<Result<Built, WaveformError>>),
    Ended(Result<Built, WaveformError>),
}

impl std::fmt::Debug for WaveformJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaveformJob")
            .field("path", &self.shared.path)
            .field("progress", &self.progress())
            .finish()
    }
}

impl WaveformJob {
    /// Starts building the waveform of `path` with the default options (the
    /// user's cache folder, one thread per core). Returns at once.
    pub fn start(path: &Path) -> WaveformJob {
        WaveformJob::start_with(path, JobOptions::default())
    }

    /// Starts building the waveform of `path` with `options`. Returns at
    /// once; even opening the file happens on the job's thread.
    pub fn start_with(path: &Path, options: JobOptions) -> WaveformJob {
        let shared = Arc::new(Shared {
            path: path.to_path_buf(),
            cancel: AtomicBool::new(false),
            frames_done: AtomicU64::new(0),
            peaks: OnceLock::new(),
            complete: AtomicBool::new(false),
            wake: options.wake.clone(),
        });
        let thread_shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("earmark-waveform".into())
            .spawn(move || {
                let result = build(&thread_shared, &options);
                if result.is_ok() {
                    thread_shared.complete.store(true, Ordering::Release);
                }
                thread_shared.wake();
                result
            });
        let state = match spawned {
            Ok(thread) => JobState::Running(thread),
            Err(source) => JobState::Ended(Err(WaveformError::Spawn {
                path: path.to_path_buf(),
                source,
            })),
        };
        WaveformJob {
            shared,
            state: Some(state),
        }
    }

    /// The file being built.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// How far the build is, from 0 to 1; exactly 1 once it has succeeded.
    pub fn progress(&self) -> f32 {
        if self.shared.complete.load(Ordering::Acquire) {
            return 1.0;
        }
        let Some(peaks) = self.shared.peaks.get() else {
            return 0.0;
        };
        let done = self.shared.frames_done.load(Ordering::Relaxed);
        let total = peaks.total_frames().max(1);
        (done as f64 / total as f64).min(1.0) as f32
    }

    /// The pyramid as far as it is built, to draw while the job runs;
    /// `None` until the file's length is known. Unbuilt bins read as `None`.
    pub fn peaks(&self) -> Option<Arc<Peaks>> {
        self.shared.peaks.get().cloned()
    }

    /// True once the job has ended (built, failed or cancelled).
    pub fn is_finished(&self) -> bool {
        match &self.state {
            Some(JobState::Running(thread)) => thread.is_finished(),
            Some(JobState::Ended(_)) | None => true,
        }
    }

    /// The outcome, once, without blocking: `None` while the job runs (and
    /// after the outcome has been taken).
    pub fn try_finish(&mut self) -> Option<Result<Built, WaveformError>> {
        if !self.is_finished() {
            return None;
        }
        self.state.take().map(|state| self.outcome(state))
    }

    /// Blocks until the job ends and returns its outcome.
    pub fn wait(mut self) -> Result<Built, WaveformError> {
        match self.state.take() {
            Some(state) => self.outcome(state),
            None => Err(WaveformError::Cancelled {
                path: self.shared.path.clone(),
            }),
        }
    }

    /// Asks the job to stop; it ends with [`WaveformError::Cancelled`] at
    /// the workers' next block.
    pub fn cancel(&self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
    }

    fn outcome(&self, state: JobState) -> Result<Built, WaveformError> {
        match state {
            JobState::Running(thread) => thread.join().unwrap_or_else(|_| {
                Err(WaveformError::WorkerPanicked {
                    path: self.shared.path.clone(),
                })
            }),
            JobState::Ended(result) => result,
        }
    }
}

impl Drop for WaveformJob {
    fn drop(&mut self) {
        // Not joined: the UI must never wait; the threads see the flag
        // within one block and end on their own.
        self.cancel();
    }
}

/// The job: the cache, else a parallel decode; then the cache again.
fn build(shared: &Shared, options: &JobOptions) -> Result<Built, WaveformError> {
    let path = &shared.path;
    let key = SourceKey::of(path).map_err(|source| AudioError::Io {
        path: path.clone(),
        source,
    })?;
    if let Some(dir) = &options.cache_dir
        && let Some(peaks) = cache::load(dir, &key)
    {
        let peaks = Arc::new(peaks);
        shared
            .frames_done
            .store(peaks.total_frames(), Ordering::Relaxed);
        let _ = shared.peaks.set(Arc::clone(&peaks));
        return Ok(Built {
            peaks,
            from_cache: true,
            threads: 0,
            cache_error: None,
        });
    }

    let first = Decoder::open(path)?;
    let info = first.info().clone();
    let peaks = Arc::new(Peaks::new(info.sample_rate, info.channels, info.frames));
    let _ = shared.peaks.set(Arc::clone(&peaks));
    shared.wake();

    let threads = thread_count(options.threads, &info.container, info.frames);
    let parts = split(info.frames, threads);
    let abort = AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        let others: Vec<_> = parts[1..]
            .iter()
            .map(|&part| {
                let (peaks, abort) = (&peaks, &abort);
                std::thread::Builder::new()
                    .name("earmark-waveform".into())
                    .spawn_scoped(scope, move || {
                        let decoder = Decoder::open(path)?;
                        decode_part(decoder, part, peaks, shared, abort)
                    })
            })
            .collect();
        let mut result = decode_part(first, parts[0], &peaks, shared, &abort);
        for other in others {
            let outcome = match other {
                Err(source) => {
                    abort.store(true, Ordering::Relaxed);
                    Err(WaveformError::Spawn {
                        path: path.clone(),
                        source,
                    })
                }
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|_| Err(WaveformError::WorkerPanicked { path: path.clone() })),
            };
            if result.is_ok() {
                result = outcome;
            }
        }
        result
    });
    result?;
    if shared.cancelled() {
        return Err(WaveformError::Cancelled { path: path.clone() });
    }

    // A file rewritten while it was decoded would be cached under the old
    // key with mixed content: save only if it is still the file we read.
    let cache_error = match &options.cache_dir {
        Some(dir) if SourceKey::of(path).is_ok_and(|now| now == key) => {
            cache::store(dir, &key, &peaks).err()
        }
        _ => None,
    };
    Ok(Built {
        peaks,
        from_cache: false,
        threads,
        cache_error,
    })
}

/// Worker threads for a file: as asked (0: one per core), but one when the
/// container's seek is not known to give the very samples a straight decode
/// gives, and never so many that a part is shorter than `MIN_PART_FRAMES`.
fn thread_count(asked: usize, container: &str, total_frames: u64) -> usize {
    let asked = match asked {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    // MP3 seeks through our frame index with a pre-roll that rebuilds the
    // decoder's state; WAV and FLAC have no inter-frame state; Ogg Vorbis
    // decodes its first packet after a seek only to prime the overlap.
    // AAC (isomp4) is left out: its first 32 samples after a seek differ
    // from a straight decode (up to 7.6e-5), which would make the bins at
    // part boundaries depend on the thread count.
    let exact_seek = matches!(container, "mp3" | "wave" | "flac" | "ogg");
    if !exact_seek {
        return 1;
    }
    let by_length = total_frames.div_ceil(MIN_PART_FRAMES).max(1);
    asked.min(MAX_THREADS).min(by_length as usize).max(1)
}

/// A part of the file one worker decodes: frames `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Part {
    start_frame: u64,
    end_frame: u64,
}

/// Splits `total_frames` into `parts` contiguous parts that start on bin
/// boundaries (the last may be shorter or empty).
fn split(total_frames: u64, parts: usize) -> Vec<Part> {
    let bins = total_frames.div_ceil(BIN_FRAMES);
    let parts = parts.max(1) as u64;
    (0..parts)
        .map(|i| Part {
            start_frame: (bins * i / parts * BIN_FRAMES).min(total_frames),
            end_frame: (bins * (i + 1) / parts * BIN_FRAMES).min(total_frames),
        })
        .collect()
}

/// Decodes one part block by block into `peaks`, until its end, a
/// cancel, or another worker's failure (`abort`).
fn decode_part(
    mut decoder: Decoder,
    part: Part,
    peaks: &Peaks,
    shared: &Shared,
    abort: &AtomicBool,
) -> Result<(), WaveformError> {
    let result = decode_part_inner(&mut decoder, part, peaks, shared, abort);
    if result.is_err() {
        abort.store(true, Ordering::Relaxed);
    }
    result.map_err(WaveformError::from)
}

fn decode_part_inner(
    decoder: &mut Decoder,
    part: Part,
    peaks: &Peaks,
    shared: &Shared,
    abort: &AtomicBool,
) -> Result<(), AudioError> {
    if part.start_frame >= part.end_frame {
        return Ok(());
    }
    if decoder.pos_frames() != part.start_frame {
        decoder.seek(part.start_frame)?;
    }
    let channels = usize::from(decoder.channels());
    let bin_samples = BIN_FRAMES as usize * channels;
    let mut buffer = vec![0f32; BLOCK_FRAMES as usize * channels];
    let (mut mins, mut maxs) = ([0i16; BLOCK_BINS], [0i16; BLOCK_BINS]);
    let mut pos_frames = part.start_frame;
    let mut blocks = 0u32;
    while pos_frames < part.end_frame {
        if shared.cancelled() || abort.load(Ordering::Relaxed) {
            return Ok(());
        }
        let want = (part.end_frame - pos_frames).min(BLOCK_FRAMES) as usize;
        let got = decoder.read(&mut buffer[..want * channels])?;
        if got == 0 {
            // The stream ended before its declared length: the bins past
            // here stay unknown rather than invented.
            break;
        }
        let samples = &buffer[..got * channels];
        let mut bins = 0;
        for (bin, chunk) in samples.chunks(bin_samples).enumerate() {
            let (lo, hi) = min_max(chunk);
            (mins[bin], maxs[bin]) = i16_pair_from_values(lo, hi);
            bins += 1;
        }
        let first_bin = (pos_frames / BIN_FRAMES) as usize;
        peaks.publish(first_bin, &mins[..bins], &maxs[..bins]);
        pos_frames += got as u64;
        shared.frames_done.fetch_add(got as u64, Ordering::Relaxed);
        blocks += 1;
        if blocks.is_multiple_of(BLOCKS_PER_WAKE) {
            shared.wake();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_file_once_and_start_on_bin_boundaries() {
        let total = 1000 * BIN_FRAMES + 77;
        let parts = split(total, 3);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].start_frame, 0);
        assert_eq!(parts[2].end_frame, total);
        for pair in parts.windows(2) {
            assert_eq!(pair[0].end_frame, pair[1].start_frame);
        }
        assert!(parts.iter().all(|p| p.start_frame % BIN_FRAMES == 0));
    }

    #[test]
    fn a_short_file_gets_one_part_and_an_unseekable_format_one_thread() {
        assert_eq!(thread_count(8, "mp3", MIN_PART_FRAMES), 1);
        assert_eq!(thread_count(8, "mp3", 3 * MIN_PART_FRAMES), 3);
        assert_eq!(thread_count(64, "mp3", u64::MAX / 2), MAX_THREADS);
        assert_eq!(thread_count(4, "isomp4", u64::MAX / 2), 1);
        assert_eq!(
            split(0, 1),
            vec![Part {
                start_frame: 0,
                end_frame: 0
            }]
        );
    }
}
