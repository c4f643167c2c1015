//! What the window remembers between runs: preferences, recent episodes and
//! each episode's last position and speaker names. Saved through eframe's
//! storage (preferences, never documents); the user's files are not touched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::own_keys::OwnKey;

/// The key under which [`Settings`] are stored.
pub const STORAGE_KEY: &str = "earmark.settings";

/// How many recent episodes the File menu lists.
const RECENT_LIMIT: usize = 10;

/// How many episodes' positions are kept (the least recently opened go first).
const EPISODE_LIMIT: usize = 200;

/// How long after the last key playback paused by typing resumes.
pub const TYPING_IDLE_SECS: f32 = 1.0;

/// The colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the operating system.
    #[default]
    System,
    /// Dark text on a light background.
    Light,
    /// Light text on a dark background.
    Dark,
}

/// One entry of the recent-files list: what was open together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentEpisode {
    /// The audio file, if one was open.
    pub audio: Option<PathBuf>,
    /// The transcript file, if one was open.
    pub transcript: Option<PathBuf>,
}

impl RecentEpisode {
    /// The key under which this episode's state is kept: its audio, else its transcript.
    pub fn key(&self) -> Option<String> {
        self.audio
            .as_deref()
            .or(self.transcript.as_deref())
            .map(|path| path.to_string_lossy().into_owned())
    }

    /// A short name for menus: the file name without its folder.
    pub fn title(&self) -> String {
        let name = |path: &Path| {
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        match (&self.audio, &self.transcript) {
            (Some(audio), Some(transcript)) => format!("{} + {}", name(audio), name(transcript)),
            (Some(only), None) | (None, Some(only)) => name(only),
            (None, None) => String::new(),
        }
    }
}

/// What is remembered about one episode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EpisodeState {
    /// Where playback was when the episode was last closed.
    pub pos_ms: u64,
    /// Increases each time the episode is opened; the oldest are forgotten first.
    pub opened_serial: u64,
}

/// Everything remembered between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The version of this layout; older versions still load.
    pub version: u32,
    /// Light, dark or the system's scheme.
    pub theme: ThemeChoice,
    /// The size of the transcript's text, relative to the usual size
    /// ([`TEXT_SCALE_RANGE`]); the rest of the window keeps its size.
    pub text_scale: f32,
    /// How far the skip keys and buttons move, in seconds.
    pub skip_secs: f32,
    /// How far playback goes back when resumed after a pause, 0..=5 seconds.
    pub rewind_on_resume_secs: f32,
    /// Clicking a line also starts playback (otherwise it only moves there).
    pub click_plays: bool,
    /// Typing in the line editor pauses playback, which resumes after
    /// [`TYPING_IDLE_SECS`] without a key (as transcriptionists expect).
    pub pause_while_typing: bool,
    /// A line played from its start to its end without a jump is marked
    /// reviewed by itself.
    pub review_as_played: bool,
    /// Output gain, 0..=1.
    pub volume: f32,
    /// Playback speed, 0.5..=3.
    pub speed: f64,
    /// The width of the zoomed waveform, in seconds.
    pub zoom_window_secs: f32,
    /// Most recent first.
    pub recent: Vec<RecentEpisode>,
    /// Per-episode state, by [`RecentEpisode::key`].
    pub episodes: BTreeMap<String, EpisodeState>,
    /// The demo episode has been shown once (on first launch).
    pub demo_shown: bool,
    /// Keys the user added beside the built-in shortcuts (a foot pedal's).
    pub own_keys: Vec<OwnKey>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: 1,
            theme: ThemeChoice::System,
            text_scale: 1.0,
            skip_secs: 5.0,
            rewind_on_resume_secs: 2.0,
            click_plays: true,
            pause_while_typing: false,
            review_as_played: false,
            volume: 1.0,
            speed: 1.0,
            zoom_window_secs: 20.0,
            recent: Vec::new(),
            episodes: BTreeMap::new(),
            demo_shown: false,
            own_keys: Vec::new(),
        }
    }
}

/// How small and how large the transcript's text may be made (about 10 px
/// to 35 px at the usual 14 px): readable at the one end, and at the other
/// still several words a line in the narrowest window.
pub const TEXT_SCALE_RANGE: std::ops::RangeInclusive<f32> = 0.7..=2.5;

/// One step of Ctrl + or Ctrl −.
const TEXT_SCALE_STEP: f32 = 0.1;

/// The playback speeds offered, slowest first; the speed keys step through them.
pub const SPEEDS: [f64; 11] = [0.5, 0.6, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 3.0];

impl Settings {
    /// Brings values a hand-edited or damaged file may hold back into range.
    pub fn sanitized(mut self) -> Settings {
        let finite_or = |value: f32, default: f32| if value.is_finite() { value } else { default };
        self.text_scale = finite_or(self.text_scale, 1.0)
            .clamp(*TEXT_SCALE_RANGE.start(), *TEXT_SCALE_RANGE.end());
        self.skip_secs = finite_or(self.skip_secs, 5.0).clamp(1.0, 60.0);
        self.rewind_on_resume_secs = finite_or(self.rewind_on_resume_secs, 2.0).clamp(0.0, 5.0);
        self.volume = finite_or(self.volume, 1.0).clamp(0.0, 1.0);
        self.speed = if self.speed.is_finite() {
            self.speed.clamp(0.5, 3.0)
        } else {
            1.0
        };
        self.zoom_window_secs = finite_or(self.zoom_window_secs, 20.0).clamp(2.0, 600.0);
        self.recent.truncate(RECENT_LIMIT);
        self
    }

    /// Puts `episode` first in the recent list and marks it opened now.
    pub fn note_opened(&mut self, episode: RecentEpisode) {
        self.recent.retain(|e| e != &episode);
        let Some(key) = episode.key() else {
            return;
        };
        self.recent.insert(0, episode);
        self.recent.truncate(RECENT_LIMIT);
        let serial = self
            .episodes
            .values()
            .map(|e| e.opened_serial)
            .max()
            .unwrap_or(0)
            + 1;
        self.episodes.entry(key).or_default().opened_serial = serial;
        while self.episodes.len() > EPISODE_LIMIT {
            let oldest = self
                .episodes
                .iter()
                .min_by_key(|(_, state)| state.opened_serial)
                .map(|(key, _)| key.clone());
            match oldest {
                Some(key) => self.episodes.remove(&key),
                None => break,
            };
        }
    }

    /// The remembered state of the episode under `key`, if any.
    pub fn episode(&self, key: &str) -> Option<&EpisodeState> {
        self.episodes.get(key)
    }

    /// The state of the episode under `key`, created if new.
    pub fn episode_mut(&mut self, key: &str) -> &mut EpisodeState {
        self.episodes.entry(key.to_string()).or_default()
    }

    /// Makes the transcript's text one step larger or smaller, within [`TEXT_SCALE_RANGE`].
    pub fn step_text_scale(&mut self, larger: bool) {
        let step = if larger {
            TEXT_SCALE_STEP
        } else {
            -TEXT_SCALE_STEP
        };
        // Rounded to the step, so ten steps up and ten down come back exactly.
        let scaled = ((self.text_scale + step) / TEXT_SCALE_STEP).round() * TEXT_SCALE_STEP;
        self.text_scale = scaled.clamp(*TEXT_SCALE_RANGE.start(), *TEXT_SCALE_RANGE.end());
    }

    /// The next faster (`up`) or slower speed from [`SPEEDS`].
    pub fn step_speed(speed: f64, up: bool) -> f64 {
        let next = if up {
            SPEEDS.iter().copied().find(|&s| s > speed + 1e-9)
        } else {
            SPEEDS.iter().rev().copied().find(|&s| s < speed - 1e-9)
        };
        next.unwrap_or(speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn episode(name: &str) -> RecentEpisode {
        RecentEpisode {
            audio: Some(PathBuf::from(format!("/p/{name}.mp3"))),
            transcript: Some(PathBuf::from(format!("/p/{name}.srt"))),
        }
    }

    #[test]
    fn recent_list_is_most_recent_first_without_duplicates_and_bounded() {
        let mut settings = Settings::default();
        for i in 0..15 {
            settings.note_opened(episode(&format!("e{i}")));
        }
        settings.note_opened(episode("e10"));
        assert_eq!(settings.recent.len(), RECENT_LIMIT);
        assert_eq!(settings.recent[0], episode("e10"));
        assert_eq!(settings.recent[1], episode("e14"));
        assert_eq!(
            settings
                .recent
                .iter()
                .filter(|e| **e == episode("e10"))
                .count(),
            1
        );
    }

    #[test]
    fn oldest_episode_state_is_forgotten_first() {
        let mut settings = Settings::default();
        for i in 0..=EPISODE_LIMIT {
            settings.note_opened(episode(&format!("e{i}")));
        }
        assert_eq!(settings.episodes.len(), EPISODE_LIMIT);
        assert!(settings.episode("/p/e0.mp3").is_none());
        assert!(settings.episode("/p/e1.mp3").is_some());
    }

    #[test]
    fn damaged_values_come_back_into_range_and_old_files_load() {
        let json = r#"{"volume": 7.5, "speed": 0.1, "text_scale": -1, "unknown_field": 3}"#;
        let settings: Settings = match serde_json::from_str::<Settings>(json) {
            Ok(settings) => settings.sanitized(),
            Err(err) => panic!("an older or foreign settings file should load: {err}"),
        };
        assert_eq!(settings.volume, 1.0);
        assert_eq!(settings.speed, 0.5);
        assert_eq!(settings.text_scale, 0.7);
        assert_eq!(settings.skip_secs, 5.0);
        assert!(settings.click_plays);
    }

    #[test]
    fn speed_steps_through_the_list_and_stops_at_the_ends() {
        assert_eq!(Settings::step_speed(1.0, true), 1.1);
        assert_eq!(Settings::step_speed(1.0, false), 0.9);
        assert_eq!(Settings::step_speed(1.3, false), 1.25);
        assert_eq!(Settings::step_speed(3.0, true), 3.0);
        assert_eq!(Settings::step_speed(0.5, false), 0.5);
    }
}
