//! Now Playing on macOS and the system media transport controls on Windows,
//! through souvlaki. Both keep the position we give them with each change
//! and advance it themselves at the rate; so they are told the position
//! whenever playback starts, stops, changes speed or jumps. Calls happen on
//! the UI thread, where macOS wants them (each is a few property sets).

use std::sync::mpsc::Sender;
use std::time::Duration;

use souvlaki::{
    MediaControlEvent, MediaControls, MediaMetadata, MediaPlayback, MediaPosition, PlatformConfig,
    SeekDirection,
};

use super::{Backend, MediaEvent, NowPlaying, Status, Wake};

/// Why the controls could not start.
#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    /// souvlaki (the operating system) refused.
    #[error("{0}")]
    Controls(String),
    /// Windows: the window's handle is not known.
    #[cfg(target_os = "windows")]
    #[error("the window's handle is not available")]
    NoWindow,
}

/// The operating system's media controls.
pub struct System {
    controls: MediaControls,
}

impl System {
    /// Attaches the controls to the window of `cc`; `events` receives what they ask.
    pub fn start(
        cc: &eframe::CreationContext<'_>,
        events: Sender<MediaEvent>,
        wake: Wake,
    ) -> Result<System, SystemError> {
        let config = PlatformConfig {
            display_name: "Earmark",
            dbus_name: "earmark",
            hwnd: window_handle(cc)?,
        };
        let mut controls =
            MediaControls::new(config).map_err(|err| SystemError::Controls(err.to_string()))?;
        controls
            .attach(move |event| {
                if let Some(event) = from_souvlaki(event)
                    && events.send(event).is_ok()
                {
                    wake();
                }
            })
            .map_err(|err| SystemError::Controls(err.to_string()))?;
        Ok(System { controls })
    }
}

#[cfg(target_os = "windows")]
fn window_handle(
    cc: &eframe::CreationContext<'_>,
) -> Result<Option<*mut std::ffi::c_void>, SystemError> {
    use raw_window_handle::{HasWindowHandle as _, RawWindowHandle};
    match cc.window_handle().map(|handle| handle.as_raw()) {
        Ok(RawWindowHandle::Win32(handle)) => Ok(Some(handle.hwnd.get() as *mut std::ffi::c_void)),
        _ => Err(SystemError::NoWindow),
    }
}

#[cfg(not(target_os = "windows"))]
fn window_handle(
    _cc: &eframe::CreationContext<'_>,
) -> Result<Option<*mut std::ffi::c_void>, SystemError> {
    Ok(None)
}

/// Our event for souvlaki's; `None` for what Earmark does not do.
fn from_souvlaki(event: MediaControlEvent) -> Option<MediaEvent> {
    Some(match event {
        MediaControlEvent::Play => MediaEvent::Play,
        MediaControlEvent::Pause => MediaEvent::Pause,
        MediaControlEvent::Toggle => MediaEvent::PlayPause,
        MediaControlEvent::Next => MediaEvent::Next,
        MediaControlEvent::Previous => MediaEvent::Previous,
        MediaControlEvent::Stop => MediaEvent::Stop,
        MediaControlEvent::Seek(direction) => MediaEvent::Skip {
            forward: direction == SeekDirection::Forward,
        },
        MediaControlEvent::SeekBy(direction, by) => {
            let by_us = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
            MediaEvent::SeekBy {
                offset_us: if direction == SeekDirection::Forward {
                    by_us
                } else {
                    -by_us
                },
            }
        }
        MediaControlEvent::SetPosition(MediaPosition(at)) => MediaEvent::SetPosition {
            track: None,
            pos_us: i64::try_from(at.as_micros()).unwrap_or(i64::MAX),
        },
        MediaControlEvent::SetVolume(volume) => MediaEvent::SetVolume(volume),
        MediaControlEvent::Raise => MediaEvent::Raise,
        MediaControlEvent::Quit => MediaEvent::Quit,
        _ => return None,
    })
}

fn playback(now: &NowPlaying, pos_ms: u64) -> MediaPlayback {
    let progress = Some(MediaPosition(Duration::from_millis(pos_ms)));
    match now.status {
        Status::Stopped => MediaPlayback::Stopped,
        Status::Paused => MediaPlayback::Paused { progress },
        Status::Playing => MediaPlayback::Playing { progress },
    }
}

impl Backend for System {
    fn show(&mut self, now: &NowPlaying, pos_ms: u64) {
        let metadata = MediaMetadata {
            title: Some(now.title.as_str()).filter(|title| !title.is_empty()),
            artist: now.speaker.as_deref(),
            album: None,
            cover_url: None,
            duration: now.duration_ms.map(Duration::from_millis),
        };
        if let Err(err) = self.controls.set_metadata(metadata) {
            log::debug!("media controls: cannot show the metadata: {err}");
        }
        if let Err(err) = self.controls.set_playback(playback(now, pos_ms)) {
            log::debug!("media controls: cannot show the playback state: {err}");
        }
    }

    fn seeked(&mut self, now: &NowPlaying, pos_ms: u64) {
        if let Err(err) = self.controls.set_playback(playback(now, pos_ms)) {
            log::debug!("media controls: cannot show the position: {err}");
        }
    }
}
