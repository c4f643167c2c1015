//! Saving the edited transcript back to the user's file, and never losing
//! the file it replaces: the write is atomic ([`crate::atomic_file`]), a
//! file another program changed since it was read is not overwritten
//! ([`SaveError::ChangedOnDisk`]), and before the first overwrite the
//! original is copied to a bounded folder of [`Backups`].

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::atomic_file;
use crate::transcript::{self, Format, Transcript, TranscriptError};

/// What a file held when it was read or last saved: its length and a
/// checksum of its bytes, enough to tell that another program changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnDisk {
    /// Its length in bytes.
    pub len: u64,
    /// CRC-32 of its bytes.
    pub crc: u32,
}

impl OnDisk {
    /// The stamp of these bytes.
    pub fn of(bytes: &[u8]) -> OnDisk {
        OnDisk {
            len: bytes.len() as u64,
            crc: crc32fast::hash(bytes),
        }
    }

    /// The stamp of what `path` holds now; `None` when there is no file.
    pub fn read(path: &Path) -> std::io::Result<Option<OnDisk>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(OnDisk::of(&bytes))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// Why a save did not happen; the file on disk is as it was.
#[derive(Debug, Error)]
pub enum SaveError {
    /// The document was not read from a file: it needs Save As.
    #[error("this transcript has no file yet; choose where to save it")]
    NoFile,
    /// Another program changed the file after it was read.
    #[error("{path} was changed by another program after it was opened; reload it, or save your version as another file", path = .path.display())]
    ChangedOnDisk {
        /// The file.
        path: PathBuf,
    },
    /// Reading, writing or converting failed.
    #[error(transparent)]
    Transcript(#[from] TranscriptError),
    /// The original could not be kept before overwriting it.
    #[error("keeping a copy of {path} in {dir} before overwriting it failed: {source}", path = .path.display(), dir = .dir.display())]
    Backup {
        /// The file that was to be overwritten.
        path: PathBuf,
        /// The backup folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The transcript was written, the session file beside it (the
    /// markers and review) was not.
    #[error("the transcript was saved, but not its review: {0}")]
    Session(#[from] super::session::SessionError),
}

/// Writes `transcript` to `path` in `format`. `read_as` is what the
/// file held when it was read (or last saved): if it now holds anything
/// else, nothing is written. With `backups`, the file's current content is
/// kept there first. Returns the stamp of what was written.
pub fn save(
    transcript: &Transcript,
    format: Format,
    path: &Path,
    read_as: Option<OnDisk>,
    backups: Option<&Backups>,
) -> Result<OnDisk, SaveError> {
    let text = transcript::write_string(transcript, format)?;
    write_checked(path, text.as_bytes(), read_as, backups)
}

/// The file work of a save, which needs no transcript (so it can run on
/// another thread): refuses when `path` no longer holds `read_as`, keeps
/// the current file in `backups`, then writes `bytes` atomically. Returns
/// the stamp of what was written.
pub fn write_checked(
    path: &Path,
    bytes: &[u8],
    read_as: Option<OnDisk>,
    backups: Option<&Backups>,
) -> Result<OnDisk, SaveError> {
    let io = |action, source| {
        SaveError::Transcript(TranscriptError::Io {
            action,
            path: path.to_owned(),
            source,
        })
    };
    let now = OnDisk::read(path).map_err(|e| io("reading", e))?;
    if let (Some(expected), Some(now)) = (read_as, now)
        && expected != now
    {
        return Err(SaveError::ChangedOnDisk {
            path: path.to_owned(),
        });
    }
    if let (Some(backups), Some(_)) = (backups, now) {
        backups.keep(path).map_err(|source| SaveError::Backup {
            path: path.to_owned(),
            dir: backups.dir.clone(),
            source,
        })?;
    }
    atomic_file::write(path, bytes).map_err(TranscriptError::from)?;
    Ok(OnDisk::of(bytes))
}

/// A folder of copies of files as they were before Earmark first overwrote
/// them, at most `per_file` for each file (the oldest go first).
#[derive(Debug, Clone)]
pub struct Backups {
    /// Where the copies are.
    pub dir: PathBuf,
    /// How many copies of one file are kept.
    pub per_file: usize,
}

/// A kept copy of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// The copy.
    pub path: PathBuf,
    /// When it was made, in seconds since 1970.
    pub made_secs: u64,
    made_nanos: u128,
}

impl Backups {
    /// Copies `path` as it is now into the folder; drops the oldest copies
    /// of it beyond `per_file`.
    pub fn keep(&self, path: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let bytes = std::fs::read(path)?;
        let made_nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let copy = self.dir.join(format!(
            "{}-{made_nanos:020}-{}",
            key_of(path),
            file_name(path)
        ));
        atomic_file::write(&copy, &bytes).map_err(|e| e.source)?;
        for old in self.list(path).into_iter().skip(self.per_file.max(1)) {
            std::fs::remove_file(old.path)?;
        }
        Ok(copy)
    }

    /// The copies of `path`, newest first.
    pub fn list(&self, path: &Path) -> Vec<Backup> {
        let prefix = format!("{}-", key_of(path));
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut found: Vec<Backup> = entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let rest = name.strip_prefix(&prefix)?;
                let made_nanos: u128 = rest.get(..20)?.parse().ok()?;
                Some((made_nanos, entry.path()))
            })
            .map(|(made_nanos, path)| Backup {
                path,
                made_secs: (made_nanos / 1_000_000_000) as u64,
                made_nanos,
            })
            .collect();
        found.sort_by_key(|b| std::cmp::Reverse(b.made_nanos));
        found
    }

    /// Puts `backup` back as `path`, atomically.
    pub fn restore(&self, backup: &Backup, path: &Path) -> Result<(), SaveError> {
        let bytes = std::fs::read(&backup.path).map_err(|source| {
            SaveError::Transcript(TranscriptError::Io {
                action: "reading",
                path: backup.path.clone(),
                source,
            })
        })?;
        atomic_file::write(path, &bytes).map_err(|e| SaveError::Transcript(e.into()))
    }
}

/// Names what the data folder keeps for a file (its backups, its journal):
/// a checksum of its full path, so two `episode.srt` in different folders
/// keep their own.
pub(crate) fn key_of(path: &Path) -> String {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    format!("{:08x}", crc32fast::hash(full.to_string_lossy().as_bytes()))
}

/// The file's name, for the names of what is kept for it.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || "transcript".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}
