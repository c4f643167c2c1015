//! The output side of the engine: what runs inside the device callback.
//!
//! [`Feed::fill`] reads converted frames from a lock-free ring the engine
//! thread writes, applies fades and volume, counts the frames handed to the
//! device and publishes the position being heard. It never blocks, never
//! allocates and never takes a lock: everything it touches is preallocated
//! or atomic.
//!
//! Beside the samples, the engine writes a [`Marker`] before each block of
//! frames: which generation it belongs to (a new one after every seek or
//! load), where it starts in the ring, and the media range it covers. The
//! feed keeps a short history of which device frames carried which media
//! position, so "the frame the listener hears" (frames handed out minus the
//! device latency) maps back to a media position at any speed, across
//! seeks and loops.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use rtrb::{Consumer, Producer, RingBuffer};

/// Length of the fades at pause, resume and seek.
pub const FADE_MS: u32 = 5;

/// Spans of device frames remembered for mapping the heard frame back to
/// media: enough for several seconds of latency.
const HISTORY_SPANS: usize = 1024;

/// Markers the ring can hold ahead of the feed.
const MARKER_CAPACITY: usize = 512;

/// A span key meaning "silence, the media position holds".
const SILENCE_KEY: u64 = u64::MAX;

/// State shared by the engine handle, the engine thread and the feed.
pub(crate) struct Shared {
    /// The listener wants sound (false while paused or stopped).
    pub playing: AtomicBool,
    /// Output gain, `f32` bits.
    pub volume_bits: AtomicU32,
    /// The generation the feed should play; older data is faded out and dropped.
    pub flush_gen: AtomicU64,
    /// The media position shown until the heard generation reaches `flush_gen`
    /// (the target of the last seek or load), in media frames.
    pub target_frames: AtomicU64,
    /// The media position being heard, `f64` media frames as bits.
    pub heard_media_bits: AtomicU64,
    /// The generation of the frame being heard.
    pub heard_gen: AtomicU64,
    /// The media position of the next frame the output will take, `f64` bits.
    pub next_media_bits: AtomicU64,
    /// The last generation whose end of file has been heard.
    pub ended_gen: AtomicU64,
    /// Set by the device when it is gone.
    pub device_lost: AtomicBool,
    /// Errors that may pass, counted by the device (ALSA's pulse plugin
    /// reports EIO now and then and goes on playing); the engine calls the
    /// device lost only if the callbacks then stop while the errors go on.
    pub device_errors: AtomicU64,
    /// Output callbacks so far: the engine's sign that the device lives.
    pub callbacks: AtomicU64,
    /// The media's frames per second (0 before a load).
    pub media_rate: AtomicU32,
    /// The user's clock offset in milliseconds.
    pub offset_ms: AtomicI64,
    /// Commands the engine thread has applied so far (see `Engine::has_applied`).
    pub commands_applied: AtomicU64,
    /// When the heard position was published, as [`nanos_since_epoch`]
    /// (0: unknown, as on the virtual output whose time the test steps).
    pub heard_at_ns: AtomicU64,
}

/// The instant the process first asked for a timestamp: stamps are stored
/// as nanoseconds after it, so they fit an atomic.
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// `at` as nanoseconds after [`EPOCH`], never 0 (which means unknown).
pub(crate) fn nanos_since_epoch(at: Instant) -> u64 {
    (at.saturating_duration_since(*EPOCH).as_nanos() as u64).max(1)
}

/// The instant stored by [`nanos_since_epoch`], if known.
pub(crate) fn instant_from_nanos(nanos: u64) -> Option<Instant> {
    (nanos != 0).then(|| *EPOCH + std::time::Duration::from_nanos(nanos))
}

impl Shared {
    pub fn new() -> Shared {
        Shared {
            playing: AtomicBool::new(false),
            volume_bits: AtomicU32::new(1.0f32.to_bits()),
            flush_gen: AtomicU64::new(0),
            target_frames: AtomicU64::new(0),
            heard_media_bits: AtomicU64::new(0f64.to_bits()),
            heard_gen: AtomicU64::new(0),
            next_media_bits: AtomicU64::new(0f64.to_bits()),
            ended_gen: AtomicU64::new(0),
            device_lost: AtomicBool::new(false),
            device_errors: AtomicU64::new(0),
            callbacks: AtomicU64::new(0),
            media_rate: AtomicU32::new(0),
            offset_ms: AtomicI64::new(0),
            commands_applied: AtomicU64::new(0),
            heard_at_ns: AtomicU64::new(0),
        }
    }
}

/// Written before each block of frames in the ring: what the block is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marker {
    /// The seek/load generation.
    pub gen_id: u64,
    /// The block's first frame, counted over everything ever written to the ring.
    pub ring_start_frames: u64,
    /// Frames in the block (0 for an end marker).
    pub frames: u64,
    /// The media position of the block's first frame.
    pub media_start: f64,
    /// The media position just after its last frame.
    pub media_end: f64,
    /// True for the end of the file: nothing follows in this generation.
    pub end: bool,
}

/// The engine thread's end of the ring.
pub(crate) struct RingWriter {
    pub samples: Producer<f32>,
    pub markers: Producer<Marker>,
    /// Frames written so far (the next block's `ring_start_frames`).
    pub written_frames: u64,
    pub channels: u16,
    /// Frames the ring holds.
    capacity_frames: usize,
    /// The generation written last, and how many frames of it.
    gen_id: u64,
    gen_written_frames: usize,
}

impl RingWriter {
    /// True when a block of `frames` of generation `gen_id` and an end marker
    /// should be written now. The ring is kept half full, so that after a
    /// seek half of it is free for the new generation at once, even while
    /// the output has not yet dropped the old data.
    pub fn has_room(&self, frames: usize, gen_id: u64) -> bool {
        let channels = usize::from(self.channels);
        let free_frames = self.samples.slots() / channels;
        let held_frames = self.capacity_frames - free_frames;
        let half_frames = self.capacity_frames / 2;
        let gen_written_frames = if gen_id == self.gen_id {
            self.gen_written_frames
        } else {
            0
        };
        free_frames >= frames
            && self.markers.slots() >= 2
            && (held_frames + frames <= half_frames || gen_written_frames + frames <= half_frames)
    }

    /// Writes a block: its marker first, so the feed never sees frames
    /// without knowing what they are. The caller checked `has_room`.
    pub fn push_block(&mut self, gen_id: u64, samples: &[f32], media_start: f64, media_end: f64) {
        let frames = (samples.len() / usize::from(self.channels)) as u64;
        let marker = Marker {
            gen_id,
            ring_start_frames: self.written_frames,
            frames,
            media_start,
            media_end,
            end: false,
        };
        if self.markers.push(marker).is_ok() && self.samples.push_entire_slice(samples).is_ok() {
            self.written_frames += frames;
            if gen_id != self.gen_id {
                self.gen_id = gen_id;
                self.gen_written_frames = 0;
            }
            self.gen_written_frames += frames as usize;
        }
    }

    /// Marks the end of the file at media position `media_end`.
    pub fn push_end(&mut self, gen_id: u64, media_end: f64) {
        let marker = Marker {
            gen_id,
            ring_start_frames: self.written_frames,
            frames: 0,
            media_start: media_end,
            media_end,
            end: true,
        };
        // The caller checked there is room for an end marker.
        let _ = self.markers.push(marker);
    }
}

/// A run of device frames whose media position is linear.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    device_start_frames: u64,
    frames: u64,
    media_start: f64,
    media_per_frame: f64,
    gen_id: u64,
    key: u64,
}

/// The callback's end of the ring: fades, volume, frame counting and the
/// heard position.
pub(crate) struct Feed {
    samples: Consumer<f32>,
    markers: Consumer<Marker>,
    shared: Arc<Shared>,
    channels: usize,
    fade_frames: u32,
    /// The generation being played.
    gen_id: u64,
    /// Ring frames consumed (played or dropped).
    read_frames: u64,
    /// Fade position, 0 (silent) ..= `fade_frames` (full).
    fade_pos: u32,
    /// The gain applied, moving towards the shared volume by at most one
    /// fade step per frame.
    volume: f32,
    /// Frames handed to the device, silence included.
    device_frames: u64,
    history: Box<[Span]>,
    history_len: usize,
    history_next: usize,
    /// The media position after the last frame handed out.
    last_media: f64,
    /// The generation and device frame at which its end of file was handed out.
    end_at: Option<(u64, u64)>,
}

/// A ring for output frames at `channels`, about `capacity_frames` long.
pub(crate) fn ring(
    sample_rate: u32,
    channels: u16,
    capacity_frames: usize,
    shared: Arc<Shared>,
) -> (RingWriter, Feed) {
    let channels = channels.max(1);
    let (samples_tx, samples_rx) = RingBuffer::new(capacity_frames * usize::from(channels));
    let (markers_tx, markers_rx) = RingBuffer::new(MARKER_CAPACITY);
    let writer = RingWriter {
        samples: samples_tx,
        markers: markers_tx,
        written_frames: 0,
        channels,
        capacity_frames,
        gen_id: 0,
        gen_written_frames: 0,
    };
    let fade_frames = (sample_rate * FADE_MS / 1000).max(1);
    let volume = f32::from_bits(shared.volume_bits.load(Ordering::Relaxed));
    let feed = Feed {
        samples: samples_rx,
        markers: markers_rx,
        shared,
        channels: usize::from(channels),
        fade_frames,
        gen_id: 0,
        read_frames: 0,
        fade_pos: 0,
        volume,
        device_frames: 0,
        history: vec![Span::default(); HISTORY_SPANS].into_boxed_slice(),
        history_len: 0,
        history_next: 0,
        last_media: 0.0,
        end_at: None,
    };
    (writer, feed)
}

impl Feed {
    /// Fills `out` (interleaved, whole frames) and publishes the heard
    /// position. `latency_frames` is how many frames lie between the end of
    /// `out` and the listener's ear; `now` is when that holds (the callback's
    /// time; `None` where time is stepped by hand).
    pub fn fill(&mut self, out: &mut [f32], latency_frames: u64, now: Option<Instant>) {
        self.shared.callbacks.fetch_add(1, Ordering::Relaxed);
        let playing = self.shared.playing.load(Ordering::Acquire);
        let wanted_gen = self.shared.flush_gen.load(Ordering::Acquire);
        let volume_target = f32::from_bits(self.shared.volume_bits.load(Ordering::Relaxed));
        let volume_step = 1.0 / self.fade_frames as f32;
        for frame in out.chunks_exact_mut(self.channels) {
            let mut flushing = self.gen_id < wanted_gen;
            if flushing && self.fade_pos == 0 {
                self.drop_old(wanted_gen);
                flushing = self.gen_id < wanted_gen;
                if flushing {
                    self.silence(frame);
                    continue;
                }
            }
            if !playing && self.fade_pos == 0 {
                self.silence(frame);
                continue;
            }
            let Some(marker) = self.current_marker() else {
                // Underrun: the next frames fade in again.
                self.fade_pos = 0;
                self.silence(frame);
                continue;
            };
            if marker.gen_id > self.gen_id {
                // The old data ran out before the seek was seen: start the new.
                self.gen_id = marker.gen_id;
                self.fade_pos = 0;
                flushing = false;
                if !playing {
                    self.last_media = marker.media_start;
                    self.silence(frame);
                    continue;
                }
            }
            if marker.end {
                if self
                    .end_at
                    .is_none_or(|(gen_id, _)| gen_id != marker.gen_id)
                {
                    self.end_at = Some((marker.gen_id, self.device_frames));
                }
                self.last_media = marker.media_end;
                self.fade_pos = 0;
                self.silence(frame);
                continue;
            }
            if self.samples.slots() < self.channels {
                self.fade_pos = 0;
                self.silence(frame);
                continue;
            }
            let fading_out = flushing || !playing;
            if !fading_out && self.fade_pos < self.fade_frames {
                self.fade_pos += 1;
            }
            if self.volume < volume_target {
                self.volume = (self.volume + volume_step).min(volume_target);
            } else if self.volume > volume_target {
                self.volume = (self.volume - volume_step).max(volume_target);
            }
            let gain = self.fade_pos as f32 / self.fade_frames as f32 * self.volume;
            for sample in frame.iter_mut() {
                *sample = self.samples.pop().unwrap_or(0.0) * gain;
            }
            if fading_out {
                self.fade_pos -= 1;
            }
            let media_per_frame = if marker.frames == 0 {
                0.0
            } else {
                (marker.media_end - marker.media_start) / marker.frames as f64
            };
            let media = marker.media_start
                + (self.read_frames - marker.ring_start_frames) as f64 * media_per_frame;
            self.record(
                marker.gen_id,
                marker.ring_start_frames,
                media,
                media_per_frame,
            );
            self.read_frames += 1;
            self.last_media = media + media_per_frame;
        }
        self.publish(latency_frames);
        self.shared
            .heard_at_ns
            .store(now.map_or(0, nanos_since_epoch), Ordering::Release);
    }

    /// Frames handed to the device so far.
    pub fn device_frames(&self) -> u64 {
        self.device_frames
    }

    /// The marker of the next frame, dropping markers already played.
    fn current_marker(&mut self) -> Option<Marker> {
        loop {
            let marker = *self.markers.peek().ok()?;
            if !marker.end && self.read_frames >= marker.ring_start_frames + marker.frames {
                let _ = self.markers.pop();
                continue;
            }
            return Some(marker);
        }
    }

    /// Drops everything older than `wanted_gen` that has arrived; adopts the
    /// first newer marker.
    fn drop_old(&mut self, wanted_gen: u64) {
        while let Ok(&marker) = self.markers.peek() {
            if marker.gen_id >= wanted_gen {
                self.gen_id = marker.gen_id;
                self.last_media = marker.media_start;
                return;
            }
            let remaining =
                (marker.ring_start_frames + marker.frames).saturating_sub(self.read_frames);
            let available = (self.samples.slots() / self.channels) as u64;
            let dropped = remaining.min(available);
            if let Ok(chunk) = self.samples.read_chunk(dropped as usize * self.channels) {
                chunk.commit_all();
            }
            self.read_frames += dropped;
            if dropped < remaining {
                return;
            }
            let _ = self.markers.pop();
        }
    }

    fn silence(&mut self, frame: &mut [f32]) {
        frame.fill(0.0);
        self.record(self.gen_id, SILENCE_KEY, self.last_media, 0.0);
    }

    /// Notes that the next device frame carries `media` and counts it.
    fn record(&mut self, gen_id: u64, key: u64, media: f64, media_per_frame: f64) {
        if self.history_len > 0 {
            let last_index = (self.history_next + HISTORY_SPANS - 1) % HISTORY_SPANS;
            let last = &mut self.history[last_index];
            if last.gen_id == gen_id
                && last.key == key
                && last.device_start_frames + last.frames == self.device_frames
                && (key != SILENCE_KEY || last.media_start == media)
            {
                last.frames += 1;
                self.device_frames += 1;
                return;
            }
        }
        self.history[self.history_next] = Span {
            device_start_frames: self.device_frames,
            frames: 1,
            media_start: media,
            media_per_frame,
            gen_id,
            key,
        };
        self.history_next = (self.history_next + 1) % HISTORY_SPANS;
        self.history_len = (self.history_len + 1).min(HISTORY_SPANS);
        self.device_frames += 1;
    }

    /// Publishes the media position of the frame being heard.
    fn publish(&mut self, latency_frames: u64) {
        self.shared
            .next_media_bits
            .store(self.last_media.to_bits(), Ordering::Release);
        let Some(heard_frames) = self.device_frames.checked_sub(latency_frames) else {
            return;
        };
        if self.history_len == 0 {
            return;
        }
        let mut found = None;
        for back in 1..=self.history_len {
            let span = self.history[(self.history_next + HISTORY_SPANS - back) % HISTORY_SPANS];
            found = Some(span);
            if span.device_start_frames <= heard_frames {
                break;
            }
        }
        let Some(span) = found else {
            return;
        };
        let into_frames = heard_frames
            .saturating_sub(span.device_start_frames)
            .min(span.frames);
        let media = span.media_start + into_frames as f64 * span.media_per_frame;
        self.shared
            .heard_media_bits
            .store(media.to_bits(), Ordering::Release);
        self.shared.heard_gen.store(span.gen_id, Ordering::Release);
        if let Some((gen_id, end_frames)) = self.end_at
            && heard_frames >= end_frames
            && span.gen_id == gen_id
        {
            self.shared.ended_gen.store(gen_id, Ordering::Release);
        }
    }
}
