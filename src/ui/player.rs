//! The window's side of the audio engine: sends commands, reads the clock,
//! turns engine events into state the window shows (what is loaded, the
//! device's state, errors), and applies the auto-rewind rule. Never draws.

use std::path::PathBuf;

use crate::audio::decode::first_frame_at_ms;
use crate::audio::{AudioInfo, Clock, Command, Engine, Event, Ticket};

/// The output device as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    /// Not known yet (nothing loaded).
    Unknown,
    /// Playing to a device.
    Open {
        /// The device's name.
        name: String,
    },
    /// No device: the clock runs silently.
    NoDevice {
        /// Why.
        reason: String,
    },
    /// The device went away; playback paused.
    Lost,
}

/// What happened that the window should know about.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayerNews {
    /// An audio file is ready (paused at 0).
    Loaded,
    /// An audio file could not be opened; what was playing before is gone too
    /// only if the engine dropped it.
    LoadFailed(String),
    /// Playback reached the end.
    Ended,
    /// Playback stopped on an error.
    Failed(String),
}

/// The engine with what the window knows about it.
pub struct Player {
    engine: Engine,
    /// The file asked for last and its properties once loaded.
    audio_path: Option<PathBuf>,
    info: Option<AudioInfo>,
    loading: Option<PathBuf>,
    device: DeviceState,
    /// Where the user paused, to rewind from on resume; cleared by a seek.
    paused_at_ms: Option<u64>,
    /// The target of the last seek until the engine has applied it: keys
    /// pressed in the same frame (↓ ↓ ↓) go on from where playback is
    /// heading, not from where the clock still is.
    sought: Option<(u64, Ticket)>,
    /// The range being repeated, in media ms.
    loop_ms: Option<std::ops::Range<u64>>,
    /// Playing was asked for and nothing has stopped it since. The window
    /// shows this rather than the engine's flag, which follows a moment later.
    playing_wanted: bool,
    speed: f64,
    volume: f32,
    /// Seeks sent so far, and where the last one went: the desktop's media
    /// controls tell their clients when playback jumps.
    seeks: (u64, u64),
}

impl Player {
    /// Wraps a started engine.
    pub fn new(engine: Engine) -> Player {
        Player {
            engine,
            audio_path: None,
            info: None,
            loading: None,
            device: DeviceState::Unknown,
            paused_at_ms: None,
            sought: None,
            loop_ms: None,
            playing_wanted: false,
            speed: 1.0,
            volume: 1.0,
            seeks: (0, 0),
        }
    }

    /// The engine (for tests that settle it).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Opens an audio file; `poll` reports when it is ready.
    pub fn load(&mut self, path: PathBuf) {
        self.loop_ms = None;
        self.loading = Some(path.clone());
        self.playing_wanted = false;
        self.engine.send(Command::Load(path));
    }

    /// The file being opened, if any.
    pub fn loading(&self) -> Option<&PathBuf> {
        self.loading.as_ref()
    }

    /// Forgets the audio (a transcript alone is open).
    pub fn unload(&mut self) {
        self.engine.send(Command::Pause);
        self.playing_wanted = false;
        self.audio_path = None;
        self.info = None;
        self.paused_at_ms = None;
        self.loop_ms = None;
    }

    /// The loaded file and its properties.
    pub fn audio(&self) -> Option<(&PathBuf, &AudioInfo)> {
        Some((self.audio_path.as_ref()?, self.info.as_ref()?))
    }

    /// The length of the loaded audio.
    pub fn duration_ms(&self) -> Option<u64> {
        self.info.as_ref().map(|info| info.duration_ms)
    }

    /// The output device's state.
    pub fn device(&self) -> &DeviceState {
        &self.device
    }

    /// The position being heard.
    pub fn clock(&self) -> Clock {
        self.engine.clock()
    }

    /// Where playback is, or is heading when a seek has been sent that the
    /// engine has not applied yet: what "next line" and "skip" go on from.
    pub fn position_ms(&self) -> u64 {
        match self.sought {
            Some((pos_ms, ticket)) if !self.engine.has_applied(ticket) => pos_ms,
            _ => self.engine.clock().pos_ms,
        }
    }

    /// A seek has been sent that the engine has not applied yet: the clock
    /// still shows where playback was.
    pub fn seek_pending(&self) -> bool {
        self.sought
            .is_some_and(|(_, ticket)| !self.engine.has_applied(ticket))
    }

    /// True while playing (or asked to play: the engine follows at once).
    pub fn is_playing(&self) -> bool {
        self.info.is_some() && self.playing_wanted
    }

    /// The speed last set.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The volume last set.
    pub fn volume(&self) -> f32 {
        self.volume
    }

    /// Starts playing; after a pause without a seek since, first goes back
    /// `rewind_ms` (the auto-rewind), never before 0.
    pub fn play(&mut self, rewind_ms: u64) {
        if self.info.is_none() {
            return;
        }
        if let Some(paused_ms) = self.paused_at_ms.take()
            && rewind_ms > 0
        {
            self.send_seek(paused_ms.saturating_sub(rewind_ms));
        }
        self.engine.send(Command::Play);
        self.playing_wanted = true;
    }

    /// Pauses and remembers where, for the auto-rewind.
    pub fn pause(&mut self) {
        if self.info.is_none() {
            return;
        }
        self.paused_at_ms = Some(self.position_ms());
        self.engine.send(Command::Pause);
        self.playing_wanted = false;
    }

    /// Moves to `pos_ms` (clamped to the audio); no auto-rewind on the next play.
    pub fn seek(&mut self, pos_ms: u64) {
        let Some(info) = &self.info else {
            return;
        };
        let pos_ms = pos_ms.min(info.duration_ms);
        self.paused_at_ms = None;
        if self
            .loop_ms
            .as_ref()
            .is_some_and(|range| !range.contains(&pos_ms))
        {
            // A seek outside the loop ends it.
            self.set_loop(None);
        }
        self.send_seek(pos_ms);
    }

    /// Repeats `range_ms` of the audio seamlessly (from where playback is,
    /// or from its start when playback is outside it), or stops repeating.
    pub fn set_loop(&mut self, range_ms: Option<std::ops::Range<u64>>) {
        let Some(info) = &self.info else {
            return;
        };
        let rate = info.sample_rate;
        let range_ms = range_ms
            .map(|r| r.start.min(info.duration_ms)..r.end.min(info.duration_ms))
            .filter(|r| r.start < r.end);
        let region_frames = range_ms
            .as_ref()
            .map(|r| first_frame_at_ms(r.start, rate)..first_frame_at_ms(r.end, rate));
        self.engine.send(Command::SetLoop { region_frames });
        self.loop_ms = range_ms.clone();
        if let Some(range) = range_ms
            && !range.contains(&self.position_ms())
        {
            self.paused_at_ms = None;
            self.send_seek(range.start);
        }
    }

    /// The range being repeated, if any.
    pub fn loop_ms(&self) -> Option<std::ops::Range<u64>> {
        self.loop_ms.clone()
    }

    fn send_seek(&mut self, pos_ms: u64) {
        let ticket = self.engine.send(Command::Seek { pos_ms });
        self.sought = Some((pos_ms, ticket));
        self.seeks = (self.seeks.0 + 1, pos_ms);
    }

    /// How many seeks were sent so far, and the target of the last one (ms).
    pub fn seeks(&self) -> (u64, u64) {
        self.seeks
    }

    /// Sets the speed (0.5..=3, pitch kept).
    pub fn set_speed(&mut self, speed: f64) {
        self.speed = speed.clamp(0.5, 3.0);
        self.engine.send(Command::SetSpeed(self.speed));
    }

    /// Sets the volume (0..=1).
    pub fn set_volume(&mut self, volume: f32) {
        self.volume = volume.clamp(0.0, 1.0);
        self.engine.send(Command::SetVolume(self.volume));
    }

    /// Tries the output device again after it was lost or missing.
    pub fn reopen_device(&mut self) {
        self.engine.send(Command::ReopenDevice);
    }

    /// Applies the engine's events; returns what the window should react to.
    pub fn poll(&mut self) -> Vec<PlayerNews> {
        let mut news = Vec::new();
        while let Some(event) = self.engine.try_recv() {
            match event {
                Event::Loaded(info) => {
                    self.audio_path = self.loading.take();
                    self.info = Some(info);
                    self.paused_at_ms = None;
                    news.push(PlayerNews::Loaded);
                }
                Event::LoadFailed { path, message } => {
                    if self.loading.as_ref() == Some(&path) {
                        self.loading = None;
                    }
                    news.push(PlayerNews::LoadFailed(message));
                }
                Event::Ended => {
                    self.playing_wanted = false;
                    news.push(PlayerNews::Ended);
                }
                Event::Error(message) => {
                    self.playing_wanted = false;
                    news.push(PlayerNews::Failed(message));
                }
                Event::NoDevice { reason } => {
                    log::warn!("no sound device, playing silently: {reason}");
                    self.device = DeviceState::NoDevice { reason };
                }
                Event::DeviceOpened { name, .. } => {
                    log::info!("sound device opened: {name}");
                    self.device = DeviceState::Open { name };
                }
                Event::DeviceLost => {
                    log::warn!("sound device lost");
                    self.playing_wanted = false;
                    self.device = DeviceState::Lost;
                }
            }
        }
        news
    }
}
