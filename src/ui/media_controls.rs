//! The desktop's media keys and now-playing controls: MPRIS on Linux (and
//! the BSDs), Now Playing on macOS, the system media transport controls on
//! Windows. Owns the platform's controls; turns what they ask for (play,
//! pause, next line, seek...) into [`MediaAction`]s the window applies like
//! its own keys, and tells them what is playing (the episode's title, the
//! speaker being heard, the length, playing or paused, speed, volume) only
//! when that changes.
//!
//! Never fails the window: without the platform's service (no D-Bus session
//! bus) it logs one warning and does nothing. Only the window started by
//! [`super::run`] has controls; tests building the app get none.

#[cfg(all(unix, not(target_os = "macos")))]
mod mpris;
#[cfg(any(target_os = "macos", target_os = "windows"))]
mod system;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use super::shortcuts::Action;
use crate::audio::ClockReader;

/// Slowest speed the window plays at (and the desktop may ask for).
pub const MIN_RATE: f64 = 0.5;
/// Fastest speed the window plays at (and the desktop may ask for).
pub const MAX_RATE: f64 = 3.0;

/// What the desktop asked for, in its own terms.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaEvent {
    /// Play (nothing if already playing).
    Play,
    /// Pause (nothing if already paused).
    Pause,
    /// Play if paused, pause if playing (the play/pause key).
    PlayPause,
    /// Stop: the window pauses and keeps its place (a stray stop key must
    /// not lose the listener's place in a two-hour episode).
    Stop,
    /// The next track: the next line.
    Next,
    /// The previous track: the previous line.
    Previous,
    /// Skip by the window's skip interval (fast-forward and rewind keys).
    Skip {
        /// Forward, else back.
        forward: bool,
    },
    /// Move by this many microseconds (negative: back).
    SeekBy {
        /// The offset.
        offset_us: i64,
    },
    /// Move to a position of the given track.
    SetPosition {
        /// The track the client saw ([`NowPlaying::track`]); a stale one is ignored.
        track: Option<u64>,
        /// The position, in microseconds.
        pos_us: i64,
    },
    /// Play at this speed (1.0: normal).
    SetRate(f64),
    /// Set the volume (0..=1).
    SetVolume(f64),
    /// Bring the window to the front.
    Raise,
    /// Close the window (asking about unsaved changes as usual).
    Quit,
}

/// What the window does about a [`MediaEvent`].
#[derive(Debug, Clone, PartialEq)]
pub enum MediaAction {
    /// What a key of the window's own does.
    Do(Action),
    /// Move playback to this position (ms).
    Seek(u64),
    /// Play at this speed.
    SetSpeed(f64),
    /// Set the volume.
    SetVolume(f32),
    /// Bring the window to the front.
    Raise,
}

/// What [`action_for`] needs to know about the player.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlayState {
    /// Audio is loaded.
    pub has_audio: bool,
    /// Playing (or asked to).
    pub playing: bool,
    /// Where playback is or is heading (ms).
    pub pos_ms: u64,
    /// The audio's length (ms).
    pub duration_ms: Option<u64>,
    /// The track the desktop was last told about.
    pub track: u64,
}

/// What the window does when the desktop asks for `event`; `None`: nothing
/// (play while playing, a seek with no audio, a position in a stale track).
pub fn action_for(event: &MediaEvent, state: &PlayState) -> Option<MediaAction> {
    let play_pause = Some(MediaAction::Do(Action::PlayPause));
    match *event {
        MediaEvent::Play => (state.has_audio && !state.playing).then_some(play_pause?),
        MediaEvent::Pause | MediaEvent::Stop => state.playing.then_some(play_pause?),
        MediaEvent::PlayPause => state.has_audio.then_some(play_pause?),
        MediaEvent::Next => Some(MediaAction::Do(Action::NextSegment)),
        MediaEvent::Previous => Some(MediaAction::Do(Action::PreviousSegment)),
        MediaEvent::Skip { forward } => state.has_audio.then_some(MediaAction::Do(if forward {
            Action::SkipForward
        } else {
            Action::SkipBack
        })),
        MediaEvent::SeekBy { offset_us } => {
            if !state.has_audio {
                return None;
            }
            let offset_ms = offset_us / 1000;
            let pos_ms = i64::try_from(state.pos_ms).unwrap_or(i64::MAX);
            let target_ms = pos_ms.saturating_add(offset_ms).max(0) as u64;
            // Past the end: the end (the player clamps to the audio).
            Some(MediaAction::Seek(target_ms))
        }
        MediaEvent::SetPosition { track, pos_us } => {
            // MPRIS: ignore a stale track, a negative position, one past the end.
            let pos_ms = u64::try_from(pos_us).ok()? / 1000;
            let fits = state.duration_ms.is_none_or(|end_ms| pos_ms <= end_ms);
            let current = track.is_none_or(|track| track == state.track);
            (state.has_audio && fits && current).then_some(MediaAction::Seek(pos_ms))
        }
        MediaEvent::SetRate(rate) => {
            if rate.is_nan() {
                None
            } else if rate <= 0.0 {
                // MPRIS: a rate of 0 acts as Pause.
                state.playing.then_some(play_pause?)
            } else {
                Some(MediaAction::SetSpeed(rate.clamp(MIN_RATE, MAX_RATE)))
            }
        }
        MediaEvent::SetVolume(volume) => {
            (!volume.is_nan()).then(|| MediaAction::SetVolume(volume.clamp(0.0, 1.0) as f32))
        }
        MediaEvent::Raise => Some(MediaAction::Raise),
        MediaEvent::Quit => Some(MediaAction::Do(Action::Quit)),
    }
}

/// Playing, paused, or nothing to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    /// No audio is open.
    #[default]
    Stopped,
    /// Paused.
    Paused,
    /// Playing.
    Playing,
}

/// What the desktop shows about the episode.
#[derive(Debug, Clone, PartialEq)]
pub struct NowPlaying {
    /// Changes whenever another episode opens (MPRIS's track id).
    pub track: u64,
    /// The audio's title tag, else its file name without the extension;
    /// empty with no audio.
    pub title: String,
    /// The speaker of the line being heard (shown as the artist).
    pub speaker: Option<String>,
    /// The audio file.
    pub audio: Option<PathBuf>,
    /// The audio's length (ms).
    pub duration_ms: Option<u64>,
    /// Playing or paused.
    pub status: Status,
    /// The playback speed.
    pub speed: f64,
    /// The volume (0..=1).
    pub volume: f32,
}

impl Default for NowPlaying {
    fn default() -> NowPlaying {
        NowPlaying {
            track: 0,
            title: String::new(),
            speaker: None,
            audio: None,
            duration_ms: None,
            status: Status::Stopped,
            speed: 1.0,
            volume: 1.0,
        }
    }
}

/// The window's state each frame, borrowed: compared with what the desktop
/// was last told, so an unchanged frame costs a few comparisons.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame<'a> {
    /// See [`NowPlaying::track`].
    pub track: u64,
    /// The audio file, once loaded.
    pub audio: Option<&'a Path>,
    /// The speaker of the line being heard, if it has one.
    pub speaker: Option<&'a str>,
    /// The audio's length (ms).
    pub duration_ms: Option<u64>,
    /// Playing (or asked to).
    pub playing: bool,
    /// The playback speed.
    pub speed: f64,
    /// The volume.
    pub volume: f32,
    /// Where playback is (ms): macOS and Windows are told it with each change.
    pub pos_ms: u64,
    /// Seeks sent so far and where the last went ([`super::player::Player::seeks`]).
    pub seeks: (u64, u64),
}

/// The title the desktop shows for `audio`: its title tag when it has one,
/// else the file's name without its extension.
pub fn title_for(audio: &Path, title_tag: Option<&str>) -> String {
    if let Some(tag) = title_tag.map(str::trim).filter(|tag| !tag.is_empty()) {
        return tag.to_string();
    }
    audio.file_stem().or_else(|| audio.file_name()).map_or_else(
        || audio.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// Wakes the window (from the controls' threads).
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// One platform's controls, told what to show.
trait Backend {
    /// Shows `now` (which differs from what was shown); `pos_ms` is where
    /// playback is.
    fn show(&mut self, now: &NowPlaying, pos_ms: u64);
    /// Playback jumped to `pos_ms`.
    fn seeked(&mut self, now: &NowPlaying, pos_ms: u64);
    /// False once the controls have given up (MPRIS found no session bus):
    /// the window stops telling them anything.
    fn is_alive(&self) -> bool {
        true
    }
}

/// The title tag of the open audio, read off the UI thread.
struct TitleTag {
    /// The file it is for, and the tag once read (`Some(None)`: none).
    audio: Option<(PathBuf, Option<Option<String>>)>,
    results: Receiver<(PathBuf, Option<String>)>,
    sender: Sender<(PathBuf, Option<String>)>,
}

impl TitleTag {
    fn new() -> TitleTag {
        let (sender, results) = mpsc::channel();
        TitleTag {
            audio: None,
            results,
            sender,
        }
    }

    /// Starts reading the tag of `audio` if it is new, and takes in what was
    /// read; true when what [`TitleTag::tag`] says changed.
    fn poll(&mut self, audio: &Path, wake: &Wake) -> bool {
        let mut changed = false;
        while let Ok((path, tag)) = self.results.try_recv() {
            if let Some((current, read)) = &mut self.audio
                && *current == path
            {
                *read = Some(tag);
                changed = true;
            }
        }
        if self
            .audio
            .as_ref()
            .is_some_and(|(current, _)| current == audio)
        {
            return changed;
        }
        let sender = self.sender.clone();
        let path = audio.to_path_buf();
        let wake = wake.clone();
        let spawned = std::thread::Builder::new()
            .name("earmark-title-tag".to_string())
            .spawn(move || {
                let tag = crate::audio::tags::title_tag(&path);
                if sender.send((path, tag)).is_ok() {
                    wake();
                }
            });
        // Without a thread the file name will do.
        let read = spawned.is_err().then_some(None);
        self.audio = Some((audio.to_path_buf(), read));
        true
    }

    /// The tag of `audio`: `None` until read, then `Some(None)` if it has none.
    fn tag(&self, audio: Option<&Path>) -> Option<Option<&str>> {
        match &self.audio {
            Some((current, read)) if Some(current.as_path()) == audio => {
                read.as_ref().map(Option::as_deref)
            }
            _ => None,
        }
    }
}

/// What [`NowPlaying`] was last made from, but the position.
#[derive(Debug, Clone, PartialEq)]
struct FrameKey {
    track: u64,
    audio: Option<PathBuf>,
    speaker: Option<String>,
    duration_ms: Option<u64>,
    playing: bool,
    speed: f64,
    volume: f32,
}

impl FrameKey {
    fn of(frame: &Frame<'_>) -> FrameKey {
        FrameKey {
            track: frame.track,
            audio: frame.audio.map(Path::to_path_buf),
            speaker: frame.speaker.map(str::to_string),
            duration_ms: frame.duration_ms,
            playing: frame.playing,
            speed: frame.speed,
            volume: frame.volume,
        }
    }

    /// Compares without allocating (this runs every frame).
    fn matches(&self, frame: &Frame<'_>) -> bool {
        self.track == frame.track
            && self.audio.as_deref() == frame.audio
            && self.speaker.as_deref() == frame.speaker
            && self.duration_ms == frame.duration_ms
            && self.playing == frame.playing
            && self.speed == frame.speed
            && self.volume == frame.volume
    }
}

/// The desktop's media controls, or nothing when they are off.
pub struct MediaControls {
    backend: Option<Box<dyn Backend>>,
    events: Receiver<MediaEvent>,
    wake: Wake,
    titles: TitleTag,
    /// What the desktop was told last.
    shown: NowPlaying,
    /// The frame `shown` was made from.
    last_frame: Option<FrameKey>,
    /// The seek count last seen.
    seeks_seen: u64,
}

impl MediaControls {
    /// No controls: what tests and headless runs have.
    pub fn off() -> MediaControls {
        let (_, events) = mpsc::channel();
        MediaControls {
            backend: None,
            events,
            wake: Arc::new(|| {}),
            titles: TitleTag::new(),
            shown: NowPlaying::default(),
            last_frame: None,
            seeks_seen: 0,
        }
    }

    /// Starts the platform's controls for the window of `cc`; `clock` is the
    /// engine's, which MPRIS answers `Position` from. Off (with one
    /// warning in the log) when the platform's service is missing.
    pub fn start(cc: &eframe::CreationContext<'_>, clock: ClockReader) -> MediaControls {
        let ctx = cc.egui_ctx.clone();
        let wake: Wake = Arc::new(move || ctx.request_repaint());
        let (sender, events) = mpsc::channel();
        let mut controls = MediaControls::off();
        controls.events = events;
        controls.wake = wake.clone();
        controls.backend = start_backend(cc, clock, sender, wake);
        controls
    }

    /// The controls are on.
    pub fn is_on(&self) -> bool {
        self.backend.is_some()
    }

    /// Takes what the desktop asked for since the last frame, as actions.
    pub fn take_actions(&mut self, state: &PlayState) -> Vec<MediaAction> {
        let mut actions = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            log::debug!("media controls: {event:?}");
            actions.extend(action_for(&event, state));
        }
        actions
    }

    /// The track id the desktop was told about last.
    pub fn track(&self) -> u64 {
        self.shown.track
    }

    /// Tells the desktop about `frame` if anything it shows changed, and
    /// about a seek made since the last frame.
    pub fn update(&mut self, frame: &Frame<'_>) {
        let Some(backend) = self.backend.as_mut() else {
            return;
        };
        if !backend.is_alive() {
            self.backend = None;
            return;
        }
        let tag_changed = frame
            .audio
            .is_some_and(|audio| self.titles.poll(audio, &self.wake));
        let frame_changed = !self
            .last_frame
            .as_ref()
            .is_some_and(|last| last.matches(frame));
        if tag_changed || frame_changed {
            let now = now_playing(frame, self.titles.tag(frame.audio));
            self.last_frame = Some(FrameKey::of(frame));
            if now != self.shown {
                backend.show(&now, frame.pos_ms);
                self.shown = now;
            }
        }
        if frame.seeks.0 != self.seeks_seen {
            self.seeks_seen = frame.seeks.0;
            backend.seeked(&self.shown, frame.seeks.1);
        }
    }
}

/// What the desktop shows for `frame`, given the audio's title tag (`None`:
/// not read yet or none).
pub fn now_playing(frame: &Frame<'_>, title_tag: Option<Option<&str>>) -> NowPlaying {
    let Some(audio) = frame.audio else {
        return NowPlaying {
            track: frame.track,
            speed: frame.speed,
            volume: frame.volume,
            ..NowPlaying::default()
        };
    };
    NowPlaying {
        track: frame.track,
        title: title_for(audio, title_tag.flatten()),
        speaker: frame
            .speaker
            .filter(|name| !name.trim().is_empty())
            .map(str::to_string),
        audio: Some(audio.to_path_buf()),
        duration_ms: frame.duration_ms,
        status: if frame.playing {
            Status::Playing
        } else {
            Status::Paused
        },
        speed: frame.speed,
        volume: frame.volume,
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
fn start_backend(
    _cc: &eframe::CreationContext<'_>,
    clock: ClockReader,
    events: Sender<MediaEvent>,
    wake: Wake,
) -> Option<Box<dyn Backend>> {
    Some(Box::new(mpris::Mpris::start(clock, events, wake)?))
}

#[cfg(any(target_os = "macos", target_os = "windows"))]
fn start_backend(
    cc: &eframe::CreationContext<'_>,
    _clock: ClockReader,
    events: Sender<MediaEvent>,
    wake: Wake,
) -> Option<Box<dyn Backend>> {
    match system::System::start(cc, events, wake) {
        Ok(system) => Some(Box::new(system)),
        Err(err) => {
            log::warn!("media keys and the system's now-playing controls are off: {err}");
            None
        }
    }
}

#[cfg(not(any(unix, target_os = "windows")))]
fn start_backend(
    _cc: &eframe::CreationContext<'_>,
    _clock: ClockReader,
    _events: Sender<MediaEvent>,
    _wake: Wake,
) -> Option<Box<dyn Backend>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(playing: bool) -> PlayState {
        PlayState {
            has_audio: true,
            playing,
            pos_ms: 10_000,
            duration_ms: Some(60_000),
            track: 3,
        }
    }

    fn no_audio() -> PlayState {
        PlayState {
            has_audio: false,
            playing: false,
            pos_ms: 0,
            duration_ms: None,
            track: 0,
        }
    }

    const PLAY_PAUSE: Option<MediaAction> = Some(MediaAction::Do(Action::PlayPause));

    #[test]
    fn play_and_pause_toggle_only_when_they_change_something() {
        let (paused, playing) = (state(false), state(true));
        assert_eq!(action_for(&MediaEvent::Play, &paused), PLAY_PAUSE);
        assert_eq!(action_for(&MediaEvent::Play, &playing), None);
        assert_eq!(action_for(&MediaEvent::Pause, &playing), PLAY_PAUSE);
        assert_eq!(action_for(&MediaEvent::Pause, &paused), None);
        assert_eq!(action_for(&MediaEvent::Stop, &playing), PLAY_PAUSE);
        assert_eq!(action_for(&MediaEvent::Stop, &paused), None);
        assert_eq!(action_for(&MediaEvent::PlayPause, &paused), PLAY_PAUSE);
        assert_eq!(action_for(&MediaEvent::PlayPause, &playing), PLAY_PAUSE);
        assert_eq!(action_for(&MediaEvent::Play, &no_audio()), None);
        assert_eq!(action_for(&MediaEvent::PlayPause, &no_audio()), None);
    }

    #[test]
    fn next_and_previous_move_a_line() {
        assert_eq!(
            action_for(&MediaEvent::Next, &state(true)),
            Some(MediaAction::Do(Action::NextSegment))
        );
        assert_eq!(
            action_for(&MediaEvent::Previous, &state(false)),
            Some(MediaAction::Do(Action::PreviousSegment))
        );
        assert_eq!(
            action_for(&MediaEvent::Quit, &state(false)),
            Some(MediaAction::Do(Action::Quit))
        );
        assert_eq!(
            action_for(&MediaEvent::Raise, &no_audio()),
            Some(MediaAction::Raise)
        );
    }

    #[test]
    fn seek_by_moves_from_where_playback_is_and_not_before_the_start() {
        let seek = |offset_us| action_for(&MediaEvent::SeekBy { offset_us }, &state(true));
        assert_eq!(seek(5_000_000), Some(MediaAction::Seek(15_000)));
        assert_eq!(seek(-2_500_000), Some(MediaAction::Seek(7_500)));
        assert_eq!(seek(-60_000_000), Some(MediaAction::Seek(0)));
        assert_eq!(seek(i64::MIN), Some(MediaAction::Seek(0)));
        assert_eq!(
            seek(i64::MAX),
            Some(MediaAction::Seek(i64::MAX as u64 / 1000 + 10_000))
        );
        assert_eq!(
            action_for(&MediaEvent::SeekBy { offset_us: 1 }, &no_audio()),
            None
        );
        assert_eq!(
            action_for(&MediaEvent::Skip { forward: true }, &state(true)),
            Some(MediaAction::Do(Action::SkipForward))
        );
        assert_eq!(
            action_for(&MediaEvent::Skip { forward: false }, &state(true)),
            Some(MediaAction::Do(Action::SkipBack))
        );
    }

    #[test]
    fn set_position_goes_there_in_the_current_track_only() {
        let set =
            |track, pos_us| action_for(&MediaEvent::SetPosition { track, pos_us }, &state(false));
        assert_eq!(set(Some(3), 30_000_000), Some(MediaAction::Seek(30_000)));
        assert_eq!(set(None, 30_000_000), Some(MediaAction::Seek(30_000)));
        assert_eq!(set(Some(3), 60_000_000), Some(MediaAction::Seek(60_000)));
        assert_eq!(set(Some(2), 30_000_000), None, "a stale track");
        assert_eq!(set(Some(3), -1), None, "before the start");
        assert_eq!(set(Some(3), 60_001_000), None, "past the end");
    }

    #[test]
    fn rate_and_volume_are_kept_in_range() {
        let rate = |r, playing| action_for(&MediaEvent::SetRate(r), &state(playing));
        assert_eq!(rate(1.5, true), Some(MediaAction::SetSpeed(1.5)));
        assert_eq!(rate(10.0, true), Some(MediaAction::SetSpeed(MAX_RATE)));
        assert_eq!(rate(0.1, true), Some(MediaAction::SetSpeed(MIN_RATE)));
        assert_eq!(rate(0.0, true), PLAY_PAUSE, "rate 0 pauses");
        assert_eq!(rate(0.0, false), None);
        assert_eq!(rate(f64::NAN, true), None);
        let volume = |v| action_for(&MediaEvent::SetVolume(v), &state(true));
        assert_eq!(volume(0.25), Some(MediaAction::SetVolume(0.25)));
        assert_eq!(volume(-1.0), Some(MediaAction::SetVolume(0.0)));
        assert_eq!(volume(2.0), Some(MediaAction::SetVolume(1.0)));
        assert_eq!(volume(f64::NAN), None);
    }

    #[test]
    fn the_title_is_the_tag_else_the_file_name_without_extension() {
        let audio = Path::new("/podcasts/Episode 12 - The Oracle.mp3");
        assert_eq!(
            title_for(audio, Some("The Oracle of Delphi")),
            "The Oracle of Delphi"
        );
        assert_eq!(title_for(audio, None), "Episode 12 - The Oracle");
        assert_eq!(title_for(audio, Some("  ")), "Episode 12 - The Oracle");
        assert_eq!(title_for(Path::new("show.v2.m4a"), None), "show.v2");
        assert_eq!(title_for(Path::new("/tmp/.hidden"), None), ".hidden");
        assert_eq!(title_for(Path::new("noext"), None), "noext");
    }

    fn frame<'a>(audio: Option<&'a Path>, speaker: Option<&'a str>, playing: bool) -> Frame<'a> {
        Frame {
            track: 4,
            audio,
            speaker,
            duration_ms: audio.map(|_| 29_500),
            playing,
            speed: 1.25,
            volume: 0.5,
            pos_ms: 1000,
            seeks: (0, 0),
        }
    }

    #[test]
    fn now_playing_shows_title_speaker_length_and_status() {
        let audio = Path::new("/x/demo-episode.mp3");
        let now = now_playing(&frame(Some(audio), Some("Host"), true), Some(None));
        assert_eq!(now.title, "demo-episode");
        assert_eq!(now.speaker.as_deref(), Some("Host"));
        assert_eq!(now.duration_ms, Some(29_500));
        assert_eq!(now.status, Status::Playing);
        assert_eq!((now.track, now.speed, now.volume), (4, 1.25, 0.5));
        let tagged = now_playing(&frame(Some(audio), Some(" "), false), Some(Some("Delphi")));
        assert_eq!(tagged.title, "Delphi");
        assert_eq!(tagged.speaker, None, "a blank speaker is none");
        assert_eq!(tagged.status, Status::Paused);
        let nothing = now_playing(&frame(None, Some("Host"), false), None);
        assert_eq!(nothing.status, Status::Stopped);
        assert_eq!(nothing.title, "");
        assert_eq!(nothing.speaker, None);
    }

    /// Records what the desktop is told.
    #[derive(Default, Clone)]
    struct Recorded(Arc<std::sync::Mutex<Vec<String>>>);

    impl Backend for Recorded {
        fn show(&mut self, now: &NowPlaying, pos_ms: u64) {
            let line = format!(
                "show {} {:?} {:?} at {pos_ms}",
                now.title, now.speaker, now.status
            );
            self.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
        fn seeked(&mut self, _now: &NowPlaying, pos_ms: u64) {
            let line = format!("seeked {pos_ms}");
            self.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    }

    /// Controls that gave up at once (no session bus).
    struct GaveUp;

    impl Backend for GaveUp {
        fn show(&mut self, _now: &NowPlaying, _pos_ms: u64) {
            panic!("told something after giving up");
        }
        fn seeked(&mut self, _now: &NowPlaying, _pos_ms: u64) {
            panic!("told something after giving up");
        }
        fn is_alive(&self) -> bool {
            false
        }
    }

    #[test]
    fn controls_that_gave_up_are_dropped_and_told_nothing() {
        let mut controls = MediaControls::off();
        controls.backend = Some(Box::new(GaveUp));
        assert!(controls.is_on());
        let audio = Path::new("/x/demo-episode.mp3");
        controls.update(&frame(Some(audio), Some("Host"), true));
        assert!(!controls.is_on());
        controls.update(&frame(Some(audio), Some("Guest"), false));
    }

    #[test]
    fn the_desktop_is_told_only_what_changed() {
        let recorded = Recorded::default();
        let mut controls = MediaControls::off();
        controls.backend = Some(Box::new(recorded.clone()));
        // The tag reader's answer is taken as read: none.
        let audio = Path::new("/x/demo-episode.mp3");
        controls.titles.audio = Some((audio.to_path_buf(), Some(None)));
        let mut f = frame(Some(audio), Some("Host"), false);
        controls.update(&f);
        f.pos_ms = 2000;
        controls.update(&f);
        f.playing = true;
        controls.update(&f);
        f.speaker = Some("Guest");
        controls.update(&f);
        f.seeks = (1, 30_000);
        controls.update(&f);
        controls.update(&f);
        let told = recorded.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        assert_eq!(
            told,
            [
                "show demo-episode Some(\"Host\") Paused at 1000",
                "show demo-episode Some(\"Host\") Playing at 2000",
                "show demo-episode Some(\"Guest\") Playing at 2000",
                "seeked 30000",
            ]
        );
    }
}
