//! The open document in the window: every change goes through here, which
//! applies it to the document (see `review`) and rebuilds the time index;
//! undo, redo and save; the journal, recovery and backups, and the title's
//! unsaved mark. Returns what the window should do; never draws.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::review::journal::{self, Pending};
use crate::review::{Backup, Backups, Document, Edit, EditError, SaveDone, SaveError, SavedAs};
use crate::transcript::Format;

use super::dialogs::Dialog;
use super::open::LoadedTranscript;

/// What a change to the document asks of the window.
pub enum EditOutcome {
    /// The transcript changed: redraw, show this line, mark the title.
    Changed(Option<usize>),
    /// It was written to its file: unmark the title.
    Saved,
    /// Ask the user (unsaved changes found).
    Ask(Dialog),
    /// Tell the user what went wrong.
    Report(String),
    /// Nothing happened.
    Nothing,
}

/// Editing in the window beyond the document itself: where journals and
/// backups go, unsaved changes awaiting the user's answer, and the save
/// being written.
pub struct Editing {
    data_dir: Option<PathBuf>,
    recovery: Option<Pending>,
    /// The save being written on its own thread, and since when.
    saving: Option<(Receiver<SaveDone>, Instant)>,
    /// Asks the window for a frame (a save finished).
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl Editing {
    /// Journals and backups in `data_dir` (none without one); `wake` asks
    /// the window to look when a save finishes.
    pub fn new(data_dir: Option<PathBuf>, wake: Arc<dyn Fn() + Send + Sync>) -> Editing {
        if let Some(data_dir) = &data_dir {
            // What a killed write of a journal or a backup left behind.
            crate::atomic_file::remove_leftovers(&journal_dir(data_dir));
            crate::atomic_file::remove_leftovers(&backups(data_dir).dir);
        }
        Editing {
            data_dir,
            recovery: None,
            saving: None,
            wake,
        }
    }

    /// A save is being written.
    pub fn is_saving(&self) -> bool {
        self.saving.is_some()
    }

    /// A save has been writing for long enough to say so ("Saving…"; a
    /// usual save is done before it would be read).
    pub fn is_saving_slowly(&self) -> bool {
        self.saving
            .as_ref()
            .is_some_and(|(_, since)| since.elapsed() >= SHOW_SAVING_AFTER)
    }

    /// Whether the recovery question is open.
    pub fn is_asking(&self) -> bool {
        self.recovery.is_some()
    }

    /// Applies `edit` as one undoable step.
    pub fn apply(&self, loaded: Option<&mut LoadedTranscript>, edit: Edit) -> EditOutcome {
        let Some(loaded) = loaded else {
            return EditOutcome::Nothing;
        };
        match loaded.apply(edit) {
            Ok(focus) => EditOutcome::Changed(focus),
            Err(err) => EditOutcome::Report(format!("the change was not made: {err}")),
        }
    }

    /// Undoes (`undo`) or redoes the last step.
    pub fn undo_redo(loaded: Option<&mut LoadedTranscript>, undo: bool) -> EditOutcome {
        let Some(loaded) = loaded else {
            return EditOutcome::Nothing;
        };
        let done = if undo { loaded.undo() } else { loaded.redo() };
        done.map_or(EditOutcome::Nothing, EditOutcome::Changed)
    }

    /// Writes the transcript back to its file, its original kept first:
    /// the text is made here, the file written on a thread of its own (the
    /// window goes on meanwhile; [`Editing::poll`] collects the result). A
    /// save asked for while one is being written is not started.
    pub fn save(&mut self, loaded: Option<&mut LoadedTranscript>) -> EditOutcome {
        let Some(loaded) = loaded else {
            return EditOutcome::Nothing;
        };
        if self.saving.is_some() {
            return EditOutcome::Nothing;
        }
        let backups = self.data_dir.as_deref().map(backups);
        let job = match loaded.document.start_save(backups.as_ref()) {
            Ok(job) => job,
            Err(err) => return save_failed(loaded, err),
        };
        let (done_tx, done_rx) = mpsc::channel();
        let wake = self.wake.clone();
        let run = move || {
            let _ = done_tx.send(job.run());
            wake();
        };
        if let Err(err) = std::thread::Builder::new()
            .name("earmark-save".into())
            .spawn(run)
        {
            return EditOutcome::Report(format!(
                "cannot start a thread to save {}: {err}",
                loaded.path.display()
            ));
        }
        self.saving = Some((done_rx, Instant::now()));
        EditOutcome::Nothing
    }

    /// The save being written, once it is done: saved, or why not.
    pub fn poll(&mut self, loaded: Option<&mut LoadedTranscript>) -> EditOutcome {
        let Some(done) = self.saving.as_ref().and_then(|(rx, _)| rx.try_recv().ok()) else {
            return EditOutcome::Nothing;
        };
        self.saving = None;
        let Some(loaded) = loaded else {
            return EditOutcome::Nothing;
        };
        match loaded.document.finish_save(done) {
            Ok(()) => {
                log::info!("saved {}", loaded.path.display());
                EditOutcome::Saved
            }
            Err(err) => save_failed(loaded, err),
        }
    }

    /// Save As: the format comes from `path`'s extension (the transcript's
    /// own when it matches). Text and Markdown are written as a copy.
    pub fn save_as(&self, loaded: Option<&mut LoadedTranscript>, path: &Path) -> EditOutcome {
        let Some(loaded) = loaded else {
            return EditOutcome::Nothing;
        };
        let own = loaded.transcript().format;
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let format = if extension.eq_ignore_ascii_case(own.extension()) && own.is_writable() {
            Some(own)
        } else {
            Format::for_output_path(path)
        };
        let Some(format) = format else {
            return EditOutcome::Report(format!(
                "{}: cannot tell the format from the name; end it in .txt, .srt, .vtt, .json or .md",
                path.display()
            ));
        };
        let backups = self.data_dir.as_deref().map(backups);
        match loaded.document.save_as(path, format, backups.as_ref()) {
            Ok(SavedAs::File) => {
                loaded.path = path.to_owned();
                EditOutcome::Saved
            }
            Ok(SavedAs::Copy) => EditOutcome::Report(format!(
                "Wrote a {format} copy to {}; the transcript itself is still {}.",
                path.display(),
                loaded.path.display()
            )),
            Err(err) => {
                log::warn!("{} was not saved: {err}", path.display());
                EditOutcome::Ask(Dialog::SaveFailed {
                    message: err.to_string(),
                })
            }
        }
    }

    /// Reads the file again (Revert, Reload): one undoable step.
    pub fn reload(loaded: Option<&mut LoadedTranscript>) -> EditOutcome {
        let Some(loaded) = loaded else {
            return EditOutcome::Nothing;
        };
        match loaded.document.reload() {
            Ok(focus) => {
                loaded.reindex();
                EditOutcome::Changed(focus)
            }
            Err(err) => EditOutcome::Report(format!("{err} (your version is kept)")),
        }
    }

    /// Keeps the window's version over another program's change.
    pub fn keep_mine(loaded: Option<&mut LoadedTranscript>) -> EditOutcome {
        let Some(loaded) = loaded else {
            return EditOutcome::Nothing;
        };
        match loaded.document.keep_mine() {
            Ok(()) => EditOutcome::Changed(None),
            Err(err) => {
                EditOutcome::Report(format!("{} cannot be read: {err}", loaded.path.display()))
            }
        }
    }

    /// The copies of the transcript's file kept before it was overwritten,
    /// newest first.
    pub fn backups_of(&self, loaded: Option<&LoadedTranscript>) -> Vec<Backup> {
        match (&self.data_dir, loaded) {
            (Some(data_dir), Some(loaded)) => backups(data_dir).list(&loaded.path),
            _ => Vec::new(),
        }
    }

    /// Puts `backup` back as the transcript's file (what the file holds now
    /// is kept as a backup first) and reads it: one undoable step.
    pub fn restore(&self, loaded: Option<&mut LoadedTranscript>, backup: &Backup) -> EditOutcome {
        let (Some(data_dir), Some(loaded)) = (&self.data_dir, loaded) else {
            return EditOutcome::Nothing;
        };
        let backups = backups(data_dir);
        let restored = backups
            .keep(&loaded.path)
            .map_err(|err| {
                format!(
                    "{} could not be kept before restoring: {err}",
                    loaded.path.display()
                )
            })
            .and_then(|_| {
                backups
                    .restore(backup, &loaded.path)
                    .map_err(|err| err.to_string())
            });
        match restored {
            Ok(()) => Editing::reload(Some(loaded)),
            Err(message) => EditOutcome::Report(message),
        }
    }

    /// Starts the journal of a transcript just opened, or first asks about
    /// unsaved changes an earlier run left.
    pub fn start_journal(&mut self, loaded: Option<&mut LoadedTranscript>) -> EditOutcome {
        let (Some(data_dir), Some(loaded)) = (&self.data_dir, loaded) else {
            return EditOutcome::Nothing;
        };
        let dir = journal_dir(data_dir);
        if let Some(pending) = journal::pending(&dir, &loaded.path) {
            log::info!(
                "{} unsaved changes to {} found in the journal",
                pending.changes,
                loaded.path.display()
            );
            let dialog = Dialog::Recover {
                changes: pending.changes,
                when: when(pending.last_secs),
            };
            self.recovery = Some(pending);
            return EditOutcome::Ask(dialog);
        }
        match loaded.document.start_journal(&dir) {
            Ok(()) => EditOutcome::Nothing,
            Err(err) => EditOutcome::Report(format!(
                "unsaved changes cannot be kept in {}: {err}",
                dir.display()
            )),
        }
    }

    /// Brings back (`keep`) or throws away the unsaved changes found on open.
    pub fn recover(&mut self, loaded: Option<&mut LoadedTranscript>, keep: bool) -> EditOutcome {
        let (Some(pending), Some(loaded)) = (self.recovery.take(), loaded) else {
            return EditOutcome::Nothing;
        };
        log::info!(
            "unsaved changes to {} {}",
            loaded.path.display(),
            if keep { "recovered" } else { "discarded" }
        );
        if keep {
            let err = match pending.recover() {
                Ok(document) => {
                    loaded.replace_document(document);
                    return EditOutcome::Changed(None);
                }
                Err(err) => err,
            };
            // The file is what it is; its new changes need a journal of their
            // own, and the old one is kept aside, not deleted.
            let kept = match pending.set_aside() {
                Ok(aside) => format!("kept in {}", aside.display()),
                Err(aside_err) => format!("and could not be set aside: {aside_err}"),
            };
            let started = self.start_journal(Some(loaded));
            let message = format!("the unsaved changes could not be recovered ({kept}): {err}");
            return match started {
                EditOutcome::Report(more) => EditOutcome::Report(format!("{message}; {more}")),
                _ => EditOutcome::Report(message),
            };
        }
        if let Err(err) = pending.discard() {
            return EditOutcome::Report(format!(
                "the unsaved changes could not be discarded: {err}"
            ));
        }
        self.start_journal(Some(loaded))
    }
}

/// What a failed save asks: another program's change (Reload or Keep
/// mine), or anything else (Save As).
fn save_failed(loaded: &LoadedTranscript, err: SaveError) -> EditOutcome {
    log::warn!("{} was not saved: {err}", loaded.path.display());
    match err {
        SaveError::ChangedOnDisk { .. } => EditOutcome::Ask(Dialog::ChangedOnDisk {
            file: loaded.file_name(),
            modified: loaded.is_modified(),
        }),
        // The transcript is saved; Save As would not help the review.
        err @ SaveError::Session(_) => EditOutcome::Report(err.to_string()),
        err => EditOutcome::Ask(Dialog::SaveFailed {
            message: err.to_string(),
        }),
    }
}

/// The window title: "• name — Earmark" while there are unsaved changes.
pub fn title(loaded: Option<&LoadedTranscript>, name: &str) -> String {
    let mark = if loaded.is_some_and(LoadedTranscript::is_modified) {
        "• "
    } else {
        ""
    };
    format!("{mark}{name} — Earmark")
}

/// How long a save runs before the menu bar says "Saving…".
pub const SHOW_SAVING_AFTER: Duration = Duration::from_millis(300);

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

    /// The content differs from the file's.
    pub fn is_modified(&self) -> bool {
        self.document.is_modified()
    }

    /// The file's name, as dialogs show it.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    }

    /// Puts a recovered document in place of the one read.
    pub fn replace_document(&mut self, document: Document) {
        self.document = document;
        self.reindex();
    }

    /// Rebuilds the time index after the document changed.
    pub fn reindex(&mut self) {
        self.timeline.update(self.document.transcript());
    }
}
