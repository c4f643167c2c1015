//! The open document in the window: every change goes through here, which
//! applies it to the document (see `review`) and rebuilds the time index;
//! undo, redo and save; where the journal and backups live. Never draws.

use std::path::{Path, PathBuf};

use crate::review::{Backups, Document, Edit, EditError, SaveError};
use crate::timeline::Timeline;

use super::open::LoadedTranscript;

/// Copies of each file kept before Earmark first overwrites it.
const BACKUPS_PER_FILE: usize = 5;

/// Where journals of unsaved changes live in the data folder.
pub fn journal_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("journal")
}

/// Where originals are kept before their first overwrite.
pub fn backups(data_dir: &Path) -> Backups {
    Backups {
        dir: data_dir.join("backups"),
        per_file: BACKUPS_PER_FILE,
    }
}

/// A time in seconds since 1970 as a person reads it: how long ago.
pub fn when(secs: u64) -> String {
    let ago_secs = crate::review::journal::now_secs().saturating_sub(secs);
    match ago_secs {
        0..60 => "less than a minute ago".to_owned(),
        60..3600 => format!("{} minutes ago", ago_secs / 60),
        3600..86_400 => format!("{} hours ago", ago_secs / 3600),
        _ => format!("{} days ago", ago_secs / 86_400),
    }
}

impl LoadedTranscript {
    /// Applies `edit` as one undoable step; returns the line to show.
    pub fn apply(&mut self, edit: Edit) -> Result<Option<usize>, EditError> {
        let focus = self.document.apply(edit)?;
        self.reindex();
        Ok(focus)
    }

    /// Undoes the last step; `None` when there was none.
    pub fn undo(&mut self) -> Option<Option<usize>> {
        let focus = self.document.undo()?;
        self.reindex();
        Some(focus)
    }

    /// Redoes the last undone step; `None` when there was none.
    pub fn redo(&mut self) -> Option<Option<usize>> {
        let focus = self.document.redo()?;
        self.reindex();
        Some(focus)
    }

    /// Writes the transcript back to its file (the original kept first in
    /// `data_dir`'s backups, when given).
    pub fn save(&mut self, data_dir: Option<&Path>) -> Result<(), SaveError> {
        let backups = data_dir.map(backups);
        self.document.save(backups.as_ref())
    }

    /// The content differs from the file's.
    pub fn is_modified(&self) -> bool {
        self.document.is_modified()
    }

    /// Puts a recovered document in place of the one read.
    pub fn replace_document(&mut self, document: Document) {
        self.document = document;
        self.reindex();
    }

    fn reindex(&mut self) {
        self.timeline = Timeline::new(self.document.transcript());
    }
}
