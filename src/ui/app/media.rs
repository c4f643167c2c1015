//! The window's side of the desktop's media controls
//! (`ui::media_controls`): what the keys and `playerctl` ask for is applied
//! as the window's own keys are, and the controls are told what is playing.

use std::time::Duration;

use eframe::egui;

use super::super::media_controls::{Frame, MediaAction, MediaControls, PlayState};
use super::super::transcript_view::Current;
use super::EarmarkApp;

/// How soon the window looks again for a seek the engine has not made yet.
const SEEK_RECHECK: Duration = Duration::from_millis(5);

impl EarmarkApp {
    /// Gives the window the desktop's media controls (only the real window
    /// has them: tests and headless commands do not).
    pub fn attach_media_controls(&mut self, controls: MediaControls) {
        self.media = controls;
    }

    /// Applies what the media controls asked for since the last frame.
    pub(super) fn media_actions(&mut self) {
        if !self.media.is_on() {
            return;
        }
        let state = PlayState {
            has_audio: self.player.audio().is_some(),
            playing: self.player.is_playing(),
            pos_ms: self.player.position_ms(),
            duration_ms: self.player.duration_ms(),
            track: self.media.track(),
        };
        for action in self.media.take_actions(&state) {
            match action {
                MediaAction::Do(action) => self.apply(action),
                MediaAction::Seek(pos_ms) => self.player.seek(pos_ms),
                MediaAction::SetSpeed(speed) => self.set_speed(speed),
                MediaAction::SetVolume(volume) => {
                    self.player.set_volume(volume);
                    self.settings.volume = self.player.volume();
                }
                MediaAction::Raise => self.ctx.send_viewport_cmd(egui::ViewportCommand::Focus),
            }
        }
    }

    /// Tells the media controls what this frame shows (they pass on only changes).
    pub(super) fn media_update(&mut self, pos_ms: u64, current: Option<&Current>) {
        if !self.media.is_on() {
            return;
        }
        let transcript = self.episode.transcript.as_ref().map(|t| t.transcript());
        let speaker = current.and_then(|current| {
            let transcript = transcript?;
            let segment = transcript.segments.get(current.segment)?;
            Some(transcript.speaker_name(segment.speaker))
        });
        let frame = Frame {
            track: self.generation,
            audio: self.player.audio().map(|(path, _)| path.as_path()),
            speaker,
            duration_ms: self.player.duration_ms(),
            playing: self.player.is_playing(),
            speed: self.player.speed(),
            volume: self.player.volume(),
            pos_ms,
            seeks: self.player.seeks(),
        };
        self.media.update(&frame);
        if self.player.seek_pending() {
            // A seek asked for from outside while paused: egui's second
            // pass after the wake usually sees the engine's seek made, but on
            // a loaded machine the engine may be later; look again until it
            // has, so the highlight and the speaker shown follow.
            self.ctx.request_repaint_after(SEEK_RECHECK);
        }
    }
}
