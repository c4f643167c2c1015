//! The playback engine: a thread that owns the decoder and the output; the
//! UI drives it with [`Command`]s, reads the [`Clock`] and receives
//! [`Event`]s. Never imports egui; never blocks the caller.
//!
//! # Design
//!
//! Three parties, no locks between them:
//!
//! - **The handle** ([`Engine`]) sends commands on a channel, reads the clock
//!   from atomics (cheap enough for every UI frame) and drains events. A
//!   waker given at start is called after each event so the UI can repaint.
//! - **The engine thread** applies commands, decodes, converts the source's
//!   frames to the output's rate, channels and speed ([`Converter`]), and
//!   writes them in blocks of [`BLOCK_FRAMES`] into a lock-free SPSC ring
//!   (400 ms, kept half full so a seek can write the new data at once). Before each block it writes a marker: the block's
//!   generation, its place in the ring and the media range it covers. Every
//!   seek or load starts a new generation; loops are written as a block that
//!   ends at the loop's end followed by one that starts at its start, so the
//!   join is seamless. At the end of the file it writes an end marker.
//! - **The output callback** (`feed`) reads the ring, fades in and out over
//!   [`FADE_MS`] at pause, resume and seek, applies the volume, counts the
//!   frames it hands to the device, and remembers which device frames
//!   carried which media position. It never blocks or allocates. When a new
//!   generation is asked for it fades the old data out and drops the rest of
//!   it, so after `seek(t)` the next frame heard is the frame at `t`.
//!
//! # The clock
//!
//! The position being heard is the media position of the device frame
//! `frames handed out − device latency` (latency from cpal's callback
//! timestamps), plus the user's offset. It is computed in the callback from
//! its history, so at any speed it is media time, it is monotonic while
//! playing, and it jumps only on seek. From a seek until the listener hears
//! the new data, the clock shows the seek's target. Neither rodio's
//! `get_pos` nor a wall-clock timer is involved.
//!
//! # Outputs
//!
//! The default device through cpal; when none opens, a null output that
//! consumes frames in real time, so the clock runs and the app works
//! anywhere ([`Event::NoDevice`]). A device that fails is reopened by
//! itself with back-off (`REOPEN_BACKOFF`, some 3 s in all), and playback
//! goes on from the heard position (paused if it was paused); only when
//! that keeps failing is the engine paused with [`Event::DeviceLost`], after
//! which [`Command::ReopenDevice`] (or the next [`Command::Play`]) tries
//! again. A device has failed when cpal says it is gone, or when it asks
//! for no audio while its errors go on (`StallWatch`): one error and a
//! stall is a slow start or a starved process, not a loss. A default
//! device that changes is followed where the platform reports it (see
//! `output`). Tests use a [`VirtualOutput`] they step by hand.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::convert::Converter;
use super::decode::{first_frame_at_ms, frames_from_ms, ms_from_frames};
pub use super::feed::FADE_MS;
use super::feed::{Shared, instant_from_nanos};
use super::output::{Output, OutputKind, VirtualSlot, open};
use super::{AudioError, AudioInfo, Decoder, FrameSource, OutputChoice, VirtualOutput};

/// Output frames converted and written to the ring at a time.
pub const BLOCK_FRAMES: usize = 512;

/// How long a device that reported an error may go without asking for audio,
/// while it goes on reporting errors, before it counts as lost (ALSA's pulse
/// plugin with its server gone: errors without end).
const DEVICE_STALL: Duration = Duration::from_secs(1);

/// How long it may go without asking for audio after an error when no more
/// errors come. A stream's start through ALSA's pulse plugin can fail once
/// and then sit still for two seconds on a loaded machine, and a process
/// starved of CPU stalls as long as it is starved: neither is a lost device.
const DEVICE_QUIET_STALL: Duration = Duration::from_secs(6);

/// The waits before each attempt to reopen a device that was lost (a sound
/// server restarting, ALSA's pulse plugin failing its first calls); when
/// the last attempt fails too, the loss is reported.
const REOPEN_BACKOFF: [Duration; 5] = [
    Duration::from_millis(100),
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
    Duration::from_millis(1600),
];

/// How often the engine thread looks at the ring when it has nothing to do.
const IDLE_POLL: Duration = Duration::from_millis(5);
/// The same while paused, when the ring does not drain: a paused window
/// should cost next to nothing. Commands still wake the thread at once.
const PAUSED_POLL: Duration = Duration::from_millis(50);

/// Called after each event, from the engine thread (e.g. to request a repaint).
pub type Waker = Box<dyn Fn() + Send>;

/// What the UI asks of the engine.
pub enum Command {
    /// Opens an audio file (paused at 0); answered by `Loaded` or `LoadFailed`.
    Load(PathBuf),
    /// Plays any [`FrameSource`] (paused at 0), e.g. generated audio.
    LoadSource(Box<dyn FrameSource>),
    /// Starts or resumes; after the end of the file, starts over.
    Play,
    /// Pauses, holding the position.
    Pause,
    /// Moves to a time in milliseconds.
    Seek {
        /// The media time to hear next.
        pos_ms: u64,
    },
    /// Moves to an exact frame of the media.
    SeekFrames {
        /// The media frame to hear next.
        pos_frames: u64,
    },
    /// Output gain, 0..=1.
    SetVolume(f32),
    /// Playback speed, clamped to 0.5..=3.0; the clock stays in media time.
    SetSpeed(f64),
    /// Repeats a region of media frames seamlessly, or stops repeating.
    SetLoop {
        /// `start..end` in media frames; `None` plays on to the end.
        region_frames: Option<Range<u64>>,
    },
    /// Shifts the clock (positive: the clock reads later than heard).
    SetOffset {
        /// The offset in milliseconds.
        offset_ms: i64,
    },
    /// Opens the output device again (after `DeviceLost`, or to switch).
    ReopenDevice,
}

/// What the engine reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A file or source was loaded; playback is paused at 0.
    Loaded(AudioInfo),
    /// A file could not be loaded; `message` names the file.
    LoadFailed {
        /// The file asked for.
        path: PathBuf,
        /// Why, naming the file.
        message: String,
    },
    /// The end of the file was heard; the clock is at the duration.
    Ended,
    /// Reading or seeking failed during playback; playback paused.
    Error(String),
    /// No device opened; the null output keeps the clock running.
    NoDevice {
        /// Why there is no device.
        reason: String,
    },
    /// An output device opened.
    DeviceOpened {
        /// The device's name.
        name: String,
        /// Its frames per second.
        sample_rate: u32,
        /// Its channels.
        channels: u16,
    },
    /// The device failed and reopening it kept failing; playback paused.
    /// [`Command::ReopenDevice`] or [`Command::Play`] tries again.
    DeviceLost,
}

/// The position being heard, as the UI reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Media frames (the file's own rate), offset included, never below 0.
    pub pos_frames: u64,
    /// The same position in milliseconds.
    pub pos_ms: u64,
    /// The media's frames per second (0 before anything is loaded).
    pub sample_rate: u32,
    /// True while playing.
    pub playing: bool,
    /// When the output published this position (its last callback): a
    /// window can add the time since to draw between callbacks. `None` on
    /// the virtual output and while a seek has not been heard yet.
    pub heard_at: Option<Instant>,
}

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The operating system refused a thread.
    #[error("cannot start the audio engine thread: {0}")]
    Spawn(#[from] std::io::Error),
}

/// Messages to the engine thread.
pub(crate) enum Msg {
    Command(Command),
    /// Answered once every earlier message is applied and the ring is full.
    Settle(Sender<()>),
    Quit,
}

/// Names a command sent with [`Engine::send`], to ask whether the engine has
/// applied it yet ([`Engine::has_applied`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ticket(u64);

/// The UI's handle on the engine thread; dropping it stops the thread.
pub struct Engine {
    commands: Sender<Msg>,
    /// Commands sent to the thread so far (the last ticket handed out).
    sent: AtomicU64,
    events: Receiver<Event>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Engine {
    /// Starts the engine thread with `output`; `waker` is called after each event.
    pub fn start(output: OutputChoice, waker: Option<Waker>) -> Result<Engine, EngineError> {
        Engine::spawn(OutputKind::Public(output), waker)
    }

    /// Starts the engine on a virtual output at `sample_rate` and `channels`
    /// whose listener is `latency_frames` behind: for tests.
    pub fn start_virtual(
        sample_rate: u32,
        channels: u16,
        latency_frames: u64,
    ) -> Result<(Engine, VirtualOutput), EngineError> {
        let slot = Arc::new(Mutex::new(VirtualSlot::default()));
        let kind = OutputKind::Virtual {
            sample_rate,
            channels,
            slot: slot.clone(),
        };
        let engine = Engine::spawn(kind, None)?;
        let output = VirtualOutput::new(
            slot,
            engine.commands.clone(),
            engine.shared.clone(),
            latency_frames,
            channels,
        );
        Ok((engine, output))
    }

    fn spawn(kind: OutputKind, waker: Option<Waker>) -> Result<Engine, EngineError> {
        let (commands_tx, commands_rx) = mpsc::channel();
        let (events_tx, events_rx) = mpsc::channel();
        let shared = Arc::new(Shared::new());
        let worker = Worker {
            shared: shared.clone(),
            commands: commands_rx,
            events: events_tx,
            waker,
            kind,
            output: None,
            source: None,
            converter: None,
            speed: 1.0,
            loop_frames: None,
            gen_id: 0,
            written_media_frames: 0.0,
            source_ended: true,
            at_end: false,
            block: Vec::new(),
            stall: StallWatch::default(),
            reopening: None,
        };
        let thread = std::thread::Builder::new()
            .name("earmark-engine".to_string())
            .spawn(move || worker.run())?;
        Ok(Engine {
            commands: commands_tx,
            sent: AtomicU64::new(0),
            events: events_rx,
            shared,
            thread: Some(thread),
        })
    }

    /// Sends a command; it is applied in order on the engine thread. The
    /// ticket tells when it has been ([`Engine::has_applied`]).
    pub fn send(&self, command: Command) -> Ticket {
        if let Command::SetOffset { offset_ms } = command {
            // Only the clock reads it: apply at once, so the next read sees it.
            self.shared.offset_ms.store(offset_ms, Ordering::Release);
            return Ticket(self.sent.load(Ordering::Acquire));
        }
        let ticket = Ticket(self.sent.fetch_add(1, Ordering::AcqRel) + 1);
        let _ = self.commands.send(Msg::Command(command));
        ticket
    }

    /// True once the engine thread has applied the command `ticket` names
    /// (and every one sent before it): the clock then reflects it.
    pub fn has_applied(&self, ticket: Ticket) -> bool {
        self.shared.commands_applied.load(Ordering::Acquire) >= ticket.0
    }

    /// The next event, if any.
    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Waits until the engine thread has applied every command sent so far,
    /// reported what the output did, and filled the output's buffer.
    pub fn settle(&self) {
        let (done_tx, done_rx) = mpsc::channel();
        if self.commands.send(Msg::Settle(done_tx)).is_ok() {
            let _ = done_rx.recv();
        }
    }

    /// The position being heard (reads a few atomics).
    pub fn clock(&self) -> Clock {
        read_clock(&self.shared)
    }

    /// A handle that reads the same clock from another thread (the
    /// desktop's media controls answer "where are you?" from it).
    pub fn clock_reader(&self) -> ClockReader {
        ClockReader {
            shared: self.shared.clone(),
        }
    }
}

/// Reads the engine's clock from any thread, as [`Engine::clock`] does; it
/// keeps no engine alive but the few atomics the clock is made of.
#[derive(Clone)]
pub struct ClockReader {
    shared: Arc<Shared>,
}

impl ClockReader {
    /// The position being heard now.
    pub fn read(&self) -> Clock {
        read_clock(&self.shared)
    }
}

fn read_clock(shared: &Shared) -> Clock {
    let wanted_gen = shared.flush_gen.load(Ordering::Acquire);
    let target_frames = shared.target_frames.load(Ordering::Acquire);
    let heard_gen = shared.heard_gen.load(Ordering::Acquire);
    let heard_media = f64::from_bits(shared.heard_media_bits.load(Ordering::Acquire));
    let heard = heard_gen >= wanted_gen;
    let media_frames = if heard {
        heard_media.max(0.0).round() as u64
    } else {
        target_frames
    };
    // Stored just after the position: at worst a few microseconds older.
    let heard_at = heard
        .then(|| instant_from_nanos(shared.heard_at_ns.load(Ordering::Acquire)))
        .flatten();
    let sample_rate = shared.media_rate.load(Ordering::Acquire);
    let offset_ms = shared.offset_ms.load(Ordering::Acquire);
    let offset_frames = frames_from_ms(offset_ms.unsigned_abs(), sample_rate);
    let pos_frames = if offset_ms >= 0 {
        media_frames.saturating_add(offset_frames)
    } else {
        media_frames.saturating_sub(offset_frames)
    };
    Clock {
        pos_frames,
        pos_ms: ms_from_frames(pos_frames, sample_rate),
        sample_rate,
        playing: shared.playing.load(Ordering::Acquire),
        heard_at,
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.commands.send(Msg::Quit);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Limits a source to its first `end_frames` frames (a loop's end).
struct Region<'a> {
    inner: &'a mut dyn FrameSource,
    end_frames: u64,
}

impl FrameSource for Region<'_> {
    fn sample_rate(&self) -> u32 {
        self.inner.sample_rate()
    }
    fn channels(&self) -> u16 {
        self.inner.channels()
    }
    fn total_frames(&self) -> u64 {
        self.end_frames
    }
    fn pos_frames(&self) -> u64 {
        self.inner.pos_frames()
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = usize::from(self.channels().max(1));
        let left_frames = self.end_frames.saturating_sub(self.pos_frames());
        let frames = (out.len() / channels).min(usize::try_from(left_frames).unwrap_or(usize::MAX));
        self.inner.read(&mut out[..frames * channels])
    }
    fn seek(&mut self, pos_frames: u64) -> Result<(), AudioError> {
        self.inner.seek(pos_frames.min(self.end_frames))
    }
}

/// Sends `event` and wakes the UI.
fn emit(events: &Sender<Event>, waker: &Option<Waker>, event: Event) {
    if events.send(event).is_ok()
        && let Some(waker) = waker
    {
        waker();
    }
}

/// The engine thread's state.
struct Worker {
    shared: Arc<Shared>,
    commands: Receiver<Msg>,
    events: Sender<Event>,
    waker: Option<Waker>,
    kind: OutputKind,
    output: Option<Output>,
    source: Option<Box<dyn FrameSource>>,
    converter: Option<Converter>,
    speed: f64,
    loop_frames: Option<Range<u64>>,
    /// The generation being written.
    gen_id: u64,
    /// The media position just after the last frame written to the ring.
    written_media_frames: f64,
    /// True once the end marker is written (or there is nothing to write).
    source_ended: bool,
    /// True once the end was heard: the next Play starts over.
    at_end: bool,
    block: Vec<f32>,
    /// Whether the device, after an error, stopped asking for audio.
    stall: StallWatch,
    /// The device was lost and is being reopened.
    reopening: Option<Reopening>,
}

/// Tells a device that is gone from one that is slow: after an error that
/// may pass, the device is lost once it has made no callback for
/// [`DEVICE_STALL`] and errors are still coming, or for
/// [`DEVICE_QUIET_STALL`] without them. Any callback clears it.
#[derive(Debug, Default)]
pub(crate) struct StallWatch {
    /// The error count last seen.
    errors_seen: u64,
    /// Since when, and at which callback count, the device is in trouble.
    trouble: Option<(Instant, u64)>,
}

impl StallWatch {
    /// Forgets any trouble: a new device, counted from `errors` on.
    pub(crate) fn reset(&mut self, errors: u64) {
        self.errors_seen = errors;
        self.trouble = None;
    }

    /// Looks at the device's counts at `now`; true means it is lost.
    pub(crate) fn is_lost(&mut self, now: Instant, callbacks: u64, errors: u64) -> bool {
        let erring = errors != self.errors_seen;
        self.errors_seen = errors;
        match self.trouble {
            None => {
                if erring {
                    self.trouble = Some((now, callbacks));
                }
                false
            }
            Some((_, callbacks_then)) if callbacks_then != callbacks => {
                // It asked for audio again: the error passed.
                self.trouble = erring.then_some((now, callbacks));
                false
            }
            Some((since, _)) => {
                let stalled = now.saturating_duration_since(since);
                let lost = (erring && stalled >= DEVICE_STALL) || stalled >= DEVICE_QUIET_STALL;
                if lost {
                    self.trouble = None;
                }
                lost
            }
        }
    }
}

/// A lost device being reopened: which attempt is next, when, and whether
/// playback goes on once it opens.
struct Reopening {
    attempt: usize,
    due: Instant,
    resume: bool,
}

impl Worker {
    fn run(mut self) {
        self.open_output();
        let mut settles: Vec<Sender<()>> = Vec::new();
        loop {
            loop {
                match self.commands.try_recv() {
                    Ok(msg) => {
                        if !self.handle(msg, &mut settles) {
                            return;
                        }
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return,
                }
            }
            self.watch_output();
            if self.write_block() {
                continue;
            }
            for settle in settles.drain(..) {
                let _ = settle.send(());
            }
            let poll = if self.shared.playing.load(Ordering::Acquire) {
                IDLE_POLL
            } else {
                PAUSED_POLL
            };
            match self.commands.recv_timeout(poll) {
                Ok(msg) => {
                    if !self.handle(msg, &mut settles) {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Applies one message; false means stop.
    fn handle(&mut self, msg: Msg, settles: &mut Vec<Sender<()>>) -> bool {
        match msg {
            Msg::Command(command) => {
                self.apply(command);
                self.shared.commands_applied.fetch_add(1, Ordering::AcqRel);
            }
            Msg::Settle(done) => settles.push(done),
            Msg::Quit => return false,
        }
        true
    }

    fn emit(&self, event: Event) {
        emit(&self.events, &self.waker, event);
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::Load(path) => match Decoder::open(&path) {
                Ok(decoder) => {
                    let info = decoder.info().clone();
                    self.install(Box::new(decoder), info);
                }
                Err(err) => self.emit(Event::LoadFailed {
                    path,
                    message: err.to_string(),
                }),
            },
            Command::LoadSource(source) => {
                let info = AudioInfo {
                    codec: "source".to_string(),
                    container: "source".to_string(),
                    sample_rate: source.sample_rate(),
                    channels: source.channels(),
                    duration_ms: ms_from_frames(source.total_frames(), source.sample_rate()),
                    frames: source.total_frames(),
                };
                self.install(source, info);
            }
            Command::Play => {
                if self.source.is_none() {
                    return;
                }
                if self.output.is_none() {
                    let heard_frames = self.heard_frames();
                    self.open_output();
                    self.seek_to(heard_frames);
                }
                if self.at_end {
                    self.seek_to(0);
                }
                self.shared.playing.store(true, Ordering::Release);
            }
            Command::Pause => {
                self.shared.playing.store(false, Ordering::Release);
                if let Some(reopening) = &mut self.reopening {
                    reopening.resume = false;
                }
            }
            Command::Seek { pos_ms } => {
                if let Some(source) = &self.source {
                    let pos_frames = first_frame_at_ms(pos_ms, source.sample_rate());
                    self.seek_to(pos_frames);
                }
            }
            Command::SeekFrames { pos_frames } => self.seek_to(pos_frames),
            Command::SetVolume(volume) => {
                let volume = if volume.is_finite() {
                    volume.clamp(0.0, 1.0)
                } else {
                    1.0
                };
                self.shared
                    .volume_bits
                    .store(volume.to_bits(), Ordering::Relaxed);
            }
            Command::SetSpeed(speed) => {
                let old_speed = self.speed;
                if let Some(converter) = &mut self.converter {
                    converter.set_speed(speed);
                    self.speed = converter.speed();
                } else {
                    self.speed = speed;
                }
                // What is already converted is at the old speed: convert
                // again from the next frame the output takes.
                if self.speed != old_speed {
                    let next_frames = self.next_frames();
                    self.seek_to(next_frames);
                }
            }
            Command::SetLoop { region_frames } => self.set_loop(region_frames),
            Command::SetOffset { offset_ms } => {
                self.shared.offset_ms.store(offset_ms, Ordering::Release);
            }
            Command::ReopenDevice => {
                let heard_frames = self.heard_frames();
                self.output = None;
                self.open_output();
                if self.source.is_some() {
                    self.seek_to(heard_frames);
                }
            }
        }
    }

    /// Makes `source` the media, paused at 0.
    fn install(&mut self, source: Box<dyn FrameSource>, info: AudioInfo) {
        self.shared.playing.store(false, Ordering::Release);
        self.shared
            .media_rate
            .store(info.sample_rate, Ordering::Release);
        self.source = Some(source);
        self.loop_frames = None;
        self.make_converter();
        self.seek_to(0);
        self.emit(Event::Loaded(info));
    }

    fn make_converter(&mut self) {
        self.converter = match (&self.source, &self.output) {
            (Some(source), Some(output)) => {
                let mut converter = Converter::new(
                    source.sample_rate(),
                    source.channels(),
                    output.sample_rate,
                    output.channels,
                );
                converter.set_speed(self.speed);
                Some(converter)
            }
            _ => None,
        };
    }

    fn open_output(&mut self) {
        // The old device (and its callback) goes first.
        self.output = None;
        self.reopening = None;
        self.shared.device_lost.store(false, Ordering::Release);
        let (output, event) = open(&self.kind, &self.shared);
        self.install_output(output, event);
    }

    /// Makes `output` the one written to and reports `event` (what opened).
    fn install_output(&mut self, output: Output, event: Event) {
        self.stall
            .reset(self.shared.device_errors.load(Ordering::Acquire));
        self.block = vec![0.0; BLOCK_FRAMES * usize::from(output.channels.max(1))];
        self.output = Some(output);
        self.make_converter();
        self.emit(event);
    }

    /// The media frame being heard, offset not included.
    fn heard_frames(&self) -> u64 {
        let wanted_gen = self.shared.flush_gen.load(Ordering::Acquire);
        if self.shared.heard_gen.load(Ordering::Acquire) >= wanted_gen {
            let heard = f64::from_bits(self.shared.heard_media_bits.load(Ordering::Acquire));
            heard.max(0.0).round() as u64
        } else {
            self.shared.target_frames.load(Ordering::Acquire)
        }
    }

    /// The media frame the output takes next (ahead of the heard one by the
    /// latency).
    fn next_frames(&self) -> u64 {
        let wanted_gen = self.shared.flush_gen.load(Ordering::Acquire);
        if self.shared.heard_gen.load(Ordering::Acquire) >= wanted_gen {
            let next = f64::from_bits(self.shared.next_media_bits.load(Ordering::Acquire));
            next.max(0.0).round() as u64
        } else {
            self.shared.target_frames.load(Ordering::Acquire)
        }
    }

    /// Starts a new generation at `pos_frames`: the output drops what it
    /// holds of the old one after a fade.
    fn seek_to(&mut self, pos_frames: u64) {
        let Some(source) = &mut self.source else {
            return;
        };
        let pos_frames = pos_frames.min(source.total_frames());
        self.gen_id = self.shared.flush_gen.load(Ordering::Acquire) + 1;
        self.shared
            .target_frames
            .store(pos_frames, Ordering::Release);
        self.shared.flush_gen.store(self.gen_id, Ordering::Release);
        self.at_end = false;
        self.source_ended = false;
        self.written_media_frames = pos_frames as f64;
        if let Err(err) = source.seek(pos_frames) {
            self.source_ended = true;
            self.shared.playing.store(false, Ordering::Release);
            emit(&self.events, &self.waker, Event::Error(err.to_string()));
        }
        if let Some(converter) = &mut self.converter {
            converter.reset();
        }
    }

    fn set_loop(&mut self, region_frames: Option<Range<u64>>) {
        let Some(source) = &self.source else {
            return;
        };
        let total_frames = source.total_frames();
        self.loop_frames = region_frames
            .map(|r| r.start.min(total_frames)..r.end.min(total_frames))
            .filter(|r| r.start < r.end);
        // Frames past the new end may already be written: write again from
        // the output's next frame so the loop applies on this pass.
        if let Some(region) = &self.loop_frames {
            let next_frames = self.next_frames();
            if self.written_media_frames > region.end as f64 && next_frames < region.end {
                self.seek_to(next_frames);
            }
        }
    }

    /// Reports what the output did: its end heard, the device lost.
    fn watch_output(&mut self) {
        if self.output.is_some() {
            let callbacks = self.shared.callbacks.load(Ordering::Relaxed);
            let errors = self.shared.device_errors.load(Ordering::Acquire);
            if self.stall.is_lost(Instant::now(), callbacks, errors) {
                log::warn!("the sound device stopped asking for audio and keeps failing");
                self.shared.device_lost.store(true, Ordering::Release);
            }
        }
        if self.output.is_some() && self.shared.device_lost.swap(false, Ordering::AcqRel) {
            let resume = self.shared.playing.swap(false, Ordering::AcqRel);
            log::warn!("the sound device failed; opening it again");
            self.output = None;
            self.reopening = Some(Reopening {
                attempt: 0,
                due: Instant::now() + REOPEN_BACKOFF[0],
                resume,
            });
        }
        if self
            .reopening
            .as_ref()
            .is_some_and(|reopening| Instant::now() >= reopening.due)
        {
            self.reopen();
        }
        if !self.at_end
            && self.source_ended
            && self.source.is_some()
            && self.shared.ended_gen.load(Ordering::Acquire) == self.gen_id
        {
            self.at_end = true;
            self.shared.playing.store(false, Ordering::Release);
            self.emit(Event::Ended);
        }
    }

    /// One attempt to open the lost device again: on success playback goes
    /// on from what was heard (or from where the user moved meanwhile); a
    /// failure waits for the next attempt, and after the last one the loss
    /// is reported.
    fn reopen(&mut self) {
        let Some(mut reopening) = self.reopening.take() else {
            return;
        };
        self.shared.device_lost.store(false, Ordering::Release);
        let (output, event) = open(&self.kind, &self.shared);
        if let Event::NoDevice { reason } = &event {
            log::info!("opening the sound device again failed: {reason}");
            drop(output);
            reopening.attempt += 1;
            match REOPEN_BACKOFF.get(reopening.attempt) {
                Some(wait) => {
                    reopening.due = Instant::now() + *wait;
                    self.reopening = Some(reopening);
                }
                None => {
                    log::warn!("the sound device stays away; reporting it lost");
                    self.emit(Event::DeviceLost);
                }
            }
            return;
        }
        let heard_frames = self.heard_frames();
        self.install_output(output, event);
        if self.source.is_some() {
            self.seek_to(heard_frames);
        }
        if reopening.resume && !self.at_end {
            self.shared.playing.store(true, Ordering::Release);
        }
    }

    /// Converts and writes one block if there is room; true if it did work.
    fn write_block(&mut self) -> bool {
        let (Some(output), Some(source), Some(converter)) =
            (&mut self.output, &mut self.source, &mut self.converter)
        else {
            return false;
        };
        if self.source_ended || !output.writer.has_room(BLOCK_FRAMES, self.gen_id) {
            return false;
        }
        // The converter reads ahead of what it has written: whether the loop
        // applies depends on the media written so far.
        let written_frames = self.written_media_frames;
        let looping = self
            .loop_frames
            .clone()
            .filter(|r| written_frames < r.end as f64);
        let end_frames = looping.as_ref().map_or(source.total_frames(), |r| r.end);
        let mut region = Region {
            inner: source.as_mut(),
            end_frames,
        };
        let block = match converter.process(&mut region, &mut self.block) {
            Ok(block) => block,
            Err(err) => {
                self.source_ended = true;
                self.shared.playing.store(false, Ordering::Release);
                emit(&self.events, &self.waker, Event::Error(err.to_string()));
                return false;
            }
        };
        let channels = usize::from(output.channels.max(1));
        self.written_media_frames = block.media_end;
        if block.frames > 0 {
            output.writer.push_block(
                self.gen_id,
                &self.block[..block.frames * channels],
                block.media_start,
                block.media_end,
            );
        }
        if block.frames < BLOCK_FRAMES {
            if let Some(region) = looping {
                if let Err(err) = source.seek(region.start) {
                    self.source_ended = true;
                    self.shared.playing.store(false, Ordering::Release);
                    emit(&self.events, &self.waker, Event::Error(err.to_string()));
                    return false;
                }
                converter.reset();
                self.written_media_frames = region.start as f64;
            } else {
                output
                    .writer
                    .push_end(self.gen_id, source.total_frames() as f64);
                self.source_ended = true;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A watch on a device that has made `callbacks` callbacks and reported
    /// no error, and the instant it starts from.
    fn watch() -> (StallWatch, Instant) {
        let mut watch = StallWatch::default();
        watch.reset(0);
        (watch, Instant::now())
    }

    fn after(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    #[test]
    fn errors_that_go_on_while_the_device_asks_for_nothing_make_it_lost() {
        let (mut watch, start) = watch();
        assert!(!watch.is_lost(start, 10, 1));
        // The errors go on, the callbacks do not.
        let step_ms = 50;
        let mut lost_at_ms = None;
        for (errors, ms) in (2..).zip((step_ms..=2_000).step_by(step_ms as usize)) {
            if watch.is_lost(after(start, ms), 10, errors) {
                lost_at_ms = Some(ms);
                break;
            }
        }
        assert_eq!(lost_at_ms, Some(DEVICE_STALL.as_millis() as u64));
    }

    #[test]
    fn one_error_then_a_silent_stall_is_not_a_lost_device_until_the_long_wait() {
        let (mut watch, start) = watch();
        // A burst of errors at a stream's start, then nothing at all: the
        // stream starting slowly, or the process starved of CPU.
        assert!(!watch.is_lost(start, 3, 250));
        let quiet_ms = DEVICE_QUIET_STALL.as_millis() as u64;
        for ms in (50..quiet_ms).step_by(50) {
            assert!(!watch.is_lost(after(start, ms), 3, 250), "lost at {ms} ms");
        }
        assert!(watch.is_lost(after(start, quiet_ms), 3, 250));
    }

    #[test]
    fn a_callback_after_the_errors_clears_the_trouble() {
        let (mut watch, start) = watch();
        assert!(!watch.is_lost(start, 10, 1));
        assert!(!watch.is_lost(after(start, 900), 10, 2));
        // It asked for audio again: the error passed.
        assert!(!watch.is_lost(after(start, 950), 11, 2));
        // A later error starts counting afresh.
        assert!(!watch.is_lost(after(start, 1_500), 11, 3));
        assert!(!watch.is_lost(after(start, 2_400), 11, 4));
        assert!(watch.is_lost(after(start, 2_500), 11, 5));
    }

    #[test]
    fn without_errors_a_device_that_stalls_is_never_lost() {
        let (mut watch, start) = watch();
        // Paused or starved: no callbacks for a minute, and no error.
        assert!(!watch.is_lost(start, 7, 0));
        assert!(!watch.is_lost(after(start, 60_000), 7, 0));
    }

    #[test]
    fn a_new_device_forgets_the_old_ones_errors() {
        let (mut watch, start) = watch();
        assert!(!watch.is_lost(start, 10, 1));
        assert!(!watch.is_lost(after(start, 500), 10, 40));
        watch.reset(40);
        assert!(!watch.is_lost(after(start, 2_000), 0, 40));
        assert!(!watch.is_lost(after(start, 9_000), 0, 40));
    }
}
