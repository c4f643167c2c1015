//! The open document: the transcript as edited, and the undo history. Every
//! change goes through [`Document::apply`]; undo and redo apply the stored
//! inverse edits, so a step costs what it changed, not a copy.

use crate::transcript::Transcript;

use super::edit::{Edit, EditError, apply};

/// One undoable step: the edit that reverses it, and the state it returns to.
#[derive(Debug, Clone)]
struct Step {
    edit: Edit,
    state: u64,
}

/// A transcript being edited, with unlimited undo and redo.
#[derive(Debug, Clone)]
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
        let inverse = apply(&mut self.transcript, edit)?;
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
        Some(self.swap(step, true))
    }

    /// Redoes the last undone step, as [`Document::undo`].
    pub fn redo(&mut self) -> Option<Option<usize>> {
        let step = self.redo.pop()?;
        Some(self.swap(step, false))
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
