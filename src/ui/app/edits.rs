//! The window's side of the open document: the keys and menus that edit,
//! undo and save it, the dialogs that ask about it, and the title that shows
//! unsaved changes. The document itself is `review`'s; `ui::editing` keeps
//! the journal and backups. Here only what the app does with the answers.

use eframe::egui;

use super::super::dialogs::{self, Dialog, DialogAnswer};
use super::super::editing::{self, EditOutcome, Editing};
use super::super::shortcuts::Action;
use super::EarmarkApp;
use crate::review::{Edit, ops};
use crate::transcript::SpeakerId;

impl EarmarkApp {
    pub(super) fn dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.dialog else {
            return;
        };
        let Some(answer) = dialogs::dialog_ui(ctx, dialog) else {
            return;
        };
        self.dialog = None;
        match answer {
            DialogAnswer::Open { opened, partner } => self.open_pair(opened, partner),
            DialogAnswer::Rename { speaker, name } => self.rename_speaker(speaker, name),
            // Escape keeps the changes too: nothing is lost by a stray key.
            DialogAnswer::Recover | DialogAnswer::Close if self.editing.is_asking() => {
                let outcome = self.editing.recover(self.episode.transcript.as_mut(), true);
                self.on_edit(outcome);
            }
            DialogAnswer::SaveAndClose => {
                let outcome = self.editing.save(self.episode.transcript.as_mut());
                let saved = matches!(outcome, EditOutcome::Saved);
                self.on_edit(outcome);
                if saved {
                    self.ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            DialogAnswer::CloseWithoutSaving => {
                if let Some(loaded) = self.episode.transcript.take() {
                    loaded.document.close(true);
                }
                self.ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            DialogAnswer::Discard => {
                let outcome = self
                    .editing
                    .recover(self.episode.transcript.as_mut(), false);
                self.on_edit(outcome);
            }
            DialogAnswer::Recover | DialogAnswer::Close => {}
        }
    }

    /// Undoes (`undo`) or redoes the last step.
    pub(super) fn undo_redo(&mut self, undo: bool) {
        let outcome = Editing::undo_redo(self.episode.transcript.as_mut(), undo);
        self.on_edit(outcome);
    }

    /// Writes the transcript back to its file.
    pub(super) fn save(&mut self) {
        let outcome = self.editing.save(self.episode.transcript.as_mut());
        self.on_edit(outcome);
    }

    /// Escape on a dialog: closes it; unsaved changes found on open are kept
    /// unless discarded.
    pub(super) fn dismiss_dialog(&mut self) {
        if self.dialog.take().is_some() && self.editing.is_asking() {
            let outcome = self.editing.recover(self.episode.transcript.as_mut(), true);
            self.on_edit(outcome);
        }
    }

    /// Renames a speaker everywhere: an undoable edit of the transcript,
    /// written by the next save.
    pub fn rename_speaker(&mut self, speaker: SpeakerId, name: String) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        if let Some(edit) = ops::rename_speaker(loaded.transcript(), speaker, &name) {
            self.apply_edit(edit);
        }
    }

    /// The line a key edits: the one with the keyboard focus, else the one
    /// being heard.
    pub(super) fn target_line(&self) -> Option<usize> {
        self.view
            .focused_segment()
            .or(self.heard.as_ref().map(|c| c.segment))
    }

    /// The edits made by a key on the target line (or at the playhead).
    pub(super) fn edit_by_key(&mut self, action: Action) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let t = loaded.transcript();
        let playhead_ms = self.player.position_ms();
        let line = self.target_line();
        let edit = match (action, line) {
            (Action::InsertLine, _) => Some(ops::insert_at(t, playhead_ms).1),
            (Action::Speaker(n), Some(line)) => ops::set_speaker_number(t, line, usize::from(n)),
            (Action::StartHere, Some(line)) => ops::set_start(t, line, playhead_ms),
            (Action::EndHere, Some(line)) => ops::set_end(t, line, playhead_ms),
            (Action::MergeNext, Some(line)) => ops::merge_with_next(t, line),
            (Action::DeleteLine, Some(line)) => ops::delete(t, line),
            (Action::Nudge { start, delta_ms }, Some(line)) => {
                ops::nudge(t, line, start, i64::from(delta_ms))
            }
            _ => None,
        };
        if let Some(edit) = edit {
            self.apply_edit(edit);
        }
    }

    /// Opens the line editor on `segment`.
    pub(super) fn edit_line(&mut self, segment: usize) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        if let Some(line) = loaded.transcript().segments.get(segment) {
            self.view.edit(segment, &line.text);
        }
    }

    /// Enter in the line editor: its text becomes the line's, as one step.
    pub(super) fn commit_line(&mut self, segment: usize) {
        let (Some(editor), Some(loaded)) = (self.view.take_editor(), &self.episode.transcript)
        else {
            return;
        };
        if editor.segment == segment
            && let Some(edit) = ops::set_text(loaded.transcript(), segment, &editor.text)
        {
            self.apply_edit(edit);
        }
    }

    /// Applies `edit` to the open transcript as one undoable step.
    pub(super) fn apply_edit(&mut self, edit: Edit) {
        let outcome = self.editing.apply(self.episode.transcript.as_mut(), edit);
        self.on_edit(outcome);
    }

    /// What an edit, undo, save or recovery asks of the window.
    pub(super) fn on_edit(&mut self, outcome: EditOutcome) {
        match outcome {
            EditOutcome::Changed(focus) => {
                self.generation += 1;
                self.renames += 1;
                self.word_cache = None;
                self.search.reset();
                if let Some(segment) = focus {
                    self.view.reveal(segment);
                }
                self.update_title();
            }
            EditOutcome::Saved => self.update_title(),
            EditOutcome::Ask(dialog) => self.dialog = Some(dialog),
            EditOutcome::Report(message) => self.report(message),
            EditOutcome::Nothing => {}
        }
    }

    /// Closing (the window's ×, Ctrl+Q) with unsaved changes asks first.
    pub(super) fn confirm_close(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || !self.has_unsaved_changes() {
            return;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        let file = self
            .episode
            .transcript
            .as_ref()
            .and_then(|t| t.path.file_name())
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        self.dialog = Some(Dialog::SaveChanges { file });
    }

    /// "• name — Earmark" while there are unsaved changes.
    pub(super) fn update_title(&mut self) {
        let title = editing::title(
            self.episode.transcript.as_ref(),
            &self.episode.recent().title(),
        );
        if title != self.title {
            self.ctx
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}
