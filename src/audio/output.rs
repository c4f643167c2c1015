//! Where the engine's frames go: the sound device (through cpal), a null
//! output that consumes them in real time when there is no device, or a
//! virtual output a test steps by hand.
//!
//! Each output owns a [`Feed`] and calls [`Feed::fill`] with the latency it
//! knows: cpal's `OutputCallbackInfo` timestamps (playback − callback) for
//! the device, 0 for the null output, a fixed number for the virtual one.
//! Outputs never decode, and the callback never blocks or allocates.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use super::engine::{Event, Msg};
use super::feed::{Feed, RingWriter, Shared, ring};

/// The null output's format.
const NULL_SAMPLE_RATE: u32 = 48_000;
const NULL_CHANNELS: u16 = 2;
/// How often the null output wakes to consume frames.
const NULL_PERIOD: Duration = Duration::from_millis(10);
/// Frames per `fill` in the null output and for converting device samples.
const SCRATCH_FRAMES: usize = 4096;
/// How long the device's error callback waits after an unclassified
/// backend error before cpal's worker tries again. That worker retries at
/// once, and ALSA's pulse plugin with its server gone fails every try: some
/// 200 000 errors a second, a whole core, measured here. The same spin at a
/// stream's start holds the plugin's lock so tightly that libpulse's own
/// thread cannot deliver the timing the plugin waits for.
const BACKEND_ERROR_PAUSE: Duration = Duration::from_millis(5);

/// Which output the engine opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputChoice {
    /// The system's default sound device; the null output if none opens.
    #[default]
    DefaultDevice,
    /// The null output: no sound, the clock still runs in real time.
    Null,
}

/// How the engine thread opens an output (the public choice, or a test's
/// virtual output).
pub(crate) enum OutputKind {
    Public(OutputChoice),
    Virtual {
        sample_rate: u32,
        channels: u16,
        slot: Arc<Mutex<VirtualSlot>>,
    },
}

/// What a virtual output and the engine share: the ring's device end,
/// handed over on each opening, and whether opening should fail (a test's
/// device that stays away).
#[derive(Default)]
pub(crate) struct VirtualSlot {
    feed: Option<Feed>,
    refuse: bool,
}

/// An open output: the engine's end of its ring, and what keeps it running.
pub(crate) struct Output {
    pub writer: RingWriter,
    pub sample_rate: u32,
    pub channels: u16,
    _device: Device,
}

/// What keeps an output running; dropping it stops the output.
enum Device {
    Cpal { _stream: cpal::Stream },
    Null { _thread: NullOutput },
    Virtual,
}

/// Ring length in frames for an output at `sample_rate`: 400 ms, kept
/// half full.
fn ring_frames(sample_rate: u32) -> usize {
    (sample_rate as usize * 2 / 5).max(8192)
}

/// Opens the output `kind` and says what opened.
pub(crate) fn open(kind: &OutputKind, shared: &Arc<Shared>) -> (Output, Event) {
    match kind {
        OutputKind::Public(OutputChoice::DefaultDevice) => match open_cpal(shared) {
            Ok(opened) => opened,
            Err(reason) => (open_null(shared), Event::NoDevice { reason }),
        },
        OutputKind::Public(OutputChoice::Null) => (
            open_null(shared),
            Event::NoDevice {
                reason: "the null output was chosen".to_string(),
            },
        ),
        OutputKind::Virtual {
            sample_rate,
            channels,
            slot,
        } => {
            if slot.lock().is_ok_and(|slot| slot.refuse) {
                return (
                    open_null(shared),
                    Event::NoDevice {
                        reason: "the virtual device refused to open".to_string(),
                    },
                );
            }
            let (writer, feed) = ring(
                *sample_rate,
                *channels,
                ring_frames(*sample_rate),
                shared.clone(),
            );
            if let Ok(mut slot) = slot.lock() {
                slot.feed = Some(feed);
            }
            let output = Output {
                writer,
                sample_rate: *sample_rate,
                channels: *channels,
                _device: Device::Virtual,
            };
            let event = Event::DeviceOpened {
                name: "virtual".to_string(),
                sample_rate: *sample_rate,
                channels: *channels,
            };
            (output, event)
        }
    }
}

fn open_null(shared: &Arc<Shared>) -> Output {
    let (writer, feed) = ring(
        NULL_SAMPLE_RATE,
        NULL_CHANNELS,
        ring_frames(NULL_SAMPLE_RATE),
        shared.clone(),
    );
    Output {
        writer,
        sample_rate: NULL_SAMPLE_RATE,
        channels: NULL_CHANNELS,
        _device: Device::Null {
            _thread: NullOutput::start(feed, NULL_SAMPLE_RATE),
        },
    }
}

/// Opens the default device; the error says why there is none.
fn open_cpal(shared: &Arc<Shared>) -> Result<(Output, Event), String> {
    let host = cpal::default_host();
    let device = host
        .default_output_device()
        .ok_or_else(|| "no default output device".to_string())?;
    let name = device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| "default".to_string());
    let supported = device
        .default_output_config()
        .map_err(|e| format!("no output configuration on {name}: {e}"))?;
    let config = supported.config();
    let (sample_rate, channels) = (config.sample_rate, config.channels);
    let (writer, feed) = ring(
        sample_rate,
        channels,
        ring_frames(sample_rate),
        shared.clone(),
    );
    let on_error = error_handler(shared.clone());
    let stream = match supported.sample_format() {
        cpal::SampleFormat::F32 => build::<f32>(&device, config, feed, on_error),
        cpal::SampleFormat::I16 => build::<i16>(&device, config, feed, on_error),
        cpal::SampleFormat::U16 => build::<u16>(&device, config, feed, on_error),
        cpal::SampleFormat::I32 => build::<i32>(&device, config, feed, on_error),
        other => {
            return Err(format!(
                "{name} wants {other} samples, which are not supported"
            ));
        }
    }
    .map_err(|e| format!("cannot open {name}: {e}"))?;
    stream
        .play()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let output = Output {
        writer,
        sample_rate,
        channels,
        _device: Device::Cpal { _stream: stream },
    };
    let event = Event::DeviceOpened {
        name,
        sample_rate,
        channels,
    };
    Ok((output, event))
}

/// The cpal error callback: a device that is gone (or, on Windows, a
/// default device that changed, which cpal reports as an invalidated
/// stream) is reported lost, for the engine to reopen; an error that may
/// pass is counted. A stream that follows the default device by itself
/// (macOS) reports `DeviceChanged`, which needs nothing. The first error
/// after each stretch of audio is logged, not the thousands that follow.
fn error_handler(shared: Arc<Shared>) -> impl FnMut(cpal::Error) + Send + 'static {
    let mut logged_at_callbacks = None;
    move |err: cpal::Error| {
        use cpal::ErrorKind::{
            BackendError, DeviceChanged, DeviceNotAvailable, HostUnavailable, PermissionDenied,
            StreamInvalidated, Xrun,
        };
        let callbacks = shared.callbacks.load(Ordering::Relaxed);
        if logged_at_callbacks != Some(callbacks) {
            logged_at_callbacks = Some(callbacks);
            // An underrun is a glitch of a loaded machine, not news.
            let level = if err.kind() == Xrun {
                log::Level::Debug
            } else {
                log::Level::Warn
            };
            log::log!(level, "sound device: {err}");
        }
        match err.kind() {
            DeviceNotAvailable | HostUnavailable | PermissionDenied | StreamInvalidated => {
                shared.device_lost.store(true, Ordering::Release);
            }
            DeviceChanged => {}
            kind => {
                shared.device_errors.fetch_add(1, Ordering::AcqRel);
                if kind == BackendError {
                    std::thread::sleep(BACKEND_ERROR_PAUSE);
                }
            }
        }
    }
}

/// A cpal stream that fills `T` samples from `feed`, converting through a
/// scratch buffer allocated here, not in the callback.
fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut feed: Feed,
    on_error: impl FnMut(cpal::Error) + Send + 'static,
) -> Result<cpal::Stream, cpal::Error>
where
    T: cpal::SizedSample + cpal::FromSample<f32>,
{
    let channels = usize::from(config.channels.max(1));
    let rate = u64::from(config.sample_rate);
    let mut scratch = vec![0.0f32; SCRATCH_FRAMES * channels];
    device.build_output_stream::<T, _, _>(
        config,
        move |data: &mut [T], info: &cpal::OutputCallbackInfo| {
            let now = Instant::now();
            let timestamp = info.timestamp();
            let delay = timestamp.playback.duration_since(timestamp.callback);
            let delay_frames = (delay.as_nanos() * u128::from(rate) / 1_000_000_000) as u64;
            let mut done_frames = 0;
            for chunk in data.chunks_mut(scratch.len()) {
                let frames = chunk.len() / channels;
                done_frames += frames;
                let scratch = &mut scratch[..chunk.len()];
                // The listener hears this buffer's first frame `delay` from
                // now: from the end of this chunk that is `delay` plus the
                // chunk's own place in the buffer.
                feed.fill(scratch, delay_frames + done_frames as u64, Some(now));
                for (out, sample) in chunk.iter_mut().zip(scratch.iter()) {
                    *out = T::from_sample(sample.clamp(-1.0, 1.0));
                }
            }
        },
        on_error,
        None,
    )
}

/// A thread that consumes frames at the real-time rate, for machines
/// without a sound device.
struct NullOutput {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl NullOutput {
    fn start(mut feed: Feed, sample_rate: u32) -> NullOutput {
        let stop = Arc::new(AtomicBool::new(false));
        let stop_seen = stop.clone();
        let channels = usize::from(NULL_CHANNELS);
        let thread = std::thread::Builder::new()
            .name("earmark-null-output".to_string())
            .spawn(move || {
                let mut scratch = vec![0.0f32; SCRATCH_FRAMES * channels];
                let start = Instant::now();
                while !stop_seen.load(Ordering::Acquire) {
                    std::thread::sleep(NULL_PERIOD);
                    let due_frames = (start.elapsed().as_nanos() * u128::from(sample_rate)
                        / 1_000_000_000) as u64;
                    while feed.device_frames() < due_frames {
                        let frames =
                            ((due_frames - feed.device_frames()) as usize).min(SCRATCH_FRAMES);
                        feed.fill(&mut scratch[..frames * channels], 0, Some(Instant::now()));
                    }
                }
            })
            .ok();
        NullOutput { stop, thread }
    }
}

impl Drop for NullOutput {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An output a test drives: each [`VirtualOutput::step`] pulls a fixed
/// number of frames, and the listener is a fixed number of frames behind.
/// No wall time is involved, so clock arithmetic is tested exactly.
pub struct VirtualOutput {
    slot: Arc<Mutex<VirtualSlot>>,
    feed: Option<Feed>,
    engine: Sender<Msg>,
    shared: Arc<Shared>,
    latency_frames: u64,
    channels: usize,
}

impl VirtualOutput {
    pub(crate) fn new(
        slot: Arc<Mutex<VirtualSlot>>,
        engine: Sender<Msg>,
        shared: Arc<Shared>,
        latency_frames: u64,
        channels: u16,
    ) -> VirtualOutput {
        VirtualOutput {
            slot,
            feed: None,
            engine,
            shared,
            latency_frames,
            channels: usize::from(channels.max(1)),
        }
    }

    /// Waits until the engine has applied every command sent so far and
    /// filled the ring, then pulls `frames` frames as a device would and
    /// returns them (interleaved).
    pub fn step(&mut self, frames: usize) -> Vec<f32> {
        let (done_tx, done_rx) = mpsc::channel();
        if self.engine.send(Msg::Settle(done_tx)).is_ok() {
            let _ = done_rx.recv();
        }
        if let Ok(mut slot) = self.slot.lock()
            && let Some(feed) = slot.feed.take()
        {
            self.feed = Some(feed);
        }
        let mut out = vec![0.0; frames * self.channels];
        if let Some(feed) = &mut self.feed {
            feed.fill(&mut out, self.latency_frames, None);
        }
        out
    }

    /// Frames pulled so far from the current ring.
    pub fn pulled_frames(&self) -> u64 {
        self.feed.as_ref().map_or(0, Feed::device_frames)
    }

    /// From now on, opening this device fails (`true`) or works again.
    pub fn refuse_opening(&mut self, refuse: bool) {
        if let Ok(mut slot) = self.slot.lock() {
            slot.refuse = refuse;
        }
    }

    /// Acts as if the device disappeared: the engine reopens it, and
    /// reports it lost if that keeps failing.
    pub fn lose_device(&mut self) {
        self.shared.device_lost.store(true, Ordering::Release);
    }

    /// Acts as if the device reported an error that may pass (as ALSA's
    /// pulse plugin does): the device counts as lost only if it then stops
    /// asking for audio while such errors go on.
    pub fn report_trouble(&mut self) {
        self.shared.device_errors.fetch_add(1, Ordering::AcqRel);
    }
}
