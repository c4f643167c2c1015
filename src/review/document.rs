//! The open document: the transcript as edited, and the undo history. Every
//! change goes through [`Document::apply`]; undo and redo apply the stored
//! inverse edits, so a step costs what it changed, not a copy.

use std::path::{Path, PathBuf};

use crate::transcript::{self, Transcript, TranscriptError};

use super::edit::{Edit, EditError, apply};
use super::journal::{Journal, Record, encode_apply, now_secs};
use super::save::{Backups, OnDisk, SaveError, save};

/// One undoable step: the edit that reverses it, and the state it returns to.
#[derive(Debug, Clone)]
struct Step {
    edit: Edit,
    state: u64,
}

impl Drop for Document {
    fn drop(&mut self) {
        if !self.is_modified()
            && let Some(journal) = self.journal.take()
        {
            journal.remove();
        }
    }
}

/// A transcript being edited, with unlimited undo and redo.
#[derive(Debug)]
pub struct Document {
    transcript: Transcript,
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// Names the current content: a new number for each change, the old
    /// number again after an undo back to it.
    state: u64,
    next_state: u64,
    /// The state last written to (or read from) the file.
    saved_state: u64,
    /// The file it was read from and is saved to, if any.
    path: Option<PathBuf>,
    /// What that file held when read or last saved.
    on_disk: Option<OnDisk>,
    /// The file's original has been kept in the backups.
    backed_up: bool,
    /// Where each change is recorded as it is made, if anywhere.
    journal: Option<Journal>,
}

impl Document {
    /// A document holding `transcript` as read, unmodified.
    pub fn new(transcript: Transcript) -> Document {
        Document {
            transcript,
            undo: Vec::new(),
            redo: Vec::new(),
            state: 0,
            next_state: 1,
            saved_state: 0,
            path: None,
            on_disk: None,
            backed_up: false,
            journal: None,
        }
    }

    /// Reads the transcript at `path` (format detected from the content)
    /// and remembers what the file held, to notice another program's change.
    pub fn open(path: &Path) -> Result<Document, TranscriptError> {
        let bytes = transcript::read_bytes(path)?;
        let on_disk = OnDisk::of(&bytes);
        let transcript =
            transcript::parse_bytes(bytes, None).map_err(|failure| failure.in_file(path))?;
        let mut document = Document::new(transcript);
        document.path = Some(path.to_owned());
        document.on_disk = Some(on_disk);
        Ok(document)
    }

    /// The file the document is saved to.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes the document to its file (see [`save`]): refused when another
    /// program changed the file since it was read; the first overwrite
    /// keeps the original in `backups`. On failure nothing changes, on disk
    /// or here.
    pub fn save(&mut self, backups: Option<&Backups>) -> Result<(), SaveError> {
        let Some(path) = self.path.clone() else {
            return Err(SaveError::NoFile);
        };
        self.write_to(&path, self.on_disk, backups)
    }

    /// Writes the document to `path` in its format, which becomes its file;
    /// an existing file there is replaced (the user chose it).
    pub fn save_as(&mut self, path: &Path, backups: Option<&Backups>) -> Result<(), SaveError> {
        if self.path.as_deref() != Some(path) {
            self.backed_up = false;
        }
        self.write_to(path, None, backups)
    }

    fn write_to(
        &mut self,
        path: &Path,
        read_as: Option<OnDisk>,
        backups: Option<&Backups>,
    ) -> Result<(), SaveError> {
        let backups = backups.filter(|_| !self.backed_up);
        let written = save(&self.transcript, path, read_as, backups)?;
        self.backed_up |= backups.is_some();
        self.path = Some(path.to_owned());
        self.on_disk = Some(written);
        self.mark_saved();
        if let Some(journal) = &self.journal {
            journal.restart(path, written);
        }
        Ok(())
    }

    /// Whether the file now holds something other than what was read or
    /// last saved (another program wrote it); false when it cannot be read.
    pub fn changed_on_disk(&self) -> bool {
        match (&self.path, self.on_disk) {
            (Some(path), Some(expected)) => {
                OnDisk::read(path).is_ok_and(|now| now.is_some_and(|now| now != expected))
            }
            _ => false,
        }
    }

    /// The transcript as edited.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Applies `edit` as one undoable step and forgets what was undone.
    /// Returns the line to show.
    pub fn apply(&mut self, edit: Edit) -> Result<Option<usize>, EditError> {
        let focus = edit.focus();
        // Encoded before it is applied (which consumes it); sent only if it fits.
        let line = self.journal.as_ref().map(|_| encode_apply(&edit));
        let inverse = apply(&mut self.transcript, edit)?;
        if let (Some(journal), Some(line)) = (&self.journal, line) {
            journal.append(line);
        }
        self.undo.push(Step {
            edit: inverse,
            state: self.state,
        });
        self.redo.clear();
        self.state = self.next_state;
        self.next_state += 1;
        Ok(focus)
    }

    /// Undoes the last step; `None` when there is none, else the line to
    /// show (which may itself be `None` for a speaker-list change).
    pub fn undo(&mut self) -> Option<Option<usize>> {
        let step = self.undo.pop()?;
        self.log(Record::Undo {
            at_secs: now_secs(),
        });
        Some(self.swap(step, true))
    }

    /// Redoes the last undone step, as [`Document::undo`].
    pub fn redo(&mut self) -> Option<Option<usize>> {
        let step = self.redo.pop()?;
        self.log(Record::Redo {
            at_secs: now_secs(),
        });
        Some(self.swap(step, false))
    }

    fn log(&self, record: Record) {
        if let Some(journal) = &self.journal {
            journal.log(&record);
        }
    }

    /// Starts recording every change in a journal in `dir` (see
    /// [`super::journal`]); the document must have been read from a file.
    pub fn start_journal(&mut self, dir: &Path) -> std::io::Result<()> {
        let (Some(path), Some(on_disk)) = (&self.path, self.on_disk) else {
            return Err(std::io::Error::other("the transcript has no file yet"));
        };
        self.journal = Some(Journal::start(dir, path, on_disk)?);
        Ok(())
    }

    /// Goes on recording in `journal` (after a recovery).
    pub fn set_journal(&mut self, journal: Journal) {
        self.journal = Some(journal);
    }

    /// The journal, if changes are being recorded.
    pub fn journal(&self) -> Option<&Journal> {
        self.journal.as_ref()
    }

    /// Closes the document: its journal is removed unless it holds changes
    /// that were not saved (kept for recovery unless `discard`). Dropping a
    /// document is `close(false)`.
    pub fn close(mut self, discard: bool) {
        if discard && let Some(journal) = self.journal.take() {
            journal.remove();
        }
    }

    /// What the file held when read or last saved.
    pub fn on_disk(&self) -> Option<OnDisk> {
        self.on_disk
    }

    fn swap(&mut self, step: Step, undoing: bool) -> Option<usize> {
        let focus = step.edit.focus();
        // A stored inverse was made from this very state: it always fits.
        let Ok(inverse) = apply(&mut self.transcript, step.edit) else {
            return focus;
        };
        let back = Step {
            edit: inverse,
            state: self.state,
        };
        self.state = step.state;
        if undoing {
            self.redo.push(back);
        } else {
            self.undo.push(back);
        }
        focus
    }

    /// Whether there is a step to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is a step to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// The content differs from what was last saved or read.
    pub fn is_modified(&self) -> bool {
        self.state != self.saved_state
    }

    /// Records that the current content is what the file holds.
    pub fn mark_saved(&mut self) {
        self.saved_state = self.state;
    }

    /// Steps that can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }
}
