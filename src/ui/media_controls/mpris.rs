//! MPRIS (the Media Player Remote Interfacing Specification, 2.2) on the
//! D-Bus session bus, through zbus: what `playerctl`, the desktop's sound
//! menu and the media keys talk to on Linux.
//!
//! Earmark owns `org.mpris.MediaPlayer2.earmark`, or, when another Earmark
//! holds that, `org.mpris.MediaPlayer2.earmark.instance<pid>` as the
//! specification allows for a second instance. Everything on the bus
//! happens on a thread of its own (connecting, signals) and on zbus's: the
//! window only sends to a channel. `Position` is not a value we keep
//! current: each read computes it from the engine's clock, exactly as the
//! window does for the frame it draws.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use zbus::blocking::connection::{Builder, Connection};
use zbus::fdo::{RequestNameFlags, RequestNameReply};
use zbus::interface;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{ObjectPath, Value};

use super::{Backend, MAX_RATE, MIN_RATE, MediaEvent, NowPlaying, Status, Wake};
use crate::audio::ClockReader;
use crate::ui::frame_clock::heard_now_ms;

/// The well-known name's prefix, fixed by the specification.
const MPRIS_PREFIX: &str = "org.mpris.MediaPlayer2";
/// Our part of the bus name: clients find us as `playerctl -p earmark`.
pub const BUS_SUFFIX: &str = "earmark";
/// The object every MPRIS player serves.
const OBJECT_PATH: &str = "/org/mpris/MediaPlayer2";
/// Where our track ids live (MPRIS: not under `/org/mpris`).
const TRACK_PREFIX: &str = "/io/github/earmark/Earmark/track/";
/// The track id meaning "no track".
const NO_TRACK: &str = "/org/mpris/MediaPlayer2/TrackList/NoTrack";

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum MprisError {
    /// No session bus, or it refused us.
    #[error("cannot reach the D-Bus session bus: {0}")]
    Bus(#[from] zbus::Error),
    /// Both our names are taken.
    #[error("the bus names {0} and its instance name are taken")]
    NameTaken(String),
}

/// What the window last told the service, shared with the bus's threads.
type Shown = Arc<Mutex<NowPlaying>>;

fn lock(shown: &Shown) -> std::sync::MutexGuard<'_, NowPlaying> {
    shown.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the service thread is told.
enum Update {
    Show(NowPlaying),
    Seeked(u64),
}

/// The running service: a channel to its thread.
pub struct Mpris {
    updates: Sender<Update>,
    /// Set by the thread when it gives up (no session bus).
    gone: Arc<AtomicBool>,
}

impl Mpris {
    /// Starts the service thread, which connects to the session bus; when
    /// that fails it logs why once and ends. `None` only when no thread
    /// could be started.
    pub fn start(clock: ClockReader, events: Sender<MediaEvent>, wake: Wake) -> Option<Mpris> {
        let (updates, receiver) = mpsc::channel::<Update>();
        let gone = Arc::new(AtomicBool::new(false));
        let thread_gone = gone.clone();
        let spawned = std::thread::Builder::new()
            .name("earmark-mpris".to_string())
            .spawn(move || {
                let shown: Shown = Arc::new(Mutex::new(NowPlaying::default()));
                let connection = match connect(clock, events, wake, shown.clone()) {
                    Ok((connection, name)) => {
                        log::info!("media controls on the session bus as {name}");
                        connection
                    }
                    Err(err) => {
                        log::warn!(
                            "media keys and the desktop's now-playing controls are off: {err}"
                        );
                        thread_gone.store(true, Ordering::Release);
                        return;
                    }
                };
                // Ends when the window drops its sender.
                for update in receiver {
                    if let Err(err) = apply(&connection, &shown, update) {
                        log::debug!("media controls: cannot signal a change: {err}");
                    }
                }
            });
        match spawned {
            Ok(_) => Some(Mpris { updates, gone }),
            Err(err) => {
                log::warn!("media keys are off: no thread for them ({err})");
                None
            }
        }
    }
}

impl Backend for Mpris {
    fn show(&mut self, now: &NowPlaying, _pos_ms: u64) {
        let _ = self.updates.send(Update::Show(now.clone()));
    }

    fn seeked(&mut self, _now: &NowPlaying, pos_ms: u64) {
        let _ = self.updates.send(Update::Seeked(pos_ms));
    }

    fn is_alive(&self) -> bool {
        !self.gone.load(Ordering::Acquire)
    }
}

/// Connects, serves both interfaces and takes a name; returns the name taken.
fn connect(
    clock: ClockReader,
    events: Sender<MediaEvent>,
    wake: Wake,
    shown: Shown,
) -> Result<(Connection, String), MprisError> {
    let send: Arc<dyn Fn(MediaEvent) + Send + Sync> = Arc::new(move |event| {
        if events.send(event).is_ok() {
            wake();
        }
    });
    let root = Root { send: send.clone() };
    let player = Player { send, shown, clock };
    let connection = Builder::session()?
        .serve_at(OBJECT_PATH, root)?
        .serve_at(OBJECT_PATH, player)?
        .build()?;
    let name = format!("{MPRIS_PREFIX}.{BUS_SUFFIX}");
    if take_name(&connection, &name)? {
        return Ok((connection, name));
    }
    // MPRIS: a second instance appends `.instance` and a unique id.
    let instance = format!("{name}.instance{}", std::process::id());
    if take_name(&connection, &instance)? {
        return Ok((connection, instance));
    }
    Err(MprisError::NameTaken(name))
}

/// Asks for `name` without queueing; false when someone else has it.
fn take_name(connection: &Connection, name: &str) -> Result<bool, MprisError> {
    match connection.request_name_with_flags(name, RequestNameFlags::DoNotQueue.into()) {
        Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => Ok(true),
        Ok(RequestNameReply::Exists | RequestNameReply::InQueue) | Err(zbus::Error::NameTaken) => {
            Ok(false)
        }
        Err(err) => Err(err.into()),
    }
}

/// Stores `update` and tells the bus what changed.
fn apply(connection: &Connection, shown: &Shown, update: Update) -> zbus::Result<()> {
    let server = connection.object_server();
    let player = server.interface::<_, Player>(OBJECT_PATH)?;
    let emitter = player.signal_emitter();
    match update {
        Update::Show(now) => {
            let before = std::mem::replace(&mut *lock(shown), now.clone());
            let iface = player.get();
            if before.status != now.status {
                zbus::block_on(iface.playback_status_changed(emitter))?;
                if (before.status == Status::Stopped) != (now.status == Status::Stopped) {
                    zbus::block_on(iface.can_play_changed(emitter))?;
                    zbus::block_on(iface.can_pause_changed(emitter))?;
                    zbus::block_on(iface.can_seek_changed(emitter))?;
                    zbus::block_on(iface.can_go_next_changed(emitter))?;
                    zbus::block_on(iface.can_go_previous_changed(emitter))?;
                }
            }
            if (
                before.track,
                &before.title,
                &before.speaker,
                before.duration_ms,
            ) != (now.track, &now.title, &now.speaker, now.duration_ms)
            {
                zbus::block_on(iface.metadata_changed(emitter))?;
            }
            if before.speed != now.speed {
                zbus::block_on(iface.rate_changed(emitter))?;
            }
            if before.volume != now.volume {
                zbus::block_on(iface.volume_changed(emitter))?;
            }
        }
        Update::Seeked(pos_ms) => {
            zbus::block_on(Player::seeked(emitter, us_from_ms(pos_ms)))?;
        }
    }
    Ok(())
}

fn us_from_ms(ms: u64) -> i64 {
    i64::try_from(ms.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// The track id of track `track`.
fn track_path(track: u64) -> String {
    format!("{TRACK_PREFIX}{track}")
}

/// The track a track id names, if it is one of ours.
fn track_from_path(path: &str) -> Option<u64> {
    path.strip_prefix(TRACK_PREFIX)?.parse().ok()
}

/// The metadata map MPRIS clients read.
fn metadata_map(now: &NowPlaying) -> HashMap<&'static str, Value<'static>> {
    let mut map = HashMap::new();
    if now.status == Status::Stopped {
        if let Ok(path) = ObjectPath::try_from(NO_TRACK) {
            map.insert("mpris:trackid", Value::from(path));
        }
        return map;
    }
    if let Ok(path) = ObjectPath::try_from(track_path(now.track)) {
        map.insert("mpris:trackid", Value::from(path));
    }
    if let Some(duration_ms) = now.duration_ms {
        map.insert("mpris:length", Value::from(us_from_ms(duration_ms)));
    }
    map.insert("xesam:title", Value::from(now.title.clone()));
    if let Some(speaker) = &now.speaker {
        map.insert("xesam:artist", Value::from(vec![speaker.clone()]));
    }
    if let Some(url) = now.audio.as_deref().and_then(file_url) {
        map.insert("xesam:url", Value::from(url));
    }
    map
}

/// `file://` and the absolute path, percent-encoded where a URL needs it.
fn file_url(path: &std::path::Path) -> Option<String> {
    let text = path.to_str().filter(|_| path.is_absolute())?;
    let mut url = String::from("file://");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    Some(url)
}

/// `org.mpris.MediaPlayer2`: the application.
struct Root {
    send: Arc<dyn Fn(MediaEvent) + Send + Sync>,
}

#[interface(name = "org.mpris.MediaPlayer2")]
impl Root {
    fn raise(&self) {
        (self.send)(MediaEvent::Raise);
    }

    fn quit(&self) {
        (self.send)(MediaEvent::Quit);
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn can_quit(&self) -> bool {
        true
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn can_raise(&self) -> bool {
        true
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn has_track_list(&self) -> bool {
        false
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn identity(&self) -> &str {
        "Earmark"
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn desktop_entry(&self) -> &str {
        crate::app_id::APP_ID
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn supported_uri_schemes(&self) -> Vec<String> {
        Vec::new()
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn supported_mime_types(&self) -> Vec<String> {
        Vec::new()
    }
}

/// `org.mpris.MediaPlayer2.Player`: the transport.
struct Player {
    send: Arc<dyn Fn(MediaEvent) + Send + Sync>,
    shown: Shown,
    clock: ClockReader,
}

impl Player {
    fn has_audio(&self) -> bool {
        lock(&self.shown).status != Status::Stopped
    }
}

#[interface(name = "org.mpris.MediaPlayer2.Player")]
impl Player {
    fn next(&self) {
        (self.send)(MediaEvent::Next);
    }

    fn previous(&self) {
        (self.send)(MediaEvent::Previous);
    }

    fn pause(&self) {
        (self.send)(MediaEvent::Pause);
    }

    fn play_pause(&self) {
        (self.send)(MediaEvent::PlayPause);
    }

    fn stop(&self) {
        (self.send)(MediaEvent::Stop);
    }

    fn play(&self) {
        (self.send)(MediaEvent::Play);
    }

    fn seek(&self, offset: i64) {
        (self.send)(MediaEvent::SeekBy { offset_us: offset });
    }

    fn set_position(&self, track_id: ObjectPath<'_>, position: i64) {
        let Some(track) = track_from_path(track_id.as_str()) else {
            return;
        };
        (self.send)(MediaEvent::SetPosition {
            track: Some(track),
            pos_us: position,
        });
    }

    fn open_uri(&self, _uri: String) {
        // SupportedUriSchemes is empty: clients do not ask.
    }

    /// Tells clients that playback jumped (a seek, not the clock running on).
    #[zbus(signal)]
    async fn seeked(emitter: &SignalEmitter<'_>, position: i64) -> zbus::Result<()>;

    #[zbus(property)]
    fn playback_status(&self) -> &'static str {
        match lock(&self.shown).status {
            Status::Stopped => "Stopped",
            Status::Paused => "Paused",
            Status::Playing => "Playing",
        }
    }

    #[zbus(property)]
    fn rate(&self) -> f64 {
        lock(&self.shown).speed
    }

    #[zbus(property)]
    fn set_rate(&mut self, rate: f64) {
        (self.send)(MediaEvent::SetRate(rate));
    }

    #[zbus(property)]
    fn metadata(&self) -> HashMap<&'static str, Value<'static>> {
        metadata_map(&lock(&self.shown))
    }

    #[zbus(property)]
    fn volume(&self) -> f64 {
        f64::from(lock(&self.shown).volume)
    }

    #[zbus(property)]
    fn set_volume(&mut self, volume: f64) {
        (self.send)(MediaEvent::SetVolume(volume));
    }

    /// Computed from the engine's clock at each read, as the window draws it.
    #[zbus(property(emits_changed_signal = "false"))]
    fn position(&self) -> i64 {
        let (status, speed, duration_ms) = {
            let shown = lock(&self.shown);
            (shown.status, shown.speed, shown.duration_ms)
        };
        if status == Status::Stopped {
            return 0;
        }
        let clock = self.clock.read();
        let pos_ms = heard_now_ms(&clock, speed, Instant::now())
            .min(duration_ms.unwrap_or(u64::MAX).max(clock.pos_ms));
        us_from_ms(pos_ms)
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn minimum_rate(&self) -> f64 {
        MIN_RATE
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn maximum_rate(&self) -> f64 {
        MAX_RATE
    }

    #[zbus(property)]
    fn can_go_next(&self) -> bool {
        self.has_audio()
    }

    #[zbus(property)]
    fn can_go_previous(&self) -> bool {
        self.has_audio()
    }

    #[zbus(property)]
    fn can_play(&self) -> bool {
        self.has_audio()
    }

    #[zbus(property)]
    fn can_pause(&self) -> bool {
        self.has_audio()
    }

    #[zbus(property)]
    fn can_seek(&self) -> bool {
        self.has_audio()
    }

    #[zbus(property(emits_changed_signal = "const"))]
    fn can_control(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_ids_round_trip_and_others_are_not_ours() {
        assert_eq!(track_from_path(&track_path(7)), Some(7));
        assert_eq!(track_from_path(NO_TRACK), None);
        assert_eq!(track_from_path("/"), None);
        assert!(ObjectPath::try_from(track_path(u64::MAX)).is_ok());
    }

    #[test]
    fn metadata_has_title_speaker_length_and_track() {
        let now = NowPlaying {
            track: 2,
            title: "demo-episode".into(),
            speaker: Some("Host".into()),
            audio: Some("/x/my episode.mp3".into()),
            duration_ms: Some(29_500),
            status: Status::Paused,
            ..NowPlaying::default()
        };
        let map = metadata_map(&now);
        assert_eq!(map["xesam:title"], Value::from("demo-episode"));
        assert_eq!(map["xesam:artist"], Value::from(vec!["Host".to_string()]));
        assert_eq!(map["mpris:length"], Value::from(29_500_000i64));
        assert_eq!(map["xesam:url"], Value::from("file:///x/my%20episode.mp3"));
        let track = ObjectPath::try_from(track_path(2)).ok();
        assert_eq!(map.get("mpris:trackid"), track.map(Value::from).as_ref());
        let stopped = metadata_map(&NowPlaying::default());
        assert_eq!(stopped.len(), 1, "no track: only the no-track id");
    }
}
