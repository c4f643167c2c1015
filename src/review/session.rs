//! The session file: what belongs to an episode but not to its transcript,
//! kept in `NAME.earmark` beside the transcript `NAME.EXT`. Opening the
//! session file opens the episode.
//!
//! It is JSON, versioned and meant to be read by people and other tools:
//!
//! ```json
//! {
//!   "version": 1,
//!   "transcript": "episode.srt",
//!   "audio": "episode.mp3"
//! }
//! ```
//!
//! - `version`: [`SESSION_VERSION`] when written. A file with a newer
//!   version is refused ([`SessionError::Newer`]) and never overwritten.
//! - `transcript`, `audio`: paths relative to the session file's folder
//!   (`/`-separated; absolute when the file is on another drive), or absent.
//! - `markers`: the review's markers, in audio time
//!   (`{"start_ms": 83250, "end_ms": 91000, "kind": "Cut", "note": "…"}`; no
//!   `end_ms` for a point, see [`super::markers`]), or absent.
//! - `kinds`: the marker kinds and their colours
//!   (`{"name": "Cut", "color": [229, 72, 77]}`), when not the defaults.
//! - `reviewed`: the parts of the audio marked reviewed, as
//!   `[start_ms, end_ms]` pairs (see [`super::reviewed`]), or absent.
//!
//! Fields this version does not know are kept as they were when the file
//! is written again. It is written atomically, and only when it has
//! something to hold.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::markers::{Marker, MarkerKind};
use super::reviewed::Reviewed;
use super::state::ReviewState;
use crate::atomic_file::{self, folder_of};

/// The version this build writes, and the newest it reads.
pub const SESSION_VERSION: u32 = 1;

/// The extension of session files.
pub const SESSION_EXTENSION: &str = "earmark";

/// A session file's content, paths resolved against its folder.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    /// The transcript.
    pub transcript: Option<PathBuf>,
    /// The audio.
    pub audio: Option<PathBuf>,
    /// The review's markers.
    pub markers: Vec<Marker>,
    /// The marker kinds, when not the defaults.
    pub kinds: Option<Vec<MarkerKind>>,
    /// The parts of the audio marked reviewed.
    pub reviewed: Reviewed,
    /// Fields of the file this version does not know, kept for the write-back.
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// The file as stored.
#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    transcript: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    audio: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    markers: Vec<Marker>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kinds: Option<Vec<MarkerKind>>,
    #[serde(default, skip_serializing_if = "Reviewed::is_empty")]
    reviewed: Reviewed,
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

/// Why a session file could not be read or written.
#[derive(Debug, Error)]
pub enum SessionError {
    /// Reading or writing the file failed.
    #[error("{action} {path} failed: {source}", path = .path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The session file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not a session file.
    #[error("{path} is not an Earmark session: {reason}", path = .path.display())]
    Invalid {
        /// The session file.
        path: PathBuf,
        /// What was wrong, with the line and column.
        reason: String,
    },
    /// Written by a newer Earmark.
    #[error("{path} was written by a newer Earmark (session version {found}; this one reads up to {SESSION_VERSION}); it is left as it is", path = .path.display())]
    Newer {
        /// The session file.
        path: PathBuf,
        /// Its version.
        found: u64,
    },
}

/// The session file that goes with `transcript` (`NAME.EXT` → `NAME.earmark`).
pub fn path_for(transcript: &Path) -> PathBuf {
    transcript.with_extension(SESSION_EXTENSION)
}

/// Whether `path` names a session file.
pub fn is_session_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(SESSION_EXTENSION))
}

impl Session {
    /// Whether there is anything to write.
    pub fn is_empty(&self) -> bool {
        self.transcript.is_none()
            && self.audio.is_none()
            && self.markers.is_empty()
            && self.kinds.is_none()
            && self.reviewed.is_empty()
            && self.other.is_empty()
    }

    /// Reads the session file at `path`.
    pub fn read(path: &Path) -> Result<Session, SessionError> {
        let bytes = std::fs::read(path).map_err(|source| SessionError::Io {
            action: "reading",
            path: path.to_owned(),
            source,
        })?;
        let invalid = |reason: String| SessionError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| invalid(format!("expected JSON ({e})")))?;
        let version = value
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| invalid("expected a \"version\" number".into()))?;
        if version > u64::from(SESSION_VERSION) {
            return Err(SessionError::Newer {
                path: path.to_owned(),
                found: version,
            });
        }
        let stored: Stored =
            serde_json::from_value(value).map_err(|e| invalid(format!("expected {e}")))?;
        let folder = folder_of(path);
        let resolve = |p: Option<String>| p.map(|p| folder.join(p));
        Ok(Session {
            transcript: resolve(stored.transcript),
            audio: resolve(stored.audio),
            markers: stored.markers,
            kinds: stored.kinds,
            reviewed: stored.reviewed,
            other: stored.other,
        })
    }

    /// Writes the session to `path` atomically, unless a newer Earmark's
    /// session is there (refused, untouched).
    pub fn write(&self, path: &Path) -> Result<(), SessionError> {
        if path.exists()
            && let Err(err @ SessionError::Newer { .. }) = Session::read(path)
        {
            return Err(err);
        }
        let folder = folder_of(path);
        let stored = Stored {
            version: SESSION_VERSION,
            transcript: self.transcript.as_deref().map(|p| relative_to(folder, p)),
            audio: self.audio.as_deref().map(|p| relative_to(folder, p)),
            markers: self.markers.clone(),
            kinds: self.kinds.clone(),
            reviewed: self.reviewed.clone(),
            other: self.other.clone(),
        };
        let mut text = serde_json::to_string_pretty(&stored).unwrap_or_default();
        text.push('\n');
        atomic_file::write(path, text.as_bytes()).map_err(|e| SessionError::Io {
            action: e.action,
            path: e.path,
            source: e.source,
        })
    }
}

impl Session {
    /// The review it holds.
    pub fn review(&self) -> ReviewState {
        ReviewState::new(
            self.markers.clone(),
            self.kinds.clone(),
            self.reviewed.clone(),
        )
    }
}

/// The episode's audio as a save tells the session file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioLink {
    /// The audio file open with the transcript, if any.
    pub path: Option<PathBuf>,
    /// It is the transcript's partner by name (`NAME.mp3` beside
    /// `NAME.srt`): no session file is needed to say it.
    pub found_by_name: bool,
}

/// Writes the session file beside `transcript` (`NAME.earmark`) with
/// `review` and `audio` (left as the file says when unknown), keeping its
/// other fields. No file is made when there is none yet and it would say
/// nothing the files do not (no review, the audio found by name). A newer
/// Earmark's or a damaged session is left as it is (the error says which).
pub fn save_beside(
    transcript: &Path,
    audio: Option<&AudioLink>,
    review: &ReviewState,
) -> Result<(), SessionError> {
    let path = path_for(transcript);
    let existing = if path.exists() {
        Some(Session::read(&path)?)
    } else {
        None
    };
    let needs_audio = audio.is_some_and(|a| !a.found_by_name);
    if existing.is_none() && !needs_audio && review.is_default() {
        return Ok(());
    }
    let mut session = existing.unwrap_or_default();
    session.transcript = Some(transcript.to_owned());
    if let Some(audio) = audio {
        session.audio = audio.path.clone();
    }
    session.markers = review.markers.clone();
    session.kinds = review.kinds_to_save();
    session.reviewed = review.reviewed.clone();
    session.write(&path)
}

/// `path` relative to `folder`, `/`-separated; absolute when they share no
/// root (another drive).
fn relative_to(folder: &Path, path: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let (folder, path) = (absolute(folder), absolute(path));
    let folder_parts: Vec<Component> = folder.components().collect();
    let path_parts: Vec<Component> = path.components().collect();
    let shared = folder_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let same_root = matches!(
        (folder_parts.first(), path_parts.first()),
        (Some(a), Some(b)) if a == b
    );
    if !same_root {
        return path.to_string_lossy().into_owned();
    }
    let ups = std::iter::repeat_n("..".to_owned(), folder_parts.len() - shared);
    let downs = path_parts[shared..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    ups.chain(downs).collect::<Vec<_>>().join("/")
}
