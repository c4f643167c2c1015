//! The open document: the transcript as edited, the review beside it
//! (markers, kinds, what is reviewed) and the undo history. Every change
//! goes through [`Document::apply`]; undo and redo apply the stored inverse
//! edits, so a step costs what it changed, not a copy. A save writes the
//! transcript to its file and the review to the session file beside it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::transcript::{self, Format, Layout, TextOptions, Transcript, TranscriptError};

use super::edit::{Edit, EditError, apply};
use super::journal::{Journal, Record, SaveMarks, encode_apply, now_secs};
use super::save::{Backups, OnDisk, SaveError, save, write_checked};
use super::session::{self, AudioLink};
use super::state::ReviewState;

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
    /// Shared with a save being written (an edit meanwhile copies it once).
    transcript: Arc<Transcript>,
    /// The markers, kinds and reviewed parts, saved in the session file.
    review: ReviewState,
    /// The episode's audio, for the session file (unknown: left as it says).
    audio: Option<AudioLink>,
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
    /// The number of the next save (pairs its journal marks).
    next_save: u64,
    /// How many steps at the top of the undo (and of the redo) list the
    /// journal can replay as an undo (a redo): those made since it started.
    /// Older ones are journaled as the edit they apply.
    replayable: (usize, usize),
}

/// A save's file work, made by [`Document::start_save`]: run it on any
/// thread.
#[derive(Debug)]
pub struct SaveJob {
    path: PathBuf,
    transcript: Arc<Transcript>,
    read_as: Option<OnDisk>,
    backups: Option<Backups>,
    state: u64,
    save: u64,
    marks: Option<SaveMarks>,
    review: ReviewState,
    audio: Option<AudioLink>,
}

/// What a [`SaveJob`] did, for [`Document::finish_save`].
#[derive(Debug)]
pub struct SaveDone {
    /// The stamp of what was written, or why nothing was.
    pub result: Result<OnDisk, SaveError>,
    /// Whether the session file was written (or had nothing to hold).
    pub session: Result<(), session::SessionError>,
    backed_up: bool,
    state: u64,
}

impl SaveJob {
    /// The file this job writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes the text and writes the file (see [`write_checked`]; not
    /// when it holds this text already), the journal told what the file
    /// will hold before it is put in place; the session file beside it is
    /// written just before. (Recovery never reads the session file: the
    /// journal holds the review it starts from, so no order of the two
    /// writes can lose or double a change.)
    pub fn run(self) -> SaveDone {
        let mut session = Ok(());
        let mut wrote = false;
        let result = transcript::write_string(&self.transcript, self.transcript.format)
            .map_err(SaveError::from)
            .and_then(|text| {
                let stamp = OnDisk::of(text.as_bytes());
                if let Some(marks) = &self.marks {
                    marks.written(self.save, stamp);
                }
                session = session::save_beside(&self.path, self.audio.as_ref(), &self.review);
                if self.read_as == Some(stamp) {
                    return Ok(stamp);
                }
                wrote = true;
                write_checked(
                    &self.path,
                    text.as_bytes(),
                    self.read_as,
                    self.backups.as_ref(),
                )
            });
        SaveDone {
            backed_up: self.backups.is_some() && wrote && result.is_ok(),
            result,
            session,
            state: self.state,
        }
    }
}

/// Where [`Document::save_as`] put the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedAs {
    /// The file is now the document's: later saves go there, in its format.
    File,
    /// A copy in a format that does not hold everything (plain text,
    /// Markdown); the document stays with its file.
    Copy,
}

/// What a save-as format keeps: all of a transcript (it can become the
/// document's file) or only a readable copy.
fn holds_everything(format: Format, read_as: Format) -> bool {
    format == read_as
        || matches!(
            format,
            Format::Range | Format::Srt | Format::Vtt | Format::PodcastJson
        )
}

/// A saved state no content has: the document differs from its file.
const NOT_THE_FILE: u64 = u64::MAX;

impl Document {
    /// A document holding `transcript` as read, unmodified.
    pub fn new(transcript: Transcript) -> Document {
        Document {
            transcript: Arc::new(transcript),
            review: ReviewState::default(),
            audio: None,
            undo: Vec::new(),
            redo: Vec::new(),
            state: 0,
            next_state: 1,
            saved_state: 0,
            path: None,
            on_disk: None,
            backed_up: false,
            journal: None,
            next_save: 0,
            replayable: (0, 0),
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

    /// A document for the file `path` whose content is `base`, not what the
    /// file holds (`on_disk`): a recovery after the user kept their version
    /// over another program's. It counts as modified.
    pub fn from_base(
        path: &Path,
        base: &str,
        on_disk: OnDisk,
    ) -> Result<Document, TranscriptError> {
        let transcript = transcript::parse_bytes(base.as_bytes().to_vec(), None)
            .map_err(|failure| failure.in_file(path))?;
        let mut document = Document::new(transcript);
        document.path = Some(path.to_owned());
        document.on_disk = Some(on_disk);
        document.saved_state = NOT_THE_FILE;
        Ok(document)
    }

    /// The file the document is saved to.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes the document to its file (see [`save`]): refused when another
    /// program changed the file since it was read; the first overwrite
    /// keeps the original in `backups`. On failure nothing changes, on disk
    /// or here. (This is [`Document::start_save`], its job run here, and
    /// [`Document::finish_save`].)
    pub fn save(&mut self, backups: Option<&Backups>) -> Result<(), SaveError> {
        let done = self.start_save(backups)?.run();
        self.finish_save(done)
    }

    /// The first half of a save, on the caller's thread: a hold on the
    /// transcript as it is (no copy: an edit made while the job runs makes
    /// its own). Run the job anywhere (it makes the text and writes the
    /// file), then hand what it did to [`Document::finish_save`].
    pub fn start_save(&mut self, backups: Option<&Backups>) -> Result<SaveJob, SaveError> {
        let Some(path) = self.path.clone() else {
            return Err(SaveError::NoFile);
        };
        let save = self.next_save;
        self.next_save += 1;
        // If the save lands and a crash comes before the journal starts
        // over, recovery replays only what follows this mark; undoing a step
        // from before it is then journaled as the edit it makes.
        self.log(Record::SaveStarted {
            save,
            at_secs: now_secs(),
            review: (!self.review.is_default()).then(|| self.review.clone()),
        });
        self.replayable = (0, 0);
        Ok(SaveJob {
            path,
            transcript: Arc::clone(&self.transcript),
            read_as: self.on_disk,
            backups: backups.filter(|_| !self.backed_up).cloned(),
            state: self.state,
            save,
            marks: self.journal.as_ref().and_then(Journal::save_marks),
            review: self.review.clone(),
            audio: self.audio.clone(),
        })
    }

    /// The second half of a save: the document now matches its file as the
    /// job wrote it (still modified if edits came meanwhile), and its
    /// journal starts over from there. A failed job changes nothing. When
    /// the transcript was written but not the session file, the document
    /// stays modified and its journal goes on (it knows the save landed).
    pub fn finish_save(&mut self, done: SaveDone) -> Result<(), SaveError> {
        let written = done.result?;
        self.backed_up |= done.backed_up;
        self.on_disk = Some(written);
        if let Err(err) = done.session {
            self.saved_state = NOT_THE_FILE;
            self.journal_unsaved_review(done.state);
            return Err(SaveError::Session(err));
        }
        self.saved_state = done.state;
        // Edits made while the file was written are not in it: the journal
        // holds the whole text they made, so a crash still loses nothing.
        let base = (self.state != done.state)
            .then(|| transcript::write_string(&self.transcript, self.transcript.format).ok())
            .flatten();
        self.restart_journal(base);
        Ok(())
    }

    /// Writes the document to `path` in `format`; an existing file there is
    /// replaced (the user chose it). A format that holds the whole
    /// transcript makes `path` the document's file (later saves go there, in
    /// that format); plain text and Markdown are written as a copy.
    pub fn save_as(
        &mut self,
        path: &Path,
        format: Format,
        backups: Option<&Backups>,
    ) -> Result<SavedAs, SaveError> {
        if !holds_everything(format, self.transcript.format) {
            transcript::write_file(&self.transcript, format, &TextOptions::default(), path)?;
            return Ok(SavedAs::Copy);
        }
        if self.path.as_deref() != Some(path) {
            self.backed_up = false;
        }
        self.write_to(path, format, None, backups)?;
        if format != self.transcript.format {
            // What was written is the format's own layout; later saves keep it.
            let transcript = Arc::make_mut(&mut self.transcript);
            transcript.format = format;
            transcript.layout = Layout::default();
        }
        Ok(SavedAs::File)
    }

    fn write_to(
        &mut self,
        path: &Path,
        format: Format,
        read_as: Option<OnDisk>,
        backups: Option<&Backups>,
    ) -> Result<(), SaveError> {
        let backups = backups.filter(|_| !self.backed_up);
        let written = save(&self.transcript, format, path, read_as, backups)?;
        self.backed_up |= backups.is_some();
        if self.path.as_deref() != Some(path) {
            self.move_journal(path, written);
        }
        self.path = Some(path.to_owned());
        self.on_disk = Some(written);
        self.mark_saved();
        self.restart_journal(None);
        Ok(())
    }

    /// The document now lives at `path`: its journal is the one named for
    /// that file (the old one goes; if the new one cannot start, the old
    /// one goes on recording).
    fn move_journal(&mut self, path: &Path, on_disk: OnDisk) {
        let Some(old) = self.journal.take() else {
            return;
        };
        let dir = old.path().parent().map(Path::to_owned);
        match dir.map(|dir| Journal::start(&dir, path, on_disk, &self.review)) {
            Some(Ok(journal)) => {
                old.remove();
                self.journal = Some(journal);
            }
            _ => self.journal = Some(old),
        }
    }

    /// The transcript landed (as it was in state `saved`), its review did
    /// not: the journal starts over from the file as it now is and holds
    /// the whole review as one change, so a crash still gives it back.
    fn journal_unsaved_review(&mut self, saved: u64) {
        let base = (self.state != saved)
            .then(|| transcript::write_string(&self.transcript, self.transcript.format).ok())
            .flatten();
        let empty = ReviewState::default();
        self.replayable = (0, 0);
        if let (Some(journal), Some(path), Some(on_disk)) =
            (&self.journal, &self.path, self.on_disk)
        {
            journal.restart_from(path, on_disk, base, &empty);
            journal.append(encode_apply(&Edit::Group(vec![
                Edit::Markers {
                    at: 0,
                    remove: 0,
                    insert: self.review.markers.clone(),
                },
                Edit::Kinds(self.review.kinds.clone()),
                Edit::Reviewed(self.review.reviewed.clone()),
            ])));
        }
    }

    /// The journal starts over from the file as it now is (or from `base`).
    fn restart_journal(&mut self, base: Option<String>) {
        self.replayable = (0, 0);
        if let (Some(journal), Some(path), Some(on_disk)) =
            (&self.journal, &self.path, self.on_disk)
        {
            journal.restart_from(path, on_disk, base, &self.review);
        }
    }

    /// Reads the file again (Revert, or Reload after another program changed
    /// it). When only the lines differ, this is one undoable step; when the
    /// file's format or layout changed too, the history starts over.
    /// Returns the line to show.
    pub fn reload(&mut self) -> Result<Option<usize>, TranscriptError> {
        let Some(path) = self.path.clone() else {
            return Ok(None);
        };
        let bytes = transcript::read_bytes(&path)?;
        let on_disk = OnDisk::of(&bytes);
        let fresh =
            transcript::parse_bytes(bytes, None).map_err(|failure| failure.in_file(&path))?;
        let same_shape = fresh.format == self.transcript.format
            && fresh.layout == self.transcript.layout
            && fresh.header == self.transcript.header
            && fresh.time_style == self.transcript.time_style;
        let focus = if same_shape {
            let lines = Edit::Group(vec![
                Edit::Splice {
                    at: 0,
                    remove: self.transcript.segments.len(),
                    insert: Vec::new(),
                },
                Edit::Speakers(fresh.speakers),
                Edit::Splice {
                    at: 0,
                    remove: 0,
                    insert: fresh.segments,
                },
            ]);
            // Made from the file just read: it always fits.
            self.apply(lines).unwrap_or(None)
        } else {
            self.transcript = Arc::new(fresh);
            self.undo.clear();
            self.redo.clear();
            self.state = self.next_state;
            self.next_state += 1;
            None
        };
        self.on_disk = Some(on_disk);
        self.mark_saved();
        self.restart_journal(None);
        Ok(focus)
    }

    /// Keeps the document as it is after another program changed its file:
    /// a save then replaces that program's version (the user chose so), and
    /// until then the document counts as modified and its journal holds its
    /// whole text, so a crash loses nothing either.
    pub fn keep_mine(&mut self) -> std::io::Result<()> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        if let Some(now) = OnDisk::read(&path)? {
            self.on_disk = Some(now);
        }
        self.saved_state = NOT_THE_FILE;
        let base = transcript::write_string(&self.transcript, self.transcript.format).ok();
        self.restart_journal(base);
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

    /// The review as edited: markers, kinds, what is reviewed.
    pub fn review(&self) -> &ReviewState {
        &self.review
    }

    /// Starts from `review` (read from the session file, or recovered):
    /// not a change, nothing to undo. Call before the journal starts.
    pub fn set_review(&mut self, review: ReviewState) {
        self.review = review;
    }

    /// The episode's audio, written to the session file by the next save.
    pub fn set_audio(&mut self, audio: AudioLink) {
        self.audio = Some(audio);
    }

    /// Applies `edit` as one undoable step and forgets what was undone.
    /// Returns the line to show.
    pub fn apply(&mut self, edit: Edit) -> Result<Option<usize>, EditError> {
        let focus = edit.focus();
        // Encoded before it is applied (which consumes it); sent only if it fits.
        let line = self.journal.as_ref().map(|_| encode_apply(&edit));
        let inverse = apply(&mut self.transcript, &mut self.review, edit)?;
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
        self.replayable = (self.replayable.0 + 1, 0);
        Ok(focus)
    }

    /// Undoes the last step; `None` when there is none, else the line to
    /// show (which may itself be `None` for a speaker-list change).
    pub fn undo(&mut self) -> Option<Option<usize>> {
        let step = self.undo.pop()?;
        let (undo, redo) = self.replayable;
        if undo > 0 {
            self.log(Record::Undo {
                at_secs: now_secs(),
            });
            self.replayable = (undo - 1, redo + 1);
        } else {
            // Made before the journal started: a replay has no step to undo.
            self.log_apply(&step.edit);
            self.replayable = (0, 0);
        }
        Some(self.swap(step, true))
    }

    /// Redoes the last undone step, as [`Document::undo`].
    pub fn redo(&mut self) -> Option<Option<usize>> {
        let step = self.redo.pop()?;
        let (undo, redo) = self.replayable;
        if redo > 0 {
            self.log(Record::Redo {
                at_secs: now_secs(),
            });
            self.replayable = (undo + 1, redo - 1);
        } else {
            self.log_apply(&step.edit);
            self.replayable = (undo + 1, 0);
        }
        Some(self.swap(step, false))
    }

    fn log(&self, record: Record) {
        if let Some(journal) = &self.journal {
            journal.log(&record);
        }
    }

    fn log_apply(&self, edit: &Edit) {
        if let Some(journal) = &self.journal {
            journal.append(encode_apply(edit));
        }
    }

    /// Starts recording every change in a journal in `dir` (see
    /// [`super::journal`]); the document must have been read from a file.
    pub fn start_journal(&mut self, dir: &Path) -> std::io::Result<()> {
        let (Some(path), Some(on_disk)) = (&self.path, self.on_disk) else {
            return Err(std::io::Error::other("the transcript has no file yet"));
        };
        self.journal = Some(Journal::start(dir, path, on_disk, &self.review)?);
        self.replayable = (0, 0);
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
        let Ok(inverse) = apply(&mut self.transcript, &mut self.review, step.edit) else {
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
